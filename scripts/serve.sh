#!/usr/bin/env bash
# Start the action server, the staff console and the Rasa server, with the settings of .env.
#   serve.sh serve  -> headless: Rasa (REST, and Telegram / WhatsApp when their secrets are
#                      set) on $RASA_HOST:$RASA_PORT, actions on $ACTIONS_HOST:$ACTIONS_PORT,
#                      the console on $CONSOLE_HOST:$CONSOLE_PORT (log: var/console.log)
#   serve.sh shell  -> the same servers in the background (logs: var/rasa.log,
#                      var/actions.log, var/console.log), and a chat in this terminal
#                      (scripts/chat.py) over the project's REST channel with REST_TOKEN: the
#                      path every channel takes.
# Every server listens on 127.0.0.1 unless RASA_HOST / ACTIONS_HOST / CONSOLE_HOST say
# otherwise; the action server serves only Rasa, which sends ACTION_SERVER_TOKEN (endpoints.yml);
# the console signs its sessions with CONSOLE_SECRET.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-serve}

if [ -f .env ]; then set -a; source .env; set +a; fi
RASA_HOST=${RASA_HOST:-127.0.0.1}
RASA_PORT=${RASA_PORT:-5005}
export ACTIONS_HOST=${ACTIONS_HOST:-127.0.0.1} ACTIONS_PORT=${ACTIONS_PORT:-5055}
export CONSOLE_HOST=${CONSOLE_HOST:-127.0.0.1} CONSOLE_PORT=${CONSOLE_PORT:-8080}
# Where this machine reaches a server listening on HOST (every interface: through loopback).
local_address() { case "$1" in 0.0.0.0 | :: | '[::]') echo 127.0.0.1 ;; *) echo "$1" ;; esac; }
rasa_url="http://$(local_address "$RASA_HOST"):$RASA_PORT"
actions_url="http://$(local_address "$ACTIONS_HOST"):$ACTIONS_PORT"
console_url="http://$(local_address "$CONSOLE_HOST"):$CONSOLE_PORT"
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-$actions_url/webhook}
export TRACKER_DB=${TRACKER_DB:-var/tracker.db}
# Secrets (`make setup` writes them into .env). endpoints.yml sends ACTION_SERVER_TOKEN to the
# action server, which does not start without it; an empty REST_TOKEN refuses every REST
# message; the console does not start without CONSOLE_SECRET.
export REST_TOKEN=${REST_TOKEN:-} ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-} CONSOLE_SECRET=${CONSOLE_SECRET:-}
missing=()
[ -n "$ACTION_SERVER_TOKEN" ] || missing+=(ACTION_SERVER_TOKEN)
[ -n "$CONSOLE_SECRET" ] || missing+=(CONSOLE_SECRET)
[ "$mode" != shell ] || [ -n "$REST_TOKEN" ] || missing+=(REST_TOKEN)
if [ ${#missing[@]} -gt 0 ]; then
  echo "serve: ${missing[*]} not set: run \`make setup\` (it writes random secrets into .env)" >&2
  exit 1
fi
# Channel settings (credentials.yml expands them; Rasa refuses an unset ${VAR}): empty by default,
# and an empty token turns its channel off. Same list as tests/support/project.py CHANNEL_VARIABLES.
channel_variables=(
  TELEGRAM_TOKEN TELEGRAM_MODE TELEGRAM_BASE_URL TELEGRAM_WEBHOOK_URL TELEGRAM_SECRET_TOKEN
  WHATSAPP_VERIFY_TOKEN WHATSAPP_APP_SECRET WHATSAPP_ACCESS_TOKEN WHATSAPP_PHONE_NUMBER_ID
  WHATSAPP_API_URL WHATSAPP_TEMPLATE_NAME WHATSAPP_TEMPLATE_LANGUAGES WHATSAPP_HANDOFF_TEMPLATE
  TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_WHATSAPP_NUMBER TWILIO_WEBHOOK_URL TWILIO_API_URL
  TWILIO_CONTENT_SID TWILIO_HANDOFF_CONTENT_SID CONSOLE_RASA_TOKEN
)
for name in "${channel_variables[@]}"; do export "$name=${!name:-}"; done
# Largest request body the Rasa server reads (its webhooks take a few KB; 413 beyond).
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1048576}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false
PY=.venv/bin/python
# `python -m bot` is Rasa's command line without the known-harmless warnings of its libraries
# (core/harmless_warnings.py); any other warning is still shown.
RASA_RUN=($PY -m bot run --model models/asmex.tar.gz --endpoints endpoints.yml
  --credentials credentials.yml --interface "$RASA_HOST" --port "$RASA_PORT")

$PY scripts/check_ports.py "$RASA_PORT" "$ACTIONS_PORT" "$CONSOLE_PORT"
mkdir -p var

actions_pid="" console_pid="" rasa_pid=""
# (`|| true`: a stopped server's status must not become this script's under `set -e`.)
stop() { if [ -n "$1" ]; then kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; fi; }
cleanup() { stop "$rasa_pid"; stop "$console_pid"; stop "$actions_pid"; }
trap cleanup EXIT INT TERM

if [ "$mode" = shell ]; then
  $PY -m actions > var/actions.log 2>&1 &
else
  $PY -m actions &
fi
actions_pid=$!
$PY scripts/wait_http.py "$actions_url/health" 60 "$actions_pid" || {
  echo "serve: the action server did not start (see var/actions.log)" >&2
  exit 1
}

# The staff console (docs/console.md), its log in var/console.log in both modes.
$PY -m console > var/console.log 2>&1 &
console_pid=$!
$PY scripts/wait_http.py "$console_url/health" 60 "$console_pid" || {
  echo "serve: the staff console did not start; the end of var/console.log:" >&2
  tail -n 5 var/console.log >&2
  exit 1
}
echo "serve: staff console on $console_url (log: var/console.log; accounts: docs/console.md)"

if [ "$mode" = shell ]; then
  echo "serve: starting the Rasa server in the background (log: var/rasa.log)..."
  "${RASA_RUN[@]}" > var/rasa.log 2>&1 &
  rasa_pid=$!
  $PY scripts/wait_http.py "$rasa_url/" 300 "$rasa_pid" || {
    echo "serve: the Rasa server did not start; the end of var/rasa.log:" >&2
    tail -n 15 var/rasa.log >&2
    exit 1
  }
  if [ -n "$TELEGRAM_TOKEN" ]; then
    for _ in $(seq 20); do  # the bot connects to Telegram just after the server starts
      grep -q "Telegram channel\|Telegram rejected\|Telegram unreachable" var/rasa.log && break
      sleep 0.5
    done
    grep -h "Telegram channel\|Telegram rejected\|Telegram unreachable" var/rasa.log | tail -n 1 || true
  fi
  echo "Chat with the assistant below (French, العربية, Darija or English). Type /stop to quit."
  $PY scripts/chat.py "$rasa_url"
else
  if [ -n "$TELEGRAM_TOKEN" ]; then
    echo "serve: Telegram is on (credentials.yml, bot.channels.telegram.TelegramInput)."
  fi
  "${RASA_RUN[@]}"
fi
