"""Tables from results: ns per item for each variant, and its ratio to the sequential floor.

Every figure printed here is read from a pyperf suite, so a table in the README or in
``docs/`` is regenerated from ``results/`` with ``capqueue report FILE``.
"""

import platform
from dataclasses import dataclass

from harness.registry import BASELINE
from harness.workload import Workload


@dataclass(frozen=True)
class Row:
    """One benchmark as a table shows it."""

    variant: str
    model: str
    mean_ns: float
    stdev_ns: float | None  # None with a single value (pyperf --debug-single-value)
    ratio: float | None  # to the baseline, None when the suite has no baseline
    workload: Workload
    rss_mib: float | None  # the largest peak RSS of its pyperf workers, if pyperf recorded it

    @property
    def total(self):
        """Items processed per run, all producers together."""
        return self.workload.total


def rows(suite):
    """The suite's capqueue benchmarks as rows, fastest first."""
    benches = [b for b in suite.get_benchmarks() if "capqueue_variant" in b.get_metadata()]
    means = {b.get_name(): b.mean() for b in benches}
    floor = means.get(BASELINE)
    out = []
    for bench in benches:
        meta = bench.get_metadata()
        values = bench.get_values()
        out.append(Row(
            variant=bench.get_name(),
            model=meta.get("capqueue_model", "?"),
            mean_ns=bench.mean() * 1e9,
            stdev_ns=bench.stdev() * 1e9 if len(values) > 1 else None,
            ratio=bench.mean() / floor if floor else None,
            workload=Workload.from_metadata(meta),
            rss_mib=_peak_rss(bench),
        ))
    return sorted(out, key=lambda row: row.mean_ns)


def _peak_rss(bench):
    peaks = [run.get_metadata().get("mem_max_rss") for run in bench.get_runs()]
    peaks = [p for p in peaks if p]
    return max(peaks) / 2**20 if peaks else None


def workloads(suite):
    """The distinct workloads the suite's benchmarks were measured on."""
    found = []
    for bench in suite.get_benchmarks():
        meta = bench.get_metadata()
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


def _spread(row):
    return "n/a" if row.stdev_ns is None else _ns(row.stdev_ns)


def _ns(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(suite, markdown=False):
    """The comparison table as lines of text (or of Markdown)."""
    header = ("variant", "model", "ns per item (mean ± std dev)", f"ratio to {BASELINE}",
              "peak RSS")
    cells = [(r.variant, r.model, f"{_ns(r.mean_ns)} ± {_spread(r)}",
              "n/a" if r.ratio is None else f"{r.ratio:,.1f}x", _mib(r.rss_mib))
             for r in rows(suite)]
    return layout(header, cells, "llrrr", markdown)


def sweep_table(suites, markdown=False):
    """One row per variant, and a column pair (ns per item, peak RSS) per suite.

    The suites are runs of one workload with one parameter changed (items for a scale
    run, capacity for a capacity sweep, ...): columns are sorted and labelled by it.
    """
    measured = [found for found in (rows(suite) for suite in suites) if found]
    fields = ("items", "capacity", "producers", "consumers")
    varying = [f for f in fields
               if len({getattr(found[0].workload, f) for found in measured}) > 1] or ["items"]
    measured.sort(key=lambda found: [getattr(found[0].workload, f) for f in varying])
    by_suite = [{r.variant: r for r in found} for found in measured]
    # ordered by cost in the last column, then whatever only other columns have
    names = list(dict.fromkeys([r.variant for r in measured[-1]]
                               + [n for found in by_suite for n in found]))
    header = ["variant"]
    for found in measured:
        label = ", ".join(f"{f} {getattr(found[0].workload, f):,}" for f in varying)
        header += [f"ns/item, {label}", "peak RSS"]
    cells = []
    for name in names:
        row = [name]
        for found in by_suite:
            r = found.get(name)
            row += [_ns(r.mean_ns) if r else "-", _mib(r.rss_mib) if r else "-"]
        cells.append(row)
    return layout(header, cells, "l" + "rr" * len(measured), markdown)


def _mib(value):
    return "n/a" if value is None else f"{value:.1f} MiB"


def layout(header, cells, align, markdown):
    if markdown:
        rule = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
        return ["| " + " | ".join(header) + " |", rule,
                *("| " + " | ".join(row) + " |" for row in cells)]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    fmt = "  ".join(f"{{:{'<' if a == 'l' else '>'}{w}}}" for a, w in zip(align, widths))
    return [fmt.format(*header), *(fmt.format(*row) for row in cells)]


def split_costs(suites):
    """Fixed cost per run and marginal cost per item, from the smallest and largest suites.

    A run of n items takes about ``fixed + n * marginal`` seconds; pyperf stores seconds per
    item ``t(n) = fixed / n + marginal``, so two sizes give both. Returns a list of
    (variant, model, fixed_us, marginal_ns) for variants measured at two different sizes.
    """
    ordered = sorted((rows(suite) for suite in suites), key=lambda r: r[0].total if r else 0)
    small, large = ordered[0], {r.variant: r for r in ordered[-1]}
    out = []
    for row in small:
        other = large.get(row.variant)
        if other is None or other.total == row.total:
            continue
        (n1, t1), (n2, t2) = (row.total, row.mean_ns), (other.total, other.mean_ns)
        marginal = (n2 * t2 - n1 * t1) / (n2 - n1)
        fixed = n1 * (t1 - marginal)
        out.append((row.variant, row.model, fixed / 1000, marginal))
    return sorted(out, key=lambda entry: entry[3])


def split_table(suites, markdown=False):
    """``split_costs`` as lines of a table (none if no variant was measured at two sizes)."""
    split = split_costs(suites)
    if not split:
        return []
    header = ("variant", "model", "fixed cost per run", "marginal cost per item")
    cells = [(v, m, f"{fixed:,.1f} µs", f"{marginal:,.1f} ns") for v, m, fixed, marginal in split]
    return layout(header, cells, "llrr", markdown)
