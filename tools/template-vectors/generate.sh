#!/bin/sh
# Regenerates test/unit/template-<set>-vectors.ts from <set>/cases.json with Go, for one vector set
# (lang, sprig1, sprig2, semver: each folder's README says what it renders).
# Usage: tools/template-vectors/generate.sh <set>
set -eu
if [ $# -ne 1 ]; then echo "usage: $0 lang|sprig1|sprig2|semver" >&2; exit 2; fi
set_name=$(basename "$1")
tools=$(cd "$(dirname "$0")" && pwd)
here="$tools/$set_name"
root=$(cd "$tools/../.." && pwd)
if [ ! -f "$here/main.go.txt" ]; then echo "$0: no vector set at $here" >&2; exit 2; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The Go files carry a .txt suffix so they form no module inside this repository.
cp "$here/main.go.txt" "$work/main.go"
cp "$here/go.mod.txt" "$work/go.mod"
cp "$here/go.sum.txt" "$work/go.sum"
# Written to a temporary file first: a failed run leaves the committed vectors as they were.
(cd "$work" && go run . "$here/cases.json") > "$work/vectors.ts"
mv "$work/vectors.ts" "$root/test/unit/template-$set_name-vectors.ts"
