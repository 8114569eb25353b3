# Quick start: `make demo` opens the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR := $(CURDIR)/.demo

.PHONY: setup test lint format demo server clean installer

$(STAMP): pyproject.toml scripts/bootstrap.sh
	sh scripts/bootstrap.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[app,server,dev]"
	touch $(STAMP)

setup: $(STAMP)

test: $(STAMP)
	sh scripts/bootstrap.sh test
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: $(STAMP)
	sh scripts/bootstrap.sh gui
	BIN=$(BIN) DEMO_DIR=$(DEMO_DIR) sh scripts/demo.sh

# The laptop's one-folder app (PyInstaller, build_installer.spec) in dist/drome-proximite,
# then its --self-check run headless; Windows: docs/windows.md.
installer: $(STAMP)
	BIN=$(BIN) sh scripts/build_installer.sh

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache build dist *.egg-info
