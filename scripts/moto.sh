#!/usr/bin/env bash
# Prints the path of a moto_server executable. moto is installed from PyPI into a
# virtualenv cached outside the repo, keyed by a hash of tools/moto/requirements.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
req="$root/tools/moto/requirements.txt"
key=$(sha256sum "$req" | cut -c1-12)
venv="${AWS_SECRETS_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aws-secrets-operator}/moto-$key"
# The marker is written last, so an interrupted install is redone, not trusted. Concurrent callers wait for one install.
if [[ ! -f "$venv/.installed" ]]; then
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
fi
if [[ ! -f "$venv/.installed" ]]; then
  echo "installing moto into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$venv/.installed"
fi
echo "$venv/bin/moto_server"
