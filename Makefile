# One entry point for users, developers and CI. Every target sets up what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8866
CHROMIUM := /usr/bin/chromium

.PHONY: dashboard test lint figures bench chromium clean help

help:
	@echo "make dashboard  set up and serve the dashboard at http://127.0.0.1:$(PORT)"
	@echo "make test       set up and run the whole test suite (unit, notebooks, browser)"
	@echo "make figures    export the canonical figures into figures/"
	@echo "make bench      run the benchmarks; results in benchmarks/results/"
	@echo "make lint       ruff"

# The environment is rebuilt only when the project's dependency list changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

dashboard: $(STAMP)
	$(BIN)/voila notebooks/dashboard.ipynb --port=$(PORT)

chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Debian's chromium at $(CHROMIUM)."; \
		echo "Install it with:  sudo apt-get update && sudo apt-get install -y chromium"; \
		exit 1; \
	fi

test: $(STAMP) chromium
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

figures: $(STAMP)
	$(BIN)/python -m deepgluteal.figures --out figures

bench: $(STAMP) chromium
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
