#!/usr/bin/env bash
# Builds every module's DocC catalog with warnings as errors, without the DocC plugin:
# dump the symbol graphs with SwiftPM, then run `docc convert` per catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
# DOCS_SCRATCH: the scratch folder to build in (default .build); it may be empty or missing: everything the
# catalogs need is built here first, nothing relies on an earlier `swift build` or `swift test`.
# DOCS_TRAITS: the package traits (default: those of the README's test command, so that after
# `swift test --traits PostgreSQL,OpenSSL` in the same scratch folder nothing is rebuilt).
scratch="${DOCS_SCRATCH:-.build}"
traits="${DOCS_TRAITS:-PostgreSQL,OpenSSL}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$work/started"
# --build-tests: dump-symbol-graph extracts every module of the build plan, test modules included, and fails on
# one that was never built (that is why this script used to need an earlier `swift test`).
swift build --scratch-path "$scratch" --traits "$traits" --build-tests >"$work/build.log" 2>&1 || {
    echo "docs: the build failed"
    tail -n 40 "$work/build.log"
    exit 1
}
swift package --scratch-path "$scratch" --traits "$traits" dump-symbol-graph --minimum-access-level public \
    >"$work/dump.log" 2>&1 || {
    echo "docs: dump-symbol-graph failed"
    tail -n 40 "$work/dump.log"
    exit 1
}
# The folder this run wrote (a reused scratch may hold older ones).
model=$(find "$scratch" -path '*symbolgraph*' -name PublicDataModel.symbols.json -newer "$work/started" | head -n 1)
if [ -z "$model" ]; then
    echo "docs: no symbol graph of PublicDataModel was written under $scratch"
    exit 1
fi
graphs=$(dirname "$model")
status=0
for catalog in Sources/*/*.docc; do
    module=$(basename "$(dirname "$catalog")")
    mkdir -p "$work/$module"
    if [ ! "$graphs/$module.symbols.json" -nt "$work/started" ]; then
        echo "docs: $module FAILED (no symbol graph written by this run in $graphs)"
        status=1
        continue
    fi
    cp "$graphs/$module".symbols.json "$work/$module/"
    cp "$graphs/$module"@*.symbols.json "$work/$module/" 2>/dev/null || true
    if docc convert "$catalog" --additional-symbol-graph-dir "$work/$module" --output-path "$work/out-$module" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.publicdatakit.$module" \
        --warnings-as-errors >"$work/$module.log" 2>&1; then
        echo "docs: $module ok"
    else
        echo "docs: $module FAILED"
        grep -E "error|warning" "$work/$module.log" | head -n 20
        status=1
    fi
done
exit $status
