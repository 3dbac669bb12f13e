# One entry point for users, developers and CI. Every target sets up what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Exact versions of everything installed into .venv (make lock refreshes it).
LOCK := requirements.lock.txt
# The oldest versions pyproject.toml allows, for the unit tests (make test-lowest).
LOWEST := .venv-lowest
PORT ?= 8866
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx

.PHONY: dashboard test test-lowest lock lint figures bench screenshots chromium nginx hub hub-proxy hub-values clean help

help:
	@echo "make dashboard  set up and serve the dashboard at http://127.0.0.1:$(PORT)"
	@echo "make test       set up and run the whole test suite (unit, notebooks, browser),"
	@echo "                then the unit tests against the oldest allowed versions"
	@echo "make lock       refresh $(LOCK), the exact versions make installs"
	@echo "make figures    export the canonical figures into figures/"
	@echo "make bench      run the benchmarks; results in benchmarks/results/"
	@echo "make screenshots  one screenshot of the dashboard per screen layout, in docs/screenshots/"
	@echo "make lint       ruff"
	@echo "make hub        serve the dashboard to a class through JupyterHub at http://127.0.0.1:8000"

# The environment is rebuilt only when the project's dependency list, the lock or the page
# template changes (the template is copied into the environment by the install).
$(STAMP): pyproject.toml $(LOCK) $(wildcard share/jupyter/voila/templates/dgs/*)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Newest versions allowed by pyproject.toml, for Python 3.11 and later on every platform.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--upgrade --quiet --no-header --annotation-style line \
		--custom-compile-command "make lock" -o $(LOCK)

# The unit tests (not the browser or notebook ones; tests/test_serve.py serves the dashboard to
# a scripted viewer) against the lowest versions pyproject.toml allows for its direct
# dependencies: its lower bounds are versions that were tested. Picture
# baselines and the checks of text boxes in the pictures are left out (matplotlib 3.8 rasterizes
# text differently, not wrongly, and truncates a 4.6-inch canvas at 100 dpi to 459 px), and so is
# the readability check of every string (slow, and its textstat is the same version).
$(LOWEST)/.installed-stamp: pyproject.toml $(STAMP)
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(LOWEST)
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e '.[test]'
	@touch $@

test-lowest: $(LOWEST)/.installed-stamp
	$(LOWEST)/bin/python -m pytest -p no:cacheprovider -q -m "not browser and not notebook" \
		-k "not matches_baseline and not reads_at_grade and not no_text_on_text and not draws_twice_the_pixels"

dashboard: $(STAMP)
	$(BIN)/deepgluteal serve --port=$(PORT)

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

# JupyterHub for a class (README, "A class through JupyterHub"). Its settings are in
# deploy/jupyterhub/hub.toml; HUB_PASSWORD, HUB_PORT and HUB_IDLE_TIMEOUT (seconds) override them
# for one run. configurable-http-proxy comes from npm, pinned by the lock file, into .hub/node.
HUB_PROXY := .hub/node/node_modules/.bin/configurable-http-proxy
HUB_PROXY_LOCK := deploy/jupyterhub/proxy/package.json deploy/jupyterhub/proxy/package-lock.json

$(HUB_PROXY): $(HUB_PROXY_LOCK)
	@command -v npm >/dev/null || { echo "npm (Node.js 20 or newer) is needed by make hub: sudo apt-get install -y nodejs npm"; exit 1; }
	mkdir -p .hub/node
	cp $(HUB_PROXY_LOCK) .hub/node/
	npm ci --prefix .hub/node --no-audit --no-fund --loglevel=error
	@touch $(HUB_PROXY)

hub-proxy: $(HUB_PROXY)

HUB_ENV = HUB_PASSWORD="$(HUB_PASSWORD)" DGS_HUB_PORT="$(HUB_PORT)" DGS_HUB_IDLE_TIMEOUT_S="$(HUB_IDLE_TIMEOUT)"

hub: $(STAMP) $(HUB_PROXY)
	@$(HUB_ENV) $(BIN)/python -m deepgluteal.hub announce
	cd .hub && $(HUB_ENV) ../$(BIN)/jupyterhub -f ../deploy/jupyterhub/jupyterhub_config.py

# The Zero to JupyterHub values are generated from the same hub.toml (tests/test_hub.py checks).
hub-values: $(STAMP)
	$(BIN)/python -m deepgluteal.hub values > deploy/jupyterhub/values.yaml

test: $(STAMP) chromium nginx $(HUB_PROXY)
	$(BIN)/python -m pytest
	$(MAKE) test-lowest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks harness

figures: $(STAMP)
	$(BIN)/python -m deepgluteal.figures --out figures

bench: $(STAMP) chromium
	$(BIN)/python benchmarks/run_all.py

screenshots: $(STAMP) chromium
	$(BIN)/python tests/make_screenshots.py

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .hub
