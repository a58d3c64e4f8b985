#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer (issue 19, item 8).
#
#   scripts/sanitizers.sh            both, whole suite (slow: several minutes each on 2 cores)
#   scripts/sanitizers.sh address    only ASan;  scripts/sanitizers.sh thread FILTER   TSan on a filter
#
# Each sanitizer builds into its own scratch folder, with the README's traits (SANITIZER_TRAITS to change
# them). Results of the last recorded run are in Documentation/Operations.md ("Fuzzing and sanitizers").
set -euo pipefail
cd "$(dirname "$0")/.."
kinds=("${1:-address}")
[ "${1:-}" = "" ] && kinds=(address thread)
filter=("${@:2}")
for kind in "${kinds[@]}"; do
    echo "sanitizers: $kind"
    args=(--scratch-path ".build-$kind" --sanitize="$kind" --traits "${SANITIZER_TRAITS:-PostgreSQL,OpenSSL}")
    [ "${#filter[@]}" -gt 0 ] && args+=(--filter "${filter[0]}")
    # halt_on_error makes the first report fail the run; detect_leaks is off because the Swift runtime's
    # one-time allocations would otherwise be reported at exit.
    ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" TSAN_OPTIONS="halt_on_error=1" swift test "${args[@]}"
done
