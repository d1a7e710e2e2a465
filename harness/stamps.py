"""Stamps for ``capqueue latency``: when each item left its source and reached its sink, and why.

A latency run hands the variant ``StampedSource`` and ``StampedSink``, the instruments of
this module. Nothing travels with the items (they stay the workload's plain ints), so no
exhibit changes and no variant depends on items being anything else: the harness stamps
each event into a ``Stamps`` file, a zeroed file of 64-bit integers that every process of
the run maps (forked workers keep the parent's shared mapping; a process or interpreter
that unpickles an instrument maps the file again), indexed by what is being stamped:

- ``produced[item - 1]``: when the item left its source (the producer asked for it), written
  only by that item's producer;
- ``exhausted[p]``: when producer ``p`` found its source empty (its last put is done);
- consumer ``c``'s log, ``(item, time)`` pairs in the order of its sink calls, and its
  length ``logged[c]``, written only by that consumer.

Each slot has one writer, so no event takes a lock: a stamp is a clock read and two or three
stores, far less than the check's ledger (an ``flock`` per event), though not nothing:
``sequential``'s latency is the stamps' own cost per item. A consumer's log keeps the order
of its sink calls exactly, whatever the clock's resolution, and shows a duplicate as a second
entry rather than overwriting the first; it is sized for every item, but the file is sparse
and only the pages a consumer writes take memory.

The clock is ``time.monotonic_ns()``: on Linux, ``CLOCK_MONOTONIC``, one clock for every
process on the machine (time since boot, never stepped by a change of the wall clock), read
in integer nanoseconds. ``perf_counter`` is documented only within one process; these
stamps are compared across the processes of ``processes`` and ``redis``.

What one run's stamps show (``analyse``):

- **latency** of an item: its sink call minus its take, so it includes its producer's own
  I/O wait (``--io``) and excludes its consumer's CPU work (``--cpu``, done after the stamp);
- **queue wait**, at least: the sink call minus the producer's next take. A producer takes
  its next item only after its put is done, so this is a lower bound on how long the item
  sat in the queue (0 when the consumer got it first);
- **depth seen**: puts known to be done (a producer's next take, or its running out) minus
  sink calls, at every event. The true depth is at most one item per producer above it (a
  put done, its next take not yet made) and at most one item per consumer below it (taken
  from the queue, not yet at the sink): the bound the check's ledger proves, from stamps.
  **In flight**: items taken from a source and not yet at a sink, exactly;
- **fairness**: items per consumer; per producer, the longest it was kept from putting (the
  gap between two of its takes less its I/O wait: its put, blocked on a full queue or waiting
  for the scheduler, the GIL or the OS to run it again, plus its own cost of one hand-off);
  and how far apart the producers finished, as a share of the run.
"""

import bisect
import heapq
import math
import mmap
import time
from dataclasses import dataclass, field

from harness.instruments import spin

PERCENTILES = (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p99.9", 0.999))
BUCKETS_PER_DECADE = 20  # of the latency histogram: each bucket 12 % wider than the last
TIMELINE_BINS = 400  # of the depth timeline kept of one run


def start_events(workload):
    """How many of a run's first events are kept exactly, for the step-by-step fill: about
    six fills of the queue (three events an item: its take, its put seen, its sink call),
    at least 240 and at most 1,200."""
    return min(max(3 * (6 * workload.capacity + 20), 240), 1200)


class Stamps:
    """The stamps of one latency run, in a file-backed mmap every process of the run opens."""

    def __init__(self, path, workload):
        self.path, self.workload = path, workload
        self._map()

    @staticmethod
    def create(path, workload):
        """Make the zeroed (sparse) file the stamps of ``workload`` live in."""
        with open(path, "wb") as file:
            file.truncate(8 * Stamps._words(workload))

    @staticmethod
    def _arrays(workload):
        t, p, c = workload.total, workload.producers, workload.consumers
        return (("produced", t), ("exhausted", p), ("logged", c), ("logs", 2 * c * t))

    @staticmethod
    def _words(workload):
        return max(sum(length for _, length in Stamps._arrays(workload)), 1)

    def _map(self):
        with open(self.path, "r+b") as file:
            self._mmap = mmap.mmap(file.fileno(), 8 * self._words(self.workload))
        self._views = []
        at = 0
        for name, length in self._arrays(self.workload):
            view = memoryview(self._mmap)[at:at + 8 * length].cast("q")
            setattr(self, name, view)
            self._views.append(view)
            at += 8 * length

    def log(self, consumer):
        """Consumer ``consumer``'s log: item, time, item, time, ... (room for every item)."""
        total = self.workload.total
        return self.logs[2 * consumer * total:2 * (consumer + 1) * total]

    def __getstate__(self):
        return self.path, self.workload  # another process or interpreter maps the file again

    def __setstate__(self, state):
        self.path, self.workload = state
        self._map()

    def read(self):
        """Everything stamped, as plain lists: (produced, exhausted, [log of each consumer])."""
        logs = []
        for consumer in range(self.workload.consumers):
            count = min(self.logged[consumer], self.workload.total)
            log = self.log(consumer)
            logs.append((log[0:2 * count:2].tolist(), log[1:2 * count:2].tolist(),
                         self.logged[consumer]))
            log.release()
        return self.produced.tolist(), self.exhausted.tolist(), logs

    def close(self):
        """Release the mapping (views first, or mmap refuses to close)."""
        for view in self._views:
            view.release()
        self._mmap.close()


class StampedSource:
    """A producer's source in a latency run: stamps each take, and the source running out."""

    def __init__(self, stamps, producer, items):
        self.stamps, self.producer, self.items = stamps, producer, items

    def __iter__(self):
        produced, clock = self.stamps.produced, time.monotonic_ns
        for item in self.items:
            produced[item - 1] = clock()
            yield item
        self.stamps.exhausted[self.producer] = clock()


class StampedSink:
    """A consumer's sink in a latency run: stamps the call in its own log, then does its work."""

    def __init__(self, stamps, consumer, loops=0):
        self.stamps, self.consumer, self.loops = stamps, consumer, loops
        self._log = None

    def __getstate__(self):
        return self.stamps, self.consumer, self.loops

    def __setstate__(self, state):
        self.stamps, self.consumer, self.loops = state
        self._log = None

    def __call__(self, item):
        now = time.monotonic_ns()
        stamps, consumer = self.stamps, self.consumer
        if self._log is None:
            self._log = stamps.log(consumer)
        count = stamps.logged[consumer]
        if count < stamps.workload.total:  # a log full already means duplicates: counted only
            self._log[2 * count] = item if isinstance(item, int) else -1
            self._log[2 * count + 1] = now
        stamps.logged[consumer] = count + 1
        if self.loops:
            spin(self.loops)  # after the stamp: latency is the wait before the work begins


# ---- what one run's stamps show ----------------------------------------------------------


def percentile(ordered, share):
    """The nearest-rank percentile of the sorted ``ordered``: the least value that at least
    ``share`` of them do not exceed (no interpolation: always one of the values)."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(share * len(ordered) - 1e-9))
    return ordered[rank - 1]


def bucket(ns):
    """The latency histogram's bucket of ``ns`` nanoseconds: 20 per decade from 1 ns."""
    return math.floor(BUCKETS_PER_DECADE * math.log10(max(ns, 1)) + 1e-9)


def bucket_edge(index):
    """The upper edge of bucket ``index``, in seconds."""
    return 10 ** ((index + 1) / BUCKETS_PER_DECADE) / 1e9


def histogram(values_ns):
    """The log-bucketed histogram of ``values_ns`` as text: 'bucket:count ...'."""
    counts = {}
    for ns in values_ns:
        index = bucket(ns)
        counts[index] = counts.get(index, 0) + 1
    return " ".join(f"{index}:{counts[index]}" for index in sorted(counts))


def read_histogram(text):
    """``histogram``'s text as {bucket: count}."""
    return {int(i): int(n) for i, n in (pair.split(":") for pair in text.split())}


@dataclass
class RunFigures:
    """What the stamps of one run show (times in seconds), and any rule the run broke."""

    latency: dict = field(default_factory=dict)  # "p50" ... "max" -> seconds
    queue_wait: dict = field(default_factory=dict)  # "p50", "p99" -> seconds, lower bounds
    histogram: str = ""  # of the latencies, see ``histogram``
    per_consumer: list = field(default_factory=list)  # items each consumer processed
    blocked_max: list = field(default_factory=list)  # per producer, seconds
    blocked_mean: float = 0.0  # per item, seconds
    finish_spread: float = 0.0  # between the first and the last producer done, share of run
    depth_max: int = 0  # the deepest the queue was seen
    in_flight_max: int = 0  # the most items taken and not yet processed
    full: float = 0.0  # share of the run with the depth seen at the capacity or above
    empty: float = 0.0  # share of the run with no put seen that was not yet processed
    span: float = 0.0  # seconds from the first take to the last sink call
    timeline: dict = field(default_factory=dict)  # "low", "high", "flight": lists; "span_ns"
    start: dict = field(default_factory=dict)  # the first events: "ns", "depth", "flight"
    problems: list = field(default_factory=list)


def allowed_depth(workload):
    """The deepest the queue may be seen: the capacity, and one item in each consumer's hands
    (taken from the queue, not yet at its sink)."""
    return workload.capacity + workload.consumers


def analyse(workload, produced, exhausted, logs):
    """The figures of one run from its stamps (``Stamps.read``), checked first: every item
    processed once, after its take, in its producer's order at each consumer, the depth seen
    within ``allowed_depth``. A run that broke a rule gets its problems and no figures."""
    figures = RunFigures()
    consumed = [0] * workload.total
    figures.problems = _check(workload, produced, logs, consumed)
    if figures.problems:
        return figures
    n = workload.items
    put_known = [0] * workload.total  # when each item's put was known to be done
    for item in range(1, workload.total + 1):
        producer, index = divmod(item - 1, n)
        put_known[item - 1] = produced[item] if index + 1 < n else exhausted[producer]
    latencies = sorted(c - p for c, p in zip(consumed, produced))
    figures.latency = {name: _seconds(percentile(latencies, share))
                       for name, share in PERCENTILES}
    figures.latency["max"] = _seconds(latencies[-1])
    figures.histogram = histogram(latencies)
    waits = sorted(max(c - k, 0) if k else 0 for c, k in zip(consumed, put_known))
    figures.queue_wait = {name: percentile(waits, share) / 1e9
                          for name, share in PERCENTILES if name in ("p50", "p99")}
    figures.per_consumer = [len(items) for items, _, _ in logs]
    _producers(workload, produced, exhausted, figures)
    _depth(workload, produced, put_known, consumed, figures)
    return figures


def _seconds(ns):
    return max(ns, 1) / 1e9  # pyperf keeps values above 0: one clock tick at the least


def _check(workload, produced, logs, consumed):
    """The rules the stamps prove, as sentences (the first few); fills ``consumed``."""
    problems = []
    n, total = workload.items, workload.total
    for consumer, (items, times, count) in enumerate(logs):
        if count > total:
            problems.append(f"consumer {consumer} processed {count:,} items, more than the "
                            f"{total:,} the sources hold: duplicates")
        last = {}
        for item, when in zip(items, times):
            if not 1 <= item <= total:
                what = f"item {item}" if item >= 0 else "a value that is not an item"
                problems.append(f"consumer {consumer} processed {what}, which no source "
                                "produced")
                continue
            producer, index = divmod(item - 1, n)
            if consumed[item - 1]:
                problems.append(f"duplicate item {item}: processed a second time, by "
                                f"consumer {consumer}")
            consumed[item - 1] = when
            if not produced[item - 1] or when < produced[item - 1]:
                problems.append(f"consumer {consumer} processed item {item} before producer "
                                f"{producer} took it from its source")
            if index < last.get(producer, -1):
                problems.append(f"item {item} after item {producer * n + last[producer] + 1} "
                                f"at consumer {consumer}: producer {producer}'s order was not "
                                "kept")
            last[producer] = max(index, last.get(producer, -1))
            if len(problems) > 3:
                return problems
    if not problems:
        missing = next((i + 1 for i, when in enumerate(consumed) if not when), None)
        if missing is not None:
            producer, index = divmod(missing - 1, n)
            problems.append(f"missing item {missing} (producer {producer}'s item {index + 1}): "
                            "no consumer processed it")
    return problems


def _producers(workload, produced, exhausted, figures):
    """Per producer, the longest it was kept from putting; the mean per item; the spread of
    the producers' finishing times."""
    n, io_ns = workload.items, workload.io * 1e9
    blocked, longest, ends = [], [], []
    for producer in range(workload.producers):
        takes = produced[producer * n:(producer + 1) * n]
        if exhausted[producer]:
            takes = [*takes, exhausted[producer]]
        gaps = [max(b - a - io_ns, 0.0) for a, b in zip(takes, takes[1:])]
        blocked += gaps
        longest.append(max(gaps, default=0.0) / 1e9)
        ends.append(takes[-1])
    figures.blocked_max = longest
    figures.blocked_mean = sum(blocked) / len(blocked) / 1e9 if blocked else 0.0
    start = min(produced)
    run = max(ends) - start
    figures.finish_spread = (max(ends) - min(ends)) / run if run > 0 else 0.0


def _depth(workload, produced, put_known, consumed, figures):
    """The depth seen and the items in flight at every event: their extremes, the shares of
    the run spent full and empty, and a timeline of ``TIMELINE_BINS`` bins."""
    # At one instant, sink calls count before puts and takes: the depth is never overstated.
    events = heapq.merge(((t, 0, -1, -1) for t in sorted(consumed)),
                         ((t, 1, 1, 0) for t in sorted(k for k in put_known if k)),
                         ((t, 2, 0, 1) for t in sorted(produced)))
    start, end = min(produced), max(consumed)
    span = max(end - start, 1)
    capacity, allowed = workload.capacity, allowed_depth(workload)
    depth = flight = 0
    deepest = most = 0
    full = empty = 0
    before = start
    low, high, top = [0] * TIMELINE_BINS, [0] * TIMELINE_BINS, [0] * TIMELINE_BINS
    current = 0  # the bin being filled: it starts with the values carried into it
    first = start_events(workload)
    start_ns, start_depth, start_flight = [], [], []
    for when, _, d_depth, d_flight in events:
        held = when - before
        if depth >= capacity:
            full += held
        if depth <= 0:
            empty += held
        before = when
        at = min((when - start) * TIMELINE_BINS // span, TIMELINE_BINS - 1)
        while current < at:
            current += 1
            low[current] = high[current] = max(depth, 0)
            top[current] = flight
        depth += d_depth
        flight += d_flight
        shown = max(depth, 0)
        low[at], high[at], top[at] = min(low[at], shown), max(high[at], shown), max(top[at],
                                                                                     flight)
        deepest, most = max(deepest, depth), max(most, flight)
        if len(start_ns) < first:
            start_ns.append(when - start)
            start_depth.append(depth)
            start_flight.append(flight)
    if deepest > allowed:
        figures.problems.append(f"queue depth seen {deepest} > capacity {capacity} + "
                                f"{workload.consumers} item(s) in the consumers' hands")
    figures.depth_max, figures.in_flight_max = deepest, most
    figures.full, figures.empty = full / span, empty / span
    figures.span = span / 1e9
    figures.timeline = {"low": low, "high": high, "flight": top, "span_ns": span}
    figures.start = {"ns": start_ns, "depth": start_depth, "flight": start_flight}


def cdf(histograms):
    """The cumulative share of the latencies at or below each bucket's upper edge, from
    several histograms (``read_histogram``) pooled: [(seconds, share), ...]."""
    pooled = {}
    for counts in histograms:
        for index, count in counts.items():
            pooled[index] = pooled.get(index, 0) + count
    total = sum(pooled.values())
    out, seen = [], 0
    for index in sorted(pooled):
        seen += pooled[index]
        out.append((bucket_edge(index), seen / total))
    return out


def share_at(points, seconds):
    """From ``cdf``'s points, the share of latencies at or below ``seconds`` (a step)."""
    at = bisect.bisect_right([x for x, _ in points], seconds)
    return points[at - 1][1] if at else 0.0
