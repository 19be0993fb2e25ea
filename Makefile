# 共治 gongzhi — the two Quick-start commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
WORKERS ?= 2

.PHONY: demo test install install-test lint migrations-check test-sqlite test-postgres bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make demo: create .venv, install, migrate, load the 钢城区 demo district, print the demo logins, serve on :8000
demo: install
	$(BIN)/gongzhi demo

lint: install-test
	$(BIN)/ruff check src tests bench

migrations-check: install-test
	DJANGO_SETTINGS_MODULE=gongzhi.settings.test $(BIN)/gongzhi makemigrations --check --dry-run

test-sqlite: install-test
	env -u DATABASE_URL $(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)

test-postgres: install-test
	scripts/pgtest.sh $(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)

## make test: install test dependencies, check lint and migrations, run the suite on SQLite and on PostgreSQL
test: install-test lint migrations-check test-sqlite test-postgres

bench: install-test
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m bench all $(BENCH_ARGS)

## make soak: the long reliability runs (many clients, app processes SIGKILLed mid-load) on a throw-away PostgreSQL
soak: install-test
	GONGZHI_SOAK=1 scripts/pgtest.sh $(BIN)/pytest -p no:xdist -q src/gongzhi/reliability -m soak

clean:
	rm -rf $(VENV) var build *.egg-info
