#!/bin/sh
# Regenerates test/unit/template-semver-vectors.ts from cases.json with Go (see README.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/main.go.txt" "$work/main.go"
cp "$here/go.mod.txt" "$work/go.mod"
cp "$here/go.sum.txt" "$work/go.sum"
(cd "$work" && go run . "$here/cases.json") > "$root/test/unit/template-semver-vectors.ts"
