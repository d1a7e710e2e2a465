# The commands of the quick start: `make setup`, `make compare` and `make test`.
# Each builds .venv on first use, with the exact versions pinned in pyproject.toml;
# `make setup` does only that, after which .venv/bin/capqueue is the command line.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed
EXAMPLE := examples/capqueue-simplequeue
EXAMPLE_SITE := $(VENV)/example-site

.PHONY: help setup compare test scale clean
.DEFAULT_GOAL := compare

# Variants whose whole run lives in the measured process (peak RSS means something for them).
IN_PROCESS := sequential generators generators_send greenlet gevent asyncio asyncio_uvloop \
	anyio_asyncio anyio_trio trio threads threads_condition
SCALE_DIR := results/scale-$(shell date -u +%Y%m%d-%H%M%S)

help:
	@echo "make setup     build .venv (pinned versions); then run .venv/bin/capqueue --help"
	@echo "make compare   check and time every variant, print the table, save under results/"
	@echo "make test      the conformance suite, the checker's tests, the CLI tests, and the"
	@echo "               example plug-in package's own test (examples/)"
	@echo "make scale     ns per item from 1 to 10,000,000 items (about half an hour)"
	@echo "make clean     remove .venv"

setup: $(READY)
	@echo "ready: run .venv/bin/capqueue --help (or: source $(BIN)/activate, then capqueue)"

compare: $(READY)
	$(BIN)/capqueue compare

test: $(READY) $(EXAMPLE_SITE)/.installed
	$(BIN)/python -m pytest
	cd $(EXAMPLE) && PYTHONPATH=$(CURDIR)/$(EXAMPLE_SITE) $(CURDIR)/$(BIN)/python -m pytest

# The example plug-in package, installed as a user would install one, but into a folder of
# its own that only its tests put on the path: installed into .venv, it would join the
# study's variants (every table, every command, the conformance suite above).
$(EXAMPLE_SITE)/.installed: $(READY) $(wildcard $(EXAMPLE)/pyproject.toml $(EXAMPLE)/src/*.py)
	rm -rf $(EXAMPLE_SITE)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
	  --target $(EXAMPLE_SITE) ./$(EXAMPLE)
	touch $@

# ns per item and peak RSS from 1 to 10,000,000 items, each variant's sizes measured one
# after another so that the machine's drift over the half hour it takes spreads evenly.
# The 1-item run is the fixed cost of one run; the 10,000,000-item run, a single value.
scale: $(READY)
	mkdir -p $(SCALE_DIR)
	for variant in $(IN_PROCESS); do \
	  $(BIN)/capqueue run $$variant -q --items 1 --fast --append $(SCALE_DIR)/items-1.json && \
	  $(BIN)/capqueue run $$variant -q --items 10000 --fast --append $(SCALE_DIR)/items-10000.json && \
	  $(BIN)/capqueue run $$variant -q --items 100000 --fast --append $(SCALE_DIR)/items-100000.json && \
	  $(BIN)/capqueue run $$variant -q --items 1000000 -p 3 -n 1 -w 0 -l 1 \
	    --append $(SCALE_DIR)/items-1000000.json && \
	  $(BIN)/capqueue run $$variant -q --items 10000000 -p 1 -n 1 -w 0 -l 1 \
	    --append $(SCALE_DIR)/items-10000000.json || exit 1; \
	done
	$(BIN)/capqueue report $(SCALE_DIR)/items-*.json

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[models,test]'
	touch $(READY)

clean:
	rm -rf $(VENV) *.egg-info
