# The list of commands for this project. `make help` prints it.
# Everything runs inside a project-local virtual environment (.venv) built from
# requirements.lock, so a fresh machine gets exactly the versions that were tested.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
RASA        := $(VENV)/bin/rasa
STAMP       := $(VENV)/.installed-$(shell sha1sum requirements.lock 2>/dev/null | cut -c1-12)
MODEL       := models/store-bot.tar.gz
# Everything a trained model depends on: retrain only when one of these changed.
MODEL_INPUTS := config.yml domain.yml $(shell find data bot -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null | grep -v __pycache__)

export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1
# Rasa's telemetry and error reports go to the internet; this product stays on the machine.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install lock train seed run test test-python test-conversations validate lint format eval eval-nlu eval-blind calibrate \
	bench-empathy bench-empathy-synthetic bench-handoff bench-escalation bench-fuzz check-policy clean

help: ## List the targets
	@echo "Empathetic store-support bot. Targets:"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-20s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install the pinned dependencies (idempotent)

$(STAMP): requirements.lock
	@scripts/check-python.sh
	@test -x $(PY) || python3.10 -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo "Dependencies installed in $(VENV)."

lock: ## Re-resolve requirements.in in one pip call and rewrite requirements.lock
	@scripts/check-python.sh
	rm -rf .lock-venv && python3.10 -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	.lock-venv/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf .lock-venv
	@echo "requirements.lock rewritten; run 'make install'."

train: $(MODEL) ## Train the Rasa model (only when data, domain, config or bot/ changed)

$(MODEL): $(STAMP) $(MODEL_INPUTS)
	$(RASA) train --config config.yml --domain domain.yml --data data --out models --fixed-model-name store-bot
	@touch $@

seed: $(STAMP) ## (Re)create the demo store database with orders relative to today
	$(PY) -m shop.seed

run: $(STAMP) $(MODEL) ## Install, train if needed, seed, and start every service in the foreground
	$(PY) -m launcher

validate: $(STAMP) ## Validate the Rasa domain and training data (fails on any warning)
	$(RASA) data validate --domain domain.yml --data data --fail-on-warnings

test: $(STAMP) $(MODEL) ## Set up and run the whole suite (validation, Python tests, conversation tests)
	@scripts/test.sh

test-python: $(STAMP) $(MODEL) ## Only the pytest suite
	$(PY) -m pytest

test-conversations: $(STAMP) $(MODEL) ## Only the Rasa conversation tests in tests/conversations
	$(RASA) test core --model $(MODEL) --stories tests/conversations --out results/conversations --fail-on-prediction-errors

eval: $(STAMP) $(MODEL) ## Emotion, stakes and deadline evaluation (own held-out, TweetEval, GoEmotions -> docs/eval/emotion.md) and the blind set
	$(PY) -m bot.evaluate
	$(PY) -m bot.blind --model $(MODEL) --split test

eval-nlu: $(STAMP) $(MODEL) ## Intents on the held-out set (results/nlu) and on the blind set's test half (results/blind)
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/heldout.yml --out results/nlu
	$(PY) scripts/nlu_summary.py results/nlu
	$(PY) -m bot.blind --model $(MODEL) --split test

eval-blind: $(STAMP) $(MODEL) ## The blind set (tests/nlu/blind, written apart from the training data): intents, fallback, emotion, routine messages
	$(PY) -m bot.blind --model $(MODEL) --split test

calibrate: $(STAMP) $(MODEL) ## Emotion calibration and fallback threshold grids on the blind set's dev half
	$(PY) -m bot.calibrate
	$(PY) -m bot.blind --model $(MODEL) --calibrate-fallback

bench-empathy: $(STAMP) ## Score the running bot's replies (26 scripted conversations; needs `make run`; changes the demo store)
	$(PY) -m bench.empathy --rasa-url $${RASA_URL:-http://127.0.0.1:5005}

bench-empathy-synthetic: $(STAMP) ## The empathy benchmark against the NLG layer alone (no trained bot needed)
	$(PY) -m bench.empathy --mode synthetic

bench-handoff: $(STAMP) ## Escalation-to-queue and agent-to-customer latency, p50/p95
	$(PY) -m bench.handoff

bench-escalation: $(STAMP) $(MODEL) ## Escalation judgment: 180 frozen scenarios through the real bot and gateway (results/escalation)
	$(PY) -m bench.escalation --out results/escalation

bench-fuzz: $(STAMP) ## Fuzz every socket event (customer, agent) and HTTP endpoint: 10,000 random examples each, on SQLite and PostgreSQL
	scripts/ensure-services.sh
	HANDOFF_FUZZ_EXAMPLES=$${HANDOFF_FUZZ_EXAMPLES:-10000} $(PY) -m pytest -q -s -p no:cacheprovider \
		tests/handoff/test_customer_fuzz.py tests/handoff/test_agent_fuzz.py tests/security/test_http_fuzz.py

check-policy: $(STAMP) ## Check settings/escalation.yml after editing it
	$(PY) -m handoff.escalation.policy settings/escalation.yml

lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP) ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## Remove trained models, results and local databases (keeps .venv)
	rm -rf models results var .pytest_cache .mypy_cache .ruff_cache
