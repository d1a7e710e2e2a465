"""Tables from results: what each variant costs per item, how sure the figure is, and why.

Every figure printed here is read from pyperf suites, so a table in the README or in
``docs/`` is regenerated from ``results/`` with ``capqueue report FILE``.

Rows, then tables, then text. ``rows`` reads a suite into one ``Row`` per benchmark, with
its statistics. Each kind of table (``comparison``, ``sweep``, ``crossover``, ``matrix``,
``repeat``, ``split``) is built from rows as a ``harness.table.Table``, cells in words and
units (``harness.units``); ``tables`` chooses the ones the files call for (``kind`` says
which), and ``harness.table`` renders them as text or Markdown, last.

How sure. On a shared machine most of the spread is between pyperf's worker processes,
not within them, so the unit of evidence is a process: each row's centre is the median of
its processes' means, and its interval is a 95 % confidence interval of the mean over
processes (Student's t). Two variants whose intervals overlap are reported as not told
apart rather than ranked. The statistics themselves are ``harness.stats``.

The ideal. With work per item there is a limit no model can beat. With P producers of N
items each, C consumers and K cores: the waits of the producers, perfectly overlapped,
take N x io; the CPU work, perfectly spread, takes P x N x cpu / min(C, K). The ideal run
takes the larger of the two (``Workload.least_time``, the rule the timing session also uses
to tell a long run); with no work at all it is the bare hand-off, the sequential variant's
own time. With socket waits each wait is ``io`` plus the server's lateness plus the round
trip, and the CPU of both ends of every round trip (the server's included, on the same
cores) spread over all K cores is a third limit; the figures are the ones each timing
process measured (``RoundTrip``, ``harness.waits``). Efficiency is ideal / measured (100 % is perfect); speed-up is the
sequential variant's time / measured.

Memory and start-up. A file written since runs record their own memory gives each row the
peak resident memory of the process that ran the workload, per pyperf process
(``capqueue_peak_rss``, see ``harness.measure``), and the "peak RSS" column the largest of
them; an older file has only pyperf's ``mem_max_rss``, which is the worker's whole life
and starts at its parent's peak, and a note under the table says which measure the column
is. Over a sweep of producers the rows give the memory of one more waiting producer
(``memory``): the slope of the peaks against the producer counts, by least squares over
every process of every point, with its 95 % interval; and the start-up of the producers
(``startup``): from calling ``run()`` to the last producer's first take.

Points that cannot run. A point this machine cannot run (``harness.limits``) is kept in
its file with its reason (``harness.results``); ``rows(suite, cannot_run=True)`` gives it
as a row whose ``cannot_run`` is the reason and which has no figures, and
``cannot_run(row)`` tells such a row from a measured one. Every table that has a cell for
it says "cannot run" there, and a note gives the reason.
"""

import math
import os
import platform
import statistics
from dataclasses import dataclass, replace
from pathlib import PurePath

import pyperf

from harness import results, stats, units
from harness.registry import BASELINE
from harness.table import Note, Table, lines, parts
from harness.units import duration, exact_duration
from harness.workload import RoundTrip, Workload


@dataclass(frozen=True)
class Row:
    """One benchmark as a table shows it (times in seconds per item)."""

    variant: str
    model: str
    workload: Workload
    process_means: tuple  # the mean of each pyperf worker process's values
    values: int  # how many values in all
    rss_mib: float | None  # the largest peak RSS of its pyperf workers, if recorded
    usage: dict | None  # per item, means over processes: user_s, system_s, switches
    gil_enabled: bool | None  # on a free-threaded build: was the GIL on in the worker?
    cores: int
    python: str = "?"  # the interpreter, as measure.python_name() names it
    floor: float | None = None  # the sequential variant's median on the same workload
    unit: str = "second"  # pyperf's unit of the values: "integer" for instruction counts
    trip: RoundTrip | None = None  # socket waits: a round trip's costs, as measured
    rss_measure: str | None = None  # what rss_mib is: "run" (each run's own) or "pyperf"
    peaks: tuple = ()  # each pyperf process's peak RSS during its runs, bytes
    bases: tuple = ()  # each process's RSS before its first run, bytes
    startup: float | None = None  # seconds from run() to the last producer's first take
    startup_median: float | None = None  # ... to the median producer's
    per_producer: str | None = None  # what the variant starts per producer: "thread", ...
    cannot_run: str | None = None  # why this point cannot run here (then no figures)
    producer_private: float | None = None  # bytes of one producer process, from the check
    connect: float | None = None  # seconds to open a run's connections (socket waits)

    @property
    def total(self):
        """Items processed per run, all producers together."""
        return self.workload.total

    @property
    def median(self):
        """The median of the process means (NaN for a point that cannot run)."""
        return statistics.median(self.process_means) if self.process_means else math.nan

    @property
    def mean(self):
        return statistics.fmean(self.process_means) if self.process_means else math.nan

    @property
    def stdev(self):
        """The standard deviation of the process means; None with a single process."""
        return stats.stdev(self.process_means)

    @property
    def interval(self):
        """The 95 % confidence interval of the mean over processes, or None with one."""
        return stats.interval(self.process_means)

    @property
    def cpu(self):
        """CPU seconds per item, user and system, every thread and child process."""
        return self.usage["user_s"] + self.usage["system_s"] if self.usage else None

    @property
    def ratio(self):
        return self.median / self.floor if self.floor else None

    @property
    def ideal(self):
        """The ideal seconds per item on this workload (see the module docstring)."""
        w = self.workload
        if not w.works:
            return self.floor
        return w.least_time(self.cores, self.trip) / w.total

    @property
    def efficiency(self):
        ideal = self.ideal
        return ideal / self.median if ideal else None

    @property
    def speedup(self):
        """The sequential variant's time / this one's, on the same workload."""
        return self.ratio and 1 / self.ratio


def _runs_with_values(bench):
    return [run for run in bench.get_runs() if run.values]


def _usage(runs):
    keys = ("user_s", "system_s", "voluntary_switches", "involuntary_switches")
    found = [[run.get_metadata().get(f"capqueue_{key}") for key in keys] for run in runs]
    found = [entry for entry in found if None not in entry]
    if not found:
        return None
    return {key: statistics.fmean(entry[i] for entry in found) for i, key in enumerate(keys)}


def rows(suite, cannot_run=False):
    """The suite's capqueue benchmarks as rows, cheapest first, each with its floor; with
    ``cannot_run``, then a row for each point of the suite that cannot run here."""
    out = []
    for bench in suite.get_benchmarks():
        meta = bench.get_metadata()
        runs = _runs_with_values(bench)
        if "capqueue_variant" not in meta or "capqueue_statistic" in meta or not runs:
            continue  # a latency statistic (harness.latency) is not a time per item
        gil = meta.get("capqueue_gil_enabled")
        peaks = tuple(run.get_metadata().get("capqueue_peak_rss") for run in runs)
        peaks = () if None in peaks else peaks
        out.append(Row(
            variant=meta["capqueue_variant"],
            model=meta.get("capqueue_model", "?"),
            workload=Workload.from_metadata(meta),
            process_means=tuple(statistics.fmean(run.values) for run in runs),
            values=sum(len(run.values) for run in runs),
            rss_mib=max(peaks) / 2**20 if peaks else _peak_rss(runs),
            usage=_usage(runs),
            gil_enabled=None if gil is None else bool(gil),
            cores=int(meta.get("cpu_count") or os.cpu_count() or 1),
            python=meta.get("capqueue_python") or _python_of(meta),
            unit=bench.get_unit(),
            trip=RoundTrip.from_metadata([run.get_metadata() for run in runs]),
            rss_measure="run" if peaks else ("pyperf" if _peak_rss(runs) else None),
            peaks=peaks,
            bases=tuple(run.get_metadata().get("capqueue_base_rss", 0) for run in runs)
            if peaks else (),
            startup=_mean_of(runs, "capqueue_startup_s"),
            startup_median=_mean_of(runs, "capqueue_startup_median_s"),
            per_producer=meta.get("capqueue_per_producer"),
            producer_private=_mean_of(runs, "capqueue_producer_private_rss"),
            connect=_mean_of(runs, CONNECT),
        ))
    floors = {row.workload: row.median for row in out if row.variant == BASELINE}
    out = [replace(row, floor=floors.get(row.workload)) for row in out]
    out.sort(key=lambda row: row.median)
    if cannot_run:
        out += [_cannot_run_row(entry) for entry in results.cannot_run(suite)]
    return out


def cannot_run(row):
    """Why ``row`` is a point this machine cannot run, in one sentence; None for a row that
    was measured. (Rows of points that cannot run come from ``rows(suite, cannot_run=True)``
    and have no figures.)"""
    return row.cannot_run


def _cannot_run_row(entry):
    return Row(variant=entry["capqueue_variant"], model=entry.get("capqueue_model", "?"),
               workload=Workload.from_metadata(entry), process_means=(), values=0,
               rss_mib=None, usage=None, gil_enabled=None,
               cores=int(entry.get("cpu_count") or os.cpu_count() or 1),
               python=entry.get("capqueue_python") or _python_of(entry),
               per_producer=entry.get("capqueue_per_producer"),
               cannot_run=entry[results.CANNOT_RUN])


def _mean_of(runs, key):
    """The mean over ``runs`` of a figure each records; None unless every run does."""
    found = [run.get_metadata().get(key) for run in runs]
    return statistics.fmean(found) if found and None not in found else None


def where(suites, conditions):
    """The suites with only the benchmarks whose workload matches every ``FIELD=VALUE`` of
    ``conditions`` (``["capacity=1"]``): one point cut out of a sweep."""
    if not conditions:
        return suites
    wanted = {}
    for condition in conditions:
        name, _, text = condition.partition("=")
        field = Workload.__dataclass_fields__.get(name)
        if field is None or not text:
            raise ValueError(f"--where takes FIELD=VALUE with a workload field "
                             f"({', '.join(Workload.__dataclass_fields__)}), not {condition!r}")
        try:
            wanted[name] = field.metadata["parse"](text)
        except Exception as exc:
            raise ValueError(f"--where {condition}: {exc}") from None
    def matches(meta):
        return all(getattr(Workload.from_metadata(meta), k) == v for k, v in wanted.items())

    kept = []
    for suite in suites:
        benches = [b for b in suite.get_benchmarks() if "capqueue_variant" in b.get_metadata()
                   and matches(b.get_metadata())]
        entries = [entry for entry in results.cannot_run(suite) if matches(entry)]
        if benches or entries:
            cut = pyperf.BenchmarkSuite(benches) if benches else results.Unmeasured()
            for entry in entries:
                results.add_cannot_run(cut, entry)
            kept.append(cut)
    if not kept:
        raise ValueError(f"no benchmark matches --where {' '.join(conditions)}")
    return kept


def _python_of(meta):
    """An interpreter's name from pyperf's own metadata, for files that lack ours."""
    version = str(meta.get("python_version", "?")).split(" ")[0]
    return f"{meta.get('python_implementation', 'python')}-{version}"


def _peak_rss(runs):
    peaks = [run.get_metadata().get("mem_max_rss") for run in runs]
    peaks = [p for p in peaks if p]
    return max(peaks) / 2**20 if peaks else None


def workloads(suite):
    """The distinct workloads the suite's benchmarks were measured on (then those of its
    points that cannot run), in file order."""
    found = []
    metas = [bench.get_metadata() for bench in suite.get_benchmarks()]
    for meta in metas + results.cannot_run(suite):
        if "capqueue_variant" in meta:
            workload = Workload.from_metadata(meta)
            if workload not in found:
                found.append(workload)
    return found


def describe_machine(suite):
    """Where and with what the suite was measured, from pyperf's own metadata."""
    meta = suite.get_metadata()
    python = meta.get("python_version", platform.python_version())
    cpu = meta.get("cpu_model_name", "unknown CPU")
    count = meta.get("cpu_count", "?")
    host = meta.get("hostname", "unknown host")
    return f"{meta.get('python_implementation', 'python')} {python} on {host} ({count} x {cpu})"


# Points: the workloads a set of files holds, each with its rows.

@dataclass(frozen=True)
class Point:
    """One point of a sweep: a workload, and its rows from one results file."""

    workload: Workload
    source: str  # the file it came from, to tell apart two files of the same workload
    rows: list  # the variants measured there
    cannot_run: tuple = ()  # rows of the variants that cannot run there (``cannot_run``)


def points(suites, sources=None):
    """Every point of the given suites: one per workload and file, in file order.

    Several files of one workload (two runs of ``compare``) stay apart, told by ``sources``.
    A point where no variant could run has no rows, only ``cannot_run``.
    """
    sources = sources or [f"file {i + 1}" for i in range(len(suites))]
    found = {}
    for suite, source in zip(suites, sources):
        for row in rows(suite, cannot_run=True):
            found.setdefault((row.workload, source), []).append(row)
    repeated = len({w for w, _ in found}) < len(found)
    return [Point(w, PurePath(source).name if repeated else "",
                  [r for r in found_rows if r.cannot_run is None],
                  tuple(r for r in found_rows if r.cannot_run is not None))
            for (w, source), found_rows in found.items()]


class CannotRunNote(str):
    """A note that says why a point cannot run: given once, under the first table that has
    it, when several tables of the same files are shown together (``tables``)."""


def cannot_run_notes(found):
    """One note per point that cannot run among the points ``found``, with its reason."""
    names = varying([p.workload for p in found])
    out = []
    for point in found:
        for row in point.cannot_run:
            where = f" at {point_label(point, names)}" if names else ""
            out.append(CannotRunNote(f"{row.variant} cannot run{where}: {row.cannot_run}."))
    return out


def varying(workloads):
    """The workload fields that differ between ``workloads``."""
    return [name for name in Workload.__dataclass_fields__
            if len({getattr(w, name) for w in workloads}) > 1]


def point_label(point, names):
    """A point of a sweep, by the fields that vary: 'producers 4', 'capacity 100'."""
    labels = [f"{name} {_value(point.workload, name)}" for name in names]
    return ", ".join(labels + ([point.source] if point.source else [])) or "all"


def _value(workload, name):
    value = getattr(workload, name)
    if isinstance(value, str):
        return value
    return exact_duration(value) if isinstance(value, float) else f"{value:,}"


BASE_PYTHON = "cpython-3.11"  # the study's first interpreter: the matrix's point of reference


def _python_order(name):
    """cpython before pypy, then by version, a free-threaded build after its GIL twin."""
    implementation, _, version = name.partition("-")
    numbers = [int(part) for part in version.rstrip("t").split(".") if part.isdigit()]
    return implementation != "cpython", numbers, version.endswith("t")


def interpreters(suites):
    """The interpreters the suites were measured on, in the study's order."""
    return sorted({row.python for suite in suites for row in rows(suite)}, key=_python_order)


# The tables. Each kind is built as a harness.table.Table (cells already in words and
# units); harness.table renders it as text or Markdown.

def _per_item(row, value):
    """A figure of ``row`` in its unit: a duration, or a count (instructions)."""
    if row.unit == "second" or value is None:
        return duration(value)
    return units.three(value)


def _interval(row):
    low_high = row.interval
    if low_high is None:
        return "n/a"
    low, high = low_high
    return f"{_per_item(row, max(low, 0))} to {_per_item(row, high)}"


def _spread(row):
    return "n/a" if row.stdev is None else _per_item(row, row.stdev)


def _switches(row):
    if not row.usage:
        return "n/a"
    return f"{row.usage['voluntary_switches']:.2g} + {row.usage['involuntary_switches']:.2g}"


def comparison(suite):
    """The comparison table of a one-workload suite, with its notes: a row per variant,
    cheapest first.

    With work per item, three columns more: the ideal, and each variant's efficiency and
    speed-up against it.
    """
    found = rows(suite)
    # the ideal is a time: counts (capqueue instructions) have no efficiency against it
    works = any(row.workload.works and row.unit == "second" for row in found)
    header = ["variant", "model", "per item (median)", "95% interval of the mean",
              "mean ± std dev", f"ratio to {BASELINE}", "CPU per item",
              "switches per item (vol. + invol.)", "peak RSS"]
    align = "llrrrrrrr"
    if found and found[0].unit == "integer":  # written by capqueue instructions
        header[2] = "instructions per item (median)"
    if works:
        header[5:6] = ["speed-up", "efficiency"]
        align += "r"
    starts = any(r.startup is not None and r.workload.producers > 1 for r in found)
    if starts:
        header.append(STARTUP)
        align += "r"
    cells = []
    for r in found:
        cell = [r.variant, r.model, _per_item(r, r.median), _interval(r),
                f"{_per_item(r, r.mean)} ± {_spread(r)}", units.times(r.ratio),
                duration(r.cpu), _switches(r), units.mib(r.rss_mib)]
        if works:
            cell[5:6] = [units.times(r.speedup), units.percent(r.efficiency)]
        if starts:
            cell.append(_startup(r))
        cells.append(cell)
    unrunnable = [r for r in rows(suite, cannot_run=True) if r.cannot_run is not None]
    cells += [[r.variant, r.model, "cannot run", *["-"] * (len(header) - 3)]
              for r in unrunnable]
    notes = _notes(found) + rss_notes(found)
    notes += [f"{r.variant} cannot run here: {r.cannot_run}." for r in unrunnable]
    return Table.of("comparison", header, cells, align, notes=notes)


STARTUP = "start-up (last / median producer)"


# Seconds a run's connections took to open, outside the timer, where the waits are on
# sockets: per-run metadata that the run which opens them records (see harness.measure).
CONNECT = "capqueue_connect_s"


def _startup(row):
    """The seconds to the last and the median producer's first take, as a cell (and the
    seconds the run's connections took to open before it, where it had any)."""
    if row.startup is None:
        return "n/a"
    opened = f" (+ {duration(row.connect)} to connect)" if row.connect is not None else ""
    return f"{duration(row.startup)} / {duration(row.startup_median)}{opened}"


def rss_notes(found):
    """What the "peak RSS" column of rows ``found`` measures (a note about that column)."""
    out = []
    measures = {r.rss_measure for r in found}
    if "pyperf" in measures:
        out.append(Note("Peak RSS: pyperf's mem_max_rss, the worker's peak over its whole "
                        "life, which on Linux starts at the peak of the process that started "
                        "it (the capqueue command, which imports every model): an upper "
                        "bound, not the run's own memory; files written since record each "
                        "run's own.", "peak RSS"))
    if "run" in measures:
        parents = sorted({r.variant for r in found if r.rss_measure == "run"
                          and r.per_producer == "process"})
        out.append(Note("Peak RSS: of the process that ran the workload, during its timed "
                        "runs alone (its high-water mark reset before each run), the largest "
                        "over pyperf's processes"
                        + (f"; for {', '.join(parents)}, the parent's alone: its workers are "
                           "processes of their own, not counted" if parents else "") + ".",
                        "peak RSS"))
    return out


def notes(suite):
    """What a reader must know to read the table: ties, the ideal, a missing floor, GIL."""
    return _notes(rows(suite))


def _notes(found):
    """The notes of a comparison table of ``found`` (the rows of one suite)."""
    out = []
    ties = overlapping(found)
    if ties:
        out.append("Not told apart by this run (their 95 % intervals overlap): "
                   + "; ".join(" ≈ ".join(group) for group in ties) + ".")
    if found and not any(r.variant == BASELINE for r in found):
        out.append(f"No ratio: the file has no {BASELINE} benchmark, the floor every ratio "
                   f"is taken to (time it too: capqueue run {BASELINE} ...).")
    for r in found:
        if r.workload.works and r.unit == "second":
            out.append(f"Ideal on this workload ({r.cores} cores): {duration(r.ideal)} per "
                       f"item ({ideal_reason(r)}).")
            break
    gil_on = [r.variant for r in found if r.gil_enabled]
    if gil_on and any(r.gil_enabled is False for r in found):
        out.append("The GIL was back on in the timed workers of: " + ", ".join(gil_on)
                   + " (their library turned it on when imported).")
    return out


def ideal_reason(row):
    """Which limit sets the ideal, in words."""
    w, trip = row.workload, row.trip
    least = w.least_time(row.cores, trip)
    if w.sockets and trip:
        late = trip.late if w.io else 0.0
        if w.items * (w.io + late + trip.wall) >= least:
            return (f"each producer's {w.items:,} round trips in sequence, the producers "
                    f"overlapped: {exact_duration(w.io)} of io, the server {duration(late)} "
                    f"late, {duration(trip.wall)} on the loopback")
        if w.total * w.cpu / min(w.consumers, row.cores) < least:
            work = f"{exact_duration(w.cpu)} of CPU work + " if w.cpu else ""
            return (f"{w.total:,} x ({work}{duration(trip.cpu)} of CPU per round trip, a "
                    f"trivial client's and the server's) over {row.cores} cores")
    elif w.items * w.io >= least:
        return (f"each producer's {w.items:,} waits of {exact_duration(w.io)} in sequence, "
                "the producers overlapped")
    return (f"{w.total:,} x {exact_duration(w.cpu)} of CPU work over "
            f"{min(w.consumers, row.cores)} of the consumers and cores")


def overlapping(found):
    """Groups of variants, cheapest first, whose neighbours' 95 % intervals overlap."""
    return [[r.variant for r in group]
            for group in stats.overlapping(found, lambda row: row.interval)]


def _sorted_points(suites, sources):
    """The points of the suites and the fields that vary, sorted by those fields."""
    found = points(suites, sources)
    names = varying([p.workload for p in found])
    if names:
        found.sort(key=lambda p: [getattr(p.workload, n) for n in names])
    return found, names


def sweep(suites, sources=None):
    """One row per variant, one column per point of the sweep (the workloads in the files).

    Columns are sorted and labelled by the fields that change. Each cell is the median ns
    per item; with work per item, the efficiency against the ideal follows it.
    """
    found, names = _sorted_points(suites, sources)
    by_point = [{r.variant: r for r in p.rows} for p in found]
    unrunnable = [{r.variant for r in p.cannot_run} for p in found]
    works = any(p.workload.works for p in found)
    # ordered by cost in the last column, then whatever only other columns have
    order = list(dict.fromkeys([r.variant for r in found[-1].rows]
                               + [n for point in by_point for n in point]
                               + [r.variant for p in found for r in p.cannot_run]))
    header = ["variant"]
    for point in found:
        label = point_label(point, names)
        header += ([f"{label}: per item", "efficiency"] if works
                   else [f"ns/item, {label}", "peak RSS"])
    cells = []
    for name in order:
        line = [name]
        for point, cannot in zip(by_point, unrunnable):
            r = point.get(name)
            if r is None:
                line += ["cannot run" if name in cannot else "-", "-"]
            elif works:
                line += [duration(r.median), units.percent(r.efficiency)]
            else:
                line += [units.number(r.median * 1e9), units.mib(r.rss_mib)]
        cells.append(line)
    notes = cannot_run_notes(found)
    if not works:
        notes = rss_notes([r for p in found for r in p.rows]) + notes
    return Table.of("sweep", header, cells, "l" + "rr" * len(found), notes=notes)


SHARES = (0.10, 0.01)  # of a run: where a model's own cost stops mattering, and vanishes


def crossover_points(point_rows, share):
    """The smallest swept value from which a variant's own cost stays below ``share`` of
    the run (efficiency at least 1 - share at the slow end of its 95 % interval), or None:
    per variant. ``point_rows`` is
    [(value, rows), ...]."""
    found = {}
    for variant in {r.variant for _, rows_ in point_rows for r in rows_}:
        first = None
        for value, rows_ in sorted(point_rows, key=lambda pr: pr[0], reverse=True):
            row = next((r for r in rows_ if r.variant == variant), None)
            if row is None or _least_efficiency(row) is None or \
                    _least_efficiency(row) < 1 - share:
                break
            first = value
        found[variant] = first
    return found


def _least_efficiency(row):
    """The efficiency at the slow end of the row's 95 % interval: what it surely reaches
    (None without an interval or an ideal)."""
    if row.ideal is None or row.interval is None:
        return None
    return row.ideal / row.interval[1]


def crossover(suites, sources=None):
    """For a sweep of one kind of work (io or cpu) alone: from which work per item each
    variant's own cost stays below 10 % and 1 % of the run (None for other sweeps)."""
    found = points(suites, sources)
    names = varying([p.workload for p in found])
    if len(names) != 1 or names[0] not in ("io", "cpu"):
        return None
    field = names[0]
    point_rows = [(getattr(p.workload, field), p.rows) for p in found]
    below = {share: crossover_points(point_rows, share) for share in SHARES}
    last = sorted(found, key=lambda p: getattr(p.workload, field))[-1].rows
    most = exact_duration(max(v for v, _ in point_rows))
    header = ["variant"] + [f"own cost below {share:.0%} from {field} of" for share in SHARES]
    cells = [[row.variant] + [exact_duration(below[share][row.variant])
                              if below[share][row.variant] is not None else f"above {most}"
                              for share in SHARES] for row in last]
    return Table.of("crossover", header, cells, "l" + "r" * len(SHARES), title=(
        "Where each model's own cost stops mattering: the least work per item from which "
        "its efficiency stays at or above 90 % and 99 % (its own cost, measured minus "
        "ideal, below 10 % and 1 % of the run), at the slow end of its 95 % interval."))


def matrix(suites):
    """Variants against interpreters, on one workload: time per item, the efficiency (with
    work per item), the ratio to each interpreter's own sequential floor, and the change
    against CPython 3.11; a table each."""
    found = [row for suite in suites for row in rows(suite)]
    pythons = interpreters(suites)
    cell = {(r.variant, r.python): r for r in found}
    first = [r.variant for r in sorted(found, key=lambda r: (_python_order(r.python), r.median))]
    variants = list(dict.fromkeys(first))
    base = next((p for p in pythons if p.startswith(BASE_PYTHON + ".") and
                 not p.endswith("t")), None)
    align = "l" + "r" * len(pythons)

    def one(title, show):
        cells = [[v] + [show(cell.get((v, p)), v) for p in pythons] for v in variants]
        return Table.of("matrix", ["variant", *pythons], cells, align, title=title)

    tables = [one("Time per item (median over pyperf's processes); - where the variant did "
                  "not run on that interpreter:", lambda r, v: duration(r.median) if r else "-")]
    if found and found[0].workload.works:
        tables.append(one(f"Efficiency against the ideal ({ideal_reason(found[0])}):",
                          lambda r, v: units.percent(r.efficiency) if r else "-"))
    tables.append(one("Ratio to each interpreter's own sequential floor:",
                      lambda r, v: units.times(r.ratio) if r else "-"))
    if base:
        def change(r, v):
            reference = cell.get((v, base))
            if not (r and reference):
                return "-"
            return units.change(r.median / reference.median - 1)
        tables.append(one(f"Change in time per item against {base}:", change))
    return tables


def _moves(found):
    """Per variant (cheapest first): its ratio to sequential in each run, and how far each
    later run's ratio moved from the first's (None where a run lacks it)."""
    ratio = [{r.variant: r.ratio for r in p.rows} for p in found]
    out = []
    for row in sorted(found[0].rows, key=lambda r: r.median):
        ratios = [r.get(row.variant) for r in ratio]
        first = ratios[0]
        out.append((row.variant, ratios, [later / first - 1 if later and first else None
                                          for later in ratios[1:]]))
    return out


def repeat(suites, sources=None):
    """Runs of one workload on one interpreter, side by side: each variant's ratio to
    sequential in each run, and how far the later runs moved from the first; its note says
    how many ratios moved by 10 % or less."""
    found = points(suites, sources)
    moves = _moves(found)
    labels = [p.source for p in found]
    header = ["variant", *(f"ratio, {label}" for label in labels),
              *(f"moved, {label}" for label in labels[1:])]
    cells = [[variant, *map(units.times, ratios),
              *("-" if m is None else units.change(m) for m in moved)]
             for variant, ratios, moved in moves]
    shifts = [abs(m) for variant, _, moved in moves for m in moved
              if m is not None and variant != BASELINE]
    note = (f"Runs of one workload on one interpreter: {sum(m <= 0.10 for m in shifts)} of "
            f"{len(shifts)} ratios to sequential moved by 10 % or less between runs.")
    return Table.of("repeat", header, cells, "l" + "r" * (len(header) - 1), notes=[note])


def split_costs(suites):
    """Fixed cost per run and marginal cost per item, from the smallest and largest runs.

    A run of n items takes about ``fixed + n * marginal`` seconds (``stats.fixed_and_marginal``,
    on the two sizes' medians; ``stats.interval_of_fit`` gives what their intervals allow).
    Returns a list of (variant, model, fixed, marginal, intervals) in seconds, ``intervals``
    being ((low, high) of fixed, (low, high) of marginal) or None, for variants measured at
    two different sizes, cheapest marginal cost first.
    """
    found = points(suites)
    if varying([p.workload for p in found]) != ["items"]:
        return []  # with anything else changing too, the two sizes are not one run grown
    ordered = sorted((p.rows for p in found if p.rows), key=lambda rows_: rows_[0].total)
    small, large = ordered[0], {r.variant: r for r in ordered[-1]}
    out = []
    for row in small:
        other = large.get(row.variant)
        if other is None or other.total == row.total:
            continue
        fixed, marginal = stats.fixed_and_marginal((row.total, row.median),
                                                   (other.total, other.median))
        intervals = stats.interval_of_fit((row.total, row.interval),
                                          (other.total, other.interval))
        out.append((row.variant, row.model, fixed, marginal, intervals))
    return sorted(out, key=lambda entry: entry[3])


def _fitted(value, interval):
    """A fitted cost and its interval, at the digits the interval allows."""
    if interval is None:
        return [units.quote(value, None, "duration"), "n/a (one process)"]
    low, high = interval
    half = (high - low) / 2
    return [units.quote(value, half, "duration"),
            f"{units.quote(low, half, 'duration', like=value, unit=False)} to "
            f"{units.quote(high, half, 'duration', like=value)}"]


def split(suites):
    """``split_costs`` as a table (None if no variant was measured at two sizes)."""
    found = split_costs(suites)
    if not found:
        return None
    header = ("variant", "model", "fixed cost per run", "95% interval",
              "marginal cost per item", "95% interval")
    cells = [(v, m, *_fitted(fixed, i and i[0]), *_fitted(marginal, i and i[1]))
             for v, m, fixed, marginal, i in found]
    return Table.of("split", header, cells, "llrrrr", title=(
        "Split from the smallest and largest runs: time(n items) = fixed + n x marginal, "
        "each quoted with the digits its 95 % interval allows (the two runs' intervals "
        "carried through)"))


def _producer_points(suites, sources=None):
    """The points of a sweep of producers alone, by producers; None for any other files."""
    found = points(suites, sources)
    if varying([p.workload for p in found]) != ["producers"]:
        return None
    return sorted(found, key=lambda p: p.workload.producers)


def _kib(size):
    """Bytes as KiB or MiB, three figures: '16.2 KiB', '1.52 MiB'."""
    if size is None:
        return "n/a"
    if abs(size) >= 2**20:
        return f"{units.three(size / 2**20)} MiB"
    return f"{units.three(size / 2**10)} KiB" if size >= 0 else f"-{units.three(-size / 2**10)} KiB"


def _per_point(found, name, cell):
    """A variant's cell at each of the points ``found``: ``cell(row)`` where it was measured,
    "cannot run" where it could not run, "-" where it was not measured."""
    out = []
    for point in found:
        row = next((r for r in point.rows if r.variant == name), None)
        if row is None:
            cannot = any(r.variant == name for r in point.cannot_run)
            out.append("cannot run" if cannot else "-")
        else:
            out.append(cell(row))
    return out


def rss_slope(found, variant):
    """The memory of one more producer for ``variant`` over the points ``found``: the
    least-squares slope of every process's peak RSS against the producers, in bytes, and
    the half width of its 95 % interval (see ``stats.slope``); (None, None) without two
    producer counts measured."""
    samples = [(p.workload.producers, peak) for p in found for r in p.rows
               if r.variant == variant for peak in r.peaks]
    return stats.slope(samples)


def rss_above(found, variant):
    """Per point after the smallest: the peak RSS above the smallest point's, per producer
    added, in bytes, with the half width of a 95 % interval from the processes' spread:
    [(producers, bytes, half or None), ...]; the marginal memory seen at each size."""
    measured = [(p.workload.producers, r.peaks) for p in found for r in p.rows
                if r.variant == variant and r.peaks]
    if len(measured) < 2:
        return []
    (p0, first), out = measured[0], []
    for producers, peaks in measured[1:]:
        added = producers - p0
        per = (statistics.fmean(peaks) - statistics.fmean(first)) / added
        spreads = [stats.stdev(values) for values in (peaks, first)]
        half = None
        if None not in spreads:
            se = math.sqrt(spreads[0] ** 2 / len(peaks) + spreads[1] ** 2 / len(first))
            half = stats.t95(min(len(peaks), len(first)) - 1) * se / added
        out.append((producers, per, half))
    return out


def memory(suites, sources=None):
    """For a sweep of producers whose runs recorded their memory: the memory of one more
    waiting producer (the slope of the peak RSS against the producers, with its 95 %
    interval) and the peak RSS at each point, a row per variant; None for other files."""
    found = _producer_points(suites, sources)
    if not found or not any(r.peaks for p in found for r in p.rows):
        return None
    names = list(dict.fromkeys(r.variant for p in reversed(found) for r in p.rows))
    names += [r.variant for p in found for r in p.cannot_run if r.variant not in names]
    private = {r.variant: r.producer_private for p in found for r in p.rows
               if r.producer_private}
    header = ["variant", "RSS per producer (slope)", "95% interval"] + (
        [PRIVATE] if private else []) + [
        f"peak RSS, {units.count(p.workload.producers, 'producer')}" for p in found]
    cells = []
    for name in names:
        b, half = rss_slope(found, name)
        line = [name, _kib(b), "n/a" if half is None else f"± {_kib(half)}"]
        if private:
            line.append(_kib(private[name]) if name in private else "-")
        line += _per_point(found, name, lambda row: units.mib(row.rss_mib) if row.peaks
                           else "n/a")
        cells.append(line)
    parents = sorted({r.variant for p in found for r in p.rows if r.per_producer == "process"})
    notes = [f"For {', '.join(parents)}: the peaks and the slope are the parent process's "
             "memory alone; each producer and consumer is a process of its own, and "
             f"\"{PRIVATE}\" is what one producer process holds that it shares with no other "
             "(its private memory when its source ran out, in the check run: the median over "
             "the producers of the largest point measured)."] if parents else []
    return Table.of("memory", header, cells, "lrr" + "r" * (len(found) + bool(private)),
                    notes=notes
                    + cannot_run_notes(found), title=(
                        "Memory per waiting producer: the slope of each run's peak RSS (the "
                        "process that ran the workload) against the producers, by least "
                        "squares over every pyperf process of every point, with its 95 % "
                        "interval; then the peak RSS at each point (the largest over the "
                        "processes)."))


PRIVATE = "private memory of a producer process"


def startup(suites, sources=None):
    """For a sweep of producers whose runs recorded their producers' first takes: the
    start-up of the producers at each point, a row per variant; None for other files."""
    found = _producer_points(suites, sources)
    if not found or not any(r.startup is not None for p in found for r in p.rows):
        return None
    names = list(dict.fromkeys(r.variant for p in reversed(found) for r in p.rows))
    names += [r.variant for p in found for r in p.cannot_run if r.variant not in names]
    header = ["variant"] + [units.count(p.workload.producers, "producer") for p in found]
    cells = []
    for name in names:
        line = [name]
        line += _per_point(found, name, _startup)
        cells.append(line)
    return Table.of("startup", header, cells, "l" + "r" * len(found), notes=cannot_run_notes(
        found), title=("Start-up of the producers: from calling run() to the last producer's "
                       "first take / to the median producer's (means over pyperf's "
                       "processes). A model without a scheduler starts each producer when "
                       "the one before is done, so its last start is most of the run."))


# What `capqueue report` shows.

def kind(suites, sources=None, only=None):
    """Which report the suites call for: "matrix" (one workload on several interpreters),
    "comparison" (one workload in one file), "repeat" (one workload in several files), or
    "sweep" (several workloads; ``only`` chooses its "sweep" or "split" table alone)."""
    workloads_ = {p.workload for p in points(suites)}
    if len(interpreters(suites)) > 1 and len(workloads_) == 1:
        return "matrix"
    if len(points(suites, sources)) == 1:
        return "comparison"
    if len(workloads_) == 1 and only is None:
        return "repeat"
    return "sweep"


def tables(suites, sources=None, only=None):
    """The tables ``capqueue report`` shows of ``suites``, as data (``kind`` says which).

    A sweep gives its sweep table (``only="sweep"`` keeps it alone), its crossover where one
    kind of work is swept, where the item count changes the fixed/marginal split
    (``only="split"`` keeps it alone), and where the producers change, the memory per
    producer and the producers' start-up (``only="memory"``, ``only="startup"``). Files of
    ``capqueue latency`` give its tables.
    """
    if latency_only(suites):
        from harness import latency
        return latency.tables(suites)
    chosen = kind(suites, sources, only)
    if chosen == "matrix":
        return matrix(suites)
    if chosen == "comparison":
        return [comparison(suites[0])]
    if chosen == "repeat":
        return [repeat(suites, sources)]
    found = [sweep(suites, sources) if only in (None, "sweep") else None,
             crossover(suites, sources) if only is None else None,
             split(suites) if only in (None, "split") else None,
             memory(suites, sources) if only in (None, "memory") else None,
             startup(suites, sources) if only in (None, "startup") else None]
    found = [table for table in found if table is not None]
    said = set()
    for index, table in enumerate(found):  # each reason once, under the first table
        notes = [n for n in table.notes if not (isinstance(n, CannotRunNote) and n in said)]
        said.update(n for n in table.notes if isinstance(n, CannotRunNote))
        found[index] = replace(table, notes=tuple(notes))
    return found


def latency_only(suites):
    """Whether the suites hold latency figures (``capqueue latency``) and no times per item."""
    from harness import latency
    return latency.holds(suites) and not any(rows(suite) for suite in suites)


def render(suites, markdown=False, sources=None, only=None):
    """What ``capqueue report`` prints of ``suites``, as parts: each a list of lines, a
    table or a sentence (``tables``, rendered by ``harness.table.parts``)."""
    return parts(tables(suites, sources, only), markdown)


def sweep_table(suites, markdown=False, sources=None):
    """The lines of the sweep table (what ``capqueue sweep`` prints at its end)."""
    return lines(sweep(suites, sources), markdown)
