# Ethics Review: `make run` to try it, `make test` to test it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# The first interpreter that runs and is 3.12+ (pyenv's python3 honours .python-version).
PYTHON ?= $(shell for p in python3 python3.12 python3.13 python3.14; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check --build-constraint requirements/build-constraints.txt

.PHONY: help python-check system-packages system-packages-test venv venv-dev messages run seed test test-dates lint format worker serve loadtest bench screenshots clean

help:
	@echo "make run     - set up .venv, migrate the SQLite database, load demo data, serve on :$(PORT)"
	@echo "make test    - set up .venv with dev extras and run the whole test suite"
	@echo "make test-dates - the test suite with the clock at a month's end, 1 January and 29 February"
	@echo "make lint    - ruff check, ruff format --check, makemigrations --check"
	@echo "make worker  - Celery worker with beat inside (beat ends with it) on REDIS_URL"
	@echo "make serve   - production stack: gunicorn + Celery worker + beat (needs SECRET_KEY, DATABASE_URL, REDIS_URL)"
	@echo "make loadtest - mixed traffic against a running make serve (LOADTEST_URL, LOADTEST_USERS, LOADTEST_SECONDS)"
	@echo "make bench   - seed a separate PostgreSQL database with 100,000 campaigns (once) and time the main pages"
	@echo "make screenshots - full-page PNGs of every main page (each role, English and Arabic, desktop and phone) in var/screenshots/"

python-check:
	@[ -n "$(PYTHON)" ] && $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	  echo "Ethics Review needs Python 3.12 or newer; found: $$($(or $(PYTHON),python3) --version 2>&1)." >&2; \
	  echo "Install Python 3.12 (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 ..." >&2; \
	  exit 1; }

$(VENV)/.installed: pyproject.toml requirements/build-constraints.txt | python-check
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
	  echo "Removing $(VENV): it was made with an older Python."; rm -rf $(VENV); fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --upgrade 'pip>=25.3'  # for --build-constraint
	$(PIP_INSTALL) -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP_INSTALL) -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

# System libraries (gettext, Pango, HarfBuzz subset, Noto Arabic fonts; Chromium for tests):
# installed when run as root with apt-get, otherwise the exact install command is printed.
system-packages:
	@bash requirements/system-packages.sh run
system-packages-test:
	@bash requirements/system-packages.sh test

# Compiled catalogues are build output (not committed).
messages: venv
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)." >&2; exit 1; }
	@DEBUG=true $(PY) manage.py compilemessages --locale ar --ignore '.venv' -v0

run: system-packages venv messages
	DEBUG=true $(PY) manage.py migrate --no-input -v0
	DEBUG=true $(PY) manage.py load_questionnaires
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py rebuild_dashboard  # cheap here; brings older databases up to date
	@echo "Serving Ethics Review at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

seed: venv
	DEBUG=true $(PY) manage.py seed_demo

test: system-packages-test venv-dev messages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The whole suite with the clock of every process moved (libfaketime), to prove that no test
# depends on the day it runs: a month's last day late in the evening, 1 January just after
# midnight (UTC), and 29 February.
TEST_DATES ?= 2026-12-31 23:30:00|2027-01-01 00:30:00|2028-02-29 12:00:00
test-dates: system-packages-test venv-dev messages
	@IFS='|'; for moment in $(TEST_DATES); do \
	  echo "=== make test with the clock at $$moment UTC"; \
	  TZ=UTC faketime -f "@$$moment" $(VENV)/bin/pytest -q $(PYTEST_ARGS) || exit 1; \
	done

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: venv-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: venv
	@[ -n "$$REDIS_URL" ] || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run a worker." >&2; exit 1; }
	@mkdir -p var
	$(VENV)/bin/celery -A ethicsreview worker --beat --schedule var/celerybeat-schedule --loglevel INFO

# Production: gunicorn (WEB_CONCURRENCY workers on 0.0.0.0:$(PORT)), a Celery worker and
# Celery beat, supervised by `manage.py serve`, which refuses DEBUG, a missing SECRET_KEY, a
# non-PostgreSQL DATABASE_URL, a missing REDIS_URL and unapplied migrations (run
# `manage.py migrate` as a deploy step). Static files are collected first.
serve: venv messages
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py serve --port $(PORT)

# Against a running `make serve` seeded with `seed_demo` (same DATABASE_URL here: the run
# checks that no accepted write was lost).
LOADTEST_URL ?= http://127.0.0.1:$(PORT)
LOADTEST_USERS ?= 8
LOADTEST_SECONDS ?= 60
loadtest: venv
	$(PY) manage.py loadtest --url $(LOADTEST_URL) --users $(LOADTEST_USERS) --seconds $(LOADTEST_SECONDS)

# The benchmark database is separate from everything else and kept between runs (seeding
# 100,000 campaigns is done once). BENCH_DATABASE_URL points elsewhere if needed.
BENCH_DB ?= ethicsreview_bench
BENCH_CAMPAIGNS ?= 100000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
BENCH_ENV = DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=bench-only-not-secret DEBUG=false \
  ALLOWED_HOSTS=localhost SECURE_SSL_REDIRECT=false REDIS_URL=

bench: venv messages
	@command -v psql >/dev/null || { echo "psql not found: install postgresql-client." >&2; exit 1; }
	@psql "$(dir $(BENCH_DATABASE_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(BENCH_DATABASE_URL))'" | grep -q 1 \
	  || psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc 'CREATE DATABASE "$(notdir $(BENCH_DATABASE_URL))"'
	$(BENCH_ENV) $(PY) manage.py migrate --no-input -v0
	$(BENCH_ENV) $(PY) manage.py load_questionnaires
	$(BENCH_ENV) $(PY) manage.py collectstatic --no-input -v0
	$(BENCH_ENV) $(PY) manage.py bench --ensure-campaigns $(BENCH_CAMPAIGNS) --csv-memory

# The seeded demo in a temporary database, photographed by Playwright with the system Chromium.
screenshots: system-packages-test venv-dev messages
	$(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
