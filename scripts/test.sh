#!/usr/bin/env bash
# The whole test suite. Tests marked `model` train the model first if it is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_postgres.sh
bash scripts/browser.sh
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
exec .venv/bin/python -m pytest -q --durations=20 "$@"
