# The two commands of the README, `make lab` and `make test`, each install what they need and
# nothing more: the lab's venv holds no test tools and no PyTorch.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAB := $(VENV)/.lab-installed
TEST := $(VENV)/.test-installed
NOTEBOOK := $(VENV)/.notebook-installed
# `make lab PORT=8001` (or HOST=0.0.0.0 to teach a class on your network)
LAB_FLAGS := $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST))

.PHONY: lab test notebook lint bench clean

# pip compiles the C loops of the training step (src/neuralab/nn/_kernels.c) in place.
$(LAB): pyproject.toml src/neuralab/nn/_kernels.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST): $(LAB)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(NOTEBOOK): $(LAB)
	$(BIN)/python -m pip install -q -e '.[notebook]'
	touch $@

## Run the lab on the bundled data (opens a browser tab when it can).
lab: $(LAB)
	$(BIN)/neuralab $(LAB_FLAGS)

## Install the test tools (and Debian's Chromium) and run the whole test suite.
test: $(TEST)
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest --ignore=tests/e2e
	$(BIN)/python -m pytest tests/e2e

## Open the lesson's notebook in JupyterLab (installed into the same venv).
notebook: $(NOTEBOOK)
	$(BIN)/jupyter lab notebooks/lesson.ipynb

lint: $(TEST)
	$(BIN)/ruff check src tests benchmarks

## The benchmarks recorded in docs/benchmarks.md. PyTorch is a comparison here only: this
## machine kind has a local CPU build of 2.13.0; elsewhere the PyTorch columns say "n/a".
bench: $(TEST)
	$(BIN)/python -m pip install -q torch==2.13.0 || echo "neuralab: torch 2.13.0 not installable here"
	bash scripts/ensure-chromium.sh
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info test-artifacts
	find src -name '*.so' -delete
