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
    total: int  # items processed per run, all producers together


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
            total=Workload.from_metadata(meta).total,
        ))
    return sorted(out, key=lambda row: row.mean_ns)


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
    body = rows(suite)
    header = ("variant", "model", "ns per item (mean ± std dev)", f"ratio to {BASELINE}")
    cells = [(r.variant, r.model, f"{_ns(r.mean_ns)} ± {_spread(r)}",
              "n/a" if r.ratio is None else f"{r.ratio:,.1f}x") for r in body]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---|---:|---:|"]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
        return lines
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(4)]
    fmt = "{:<%d}  {:<%d}  {:>%d}  {:>%d}" % tuple(widths)
    return [fmt.format(*header), *(fmt.format(*c) for c in cells)]


def split_costs(small, large):
    """Fixed cost per run and marginal cost per item, from one variant measured at two sizes.

    A run of n items takes about ``fixed + n * marginal`` seconds; pyperf stores seconds per
    item ``t(n) = fixed / n + marginal``, so two sizes give both. Returns a list of
    (variant, model, fixed_us, marginal_ns) for variants present in both suites.
    """
    big = {r.variant: r for r in rows(large)}
    out = []
    for row in rows(small):
        other = big.get(row.variant)
        if other is None or other.total == row.total:
            continue
        (n1, t1), (n2, t2) = sorted([(row.total, row.mean_ns), (other.total, other.mean_ns)])
        marginal = (n2 * t2 - n1 * t1) / (n2 - n1)
        fixed = n1 * (t1 - marginal)
        out.append((row.variant, row.model, fixed / 1000, marginal))
    return sorted(out, key=lambda entry: entry[3])
