"""The sources and sinks the harness hands a variant: plain for timing, recording for checks.

A variant only ever sees iterables (one per producer) and callables (one per consumer). The
harness decides what they do, and so learns what the variant did without touching it:

- timed runs get ``range`` objects (each behind a ``TimedSource``, which notes when its
  producer first takes from it and then hands over the range's own iterator) and the bound
  ``append`` of a ``deque(maxlen=1)``: the least that still takes an item, nothing extra
  per item, and flat memory at any size (with ``--cpu``, a ``WorkingSink`` that does the
  CPU work first);
- check runs get ``RecordedSource`` and ``RecordedSink``, which write every event into a
  ``Ledger`` shared by all the processes of the run;
- trace runs get ``TracedSource`` and ``TracedSink``, which print the events as they happen;
- latency runs (``capqueue latency``) get ``StampedSource`` and ``StampedSink``, which stamp
  each take and each sink call into a file with no lock (``harness.stamps``).

The CPU work (``--cpu``) is ``spin``: the same pure-Python loop for every model, so that it
holds the GIL on a GIL build as real Python work does. ``spin_rate`` measures how many of
its iterations this interpreter runs per second; a run's loop count is fixed once from that
rate and recorded with its results.

What the ledger can prove. A producer takes item k+1 from its source only after it has put
item k in the queue, so "puts done" is known from the takes (and all of them once the
source is exhausted); "gets done" is at most the sink calls plus one item in hand per
consumer. Their difference is a sound lower bound on the queue's depth at every take, whatever
the model (preemptive or not), so a queue that ignores its cap shows up as a bound above the
capacity. Loss, duplication and reordering show up in the sink calls themselves.
"""

import contextlib
import fcntl
import mmap
import os
import subprocess
import sys
import threading
import time
from collections import deque
from time import perf_counter

# Kinds of problem the ledger can see while the run goes on (0 means none so far).
OVER_CAPACITY, UNKNOWN_ITEM, NOT_TAKEN, DUPLICATE, REORDERED, AFTER_RETURN = range(1, 7)

# Slots of the ledger's header, each a signed 64-bit integer.
(SEQ, PUTS, SINKS, RETURNED, MAX_DEPTH, PROBLEM, P_ITEM, P_CONSUMER, P_PRODUCER, P_OTHER,
 INJECTED_NS, INJECTED_SINKS, HEADER) = range(13)

CALIBRATION_PROCESSES = 3  # spin_rate is taken in fresh processes, the fastest wins


class InjectedFailure(Exception):
    """The error a source or sink raises on purpose, to see how a variant shuts down."""


def spin(loops):
    """The CPU work of one item: ``loops`` iterations of plain Python arithmetic."""
    total = 0
    for i in range(loops):
        total += i
    return total


def spin_rate(seconds=0.02, repeats=5):
    """Iterations of ``spin`` per second in this process: the best of ``repeats`` tries."""
    loops = 1000
    while True:  # grow the sample until one try takes about ``seconds``
        started = time.perf_counter()
        spin(loops)
        took = time.perf_counter() - started
        if took >= seconds / 4:
            break
        loops *= 4
    best = took
    for _ in range(repeats - 1):
        started = time.perf_counter()
        spin(loops)
        best = min(best, time.perf_counter() - started)
    return loops / best


def calibrate(python=None):
    """Iterations of ``spin`` per second for ``python``, taken in fresh processes.

    On this kind of shared machine a whole process can run 1.5-2x slower than the next, so
    the rate is measured in several fresh processes and the fastest is kept: a count
    calibrated in a slow process would make the work shorter than asked in every other.
    """
    command = [python or sys.executable, "-m", "harness.instruments"]
    rates = [float(subprocess.run(command, capture_output=True, text=True, check=True,
                                  env={**os.environ, "PYTHONSAFEPATH": ""}).stdout)
             for _ in range(CALIBRATION_PROCESSES)]
    return max(rates)


def loops_for(seconds, rate):
    """How many ``spin`` iterations take ``seconds`` at ``rate``: at least 1 for any work."""
    return max(1, round(seconds * rate)) if seconds else 0


class WorkingSink:
    """A timed consumer's sink with CPU work: spin, then keep the item."""

    __slots__ = ("loops", "keep")

    def __init__(self, loops, keep):
        self.loops, self.keep = loops, keep

    def __call__(self, item):
        spin(self.loops)
        self.keep(item)


class TimedSource:
    """A timed producer's source: notes when its producer first takes from it, and costs
    nothing per item.

    ``iter()`` on it (a producer's ``for`` does that once, at its first take) writes the
    time into its slot of ``stamps`` and returns the range's own iterator, so that every
    item comes straight from the range, in C, as from a bare ``range``. The stamps live in
    an anonymous shared mapping made before the run, so that a producer forked into a
    process of its own records into the parent's copy too (``perf_counter`` is the same
    monotonic clock in every process). Pickled, into a subinterpreter or a spawned
    process, it crosses as its plain range: the run is the same, the time is not recorded.
    """

    __slots__ = ("items", "stamps", "index")

    def __init__(self, items, stamps, index):
        self.items, self.stamps, self.index = items, stamps, index

    def __iter__(self):
        self.stamps[self.index] = perf_counter()
        return iter(self.items)

    def __reduce__(self):
        return range, (self.items.start, self.items.stop, self.items.step)


def timed_sources(workload):
    """The sources of a timed run, and the stamps their first takes write (0.0 until then).

    Made outside the timer: one ``TimedSource`` per producer around ``Workload.ranges()``.
    """
    count = max(workload.producers, 1)
    stamps = memoryview(mmap.mmap(-1, 8 * count)).cast("d")  # shared with forked children
    return [TimedSource(items, stamps, p) for p, items in enumerate(workload.ranges())], stamps


def first_takes(stamps, started):
    """Seconds from ``started`` to the last producer's first take, and to the median one's;
    (None, None) if some producer's take was not recorded."""
    taken = sorted(stamps)
    if not taken or taken[0] == 0.0:
        return None, None
    return taken[-1] - started, taken[(len(taken) - 1) // 2] - started


def timed_sinks(consumers, loops=0):
    """Sinks for a timed run, and the deques that keep each consumer's last item.

    With no CPU work a sink is the deque's bound ``append`` itself: one C call per item.
    """
    lasts = [deque(maxlen=1) for _ in range(consumers)]
    if loops:
        return [WorkingSink(loops, last.append) for last in lasts], lasts
    return [last.append for last in lasts], lasts


class Ledger:
    """Check-mode counters for one run, in a file-backed mmap that every process can open.

    The parent creates the file; the run (possibly several processes, or interpreters)
    records into it under one lock, which also gives every event its place in a single
    global order; the parent reads it afterwards, even if the run had to be killed.

    The lock is an ``flock`` on the ledger file, taken through this object's own open
    file, with a thread lock in front for the threads that share the object. An ``flock``
    excludes every other open file of the same file, even in the same process, so it holds
    across processes and across subinterpreters alike (each reopens the file when the
    ledger is unpickled, and a forked child reopens it on its first event); and the kernel
    releases it when its holder dies, so a worker killed in the middle of recording cannot
    leave the others waiting forever.
    """

    def __init__(self, path, workload, failure=None):
        self.path = path
        self.workload = workload
        self.failure = failure  # None, or ("sink" | "source", item)
        self._map()

    @staticmethod
    def create(path, workload):
        """Make the zeroed file a ledger for ``workload`` lives in."""
        with open(path, "wb") as file:
            file.truncate(Ledger._size(workload))

    @staticmethod
    def _arrays(workload):
        """The ledger's arrays of 64-bit integers, in file order: (attribute, length)."""
        p, c = workload.producers, workload.consumers
        return (("head", HEADER),
                ("takes", p),  # items each producer has taken
                ("exhausted", p),  # 1 once a producer found its source empty
                ("first_take_ns", p), ("last_take_ns", p),  # when, to see the I/O waits
                ("last", c * p),  # per consumer and producer: index + 1 of its last item
                ("per_consumer", c),  # items each consumer processed
                ("private", p))  # of a producer in a process of its own: its private memory

    @staticmethod
    def _size(workload):
        words = sum(length for _, length in Ledger._arrays(workload))
        return 8 * words + max(workload.total, 1)

    def _map(self):
        w = self.workload
        self._file = open(self.path, "r+b")  # noqa: SIM115 - kept open for the flock
        self._mmap = mmap.mmap(self._file.fileno(), self._size(w))
        self._pid = os.getpid()
        self._home = self._pid  # the process that opened it: a fork keeps it, a pickle not
        self._thread_lock = threading.Lock()
        self._views = []
        at = 0
        for name, length in self._arrays(w):
            view = memoryview(self._mmap)[at:at + 8 * length].cast("q")
            setattr(self, name, view)
            self._views.append(view)
            at += 8 * length
        self.seen = memoryview(self._mmap)[at:at + w.total]  # one byte per item
        self._views.append(self.seen)

    def __getstate__(self):
        # Another process or interpreter reopens the file, and so gets its own flock.
        return self.path, self.workload, self.failure

    def __setstate__(self, state):
        self.path, self.workload, self.failure = state
        self._map()

    @contextlib.contextmanager
    def lock(self):
        """Hold the ledger's lock: one event at a time, across every worker of the run."""
        if os.getpid() != self._pid:  # a forked child shares its parent's open file: reopen
            self._pid = os.getpid()
            self._file = open(self.path, "r+b")  # noqa: SIM115
            self._thread_lock = threading.Lock()  # another thread may have held ours at fork
        with self._thread_lock:
            fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._file, fcntl.LOCK_UN)

    # Events, recorded by the instruments while the run goes on.

    def took(self, producer, item):
        """Producer ``producer`` asks its source for ``item``: its previous item is in the queue."""
        now = time.monotonic_ns()
        with self.lock():
            self._next(P_PRODUCER, producer, item)
            if self.takes[producer]:
                self.head[PUTS] += 1
            else:
                self.first_take_ns[producer] = now
            self.last_take_ns[producer] = now
            self.takes[producer] += 1
            self._depth(producer, item)
            self._inject("source", item)

    def ran_out(self, producer):
        """Producer ``producer`` found its source exhausted: its last item is in the queue.

        A producer forked into a process of its own also notes the private memory of that
        process now, when its work is done (see ``producer_memory``).
        """
        if os.getpid() != self._home:
            self.private[producer] = private_memory()
        with self.lock():
            self._next(P_PRODUCER, producer, 0)
            if self.takes[producer] and not self.exhausted[producer]:
                self.head[PUTS] += 1
            self.exhausted[producer] = 1
            self._depth(producer, 0)

    def processed(self, consumer, item):
        """Consumer ``consumer`` calls its sink with ``item``."""
        with self.lock():
            self._next(P_CONSUMER, consumer, item)
            self._inject("sink", item)
            w = self.workload
            if not isinstance(item, int) or not 1 <= item <= w.total:
                self._problem(UNKNOWN_ITEM, item if isinstance(item, int) else -1, consumer)
                return
            producer, index = w.owner(item)
            if index >= self.takes[producer]:
                self._problem(NOT_TAKEN, item, consumer, producer)
            if self.seen[item - 1]:
                self._problem(DUPLICATE, item, consumer, producer)
            self.seen[item - 1] = 1
            slot = consumer * w.producers + producer
            if index + 1 <= self.last[slot]:
                previous = producer * w.items + self.last[slot]
                self._problem(REORDERED, item, consumer, producer, previous)
            self.last[slot] = max(self.last[slot], index + 1)
            self.head[SINKS] += 1
            self.per_consumer[consumer] += 1

    def mark_returned(self):
        """``run`` has returned (or raised): any later event is a worker left running.

        No lock: one aligned 8-byte store needs none, and a worker killed by the variant
        may still hold it for a moment.
        """
        self.head[RETURNED] = self.head[SEQ] + 1

    def _next(self, slot, worker, item):
        self.head[SEQ] += 1
        if self.head[RETURNED]:
            self._problem(AFTER_RETURN, item, worker if slot == P_CONSUMER else -1,
                          worker if slot == P_PRODUCER else -1)

    def _depth(self, producer, item):
        if self.head[INJECTED_NS]:
            return  # shutting down after a failure, a consumer may drop items unprocessed
        depth = self.head[PUTS] - self.head[SINKS] - self.workload.consumers
        if depth > self.head[MAX_DEPTH]:
            self.head[MAX_DEPTH] = depth
            if depth > self.workload.capacity:
                self._problem(OVER_CAPACITY, item, -1, producer, depth)

    def _inject(self, place, item):
        if self.failure == (place, item):
            self.head[INJECTED_NS] = time.monotonic_ns()
            self.head[INJECTED_SINKS] = self.head[SINKS]
            raise InjectedFailure(f"injected failure in a {place} at item {item}")

    def _problem(self, kind, item, consumer=-1, producer=-1, other=0):
        if not self.head[PROBLEM]:  # keep the first: later ones are often its echoes
            h = self.head
            h[PROBLEM], h[P_ITEM], h[P_CONSUMER], h[P_PRODUCER], h[P_OTHER] = (
                kind, item, consumer, producer, other)

    # Reading, once the run is over.

    def mean_wait(self, producer):
        """Seconds between a producer's takes, on average; None under two takes."""
        takes = self.takes[producer]
        if takes < 2:
            return None
        return (self.last_take_ns[producer] - self.first_take_ns[producer]) / 1e9 / (takes - 1)

    def producer_memory(self):
        """The private memory of each producer that ran in a process of its own, in bytes,
        as it was when the producer's source ran out: its share of one more producer."""
        return [size for size in self.private if size]

    def first_missing(self):
        """The first item no sink was called with, or None."""
        at = bytes(self.seen).find(0)
        return None if at < 0 else at + 1

    def close(self):
        """Release the mapping (views first, or mmap refuses to close)."""
        for view in self._views:
            view.release()
        self._mmap.close()
        self._file.close()


def private_memory():
    """The private memory of this process, in bytes (Private_Clean + Private_Dirty of
    /proc/self/smaps_rollup: the pages no other process shares); 0 off Linux."""
    total = 0
    try:
        with open("/proc/self/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith((b"Private_Clean:", b"Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except OSError:
        pass
    return total


class RecordedSource:
    """A producer's source in a check run: yields its items and records each take."""

    def __init__(self, ledger, producer, items):
        self.ledger, self.producer, self.items = ledger, producer, items

    def __iter__(self):
        ledger, producer = self.ledger, self.producer
        for item in self.items:
            ledger.took(producer, item)
            yield item
        ledger.ran_out(producer)


class RecordedSink:
    """A consumer's sink in a check run: records each item it is given, then does its work."""

    def __init__(self, ledger, consumer, loops=0):
        self.ledger, self.consumer, self.loops = ledger, consumer, loops

    def __call__(self, item):
        self.ledger.processed(self.consumer, item)
        if self.loops:
            spin(self.loops)  # outside the ledger's lock, so consumers work at the same time


class TracedSource:
    """A producer's source in a trace: says what it hands out, as it does."""

    def __init__(self, producer, items, quiet=False):
        self.producer, self.items, self.quiet = producer, items, quiet

    def __iter__(self):
        for item in self.items:
            if not self.quiet:
                sys.stdout.write(f"producer {self.producer} takes item {item}\n")
            yield item


class TracedSink:
    """A consumer's sink in a trace: prints the notebook's line for each item."""

    def __init__(self, consumer, named, loops=0):
        self.prefix = f"consumer {consumer} " if named else ""
        self.loops = loops

    def __call__(self, item):
        # One write per line (print makes two), so that threads never split each other's lines.
        sys.stdout.write(f"{self.prefix}processing  {item}\n")
        if self.loops:
            spin(self.loops)


if __name__ == "__main__":  # what ``calibrate`` runs in each fresh process
    print(spin_rate())

