# Run `make` to list the targets. Reads .env, if present, for settings (see .env.example).
-include .env
export

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-test browser java nginx redis local-env run demo test lint check bench bench-import vendor wrk backup restore

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-app: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-app
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed-app ## Create the virtualenv and install the site's dependencies

install-test: $(VENV)/.installed-test node_modules/.installed browser java nginx redis ## Install what the tests need

browser: ## Install Debian's Chromium for the browser tests (needs root or sudo)
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

java: ## Install Debian's Java runtime for the Nu HTML checker the tests run over the pages (needs root or sudo)
	@command -v java >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless; }

nginx: ## Install Debian's nginx for the test of deploy/nginx.conf and the benchmarks (needs root or sudo)
	@PATH="$$PATH:/usr/sbin:/sbin" command -v nginx >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx; }

redis: ## Install Debian's redis-server for the test of several app servers sharing one cache (needs root or sudo)
	@PATH="$$PATH:/usr/sbin:/sbin" command -v redis-server >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server; }

demo: install ## Migrate the database and load the demo data (safe to run again)
	DEBUG=$${DEBUG:-1} $(MANAGE) migrate --noinput
	DEBUG=$${DEBUG:-1} $(MANAGE) load_demo_data

run: local-env demo ## Install, migrate, load the demo data and serve it on http://127.0.0.1:8000 with the background worker beside it (PORT=8001 for another port)
	@DEBUG=$${DEBUG:-1} $(MANAGE) ensure_staff_user --address http://$(HOST):$(PORT)/admin/
	@echo "The Police Data page: http://$(HOST):$(PORT)/document-library/police-data/"
	@echo "The background worker (imports) runs beside the server; Ctrl+C stops both."
	@DEBUG=$${DEBUG:-1} $(MANAGE) db_worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=$${DEBUG:-1} $(MANAGE) runserver $(HOST):$(PORT)

# Not a rule for .env itself: make would then write one before every target, CI's included.
local-env:
	@test -f .env || { \
		printf '%s\n' "# This checkout's settings, written by make run (git-ignored; see .env.example)." \
			"DEBUG=1" "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env; \
		echo "Wrote .env (DEBUG=1 and a generated SECRET_KEY) for manage.py commands in this checkout."; }

test: install-test ## Run the whole test suite, browser tests included
	$(BIN)/pytest

lint: install-test ## Check style with ruff, and the code's shape (layers, no import cycles) with import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install-test ## Django's system checks and a check for missing migrations
	DEBUG=1 $(MANAGE) check
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

BENCH_DB ?= sqlite:///$(CURDIR)/.bench.sqlite3

bench: demo wrk nginx ## Render times, page weight, the library at 5,000 documents, text extraction, the open data at national scale, then wrk against gunicorn and nginx (BENCH_SECONDS=60)
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only} DJANGO_SETTINGS_MODULE=pcc_site.settings_test $(MANAGE) bench_pages
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only} DJANGO_SETTINGS_MODULE=pcc_site.settings_test $(MANAGE) bench_library
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only} DJANGO_SETTINGS_MODULE=pcc_site.settings_test $(MANAGE) bench_extraction
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-bench-only} DJANGO_SETTINGS_MODULE=pcc_site.settings_test $(MANAGE) bench_opendata
	DEBUG=1 $(MANAGE) bench_http --seconds $${BENCH_SECONDS:-60}
	$(MAKE) bench-upload

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }

bench-import: install ## Time the 999 (5,400 rows), ONS P1 and recorded crime open data (165,000 rows) imports on a scratch database
	rm -f .bench.sqlite3 .bench.sqlite3-wal .bench.sqlite3-shm
	DATABASE_URL=$(BENCH_DB) DEBUG=1 $(MANAGE) migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB) DEBUG=1 $(MANAGE) load_demo_data
	DATABASE_URL=$(BENCH_DB) DEBUG=1 $(MANAGE) bench_import

UPLOAD_DB ?= sqlite:///$(CURDIR)/.bench-upload.sqlite3

bench-upload: install ## The recorded crime open data through the admin and a worker: 165,000 and 1,000,000 rows
	rm -f .bench-upload.sqlite3 .bench-upload.sqlite3-wal .bench-upload.sqlite3-shm
	DATABASE_URL=$(UPLOAD_DB) DEBUG=1 $(MANAGE) migrate --noinput -v0
	DATABASE_URL=$(UPLOAD_DB) DEBUG=1 $(MANAGE) load_demo_data
	DATABASE_URL=$(UPLOAD_DB) DEBUG=1 TASK_BACKEND=database ALLOWED_HOSTS=testserver,localhost LOG_LEVEL=WARNING \
		$(MANAGE) bench_upload

vendor: node_modules/.installed ## Copy the pinned Chart.js release from npm into static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
		node_modules/chart.js/LICENSE.md static/vendor/chart.js/

backup: install ## Back up the database to backups/ (PostgreSQL: pg_dump -Fc; SQLite: .backup)
	DEBUG=$${DEBUG:-1} $(MANAGE) backup_database

restore: install ## Restore a backup into the database, replacing its contents: make restore FILE=backups/…
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/<file>.dump|.sqlite3" >&2; exit 2; }
	DEBUG=$${DEBUG:-1} $(MANAGE) restore_database "$(FILE)"
