#!/usr/bin/env bash
# Builds every module's DocC catalog with warnings as errors, without the DocC plugin:
# dump the symbol graphs with SwiftPM, then run `docc convert` per catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${DOCS_SCRATCH:-.build}"
swift package --scratch-path "$scratch" --traits PostgreSQL dump-symbol-graph --minimum-access-level public >/dev/null
graphs=$(find "$scratch" -type d -name symbolgraph | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for catalog in Sources/*/*.docc; do
    module=$(basename "$(dirname "$catalog")")
    mkdir -p "$work/$module"
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
