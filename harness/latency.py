"""The latency mode: how long each item waits, how full the queue runs, how fairly work is shared.

A measuring mode apart from the throughput timer, whose timed path stays as cheap as it
was: ``capqueue latency`` checks each variant as ``run`` does, then runs it in ``processes``
fresh processes (``python -m harness.checkrun latency``, under the check's time limit and
clean-up), each doing ``warmups`` plain runs and then one run on the stamping instruments
of ``harness.stamps``. The parent reads each run's stamps, checks from them alone that the
run did the task (no loss, no duplicate, each producer's order at each consumer, nothing
processed before it was taken, the depth seen within the capacity plus one item in each
consumer's hands), and keeps its figures (``stamps.RunFigures``).

Every figure is per process: a process is the unit of evidence, as for the throughput
figures (``harness.stats``), so each comes with a 95 % interval over processes, and two
variants whose intervals overlap are not told apart.

Storage: one pyperf BenchmarkSuite JSON. Per variant, one benchmark per statistic, one value
per process, in seconds, named ``VARIANT latency p99 WORKLOAD`` (the statistics of
``STATISTICS``), each with the metadata every capqueue benchmark carries (the variant, the
workload, the interpreter, the libraries) and ``capqueue_statistic`` naming its statistic:
``report.rows`` passes such benchmarks over, so they are never read as times per item. The
``run`` benchmark (the stamped run's wall time) carries the rest of each process's figures
as run metadata (``RAW``): the counts, which pyperf cannot keep as values since they are
often 0 (a consumer that got no item, a queue never full), the latency histogram (20
buckets a decade) for the CDF, and for the first process the depth timeline for the plot.
and the first events of the run, exactly, for the step-by-step fill. 10 to 30 kilobytes per
variant.
"""

import json
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyperf

from harness import check, stats, units
from harness.estimates import ClaimError, Estimate
from harness.stamps import PERCENTILES, Stamps, allowed_depth, analyse, read_histogram
from harness.table import Table
from harness.workload import Workload

NOTE = ("Stamps, not a timer: each item's take from its source and its sink call are stamped "
        "with time.monotonic_ns() (CLOCK_MONOTONIC, one clock for every process); latency is "
        "the sink call minus the take, the producer's I/O wait included.")
CLOCK = "time.monotonic_ns (CLOCK_MONOTONIC)"
LATENCY = tuple(name for name, _ in PERCENTILES) + ("max",)
QUEUE_WAIT = ("p50", "p99")
# Every statistic a variant gets a benchmark for, in file order.
STATISTICS = (*(f"latency {name}" for name in LATENCY),
              *(f"queue wait {name}" for name in QUEUE_WAIT), "run")
# Each process's figures that are not pyperf values: run metadata of its "run" benchmark.
RAW = ("histogram", "items_per_consumer", "blocked_max_s", "blocked_mean_s", "finish_spread",
       "depth_max", "in_flight_max", "time_full", "time_empty", "span_s")
TIMELINE = ("timeline_low", "timeline_high", "timeline_flight", "timeline_span_ns")
START = ("start_ns", "start_depth", "start_flight")
PREFIX = "capqueue_"


@dataclass
class Outcome:
    """One stamped process of one variant: its figures, or the problems that void them."""

    figures: object = None  # stamps.RunFigures
    seconds: float = 0.0  # the stamped run's wall time
    metadata: dict = None  # what its benchmarks record, from the process itself
    problems: list = None
    debug: str = ""

    @property
    def ok(self):
        return not self.problems


def stamp_variant(variant, workload, *, timeout=None, cpu_loops=0, spin_rate=0.0, warmups=0):
    """Run ``variant`` in one fresh process, ``warmups`` plain runs then a stamped one;
    return its ``Outcome``."""
    progress = None
    with tempfile.TemporaryDirectory(prefix="capqueue-latency-") as tmp:
        path, report_path = Path(tmp, "stamps"), Path(tmp, "report.json")
        Stamps.create(path, workload)
        if timeout is None:  # as the check does: a slow run still consuming is not a hang
            watched = Stamps(path, workload)
            progress = lambda: sum(watched.logged)  # noqa: E731 - read by _run_child
            timeout = check.time_limit(workload) * (1 + warmups)
        command = [sys.executable, "-m", "harness.checkrun", "latency", variant.name,
                   "--stamps", str(path), "--report", str(report_path),
                   *workload.as_options(), "--cpu-loops", str(cpu_loops),
                   "--warmups", str(warmups), "--spin-rate", repr(spin_rate)]
        if variant.path:
            command += ["--variant-path", variant.path]
        status, stderr, strays, *_ = check._run_child(command, timeout, progress=progress)
        if progress is not None:
            watched.close()
        report = json.loads(report_path.read_text()) if report_path.exists() else None
        verdict = check.Verdict(variant.name, debug=stderr)
        if status is None:
            verdict.problems.append(f"no answer in {timeout:g} s: the stamped run hung")
        elif report is None:
            last = stderr.strip().splitlines()[-1:] or ["no message"]
            verdict.problems.append(f"the latency process died (exit status {status}): "
                                    f"{last[0]}")
        else:
            verdict.problems += check._judge_ending(report, None, verdict)
        if strays:
            verdict.problems.append(f"{len(strays)} process(es) the run started outlived it")
        outcome = Outcome(problems=verdict.problems, debug=verdict.debug)
        if verdict.ok:
            stamps = Stamps(path, workload)
            try:
                outcome.figures = analyse(workload, *stamps.read())
            finally:
                stamps.close()
            outcome.problems = [f"stamps: {p}" for p in outcome.figures.problems]
            outcome.seconds, outcome.metadata = report["seconds"], report["metadata"]
        return outcome


# ---- storing: pyperf benchmarks ----------------------------------------------------------


def value(figures, seconds, statistic):
    """The pyperf value of ``statistic`` for one process (seconds, above 0)."""
    kind, _, name = statistic.rpartition(" ")
    if statistic == "run":
        return max(seconds, 1e-9)
    if kind == "latency":
        return figures.latency[name]
    return max(figures.queue_wait[name], 1e-9)  # a lower bound of 0: one tick, for pyperf


def raw(figures, timeline=False):
    """One process's figures that are not values, as run metadata."""
    meta = {"histogram": figures.histogram,
            "items_per_consumer": " ".join(map(str, figures.per_consumer)),
            "blocked_max_s": " ".join(f"{s:.6g}" for s in figures.blocked_max),
            "blocked_mean_s": figures.blocked_mean, "finish_spread": figures.finish_spread,
            "depth_max": figures.depth_max, "in_flight_max": figures.in_flight_max,
            "time_full": figures.full, "time_empty": figures.empty, "span_s": figures.span}
    if timeline:
        line = figures.timeline
        meta.update(timeline_low=" ".join(map(str, line["low"])),
                    timeline_high=" ".join(map(str, line["high"])),
                    timeline_flight=" ".join(map(str, line["flight"])),
                    timeline_span_ns=line["span_ns"],
                    **{f"start_{key}": " ".join(map(str, figures.start[key]))
                       for key in ("ns", "depth", "flight")})
    return {PREFIX + key: item for key, item in meta.items()}


def system_metadata():
    """What pyperf records of this machine and interpreter, taken once, for every run."""
    collected = pyperf.Run([1.0], metadata={"name": "-"}, collect_metadata=True).get_metadata()
    return {k: v for k, v in collected.items() if k not in ("name", "mem_max_rss", "unit")}


def benchmarks(variant, workload, outcomes, warmups):
    """The pyperf benchmarks of one variant's processes, one per statistic."""
    system = system_metadata()
    common = {**outcomes[0].metadata, "capqueue_timer": NOTE, "capqueue_clock": CLOCK,
              "capqueue_warmups": warmups, "capqueue_processes": len(outcomes)}
    out = []
    for statistic in STATISTICS:
        name = f"{variant} {statistic} {workload.label()}"
        runs = []
        for index, outcome in enumerate(outcomes):
            meta = {**system, **common, "name": name, "unit": "second",
                    "capqueue_statistic": statistic}
            if statistic == "run":
                meta.update(raw(outcome.figures, timeline=index == 0))
            runs.append(pyperf.Run([value(outcome.figures, outcome.seconds, statistic)],
                                   metadata=meta, collect_metadata=False))
        out.append(pyperf.Benchmark(runs))
    return out


# ---- reading back ------------------------------------------------------------------------


def holds(suites):
    """Whether any of the suites holds latency benchmarks."""
    return any(PREFIX + "statistic" in bench.get_metadata()
               for suite in suites for bench in suite.get_benchmarks())


@dataclass(frozen=True)
class Row:
    """One variant on one workload, as the latency tables show it."""

    variant: str
    model: str
    workload: Workload
    python: str
    values: dict  # statistic -> one value per process (seconds)
    raw: tuple  # per process, the run metadata of its "run" benchmark

    @property
    def processes(self):
        return len(self.raw)

    def median(self, statistic):
        return statistics.median(self.values[statistic])

    def interval(self, statistic):
        """The 95 % interval of the mean over processes of ``statistic`` (None with one)."""
        return stats.interval(self.values[statistic])

    def per_process(self, key):
        """A raw figure (``RAW``) of each process."""
        return [meta[PREFIX + key] for meta in self.raw]

    def consumers(self):
        """Items per consumer, one list per process."""
        return [[int(n) for n in text.split()] for text in self.per_process("items_per_consumer")]

    def ratios(self):
        """Per process, the busiest consumer's items over the least busy's (inf: one got none)."""
        return [max(c) / min(c) if min(c) else float("inf") for c in self.consumers()]

    def cvs(self):
        """Per process, the coefficient of variation of the items per consumer."""
        return [statistics.pstdev(c) / statistics.fmean(c) for c in self.consumers()]

    def blocked_max(self):
        """Per process, the longest any producer was kept from putting, in seconds."""
        return [max(float(s) for s in text.split()) for text in self.per_process("blocked_max_s")]

    def starved(self):
        """Whether some consumer processed no item in every process (it never got a turn)."""
        return self.workload.consumers > 1 and all(min(c) == 0 for c in self.consumers())

    def histograms(self):
        return [read_histogram(text) for text in self.per_process("histogram")]

    def timeline(self):
        """The depth timeline of the first process: (span in seconds, low, high, in flight)."""
        meta = self.raw[0]
        if PREFIX + "timeline_low" not in meta:
            return None
        lists = [[int(n) for n in meta[PREFIX + key].split()] for key in TIMELINE[:3]]
        return (meta[PREFIX + "timeline_span_ns"] / 1e9, *lists)

    def start(self):
        """The first events of the first process, exactly: (seconds into the run, depth seen,
        items in flight) after each."""
        meta = self.raw[0]
        if PREFIX + "start_ns" not in meta:
            return None
        ns, depth, flight = ([int(n) for n in meta[PREFIX + key].split()] for key in START)
        return [n / 1e9 for n in ns], depth, flight


def rows(suite):
    """The suite's latency benchmarks as rows, one per variant and workload, least p99 first."""
    found = {}
    for bench in suite.get_benchmarks():
        meta = bench.get_metadata()
        statistic = meta.get(PREFIX + "statistic")
        if statistic is None or "capqueue_variant" not in meta:
            continue
        key = (meta["capqueue_variant"], Workload.from_metadata(meta))
        entry = found.setdefault(key, {"meta": meta, "values": {}, "raw": ()})
        runs = [run for run in bench.get_runs() if run.values]
        entry["values"][statistic] = tuple(statistics.fmean(run.values) for run in runs)
        if statistic == "run":
            entry["raw"] = tuple(run.get_metadata() for run in runs)
    out = [Row(variant, entry["meta"].get("capqueue_model", "?"), workload,
               entry["meta"].get("capqueue_python", "?"), entry["values"], entry["raw"])
           for (variant, workload), entry in found.items()
           if entry["raw"] and all(s in entry["values"] for s in STATISTICS)]
    return sorted(out, key=lambda row: row.median("latency p99"))


def estimates(suites, statistic="p99"):
    """Every variant's ``estimate`` of ``statistic``, lowest first: {variant: Estimate}."""
    names = dict.fromkeys(row.variant for suite in suites for row in rows(suite))
    found = [estimate(suites, name, statistic) for name in names]
    return {e.name: e for e in sorted(found, key=lambda e: e.center)}


def find(suites, variant):
    """The one row of ``variant`` in ``suites``; a ValueError if there is none, or several."""
    found = [row for suite in suites for row in rows(suite) if row.variant == variant]
    if not found:
        known = sorted({row.variant for suite in suites for row in rows(suite)})
        raise ValueError(f"no latency figures of {variant!r} in the results (they hold "
                         f"{', '.join(known) or 'none'})")
    if len(found) > 1:
        raise ValueError(f"{variant} has latency figures for {len(found)} workloads; pick one "
                         "with --where")
    return found[0]


def estimate(suites, variant, statistic="p99"):
    """A variant's latency percentile (``p50`` ... ``max``) as an ``Estimate``: the
    mean over processes and the 95 % interval of that mean, in seconds; for
    ``capqueue docs`` claims and the guide (``--figure p99``). A variant or a statistic the
    suites do not hold is a ``ClaimError``."""
    name = statistic if statistic.startswith(("latency ", "queue wait ")) \
        else f"latency {statistic}"
    if name not in STATISTICS:
        raise ClaimError(f"no latency statistic {statistic!r}; there are "
                         f"{', '.join(LATENCY)} (and queue wait {', '.join(QUEUE_WAIT)})")
    try:
        row = find(suites, variant)
    except ValueError as exc:
        raise ClaimError(str(exc)) from None
    low, high = row.interval(name) or (None, None)
    center = row.median(name) if low is None else statistics.fmean(row.values[name])
    return Estimate(variant, center, None if low is None else max(low, 0.0), high, "duration")


# ---- tables ------------------------------------------------------------------------------


def _ratio(values):
    finite = [v for v in values if v != float("inf")]
    if len(finite) < len(values) / 2:
        return "∞"  # the median is infinite: a consumer got nothing in most processes
    return units.times(statistics.median(values))


def _at_least(seconds):
    """A lower bound, where pyperf's one tick stands for 0."""
    return "0" if seconds <= 1e-9 else units.duration(seconds)


def _interval(row, statistic):
    found = row.interval(statistic)
    if found is None:
        return "n/a"
    low, high = found
    return f"{units.duration(max(low, 0))} to {units.duration(high)}"


def _ties(found, statistic):
    groups = stats.overlapping(found, lambda row: row.interval(f"latency {statistic}"))
    if not groups:
        return []
    return [f"Not told apart at {statistic} (their 95 % intervals overlap): "
            + "; ".join(" ≈ ".join(row.variant for row in group) for group in groups) + "."]


def latency_table(found):
    """Latency percentiles, a row per variant, least p99 first."""
    header = ["variant", "model", *LATENCY[:3], "p99: 95% interval", *LATENCY[3:]]

    def shown(row, names):
        return [units.duration(row.median(f"latency {name}")) for name in names]

    cells = [[r.variant, r.model, *shown(r, LATENCY[:3]), _interval(r, "latency p99"),
              *shown(r, LATENCY[3:])] for r in found]
    w = found[0].workload
    notes = _ties(found, "p99") + _ties(sorted(found, key=lambda r: r.median("latency p50")),
                                        "p50")
    if w.io:
        notes.append(f"Each latency includes its producer's own I/O wait of "
                     f"{units.exact_duration(w.io)}.")
    seq = next((r for r in found if r.variant == "sequential"), None)
    if seq:
        notes.append(f"sequential hands nothing over: its p50 "
                     f"({units.duration(seq.median('latency p50'))}) is the stamps' own cost "
                     "per item, in every figure.")
    notes.append("Every item of a run counts, its start included: the first items wait while "
                 "the workers start (threads, processes), which the highest percentiles show.")
    processes = found[0].processes
    return Table.of("latency", header, cells, "llrrrrrr", notes=notes, title=(
        f"Latency per item, from its take at its source to its sink call: the median over "
        f"{units.count(processes, 'process', 'processes')} of each percentile ({w.describe()}):"))


def depth_table(found):
    """How full the queue ran, and what held the producers back, a row per variant."""
    w = found[0].workload
    header = ["variant", "queue wait p50 (at least)", "queue wait p99 (at least)", "time full",
              "time empty", "deepest seen", "most in flight", "longest kept from putting",
              "kept from putting, per item"]
    cells = []
    for r in found:
        cells.append([
            r.variant, _at_least(r.median("queue wait p50")),
            _at_least(r.median("queue wait p99")),
            units.percent(statistics.median(r.per_process("time_full"))),
            units.percent(statistics.median(r.per_process("time_empty"))),
            f"{max(r.per_process('depth_max')):,}", f"{max(r.per_process('in_flight_max')):,}",
            units.duration(statistics.median(r.blocked_max())),
            units.duration(statistics.median(r.per_process("blocked_mean_s")))])
    notes = [f"Depth seen: puts known done (a producer's next take) minus sink calls; the "
             f"queue held at most one item per producer more, and it may be seen up to one "
             f"item per consumer deeper than it was: at most {allowed_depth(w)} here "
             f"(capacity {w.capacity} + {w.consumers}). Full: seen at the capacity or above; "
             "empty: no put seen that was not yet processed. Deepest and most in flight: the "
             "largest over the processes; the rest, medians.",
             "Kept from putting: the time between a producer's takes, less its I/O wait (its "
             "put, blocked on a full queue or waiting to be run again), per producer the "
             "longest; queue wait: the sink call less the producer's next take, a lower bound "
             "on an item's time in the queue."]
    return Table.of("depth", header, cells, "lrrrrrrrr", notes=notes,
                    title="How full the queue ran, and how long producers were kept from putting:")


def fairness_table(found):
    """Items per consumer, and how far apart the producers finished, a row per variant."""
    header = ["variant", "items per consumer (first process)", "busiest / least busy",
              "coefficient of variation", "producers finished apart"]
    cells = [[r.variant, " ".join(f"{n:,}" for n in r.consumers()[0]), _ratio(r.ratios()),
              units.percent(statistics.median(r.cvs())),
              units.percent(statistics.median(r.per_process("finish_spread")))] for r in found]
    notes = []
    starved = [r.variant for r in found if r.starved()]
    if starved:
        notes.append("Unfair: in every process, one consumer processed no item at all: "
                     + ", ".join(starved) + ".")
    notes.append("Busiest / least busy and the coefficient of variation: medians over the "
                 "processes; producers finished apart: between the first and the last "
                 "producer's last put, as a share of the run.")
    return Table.of("fairness", header, cells, "lrrrr", notes=notes,
                    title="How the work was shared among consumers and producers:")


def tables(suites):
    """The latency, depth and (with several producers or consumers) fairness tables of every
    workload the suites hold."""
    out = []
    groups = {}
    for suite in suites:
        for row in rows(suite):
            groups.setdefault(row.workload, []).append(row)
    for found in groups.values():
        found.sort(key=lambda row: row.median("latency p99"))
        out += [latency_table(found), depth_table(found)]
        if found[0].workload.producers > 1 or found[0].workload.consumers > 1:
            out.append(fairness_table(found))  # one of each shares nothing
    return out


def line(figures, workload):
    """One process's figures in one line, for the command's progress."""
    f = figures
    return (f"p50 {units.duration(f.latency['p50'])}, p99 {units.duration(f.latency['p99'])}, "
            f"max {units.duration(f.latency['max'])}; deepest seen {f.depth_max} (capacity "
            f"{workload.capacity}, at most {allowed_depth(workload)} allowed); items per "
            f"consumer {' '.join(f'{n:,}' for n in f.per_consumer)}")
