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

.PHONY: help install db db-stop demo demo-stop test lint format bench accuracy clean system-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed $(FERRETDB) ## Create .venv and install the project with dev tools

$(FERRETDB): tools/ferretdb/main.go tools/ferretdb/go.mod tools/ferretdb/go.sum
	@mkdir -p $(TOOLS)
	cd tools/ferretdb && GOFLAGS=-mod=mod go build -o ../../$(FERRETDB) .

system-deps: ## Install Debian packages the tests need (Dovecot, Chromium) when missing
	bash scripts/system_deps.sh

db: $(FERRETDB) ## Start the local MongoDB-compatible server (FerretDB + SQLite) unless MONGODB_URI points elsewhere
	bash scripts/db.sh start $(DB_PORT)

db-stop: ## Stop the local database server
	bash scripts/db.sh stop

demo: install system-deps ## Start the database, the stand-ins and `dagster dev` on http://127.0.0.1:3000
	bash scripts/demo.sh

demo-stop: ## Stop a running `make demo` (dagster dev and the stand-ins; the database stays up)
	bash scripts/demo.sh stop

test: install system-deps ## Run the test suite (starts and stops the servers it needs)
	$(BIN)/python -m pytest

lint: install ## ruff (lint and format check) and mypy
	$(BIN)/ruff check jiit_assets jiit_assets_tests
	$(BIN)/ruff format --check jiit_assets jiit_assets_tests
	$(BIN)/mypy

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix jiit_assets jiit_assets_tests
	$(BIN)/ruff format jiit_assets jiit_assets_tests

bench: install system-deps ## Run the benchmarks and write BENCHMARKS.md
	$(BIN)/python -m jiit_assets_tests.bench

accuracy: install ## Score the rules on the accuracy corpus (tuning and set-aside parts; see jiit_assets_tests/accuracy)
	$(BIN)/python -m jiit_assets_tests.accuracy.score

clean: ## Remove the virtualenv, built tools and local data
	rm -rf $(VENV) .tools .data $(RUN_DIR)
