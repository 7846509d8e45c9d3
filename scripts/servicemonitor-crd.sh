#!/usr/bin/env bash
# Prints the path of the Prometheus Operator's ServiceMonitor CRD, as that project publishes it in its Go module
# (github.com/prometheus-operator/prometheus-operator, example/prometheus-operator-crd/), fetched through the Go module
# proxy (checked against the checksum database) and cached outside the repo, keyed by version. The chart tests install
# it so that the apiserver itself validates the chart's ServiceMonitor.
set -euo pipefail
version=v0.90.1
module=github.com/prometheus-operator/prometheus-operator
file=example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml
cache="${AWS_SECRETS_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-secrets-operator}"
out="$cache/prometheus-operator-$version/$(basename "$file")"
if [[ ! -f "$out" ]]; then
  mkdir -p "$(dirname "$out")"
  dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n "$dir" && -f "$dir/$file" ]] || { echo "go mod download $module@$version gave no $file" >&2; exit 1; }
  cp "$dir/$file" "$out.tmp" && mv "$out.tmp" "$out"
fi
echo "$out"
