#!/usr/bin/env bash
# Regenerate requirements.lock: resolve requirements.in in a throwaway Python 3.10 venv and
# pin every installed package (pip, setuptools and wheel included) at its exact version.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(pyenv prefix "$(cat .python-version)" 2>/dev/null)/bin/python3.10
[ -x "$PY" ] || PY=$(command -v python3.10) || { echo "lock: Python 3.10 not found" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check pip==24.2
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.in
"$tmp/venv/bin/python" -m pip check
{
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable
  "$tmp/venv/bin/python" -m pip list --format=freeze 2>/dev/null | grep -E '^(setuptools|wheel)=='
} | sort -f -u > requirements.lock
echo "lock: wrote requirements.lock ($(wc -l < requirements.lock) packages)"
