#!/usr/bin/env bash
# Prints a folder holding kube-apiserver, etcd and kubectl.
# KUBEBUILDER_ASSETS wins when set (the envtest convention). Otherwise the binaries
# are built once from the Go module proxy through the wrapper modules in
# tools/controlplane and cached outside the repo, keyed by version, so clean
# clones reuse them and a new machine rebuilds them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tools/controlplane"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  for bin in kube-apiserver etcd kubectl; do
    [[ -x "$KUBEBUILDER_ASSETS/$bin" ]] || { echo "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no $bin" >&2; exit 1; }
  done
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

k8s=$(sed -n 's/^\tk8s.io\/kubernetes \(v[0-9.]*\)$/\1/p' "$src/kube/go.mod")
etcd=$(sed -n 's/^require go.etcd.io\/etcd\/server\/v3 \(v[0-9.]*\)$/\1/p' "$src/etcd/go.mod")
[[ -n "$k8s" && -n "$etcd" ]] || { echo "cannot read versions from $src/*/go.mod" >&2; exit 1; }
cache="${AWS_SECRETS_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-secrets-operator}"
out="$cache/controlplane/kubernetes-$k8s-etcd-$etcd"

if [[ -x "$out/kube-apiserver" && -x "$out/etcd" && -x "$out/kubectl" ]]; then
  echo "$out"
  exit 0
fi

mkdir -p "$cache/controlplane"
# One build at a time: concurrent callers (parallel worktrees, test runs) wait for it and reuse its result.
exec 9>"$out.lock"
flock 9
if [[ -x "$out/kube-apiserver" && -x "$out/etcd" && -x "$out/kubectl" ]]; then
  echo "$out"
  exit 0
fi
mkdir -p "$out"
tmp=$(mktemp -d "$out.build.XXXX")
trap 'rm -rf "$tmp"' EXIT
minor=${k8s#v1.}; minor=${minor%%.*}
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$k8s -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
start=$(date +%s)
echo "building kube-apiserver and kubectl $k8s, etcd $etcd into $out (first time only; several minutes)" >&2
( cd "$src/kube" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/" ./cmd/kube-apiserver ./cmd/kubectl ) >&2
( cd "$src/etcd" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" . ) >&2
mv "$tmp"/kube-apiserver "$tmp"/kubectl "$tmp"/etcd "$out/"
echo "built in $(( $(date +%s) - start ))s" >&2
echo "$out"
