# The two quick-start commands: `make site` builds site/, `make test` runs every test.
# Each installs what it needs into .venv (and, for tests, Debian's chromium and npm tools);
# `make test` checks the types (mypy, strict) before it runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test check clean-venv

site: $(VENV)/.installed
	$(BIN)/paradetimeline build

check: $(VENV)/.installed
	$(BIN)/paradetimeline check --strict

test: $(VENV)/.installed-test
	bash scripts/install-test-tools
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean-venv:
	rm -rf $(VENV)
