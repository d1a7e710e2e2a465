"""The sources and sinks the harness hands a variant: plain for timing, recording for checks.

A variant only ever sees iterables (one per producer) and callables (one per consumer). The
harness decides what they do, and so learns what the variant did without touching it:

- timed runs get ``range`` objects and the bound ``append`` of a ``deque(maxlen=1)``: the
  least that still takes an item, nothing extra per item, and flat memory at any size;
- check runs get ``RecordedSource`` and ``RecordedSink``, which write every event into a
  ``Ledger`` shared by all the processes of the run;
- trace runs get ``TracedSource`` and ``TracedSink``, which print the events as they happen.

What the ledger can prove. A producer takes item k+1 from its source only after it has put
item k in the queue, so "puts done" is known from the takes (and all of them once the
source is exhausted); "gets done" is at most the sink calls plus one item in hand per
consumer. Their difference is a sound lower bound on the queue's depth at every take, whatever
the model (preemptive or not), so a queue that ignores its cap shows up as a bound above the
capacity. Loss, duplication and reordering show up in the sink calls themselves.
"""

import mmap
import sys
import time
from collections import deque

# Kinds of problem the ledger can see while the run goes on (0 means none so far).
OVER_CAPACITY, UNKNOWN_ITEM, NOT_TAKEN, DUPLICATE, REORDERED, AFTER_RETURN = range(1, 7)

# Slots of the ledger's header, each a signed 64-bit integer.
(SEQ, PUTS, SINKS, RETURNED, MAX_DEPTH, PROBLEM, P_ITEM, P_CONSUMER, P_PRODUCER, P_OTHER,
 INJECTED_NS, INJECTED_SINKS, HEADER) = range(13)


class InjectedFailure(Exception):
    """The error a source or sink raises on purpose, to see how a variant shuts down."""


def timed_sinks(consumers):
    """Sinks for a timed run, and the deques that keep each consumer's last item."""
    lasts = [deque(maxlen=1) for _ in range(consumers)]
    return [last.append for last in lasts], lasts


class Ledger:
    """Check-mode counters for one run, in a file-backed mmap that every process can open.

    The parent creates the file; the run (possibly several processes) records into it
    under one lock, which also gives every event its place in a single global order; the
    parent reads it afterwards, even if the run had to be killed.
    """

    def __init__(self, path, workload, failure=None, lock=None):
        self.path = path
        self.workload = workload
        self.failure = failure  # None, or ("sink" | "source", item)
        self.lock = lock  # a multiprocessing.Lock to record with; None to only read
        self._map()

    @staticmethod
    def create(path, workload):
        """Make the zeroed file a ledger for ``workload`` lives in."""
        with open(path, "wb") as file:
            file.truncate(Ledger._size(workload))

    @staticmethod
    def _size(workload):
        p, c = workload.producers, workload.consumers
        return 8 * (HEADER + 2 * p + c * p + c) + max(workload.total, 1)

    def _map(self):
        w = self.workload
        with open(self.path, "r+b") as file:
            self._mmap = mmap.mmap(file.fileno(), self._size(w))
        p, c = w.producers, w.consumers
        words = 8 * (HEADER + 2 * p + c * p + c)
        ints = memoryview(self._mmap)[:words].cast("q")
        self.head = ints[:HEADER]
        self.takes = ints[HEADER:HEADER + p]
        self.exhausted = ints[HEADER + p:HEADER + 2 * p]
        self.last = ints[HEADER + 2 * p:HEADER + 2 * p + c * p]  # index + 1 of the last item
        self.per_consumer = ints[HEADER + 2 * p + c * p:]
        self.seen = memoryview(self._mmap)[words:words + w.total]

    def __getstate__(self):
        # Worker processes reopen the file; the lock travels as multiprocessing allows
        # (inherited, or pickled while a process is being spawned).
        return self.path, self.workload, self.failure, self.lock

    def __setstate__(self, state):
        self.path, self.workload, self.failure, self.lock = state
        self._map()

    # Events, recorded by the instruments while the run goes on.

    def took(self, producer, item):
        """Producer ``producer`` asks its source for ``item``: its previous item is in the queue."""
        with self.lock:
            self._next(P_PRODUCER, producer, item)
            if self.takes[producer]:
                self.head[PUTS] += 1
            self.takes[producer] += 1
            self._depth(producer, item)
            self._inject("source", item)

    def ran_out(self, producer):
        """Producer ``producer`` found its source exhausted: its last item is in the queue."""
        with self.lock:
            self._next(P_PRODUCER, producer, 0)
            if self.takes[producer] and not self.exhausted[producer]:
                self.head[PUTS] += 1
            self.exhausted[producer] = 1
            self._depth(producer, 0)

    def processed(self, consumer, item):
        """Consumer ``consumer`` calls its sink with ``item``."""
        with self.lock:
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

        No lock: a variant may have killed a worker process inside ``with self.lock``
        (``Process.terminate()`` does not wait for a good moment), and that lock would
        then never be released. One aligned 8-byte store needs none.
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

    def first_missing(self):
        """The first item no sink was called with, or None."""
        at = bytes(self.seen).find(0)
        return None if at < 0 else at + 1

    def close(self):
        """Release the mapping (views first, or mmap refuses to close)."""
        for view in (self.head, self.takes, self.exhausted, self.last, self.per_consumer,
                     self.seen):
            view.release()
        self._mmap.close()


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
    """A consumer's sink in a check run: records each item it is given."""

    def __init__(self, ledger, consumer):
        self.ledger, self.consumer = ledger, consumer

    def __call__(self, item):
        self.ledger.processed(self.consumer, item)


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

    def __init__(self, consumer, named):
        self.prefix = f"consumer {consumer} " if named else ""

    def __call__(self, item):
        # One write per line (print makes two), so that threads never split each other's lines.
        sys.stdout.write(f"{self.prefix}processing  {item}\n")

