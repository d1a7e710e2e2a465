# The two commands of the quick start: `make compare` and `make test`.
# Each builds .venv on first use, with the exact versions pinned in pyproject.toml, and
# installs the one program a variant needs beyond Python: redis-server.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed

.PHONY: compare test scale clean redis-server

# Variants whose whole run lives in the measured process (peak RSS means something for them).
IN_PROCESS := sequential generators generators_send greenlet gevent asyncio asyncio_uvloop \
	anyio_asyncio anyio_trio trio threads threads_condition
SCALE_DIR := results/scale-$(shell date -u +%Y%m%d-%H%M%S)

compare: $(READY) redis-server
	$(BIN)/capqueue compare

test: $(READY) redis-server
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

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[models,test]'
	touch $(READY)

# The redis variant starts a private redis-server for its runs. Where none is installed,
# install Debian's (these machines run as root with apt). Debian may start a system
# service on install: stop and disable it, so that nothing is left listening on 6379.
# Where it cannot be installed, the variant is listed as unavailable and the others run.
redis-server:
	@command -v redis-server >/dev/null || ! command -v apt-get >/dev/null || { \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -q redis-server || { apt-get update -q && \
	    apt-get install -y -q redis-server; }; } >/dev/null && \
	  { service redis-server stop || true; } >/dev/null 2>&1 && \
	  { systemctl disable redis-server || true; } >/dev/null 2>&1; \
	  command -v redis-server >/dev/null || echo "make: redis-server could not be installed:" \
	    "the redis variant will be unavailable"; }

clean:
	rm -rf $(VENV) *.egg-info
