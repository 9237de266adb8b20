# jiit-assets: every install step lives here, so a fresh clone on a new machine works.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/bin
FERRETDB := $(TOOLS)/ferretdb-sqlite
DB_PORT ?= 27017
RUN_DIR := .run
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# Newest dagster-postgres; installed with --no-deps (see the `prod` extra in pyproject.toml).
DAGSTER_POSTGRES := dagster-postgres==0.29.27
BACKUP ?=

.PHONY: help install db db-stop demo demo-stop test lint format bench accuracy clean system-deps \
	prereqs embedded-db serve serve-stop serve-status upgrade backup restore

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,prod]'
	$(BIN)/pip install --quiet --no-deps '$(DAGSTER_POSTGRES)'
	touch $@

prereqs:
	@bash scripts/prereqs.sh install

# The local database is built only when it is used: with MONGODB_URI set, Go is not needed.
embedded-db:
	@if bash scripts/prereqs.sh embedded-db demo; then $(MAKE) --no-print-directory $(FERRETDB); \
	else echo "MONGODB_URI is set: the local database (FerretDB, built with Go) is not needed"; fi

install: prereqs $(VENV)/.installed embedded-db ## Create .venv and install the project with dev tools

$(FERRETDB): tools/ferretdb/main.go tools/ferretdb/go.mod tools/ferretdb/go.sum
	@mkdir -p $(TOOLS)
	cd tools/ferretdb && GOFLAGS=-mod=mod go build -o ../../$(FERRETDB) .

system-deps: ## Install Debian packages the tests need (Dovecot, Chromium, PostgreSQL) when missing
	bash scripts/system_deps.sh

db: embedded-db ## Start the local MongoDB-compatible server (FerretDB + SQLite) unless MONGODB_URI points elsewhere
	bash scripts/db.sh start $(DB_PORT)

db-stop: ## Stop the local database server
	bash scripts/db.sh stop

demo: install system-deps ## Start the database, the stand-ins and `dagster dev` on http://127.0.0.1:3000
	@bash scripts/prereqs.sh demo
	bash scripts/demo.sh

demo-stop: ## Stop a running `make demo` (dagster dev and the stand-ins; the database stays up)
	bash scripts/demo.sh stop

test: install system-deps ## Run the test suite (starts and stops the servers it needs)
	@bash scripts/prereqs.sh test
	@if bash scripts/prereqs.sh embedded-db test; then $(MAKE) --no-print-directory $(FERRETDB); fi
	$(BIN)/python -m pytest

serve: install ## Production topology: PostgreSQL, code server, dagster-daemon, dagster-webserver (http://127.0.0.1:3000)
	bash scripts/system_deps.sh serve
	bash scripts/serve.sh start

serve-stop: ## Stop everything `make serve` started
	bash scripts/serve.sh stop

serve-status: ## Show which parts of `make serve` are running
	bash scripts/serve.sh status

upgrade: install ## After `git pull`: back up, migrate the instance, check the code loads, restart daemon + webserver
	bash scripts/serve.sh upgrade

backup: ## Copy the local database and the Dagster instance to .backups/<time>/ (works while serving)
	bash scripts/backup.sh backup

restore: ## Restore BACKUP=.backups/<time> into an empty data folder (stop serving first)
	bash scripts/backup.sh restore "$(BACKUP)"

lint: install ## ruff (lint and format check), mypy, and unused code (vulture)
	$(BIN)/ruff check jiit_assets jiit_assets_tests
	$(BIN)/ruff format --check jiit_assets jiit_assets_tests
	$(BIN)/mypy
	$(BIN)/vulture

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix jiit_assets jiit_assets_tests
	$(BIN)/ruff format jiit_assets jiit_assets_tests

bench: install system-deps ## Run the benchmarks and write BENCHMARKS.md
	$(BIN)/python -m jiit_assets_tests.bench

accuracy: install ## Score the rules on the accuracy corpus (tuning and set-aside parts; see jiit_assets_tests/accuracy)
	$(BIN)/python -m jiit_assets_tests.accuracy.score

clean: ## Remove the virtualenv, built tools and local data
	rm -rf $(VENV) .tools .data $(RUN_DIR)
