# The commands of the quick start: `make setup`, `make compare` and `make test`; and
# `make docs`. Each builds .venv on first use, with the exact versions pinned in
# pyproject.toml, and installs the one program a variant needs beyond Python:
# redis-server. `make setup` does only that, after which .venv/bin/capqueue is the
# command line.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.installed
EXAMPLE := examples/capqueue-simplequeue
EXAMPLE_SITE := $(VENV)/example-site

.PHONY: help setup compare test instructions valgrind docs study latency waiters scale distributed \
	interpreters clean redis-server
.DEFAULT_GOAL := compare

# Variants whose whole run lives in the measured process (peak RSS means something for them).
IN_PROCESS := sequential generators generators_send greenlet gevent asyncio asyncio_uvloop \
	anyio_asyncio anyio_trio trio threads threads_condition
SCALE_DIR := results/scale-$(shell date -u +%Y%m%d-%H%M%S)
STUDY_DIR := results/study-$(shell date -u +%Y%m%d-%H%M%S)
LATENCY_DIR := results/latency-$(shell date -u +%Y%m%d-%H%M%S)
WAITERS_DIR := results/waiters-$(shell date -u +%Y%m%d-%H%M%S)
DISTRIBUTED := results/distributed-$(shell date -u +%Y%m%d-%H%M%S)
# The variants of the waiters sweep (see waiters): a variant of every model that holds
# thousands of waiting producers at once, and two that start a process per producer, to
# show where that stops.
MANY_WAITERS := asyncio asyncio_uvloop trio anyio_asyncio gevent threads processes redis

help:
	@echo "make setup     build .venv (pinned versions), install redis-server if missing;"
	@echo "               then run .venv/bin/capqueue --help"
	@echo "make compare   check and time every variant, print the table, save under results/"
	@echo "make test      the conformance suite, the checker's tests, the CLI tests, and the"
	@echo "               example plug-in package's own test (examples/)"
	@echo "make instructions"
	@echo "               instructions per item under valgrind, for the one-thread variants"
	@echo "make docs      rewrite every generated table, plot and quote in README.md and docs/"
	@echo "make study     the study's standard sweeps, checked then timed, with their plots"
	@echo "make latency   latency, depth and fairness of every variant on five workloads"
	@echo "make waiters   1 to 10,000 waiting producers, timer and socket waits: time, memory"
	@echo "make scale     ns per item from 1 to 1,000,000 items (about a quarter of an hour)"
	@echo "make distributed"
	@echo "               Ray's queue beside the broker, processes and threads, at capacity"
	@echo "               1 to 1,000, and its fixed and marginal costs (about 8 minutes)"
	@echo "make clean     remove .venv"

setup: $(READY) redis-server
	@echo "ready: run .venv/bin/capqueue --help (or: source $(BIN)/activate, then capqueue)"

compare: $(READY) redis-server
	$(BIN)/capqueue compare

# The suite is mostly child processes waiting on each other: one pytest worker per core.
# The tests that share one Ray cluster are one group (xdist_group "ray"), sent to one
# worker, so that the cluster is started once.
test: $(READY) redis-server valgrind $(EXAMPLE_SITE)/.installed
	$(BIN)/python -m pytest -n auto --dist loadgroup
	cd $(EXAMPLE) && PYTHONPATH=$(CURDIR)/$(EXAMPLE_SITE) $(CURDIR)/$(BIN)/python -m pytest

# The example plug-in package, installed as a user would install one, but into a folder of
# its own that only its tests put on the path: installed into .venv, it would join the
# study's variants (every table, every command, the conformance suite above).
$(EXAMPLE_SITE)/.installed: $(READY) $(wildcard $(EXAMPLE)/pyproject.toml $(EXAMPLE)/src/*.py)
	rm -rf $(EXAMPLE_SITE)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
	  --target $(EXAMPLE_SITE) ./$(EXAMPLE)
	touch $@

# Rewrite every generated table, plot and quote in README.md and docs/ from results/.
docs: $(READY)
	$(BIN)/capqueue docs

# The study's standard sweeps, each checked then timed into STUDY_DIR with its plot:
# the price of a switch (capacity), who overlaps I/O waits (producers that wait 1 ms an
# item), who spreads CPU work over the cores (consumers that work 100 µs an item), and
# contention on the queue (producers x consumers), and from how much I/O or CPU work per
# item each model's own cost stops mattering (one producer, one consumer). Interrupted,
# it resumes where it stopped when given the same folder: make study STUDY_DIR=...
# A sweep whose checks fail at some point (uvloop cannot wait 100 µs: it rounds timers to
# whole milliseconds) exits 1 after timing the rest; the study goes on to the next (-).
# The two grids without work are timed with 3 processes x 1 value and no warm-up, on 5,000
# and 2,000 items per producer: a sweep is read for its shape, and with the default 10,000
# items and more values the study took 35 minutes here (contention alone 11: the broker at
# 4 x 4 moves 40,000 items at a third of a millisecond each, checked then timed three times).
# On fewer items a run's start-up weighs more: a forked process's share is largest.
study: $(READY) redis-server
	mkdir -p $(STUDY_DIR)
	-$(BIN)/capqueue sweep --capacity 1,2,5,10,100,1000 --items 5000 -p 3 -n 1 -w 0 \
	  -o $(STUDY_DIR)/capacity.json
	-$(BIN)/capqueue sweep --producers 1,2,4,8,16 --io 1ms --items 200 \
	  -o $(STUDY_DIR)/producers-io.json
	-$(BIN)/capqueue sweep --consumers 1,2,4 --cpu 100us --items 2000 \
	  -o $(STUDY_DIR)/consumers-cpu.json
	-$(BIN)/capqueue sweep --producers 1,2,4 --consumers 1,2,4 --items 2000 -p 3 -n 1 -w 0 \
	  -o $(STUDY_DIR)/contention.json
	-$(BIN)/capqueue sweep --io 10us,100us,1ms,10ms --items 100 -o $(STUDY_DIR)/io-crossover.json
	-$(BIN)/capqueue sweep --cpu 1us,10us,100us,1ms --items 1000 \
	  -o $(STUDY_DIR)/cpu-crossover.json

# The waiters sweep: 1 to 10,000 producers each waiting 10 ms per item, on a timer and on
# a socket to a delay server (--io-kind), one file each with three plots: time per item and
# efficiency against producers, and the memory of one more waiting producer. It trades, to
# keep it within half an hour here: 3 items per producer (30,000 items at 10,000
# producers, a run of seconds; the ideal is 30 ms at every size, so the first waits and the
# start-up weigh in); 3 processes x 1 value, no warm-up, 1 loop (a point is read for its
# trend, and each process gives the memory slope one peak RSS; with no warm-up, a model's
# lazy imports fall in its first run: anyio's backend, tens of milliseconds, which its
# efficiency at 1 to 100 producers shows); and variants: the models that wait for one
# producer at a time are left out (sequential, generators, greenlet: 10,000 x 3 waits of
# 10 ms in a row take 300 s a run, and producers-io shows them), as are the near twins
# (threads_condition, anyio_trio) and the bridges from threads to asyncio (mixed_*: a
# thread per producer, as threads, and the dearest at 10,000: 30 s to check, 20 s a run).
# processes and redis run to 100 producers and are "cannot run" beyond: a process per
# producer (harness/limits.py). Measured here: both sweeps in about six minutes.
waiters: $(READY) redis-server
	mkdir -p $(WAITERS_DIR)
	-for kind in sleep socket; do \
	  $(BIN)/capqueue sweep $(MANY_WAITERS) --producers 1,10,100,1000,10000 --io 10ms \
	    --io-kind $$kind --items 3 -p 3 -n 1 -w 0 -l 1 -o $(WAITERS_DIR)/$$kind.json; \
	  for plot in sweep efficiency memory; do \
	    $(BIN)/capqueue plot $$plot $(WAITERS_DIR)/$$kind.json -o $(WAITERS_DIR)/$$kind-$$plot; \
	  done; \
	done

# Latency, depth and fairness (capqueue latency, 5 processes each) on the study's shapes:
# the default workload, capacity 1 and 100, 4 producers x 4 consumers (10,000 items in
# all), and producers that wait 1 ms an item with consumers that work 100 µs. A file each in
# LATENCY_DIR; about 25 minutes here. Stopped, it is run again on a fresh folder.
latency: $(READY) redis-server
	mkdir -p $(LATENCY_DIR)
	-$(BIN)/capqueue latency -o $(LATENCY_DIR)/default.json
	-$(BIN)/capqueue latency --capacity 1 -o $(LATENCY_DIR)/capacity-1.json
	-$(BIN)/capqueue latency --capacity 100 -o $(LATENCY_DIR)/capacity-100.json
	-$(BIN)/capqueue latency --producers 4 --consumers 4 --items 2500 -o $(LATENCY_DIR)/4x4.json
	-$(BIN)/capqueue latency --producers 4 --io 1ms --consumers 2 --cpu 100us --items 500 \
	  -o $(LATENCY_DIR)/io-cpu.json

# A distributed engine's queue (ray_queue, and its batching alternative) beside the broker
# (redis), processes and threads: capacity 1, 10, 100 and 1,000, into DISTRIBUTED.json with
# its plot; then the fixed cost of a run and the marginal cost of an item (1 and 1,000
# items, capacity 10), into DISTRIBUTED-split.json. About 8 minutes here, most of it Ray's:
# every run starts a process per actor (seconds), every pyperf process starts a cluster
# (outside the timer), and a run of the batching design at capacity 1 takes 10 ms an item.
# The trade: 1,000 items a run (the study's sweeps use 5,000 and the default is 10,000), so
# that Ray's fixed cost, not its hand-off, is most of a 1,000-item figure: read its cost per
# item from the split, and the other variants' from either (their fixed costs are small).
distributed: $(READY) redis-server
	-$(BIN)/capqueue sweep ray_queue ray_queue_batched redis processes threads \
	  --variant-path docs/alternatives/ray_queue_batched.py --capacity 1,10,100,1000 \
	  --items 1000 -o $(DISTRIBUTED).json
	-$(BIN)/capqueue sweep ray_queue redis processes threads --items 1,1000 --capacity 10 \
	  -o $(DISTRIBUTED)-split.json

# Instructions per item under valgrind, for every variant that runs on one OS thread.
instructions: $(READY) valgrind
	$(BIN)/capqueue instructions

# capqueue instructions counts under valgrind, a system package: install it where we can
# (Debian's apt-get, as root); where we cannot, the command says so and its tests skip.
valgrind:
	@command -v valgrind >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; } \
	  || echo "valgrind is missing and could not be installed: capqueue instructions will not run"

# ns per item and peak RSS from 1 to 1,000,000 items, each variant's sizes measured one
# after another so that the machine's drift over the quarter hour it takes spreads evenly.
# The 1-item run is the fixed cost of one run; the 1,000,000-item run, 3 processes of one
# value each, the largest that still gives the split's marginal cost an interval.
scale: $(READY)
	mkdir -p $(SCALE_DIR)
	for variant in $(IN_PROCESS); do \
	  $(BIN)/capqueue run $$variant -q --items 1 --fast --append $(SCALE_DIR)/items-1.json && \
	  $(BIN)/capqueue run $$variant -q --items 10000 --fast --append $(SCALE_DIR)/items-10000.json && \
	  $(BIN)/capqueue run $$variant -q --items 100000 --fast --append $(SCALE_DIR)/items-100000.json && \
	  $(BIN)/capqueue run $$variant -q --items 1000000 -p 3 -n 1 -w 0 -l 1 \
	    --append $(SCALE_DIR)/items-1000000.json || exit 1; \
	done
	$(BIN)/capqueue report $(SCALE_DIR)/items-*.json

# Every interpreter of the matrix under .interpreters/ (git ignores it), each with a venv of
# the study: builds only what is missing (a CPython build takes minutes), installs each model
# library separately, and ends by listing what it could not do and why. Not needed by `test`.
interpreters: $(READY)
	$(BIN)/capqueue interpreters build; built=$$?; \
	$(BIN)/capqueue interpreters install && exit $$built

$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[models,test,docs]'
	touch $(READY)

# The harness starts a private redis-server for the redis variant's runs (unless
# CAPQUEUE_REDIS_URL names yours). Where none is installed, install Debian's (these
# machines run as root with apt). Debian may start a system service on install: stop and
# disable it, so that nothing is left listening on 6379.
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
