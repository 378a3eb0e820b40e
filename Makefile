# Netra: `make run` serves the embedded default model; `make test` runs the tests. Both set up first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEFAULT_MODEL := models/default
MODEL_SOURCES := $(wildcard model/*.py training/*.py data/*.py) training/configs/linear.yaml $(wildcard data/corpus/*.jsonl)
WEB_TEST_DEPS := tests/web/node_modules/.installed

.PHONY: setup run test test-all lint bench clean

setup: $(VENV)/.installed $(DEFAULT_MODEL)/config.json

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch==2.13.0 is pinned in pyproject.toml: the CPU build; an unpinned torch pulls a multi-GB CUDA build.
	$(BIN)/pip install --quiet -e '.[dev,postgres]'
	touch $@

# The embedded default: the linear model, trained deterministically on the shipped corpus (seconds).
$(DEFAULT_MODEL)/config.json: $(VENV)/.installed $(MODEL_SOURCES)
	$(BIN)/netra train --config training/configs/linear.yaml --output $(DEFAULT_MODEL)

# jsdom, for the test that drives the analysts' web page (tests/test_web_page.py skips it without npm).
$(WEB_TEST_DEPS): tests/web/package.json tests/web/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/web --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the web page test that needs jsdom will be skipped"; fi

run: setup
	$(BIN)/netra serve

test: setup $(WEB_TEST_DEPS)
	$(BIN)/python -m pytest -q

test-all: setup $(WEB_TEST_DEPS)
	$(BIN)/python -m pytest -q -m "slow or not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python bench/linear_throughput.py

clean:
	rm -rf $(VENV) $(DEFAULT_MODEL) tests/web/node_modules
