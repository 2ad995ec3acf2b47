# make run   - local demo: SQLite, file broker, outbox e-mails, Stripe emulator (honcho)
# make test  - ruff, the import-cycle check, pytest against PostgreSQL/Redis on loopback and
#              headless Chromium
# make test-dates - the time-sensitive tests under libfaketime at a Sunday, 1 May,
#              31 December 23:30 Paris, 29 February and 00:30 Paris (DATES='sunday leap'; 'rotate')
# make test-webhooks-chaos - the whole suite, the emulator's webhooks delivered as Stripe may
#              (duplicates, any order, retries; SEED=<n> replays a run's seed)
# make lint  - ruff only
# make bench - the dunning benchmarks (sweep at 100k and 1M receivables, board) on skod_bench
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.skod-installed
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/skod_test
PYTEST_ARGS ?=
#: test-dates: empty = all five; names among sunday may1 newyear leap midnight, or rotate (one by day)
DATES ?=

export TEST_DATABASE_URL

.PHONY: all install run test test-dates test-webhooks-chaos lint services db seed clean bench
all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# axe-core, injected into the pages by the accessibility tests (npm registry; pinned by the lock)
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(STAMP)

run: $(STAMP)
	scripts/services.sh pdf
	scripts/dev.sh

services:
	scripts/services.sh chromium pdf pg redis

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) $(AXE) services
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_import_cycles.py
	$(BIN)/pytest -q $(PYTEST_ARGS)

# not part of `make test`: the clock of the whole process tree moved by libfaketime (installed
# with apt-get when missing, as root); scripts/test-dates.sh says which files and why
test-dates: $(STAMP)
	scripts/services.sh pdf pg faketime
	scripts/test-dates.sh $(DATES)

# not part of `make test` nor CI: 25 minutes more, and tests that count the deliveries of their
# own receivers expect the ordered mode; the flows that matter run under chaos in `make test`
test-webhooks-chaos: $(STAMP) $(AXE) services
	@seed=$${SEED:-$$RANDOM}; echo "webhooks: chaos, seed $$seed (SEED=$$seed replays it)"; \
	EMULATOR_WEBHOOKS=chaos EMULATOR_WEBHOOKS_SEED=$$seed $(BIN)/pytest -q $(PYTEST_ARGS)

# not part of `make test`: timed figures, minutes of loading; the database is skod_bench
bench: $(STAMP)
	scripts/services.sh pg
	$(BIN)/python bench/dunning_sweep.py
	$(BIN)/python bench/receivables_board.py

db: $(STAMP)
	SKOD_DEV=1 $(BIN)/flask --app wsgi db upgrade

seed: db
	SKOD_DEV=1 $(BIN)/flask --app wsgi skod seed-demo

clean:
	rm -rf instance .pytest_cache .ruff_cache
