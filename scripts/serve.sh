#!/usr/bin/env bash
# Start the action server and the Rasa server.
#   serve.sh serve  -> headless: Rasa (REST, and Telegram when TELEGRAM_TOKEN is set) on
#                      $RASA_PORT, actions on $ACTIONS_PORT
#   serve.sh shell  -> same servers, plus a chat in this terminal. Without TELEGRAM_TOKEN that
#                      is `rasa shell`; with it, `rasa run` serves Telegram (polling) in the
#                      background (log: var/rasa.log) and the terminal chat talks to it over REST.
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
  TELEGRAM_TOKEN TELEGRAM_MODE TELEGRAM_BASE_URL TELEGRAM_WEBHOOK_URL TELEGRAM_SECRET_TOKEN
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
RASA_RUN=(.venv/bin/rasa run --model models/asmex.tar.gz --endpoints endpoints.yml
  --credentials credentials.yml --port "$RASA_PORT")

$PY scripts/check_ports.py "$RASA_PORT" "$ACTIONS_PORT"
mkdir -p var

actions_pid="" rasa_pid=""
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; true; }
cleanup() { stop "$rasa_pid"; stop "$actions_pid"; }
trap cleanup EXIT INT TERM

if [ "$mode" = shell ]; then
  $PY -m rasa_sdk --actions actions --port "$ACTIONS_PORT" > var/actions.log 2>&1 &
else
  $PY -m rasa_sdk --actions actions --port "$ACTIONS_PORT" &
fi
actions_pid=$!
$PY scripts/wait_http.py "http://localhost:$ACTIONS_PORT/health" 60 || { echo "serve: the action server did not start (see var/actions.log)" >&2; exit 1; }

if [ "$mode" = shell ] && [ -n "$TELEGRAM_TOKEN" ]; then
  echo "Telegram: TELEGRAM_TOKEN is set, so the Rasa server runs in the background with its channels"
  echo "(Telegram by polling, and REST; log: var/rasa.log); the chat below talks to it over REST."
  "${RASA_RUN[@]}" > var/rasa.log 2>&1 &
  rasa_pid=$!
  $PY scripts/wait_http.py "http://localhost:$RASA_PORT/" 300 "$rasa_pid" || {
    echo "serve: the Rasa server did not start; the end of var/rasa.log:" >&2
    tail -n 15 var/rasa.log >&2
    exit 1
  }
  for _ in $(seq 20); do  # the bot connects to Telegram just after the server starts
    grep -q "Telegram channel\|Telegram rejected\|Telegram unreachable" var/rasa.log && break
    sleep 0.5
  done
  grep -h "Telegram channel\|Telegram rejected\|Telegram unreachable" var/rasa.log | tail -n 1 || true
  echo "Chat with the assistant below (French, العربية, Darija or English), or on Telegram. Type /stop to quit."
  $PY scripts/chat.py "http://localhost:$RASA_PORT"
elif [ "$mode" = shell ]; then
  echo "Chat with the assistant below (French, العربية, Darija or English). Type /stop to quit."
  .venv/bin/rasa shell --model models/asmex.tar.gz --endpoints endpoints.yml --port "$RASA_PORT" --quiet
else
  if [ -n "$TELEGRAM_TOKEN" ]; then
    echo "serve: Telegram is on (credentials.yml, bot.telegram.TelegramInput)."
  fi
  "${RASA_RUN[@]}"
fi
