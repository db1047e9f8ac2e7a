# The two commands of the README: `make lab` and `make test`. Both set up what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test lint bench clean

# pip compiles the C loops of the training step (src/neuralab/nn/_kernels.c) in place.
$(STAMP): pyproject.toml src/neuralab/nn/_kernels.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@# PyTorch is only a reference in tests and benchmarks; this machine kind has a local CPU
	@# build of 2.13.0. Elsewhere the torch-agreement tests are skipped and say why.
	$(BIN)/python -m pip install -q torch==2.13.0 || echo "neuralab: torch 2.13.0 not installable here"
	touch $(STAMP)

## Run the lab on the bundled data (opens a browser tab when it can).
lab: $(STAMP)
	$(BIN)/neuralab

## Install everything (Debian Chromium included) and run the whole test suite.
test: $(STAMP)
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest --ignore=tests/e2e
	$(BIN)/python -m pytest tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

## The benchmarks recorded in docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info test-artifacts
	find src -name '*.so' -delete
