#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed since the last training.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=models/asmex.tar.gz
STAMP=models/.fingerprint
inputs=(config.yml domain.yml requirements.lock bot/extensions/policies.py)
# nlu/evaluation.py only scores a trained model (bench-nlu, tests): not an input of training.
mapfile -t files < <(find data/nlu data/rules data/stories nlu -type f \( -name '*.yml' -o -name '*.py' \) \
  ! -path nlu/evaluation.py 2>/dev/null | sort)
want=$(cat "${inputs[@]}" "${files[@]}" | sha256sum | cut -d' ' -f1)

if [ -f "$MODEL" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  echo "train: model is up to date ($MODEL)"
  exit 0
fi
echo "train: training $MODEL (data, domain, config or components changed)"
mkdir -p models
start=$(date +%s)
.venv/bin/python -m bot train --config config.yml --domain domain.yml --data data/nlu data/rules data/stories --out models \
  --fixed-model-name asmex
echo "$want" > "$STAMP"
echo "train: done in $(( $(date +%s) - start )) s"
