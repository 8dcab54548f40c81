# ASMEX export assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# Ports, hosts, secrets and channel settings come from .env, which scripts/serve.sh reads
# (`make setup` writes the secrets into it); the environment's values are overridden by it.
export TRACKER_DB ?= var/tracker.db
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: help setup db train run serve test test-unit lint bench-nlu bench-e2e lock clean

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## Create .venv with Python 3.10, install the pinned requirements, write missing secrets into .env
	@bash scripts/setup.sh

db: setup ## Create or upgrade the knowledge base and load data/kb (idempotent)
	@$(PY) -m actions.admin init-db

train: setup ## Train the model if data, domain, config or NLU components changed
	@bash scripts/train.sh

run: db train ## Start the servers (and the staff console) and chat in this terminal over the REST channel (and on Telegram if TELEGRAM_TOKEN is set)
	@bash scripts/serve.sh shell

serve: db train ## Start the servers headless on 127.0.0.1: Rasa (REST, Telegram, WhatsApp) on $RASA_PORT, actions on $ACTIONS_PORT, the staff console on $CONSOLE_PORT
	@bash scripts/serve.sh serve

test: setup ## Run the whole test suite (unit, data validation, trained-model and end-to-end tests)
	@bash scripts/test.sh

test-unit: setup ## Run the fast tests only (no trained model needed)
	@$(PY) -m pytest -q -m "not model"

lint: setup ## ruff (lint and format check), mypy and the import contract (.importlinter)
	@$(VENV)/bin/ruff check core nlu kb outbound actions bot admin console tests scripts
	@$(VENV)/bin/ruff format --check core nlu kb outbound actions bot admin console tests scripts
	@$(VENV)/bin/mypy core nlu kb outbound actions bot admin console
	@$(VENV)/bin/lint-imports --no-cache

bench-nlu: setup ## NLU benchmark: our pipeline vs Rasa's default on the held-out set
	@$(PY) scripts/bench_nlu.py

bench-e2e: db train ## End-to-end benchmark: N concurrent users over the REST channel
	@$(PY) scripts/bench_e2e.py

lock: ## Regenerate requirements.lock from requirements.in in a throwaway venv
	@bash scripts/lock.sh

clean: ## Remove trained models and local databases (keeps .venv)
	rm -rf models var/*.db var/*.log .pytest_cache
