# Anales: `make run` serves on http://$(HOST):$(PORT); `make test` runs checks and tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
export HOST PORT

.PHONY: install migrate seed run test lint format pytest clean browser-deps

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/python -m app seed

run: seed
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check app tests migrations
	$(BIN)/ruff format --check app tests migrations
	$(BIN)/mypy app tests

# The tests run in PYTEST_WORKERS processes (pytest-xdist; 0 runs them in this one), spread
# test by test; a test marked xdist_group shares one worker with the rest of its group.
PYTEST_WORKERS ?= auto
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup \
		--cov=app --cov-report=term --cov-fail-under=90 $(PYTEST_ARGS)

test: lint pytest

# Front-end packages and the Chromium driver for tests/system/browser (the tests install them too).
browser-deps:
	cd tests/system/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

format: install
	$(BIN)/ruff check --fix app tests migrations
	$(BIN)/ruff format app tests migrations

clean:
	rm -rf $(VENV) anales.db anales.db-shm anales.db-wal .pytest_cache .mypy_cache .ruff_cache .coverage

# Anales vs Datasette on the same SQLite file (bench/README.md); BENCH_SIZES, BENCH_DURATION…
.PHONY: bench
bench: install
	$(BIN)/python -m bench.run

.PHONY: soak
# One uvicorn worker on PostgreSQL (anales_soak on 127.0.0.1:5432) under wrk for SOAK_SECONDS
# (default 300); writes bench/results/soak.md and fails on errors or RSS growth over 10%.
soak: install
	$(BIN)/python scripts/soak.py
