# The two commands of the quick start: `make compare` and `make test`.
# Each builds .venv on first use, with the exact versions pinned in pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: compare test scale interpreters clean

# Variants whose whole run lives in the measured process (peak RSS means something for them).
IN_PROCESS := sequential generators generators_send greenlet gevent asyncio asyncio_uvloop \
	anyio_asyncio anyio_trio trio threads threads_condition
SCALE_DIR := results/scale-$(shell date -u +%Y%m%d-%H%M%S)

compare: $(READY)
	$(BIN)/capqueue compare

test: $(READY)
	$(BIN)/python -m pytest

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

# Every interpreter of the matrix under .interpreters/ (git ignores it), each with a venv of
# the study: builds only what is missing (a CPython build takes minutes), installs each model
# library separately, and ends by listing what it could not do and why. Not needed by `test`.
interpreters:
	$(PYTHON) -m harness.interpreters build; built=$$?; \
	$(PYTHON) -m harness.interpreters install && exit $$built

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[models,test]'
	touch $(READY)

clean:
	rm -rf $(VENV) *.egg-info
