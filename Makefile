# The two commands a learner needs:
#   make lab    set up (once) and open JupyterLab on the course index
#   make test   set up (once) and run every test
# Everything runs from the virtual environment .venv, created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
INDEX  := notebooks/00_index.ipynb
JOBS   ?= auto

# The course's arrays are small: one BLAS thread is fastest, and it avoids oversubscribing
# shared machines (CI, Binder), where threaded BLAS was measured 30x slower.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.DEFAULT_GOAL := help
.PHONY: help setup lab test test-browser html course check-course exercises execute bench clean

help:
	@echo "make lab        set up and start JupyterLab on the course index (extra options: ARGS=\"--port=8899\")"
	@echo "make test       set up and run every test (library, reference values, notebooks, exercises)"
	@echo "make test-browser  run every lesson in a real JupyterLab in headless Chromium (needs /usr/bin/chromium)"
	@echo "make course     regenerate the index, navigation links, README table and exercises/"
	@echo "make execute    re-execute lessons and solutions in place (NB=path/to/one.ipynb for one)"
	@echo "make html       render lessons, exercises and solutions to a static site in site/ (links checked)"
	@echo "make bench      time lossopt against PyTorch (needs torch in .venv) and every slider's update"
	@echo "make clean      remove the virtual environment"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "lossopt needs Python 3.10 or newer; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(INDEX) $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(ARGS)

test-browser: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	LOSSOPT_BROWSER=1 $(BIN)/python -m pytest -v -s tests/browser $(ARGS)

html: $(STAMP)
	$(BIN)/python -m lossopt.site --out site

course exercises: $(STAMP)
	$(BIN)/python -m lossopt.build

check-course: $(STAMP)
	$(BIN)/python -m lossopt.build --check

NB ?= notebooks solutions
execute: $(STAMP)
	$(BIN)/python -m lossopt.build execute $(NB)

bench: $(STAMP)
	$(BIN)/python tests/bench.py $(ARGS)
	$(BIN)/python tests/bench_widgets.py $(ARGS)

clean:
	rm -rf $(VENV)
