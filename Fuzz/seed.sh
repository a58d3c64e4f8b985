#!/usr/bin/env bash
# Writes the seed corpus of every fuzz target from the project's own files into Fuzz/seeds/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=Fuzz/seeds
mkdir -p "$seeds"/{policy,suite,corpus,proof-json,proof-text,checkpoint,canonical-entry,envelope,command,command-run}

cp Sources/PublicDataPolicy/Resources/beijing-default.policy.json Documentation/PolicyExamples/pilot.policy.json \
    "$seeds/policy/"
cp Tests/PublicDataPolicyTests/Suites/*.json Documentation/PolicyExamples/example.suite.json "$seeds/suite/"
cp Documentation/PolicyExamples/corpus.jsonl "$seeds/corpus/"
# One corpus line per seed as well, so mutations start from single records.
n=0
grep -v '^#' Documentation/PolicyExamples/corpus.jsonl | grep . | head -n 20 | while IFS= read -r line; do
    n=$((n + 1))
    printf '%s\n' "$line" >"$seeds/corpus/line-$n.jsonl"
done

# Checkpoint, proof and canonical entry seeds are small fixed documents in the formats of
# Documentation/Audit.md (kept in Fuzz/fixtures so the seed set is stable across runs).
cp Fuzz/fixtures/checkpoint-*.txt "$seeds/checkpoint/"
cp Fuzz/fixtures/proof-*.txt "$seeds/proof-text/"
cp Fuzz/fixtures/proof-*.json "$seeds/proof-json/"
cp Fuzz/fixtures/entry-*.bin "$seeds/canonical-entry/"
cp Fuzz/fixtures/envelope-*.json "$seeds/envelope/"
cp Fuzz/fixtures/command-*.json "$seeds/command/"
cp Fuzz/fixtures/command-*.json Fuzz/fixtures/commands-*.jsonl "$seeds/command-run/"
