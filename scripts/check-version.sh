#!/usr/bin/env bash
# Checks that README.md, Documentation/GettingStarted.md and CHANGELOG.md name one version: the one README.md
# states as "Version **X.Y.Z**". GettingStarted must depend on it (`from: "X.Y.Z"`) and CHANGELOG must have a
# `## [X.Y.Z]` heading.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^Version \*\*\([0-9][0-9.]*\)\*\*.*/\1/p' README.md | head -n 1)
if [ -z "$version" ]; then
    echo "version: README.md states no 'Version **X.Y.Z**'"
    exit 1
fi
status=0
if ! grep -q "from: \"$version\"" Documentation/GettingStarted.md; then
    echo "version: Documentation/GettingStarted.md does not depend on from: \"$version\""
    status=1
fi
if ! grep -q "^## \[$version\]" CHANGELOG.md; then
    echo "version: CHANGELOG.md has no '## [$version]' heading"
    status=1
fi
while IFS= read -r line; do
    echo "version: $line depends on another version than $version"
    status=1
done < <(grep -nE 'PublicDataKit\.git", from: "[0-9]+\.[0-9]+\.[0-9]+"' README.md Documentation/*.md | grep -v "from: \"$version\"" || true)
[ $status -eq 0 ] && echo "version: $version everywhere"
exit $status
