# Development settings come from `.env`, which `make setup` writes (git-ignored); nothing is exported here,
# so `make test` runs the tests with exactly the settings CI and a bare `pytest` use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# Test processes: `auto` is one per core; PYTEST_WORKERS=0 runs in this process (easier to debug).
PYTEST_WORKERS ?= auto

.PHONY: setup run demo test test-tools check-browser lint format migrations-check fuzz screenshots clean \
	bench bench-small bench-webhooks bench-import

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# A development key of this clone's own and DEBUG on, for `make run` and every `manage.py` command.
# Written once, never overwritten; production sets real environment variables and has no .env.
.env: | $(BIN)/python
	$(BIN)/python scripts/write_dev_env.py $@

setup: $(VENV)/.installed .env  ## create .venv, install requirements, write .env, migrate
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

demo: setup  ## load (idempotently) the demo sub-account and print its key and login
	$(BIN)/python manage.py load_demo_data --base-url http://$(HOST):$(PORT)/

run: demo  ## set up, load demo data, serve on http://$(HOST):$(PORT) with the worker (webhooks, imports) beside it
	export WEBHOOKS_ALLOW_PRIVATE_TARGETS=1; \
	$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

check-browser:
	@test -x $(CHROMIUM) || { echo "make test needs Chromium at $(CHROMIUM) for tests/browser: sudo apt-get install chromium (or CHROMIUM=/path/to/chromium make test)"; exit 1; }

test: $(VENV)/.installed check-browser  ## the product's tests, then the tools' (DATABASE_URL picks the engine; SQLite by default)
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-tools

test-tools: $(VENV)/.installed  ## the benchmark harness's own tests, with the tools' settings (tools/)
	$(BIN)/python -m pytest tools --ds=tools.settings_test $(PYTEST_ARGS)

lint: $(VENV)/.installed  ## ruff, and the layer contracts of pyproject.toml (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

fuzz: $(VENV)/.installed  ## contract fuzzing: Schemathesis against gunicorn on a throwaway database (scripts/fuzz.sh)
	BIN=$(BIN) bash scripts/fuzz.sh

migrations-check: $(VENV)/.installed .env
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=tools.settings $(BIN)/python manage.py makemigrations bench --check --dry-run

# The benchmarks live in tools/ (docs/benchmarks.md), beside the product. Each URL names a database the
# harness drops and recreates.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/contacts_bench
BENCH_SMALL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/contacts_bench_small

bench: $(VENV)/.installed  ## 1M contacts on PostgreSQL + 100k on SQLite, over HTTP; writes docs/benchmarks.md
	$(BIN)/python -m tools.bench run --contacts 1000000 --sqlite-contacts 100000 \
		--database-url $(BENCH_DATABASE_URL) --output docs/benchmarks.md $(BENCH_ARGS)

bench-small: $(VENV)/.installed  ## the same harness at 50k contacts, in about three minutes (CI runs it; no thresholds)
	$(BIN)/python -m tools.bench run --contacts 50000 --sqlite-contacts 10000 --requests 15 --warmup 2 --max-seconds 1 \
		--sql-repeats 3 --sql-max-seconds 0.5 --combinations 12 --family-requests 10 \
		--database-url $(BENCH_SMALL_DATABASE_URL) --output bench-results/benchmarks-small.md $(BENCH_ARGS)

bench-webhooks: setup  ## webhook deliveries per second: two workers, a local receiver (BENCH_EVENTS=2000)
	$(BIN)/python -m tools.webhook_bench --events $${BENCH_EVENTS:-2000} --workers 2

# A database the harness drops and recreates.
BENCH_IMPORT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_import

bench-import: $(VENV)/.installed  ## import 1M CSV rows into PostgreSQL + 100k into SQLite via the worker; docs/import-export.md
	$(BIN)/python -m tools.import_bench --rows $${BENCH_IMPORT_ROWS:-1000000} --sqlite-rows $${BENCH_IMPORT_SQLITE_ROWS:-100000} \
		--database-url $(BENCH_IMPORT_DATABASE_URL)

screenshots: $(VENV)/.installed check-browser  ## PNGs of the staff pages into docs/screenshots/
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest tests/browser/screenshots.py -q

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
