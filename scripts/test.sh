#!/usr/bin/env bash
# The whole suite, as `make test` and CI run it. Each step prints what it checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLALCHEMY_SILENCE_UBER_WARNING=1
VENV=.venv
MODEL=models/store-bot.tar.gz

step() { printf '\n==> %s\n' "$*"; }

step "Services the integration tests need (PostgreSQL, Redis, Debian's Chromium)"
scripts/ensure-services.sh
scripts/install-browser.sh

step "Node packages for the widget checks (package-lock.json; the stock rasa-webchat build)"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

step "Lint: ruff (lint + format) and mypy"
$VENV/bin/ruff check .
$VENV/bin/ruff format --check .
$VENV/bin/mypy

step "Rasa data validation (any warning fails)"
$VENV/bin/rasa data validate --domain domain.yml --data data --fail-on-warnings

step "Conversation tests through the trained bot (tests/conversations)"
$VENV/bin/rasa test core --model "$MODEL" --stories tests/conversations \
  --out results/conversations --fail-on-prediction-errors

step "NLU evaluation on the held-out set (report: results/nlu/intent_report.json)"
$VENV/bin/rasa test nlu --model "$MODEL" --nlu tests/nlu/heldout.yml --out results/nlu
$VENV/bin/python scripts/nlu_summary.py results/nlu

step "Python tests (unit, integration, end to end)"
$VENV/bin/python -m pytest
