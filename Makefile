# One entry point for users, developers and CI. Every target sets up what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8866
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx

.PHONY: dashboard test lint figures bench screenshots chromium nginx clean help

help:
	@echo "make dashboard  set up and serve the dashboard at http://127.0.0.1:$(PORT)"
	@echo "make test       set up and run the whole test suite (unit, notebooks, browser)"
	@echo "make figures    export the canonical figures into figures/"
	@echo "make bench      run the benchmarks; results in benchmarks/results/"
	@echo "make screenshots  one screenshot of the dashboard per screen layout, in docs/screenshots/"
	@echo "make lint       ruff"

# The environment is rebuilt only when the project's dependency list or the page template
# changes (the template is copied into the environment by the install).
$(STAMP): pyproject.toml $(wildcard share/jupyter/voila/templates/dgs/*)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

dashboard: $(STAMP)
	$(BIN)/voila notebooks/dashboard.ipynb --port=$(PORT)

# $(call debian_package,PROGRAM,PACKAGE,WHAT NEEDS IT): install a Debian package when its
# program is missing and we are root; otherwise say exactly what to install.
define debian_package
	@if [ -x $(1) ]; then exit 0; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's $(2) for $(3)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
		echo "Debian's $(2) is needed by $(3), at $(1)."; \
		echo "Install it with:  sudo apt-get update && sudo apt-get install -y $(2)"; \
		exit 1; \
	fi
endef

chromium:
	$(call debian_package,$(CHROMIUM),chromium,the browser tests)

# The reverse-proxy test (tests/test_proxy.py) runs Debian's nginx in front of Voila.
nginx:
	$(call debian_package,$(NGINX),nginx,the reverse-proxy tests)

test: $(STAMP) chromium nginx
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

figures: $(STAMP)
	$(BIN)/python -m deepgluteal.figures --out figures

bench: $(STAMP) chromium
	$(BIN)/python benchmarks/run_all.py

screenshots: $(STAMP) chromium
	$(BIN)/python tests/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
