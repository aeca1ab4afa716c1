# The set-up contract (docs/architecture.md; README "Set-up").
#   make run         venv + assets, migrate SQLite, load the demo center, serve http://127.0.0.1:8000
#   make test        ruff, import contracts, mypy (blocking), then the suite less the slow tests (xdist) on SQLite and PostgreSQL
#   make test-slow   the slow tests (browser, kill -9, live server) and the full hypothesis profile, once, on PostgreSQL
#   make bench       the full-size benchmarks under bench/
#   make lint        ruff, import contracts (docs/architecture.md), mypy: all blocking
#   make audit-deps  pip-audit (advisory, never fails the build)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HPF := $(BIN)/hpf
STAMP := $(VENV)/.hpf-installed
ASSETS := node_modules/.hpf-assets/vendor/htmx.min.js
DEMO_CENTER ?= 330100
DEMO_CENTER_NAME ?= 杭州住房公积金管理中心
DEMO_USER ?= demo
DEMO_PASSWORD ?= demo-Pass-2026
BANK_SIM_PORT ?= 8765

.PHONY: help run test test-slow bench lint lint-imports mypy audit-deps assets venv .venv

help:
	@sed -n '2,8s/^# //p' Makefile

# The virtual environment, re-installed whenever pyproject.toml changes.
venv .venv: $(STAMP)
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# htmx and ECharts from npm into node_modules/.hpf-assets/vendor/ (served as /static/vendor/…).
assets: $(ASSETS)
$(ASSETS): package.json package-lock.json scripts/vendor-assets.sh
	@if command -v npm >/dev/null 2>&1; then bash scripts/vendor-assets.sh; \
	else echo "!!! npm not found: htmx/ECharts NOT installed, the console will lack them (install nodejs npm)"; fi

run: .venv assets
	$(HPF) migrate --noinput
	$(HPF) collectstatic --noinput --verbosity 0
	@if $(HPF) help demo >/dev/null 2>&1; then \
	  $(HPF) demo; \
	else \
	  echo "hpf demo is not available yet: creating a minimal demo center and staff login instead"; \
	  $(HPF) create_staff '$(DEMO_USER)' --password '$(DEMO_PASSWORD)' --center '$(DEMO_CENTER)' \
	    --create-center '$(DEMO_CENTER_NAME)' --display-name 演示业务员 --superuser; \
	  echo; echo "演示登录 demo login: http://127.0.0.1:8000/login/  用户名 $(DEMO_USER)  密码 $(DEMO_PASSWORD)"; echo; \
	fi
	@# the bank simulator (hpf bank-sim) in the background, the demo center's 专户 opened at it; stopped with the server
	@mkdir -p var; $(HPF) bank-sim --port $(BANK_SIM_PORT) --db var/banksim.sqlite3 > var/banksim.log 2>&1 & \
	  sim=$$!; trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	  for _ in $$(seq 1 50); do grep -q listening var/banksim.log 2>/dev/null && break; sleep 0.2; done; \
	  $(HPF) bank-sim-link --url http://127.0.0.1:$(BANK_SIM_PORT) && \
	  echo "银行模拟器 bank simulator: http://127.0.0.1:$(BANK_SIM_PORT)  (日终: .venv/bin/hpf dayend)" && \
	  $(HPF) runserver 127.0.0.1:8000

test: .venv assets
	$(BIN)/ruff check .
	@$(MAKE) --no-print-directory lint-imports mypy
	@bash scripts/run-tests.sh

test-slow: .venv assets
	@bash scripts/run-tests.sh --slow

bench: .venv
	@if [ -f bench/__main__.py ]; then $(BIN)/python -m bench; \
	else echo "bench/ is not there yet: no benchmarks to run"; fi

lint: .venv
	$(BIN)/ruff check .
	@$(MAKE) --no-print-directory lint-imports mypy

# The layer contracts between the apps (docs/architecture.md; [tool.importlinter] in pyproject.toml).
lint-imports: .venv
	$(BIN)/lint-imports --no-cache

mypy: .venv
	$(BIN)/mypy openhpf bench

audit-deps: .venv
	@bash scripts/audit-deps.sh
