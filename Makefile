# The two commands of the quick start: `make compare` and `make test`.
# Each builds .venv on first use, with the exact versions pinned in pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: compare test scale clean

# Variants whose whole run lives in the measured process (peak RSS means something for them).
IN_PROCESS := sequential generators generators_send greenlet gevent asyncio asyncio_uvloop \
	anyio_asyncio anyio_trio trio threads threads_condition
SCALE_DIR := results/scale-$(shell date -u +%Y%m%d-%H%M%S)

compare: $(READY)
	$(BIN)/capqueue compare

test: $(READY)
	$(BIN)/python -m pytest

# ns per item and peak RSS from 10,000 to 10,000,000 items (about 20 minutes).
scale: $(READY)
	$(BIN)/capqueue run $(IN_PROCESS) --items 10000 --fast -o $(SCALE_DIR)/items-10000.json
	$(BIN)/capqueue run $(IN_PROCESS) --items 100000 --fast -o $(SCALE_DIR)/items-100000.json
	$(BIN)/capqueue run $(IN_PROCESS) --items 1000000 -p 3 -n 1 -w 0 -l 1 \
		-o $(SCALE_DIR)/items-1000000.json
	$(BIN)/capqueue run $(IN_PROCESS) --items 10000000 -p 1 -n 1 -w 0 -l 1 \
		-o $(SCALE_DIR)/items-10000000.json
	$(BIN)/capqueue report $(SCALE_DIR)/items-*.json

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[models,test]'
	touch $(READY)

clean:
	rm -rf $(VENV) *.egg-info
