#!/usr/bin/env bash
# Prints the path of a helm executable, built from its Go module (helm.sh/helm/v4, pinned with its go.sum by the
# tool directive of tools/helm/go.mod) and cached outside the repo, keyed by version: clean clones reuse it and a new
# machine rebuilds it. Never a downloaded binary. Bump: `cd tools/helm && go get -tool helm.sh/helm/v4/cmd/helm@vX.Y.Z`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tools/helm"
version=$(sed -n 's/^\thelm.sh\/helm\/v4 \(v[0-9.]*\).*$/\1/p' "$src/go.mod")
[[ -n "$version" ]] || { echo "cannot read the helm version from $src/go.mod" >&2; exit 1; }
cache="${AWS_SECRETS_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-secrets-operator}"
out="$cache/helm-$version"
if [[ -x "$out/helm" ]]; then
  echo "$out/helm"
  exit 0
fi
mkdir -p "$cache"
# One build at a time: concurrent callers wait for it and reuse its result.
exec 9>"$out.lock"
flock 9
if [[ ! -x "$out/helm" ]]; then
  mkdir -p "$out"
  tmp=$(mktemp -d "$out.build.XXXX")
  trap 'rm -rf "$tmp"' EXIT
  start=$(date +%s)
  echo "building helm $version into $out (first time only; about 3 minutes)" >&2
  ( cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$version" -o "$tmp/helm" helm.sh/helm/v4/cmd/helm ) >&2
  mv "$tmp/helm" "$out/helm"
  echo "built in $(( $(date +%s) - start ))s" >&2
fi
echo "$out/helm"
