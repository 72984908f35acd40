# Development defaults; production sets these in its environment instead.
export DJANGO_DEBUG ?= 1
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run demo test lint format migrations-check fuzz screenshots clean bench bench-small bench-webhooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed  ## create .venv, install requirements, migrate
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

demo: setup  ## load (idempotently) the demo sub-account and print its key and login
	$(BIN)/python manage.py load_demo_data

run: demo  ## set up, load demo data, serve on http://127.0.0.1:8000 with a webhook worker beside it
	export WEBHOOKS_ALLOW_PRIVATE_TARGETS=1; \
	$(BIN)/python manage.py webhook_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

bench-webhooks: setup  ## webhook deliveries per second: two workers, a local receiver (BENCH_EVENTS=2000)
	$(BIN)/python manage.py webhook_bench --events $${BENCH_EVENTS:-2000} --workers 2

test: $(VENV)/.installed  ## the test suite (DATABASE_URL picks the engine; SQLite by default)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed  ## ruff, and the layer contracts of pyproject.toml (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

fuzz: $(VENV)/.installed  ## contract fuzzing: Schemathesis against gunicorn on a throwaway database (scripts/fuzz.sh)
	BIN=$(BIN) bash scripts/fuzz.sh

migrations-check: $(VENV)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run

# The benchmark (bench/, docs/benchmarks.md). Each URL names a database the harness drops and recreates.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/contacts_bench
BENCH_SMALL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/contacts_bench_small

bench: $(VENV)/.installed  ## 1M contacts on PostgreSQL + 100k on SQLite, over HTTP; writes docs/benchmarks.md
	$(BIN)/python -m bench run --contacts 1000000 --sqlite-contacts 100000 \
		--database-url $(BENCH_DATABASE_URL) --output docs/benchmarks.md $(BENCH_ARGS)

bench-small: $(VENV)/.installed  ## the same harness at 50k contacts, in under two minutes (CI runs it; no thresholds)
	$(BIN)/python -m bench run --contacts 50000 --sqlite-contacts 10000 --requests 15 --warmup 2 --max-seconds 1 \
		--sql-repeats 3 --sql-max-seconds 0.5 \
		--database-url $(BENCH_SMALL_DATABASE_URL) --output bench-results/benchmarks-small.md $(BENCH_ARGS)

screenshots: $(VENV)/.installed  ## PNGs of the staff pages into docs/screenshots/ (needs /usr/bin/chromium)
	$(BIN)/python -m pytest tests/browser/screenshots.py -q

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
