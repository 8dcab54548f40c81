#!/usr/bin/env bash
# Start the action server and the Rasa server.
#   serve.sh serve  -> headless: Rasa REST channel on $RASA_PORT, actions on $ACTIONS_PORT
#   serve.sh shell  -> same servers, plus a chat in this terminal
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-serve}

if [ -f .env ]; then set -a; source .env; set +a; fi
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}
export TRACKER_DB=${TRACKER_DB:-var/tracker.db}
# Channel settings (credentials.yml expands them; Rasa refuses an unset ${VAR}): empty by default,
# and an empty token turns its channel off. Same list as tests/e2e/servers.py CHANNEL_VARIABLES.
channel_variables=(
  TELEGRAM_TOKEN TELEGRAM_BASE_URL TELEGRAM_WEBHOOK_URL TELEGRAM_SECRET_TOKEN
  WHATSAPP_VERIFY_TOKEN WHATSAPP_APP_SECRET WHATSAPP_ACCESS_TOKEN WHATSAPP_PHONE_NUMBER_ID
  WHATSAPP_API_URL WHATSAPP_TEMPLATE_NAME WHATSAPP_TEMPLATE_LANGUAGES
  TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_WHATSAPP_NUMBER TWILIO_WEBHOOK_URL TWILIO_API_URL
  TWILIO_CONTENT_SID
)
for name in "${channel_variables[@]}"; do export "$name=${!name:-}"; done
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
# Third-party deprecation warnings (TensorFlow, jax, matplotlib...) say nothing to a user.
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore}
PY=.venv/bin/python

$PY scripts/check_ports.py "$RASA_PORT" "$ACTIONS_PORT"
mkdir -p var

actions_pid=""
cleanup() { [ -n "$actions_pid" ] && kill "$actions_pid" 2>/dev/null && wait "$actions_pid" 2>/dev/null; true; }
trap cleanup EXIT INT TERM

if [ "$mode" = shell ]; then
  $PY -m rasa_sdk --actions actions --port "$ACTIONS_PORT" > var/actions.log 2>&1 &
else
  $PY -m rasa_sdk --actions actions --port "$ACTIONS_PORT" &
fi
actions_pid=$!
$PY scripts/wait_http.py "http://localhost:$ACTIONS_PORT/health" 60 || { echo "serve: the action server did not start (see var/actions.log)" >&2; exit 1; }

if [ -n "${TELEGRAM_TOKEN:-}" ]; then
  echo "serve: TELEGRAM_TOKEN is set, but the Telegram channel is not built yet (issue #5); serving REST only." >&2
fi

if [ "$mode" = shell ]; then
  echo "Chat with the assistant below (French, العربية, Darija or English). Type /stop to quit."
  .venv/bin/rasa shell --model models/asmex.tar.gz --endpoints endpoints.yml --port "$RASA_PORT" --quiet
else
  .venv/bin/rasa run --model models/asmex.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
    --port "$RASA_PORT"
fi
