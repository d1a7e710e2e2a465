"""Plots from results: figures the docs embed, drawn from the same rows as the tables.

Each plot function takes pyperf suites (as ``results.load`` returns them) and an output
stem, and writes ``STEM.svg`` for the pages and ``STEM.png`` beside it. The files are
byte-stable: the same suites give the same bytes (no date, no software version, a fixed
SVG hash salt, text drawn as paths with matplotlib's own font), so regenerating the docs
changes a plot only when its results change.

    capqueue plot sweep results/capacity-1-*.json results/compare-*.json \
        results/capacity-100-*.json -o docs/plots/capacity
"""

import dataclasses
import textwrap
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

from harness import report, results, units
from harness.units import count
from harness.workload import Workload

# Everything that could vary between runs or machines is pinned here (matplotlib itself is
# pinned in pyproject.toml, and its wheels bundle the fonts and the rasterizer).
STYLE = {
    "svg.hashsalt": "capqueue",  # clip-path ids from a fixed salt, not a random one
    "svg.fonttype": "path",  # text as outlines: no dependence on the reader's fonts
    "font.family": "DejaVu Sans",  # shipped inside matplotlib
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
PNG_METADATA = {"Software": None}
PNG_DPI = 120

# Every field of the workload can be swept; those with no label here are named as they are.
FIELDS = tuple(f.name for f in dataclasses.fields(Workload))
AXIS_LABELS = {"items": "items per producer", "capacity": "queue capacity (items)",
               "producers": "producers", "consumers": "consumers"}


def _points(suites, variants):
    """The points of the suites (see report.points), with only ``variants`` kept."""
    found = report.points(suites)
    if not found:
        raise results.ResultsError("nothing to plot: the files hold no capqueue benchmarks")
    if not any(p.rows for p in found):
        raise results.ResultsError("nothing to plot: no variant was measured at any point "
                                   "(each one cannot run here)")
    if variants:
        names = {r.variant for p in found for r in p.rows}
        missing = [name for name in variants if name not in names]
        if missing:
            raise results.ResultsError(f"no variant {missing[0]!r} in the files to plot")
        found = [dataclasses.replace(p, rows=[r for r in p.rows if r.variant in variants])
                 for p in found]
    return found


def _one_field(found):
    varying = report.varying([p.workload for p in found])
    if len(varying) != 1:
        raise results.ResultsError("this plot needs results that differ in exactly one "
                                   f"workload parameter, not {len(varying)}")
    return varying[0]


def _series(found, field, value):
    """variant -> [(x, value(row))], variants in the order of the last point's costs.

    A point a variant lacks (it failed its check there, or cannot run there) is NaN, so that
    its line breaks instead of joining the points on either side as if it had been measured
    between them. A variant that cannot run at any point has a series of NaN alone, so that
    it keeps its colour for its crosses (``_unrunnable``).
    """
    found = sorted(found, key=lambda p: getattr(p.workload, field))
    names = list(dict.fromkeys([r.variant for r in found[-1].rows]
                               + [r.variant for p in found for r in p.rows]
                               + [r.variant for p in found for r in p.cannot_run]))
    series = {name: [] for name in names}
    for point in found:
        here = {row.variant: row for row in point.rows}
        for name in names:
            row = here.get(name)
            series[name].append((getattr(point.workload, field),
                                 value(row) if row else float("nan")))
    return series


def _color(index):
    return matplotlib.colormaps["tab10"].colors[index % 10]


def _lines(axes, series, errors=None):
    """A line per series; with ``errors`` (variant -> [half width or None per point]),
    each point with its error bar."""
    for index, (name, points) in enumerate(series.items()):
        xs, ys = zip(*points)
        # ten colours, then the same colours dashed; seven markers, so that two lines of
        # one colour never share a marker either
        style = dict(marker="osD^v<>"[index % 7], color=_color(index),
                     linestyle="-" if index < 10 else "--", linewidth=1.5, markersize=5,
                     label=name)
        if errors and name in errors:
            halves = [float("nan") if h is None else h for h in errors[name]]
            axes.errorbar(xs, ys, yerr=halves, capsize=2.5, elinewidth=0.9, **style)
        else:
            axes.plot(xs, ys, **style)


def _unrunnable(found, field):
    """variant -> [(x, reason), ...] of the points where it cannot run."""
    out = {}
    for point in sorted(found, key=lambda p: getattr(p.workload, field)):
        for row in point.cannot_run:
            out.setdefault(row.variant, []).append((getattr(point.workload, field),
                                                    row.cannot_run))
    return out


def _crosses(figure, axes, series, found, field, extra=()):
    """Mark each point a variant cannot run with a cross of its colour at the foot of the
    axes, and say why under the figure, after the lines of ``extra``; return the height the
    note needs, in inches."""
    unrunnable = _unrunnable(found, field)
    if not unrunnable and not extra:
        return 0.0
    order = list(series)
    lines = []
    for rank, (name, marks) in enumerate(unrunnable.items()):
        xs = [x for x, _ in marks]
        color = _color(order.index(name)) if name in order else "black"
        # one row of crosses per variant, so that two at the same point do not hide
        axes.plot(xs, [0.03 + 0.035 * rank] * len(xs), linestyle="none", marker="x",
                  markersize=9,
                  markeredgewidth=2, color=color, transform=axes.get_xaxis_transform(),
                  clip_on=False, zorder=4)
        where = " and ".join(_label(field, x) for x in xs)
        cause = marks[-1][1].split(": ", 1)[-1]  # what the limit is, without the count
        lines.append(f"{name} at {where} {AXIS_LABELS.get(field, field)}: {cause}")
    text = "\n".join([textwrap.fill(line, 150, subsequent_indent="    ") for line in extra]
                     + [textwrap.fill(f"× cannot run here: {line}", 150,
                                      subsequent_indent="    ") for line in lines])
    figure.text(0.01, 0.01, text, fontsize=6.5, va="bottom", ha="left")
    return 0.12 * (text.count("\n") + 1) + 0.15


def _x_axis(axes, series, field):
    xs = sorted({x for points in series.values() for x, _ in points})
    if xs[0] > 0:  # a logarithmic axis cannot show 0
        axes.set_xscale("log")
    axes.set_xticks(xs)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _label(field, value)))
    axes.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
    axes.set_xlabel(AXIS_LABELS.get(field, f"{field} per item"))


def _finish(figure, axes, title, found, field, suites, stem, legend_title, costliest_first,
            note=0.0):
    """Title, context and legend; ``note`` inches kept free at the foot for ``_crosses``."""
    if note:
        width, height = figure.get_size_inches()
        figure.set_size_inches(width, height + note)
        figure.get_layout_engine().set(rect=(0, note / (height + note), 1,
                                             1 - note / (height + note)))
    context = (f"{_context(found[0].workload, field)}\n"
               f"measured: {report.describe_machine(suites[0])}")
    figure.suptitle(title, fontsize=11, fontweight="bold")
    axes.set_title(context, fontsize=8.5)
    handles, labels = axes.get_legend_handles_labels()
    order = list(range(len(labels)))  # the lines come cheapest first, any ideal last
    if costliest_first:
        order = order[::-1]
    elif labels and labels[-1] == "ideal":
        order = order[-1:] + order[:-1]
    axes.legend([handles[i] for i in order], [labels[i] for i in order], title=legend_title,
                loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    figure.draw_without_rendering()  # lay it out once, not once per format
    figure.set_layout_engine("none")
    return save(figure, stem)


def sweep(suites, stem, variants=None):
    """Time per item against the workload parameter the results vary, a line per variant.

    Both axes are logarithmic: a cost that halves when the capacity doubles is a straight
    line of slope -1, one that does not care is flat. ``variants`` keeps only those lines.
    Returns the paths written.
    """
    found = _points(suites, variants)
    field = _one_field(found)
    series = _series(found, field, lambda row: row.median * 1e9)
    label = AXIS_LABELS.get(field, field)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 5.5), layout="constrained")
        axes = figure.subplots()
        _lines(axes, series)
        _x_axis(axes, series, field)
        axes.set_yscale("log")
        axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda ns, _: units.tick_duration(ns)))
        axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.set_ylabel("time per item (median over pyperf's processes, log scale)")
        note = _crosses(figure, axes, series, found, field)
        return _finish(figure, axes, f"Cost per item against {label.split(' (')[0]}", found,
                       field, suites, stem, "variant (costliest first)", True, note)


def throughput(suites, stem, variants=None):
    """Items per second against the parameter the results vary, with the ideal as a line.

    For producers that wait for I/O: the ideal grows with every producer whose waits can
    overlap the others'; a model that cannot overlap them stays flat.
    """
    found = _points(suites, variants)
    field = _one_field(found)
    series = _series(found, field, lambda row: 1 / row.median)
    ideal = sorted((getattr(p.workload, field), 1 / p.rows[0].ideal) for p in found
                   if p.rows and p.rows[0].ideal)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 5.5), layout="constrained")
        axes = figure.subplots()
        _lines(axes, series)
        if ideal:
            xs, ys = zip(*ideal)
            axes.plot(xs, ys, color="black", linestyle=":", linewidth=2, label="ideal")
        _x_axis(axes, series, field)
        axes.set_yscale("log")
        axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda n, _: units.tick_count(n)))
        axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.set_ylabel("items per second (log scale; higher is better)")
        note = _crosses(figure, axes, series, found, field)
        return _finish(figure, axes, f"Throughput against {field}, and the ideal", found,
                       field, suites, stem, "variant (fastest first)", False, note)


def efficiency(suites, stem, variants=None):
    """Efficiency (ideal / measured) against the parameter the results vary; 100 % is ideal."""
    found = _points(suites, variants)
    field = _one_field(found)
    series = _series(found, field, lambda row: 100 * (row.efficiency or 0))
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 5.5), layout="constrained")
        axes = figure.subplots()
        _lines(axes, series)
        axes.axhline(100, color="black", linestyle=":", linewidth=2, label="ideal")
        _x_axis(axes, series, field)
        axes.set_ylim(0, 110)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f} %"))
        axes.set_ylabel("efficiency: ideal time / measured time")
        note = _crosses(figure, axes, series, found, field)
        return _finish(figure, axes, f"How close each model gets to the ideal, against "
                       f"{field}", found, field, suites, stem, "variant (best first)", False,
                       note)


def memory(suites, stem, variants=None):
    """Memory per waiting producer against producers, a line per variant, both axes
    logarithmic: at each point after the smallest, the peak RSS of the process that ran the
    workload above the smallest point's, per producer added (``report.rss_above``), with
    its 95 % interval from the spread over pyperf's processes; crosses where a variant
    cannot run. For a sweep of producers whose runs recorded their memory.
    """
    found = _points(suites, variants)
    if _one_field(found) != "producers":
        raise results.ResultsError("a memory plot needs results that differ in the producers "
                                   "alone (a sweep of --producers)")
    field = "producers"
    found = sorted(found, key=lambda p: p.workload.producers)
    if not any(r.peaks for p in found for r in p.rows):
        raise results.ResultsError("nothing to plot: these results record no memory per run "
                                   "(files written before capqueue_peak_rss)")
    series, errors = {}, {}
    names = list(dict.fromkeys([r.variant for r in found[-1].rows]
                               + [r.variant for p in found for r in p.rows]
                               + [r.variant for p in found for r in p.cannot_run]))
    processes = {r.variant: r.producer_private for p in found for r in p.rows
                 if r.producer_private}
    for name in names:
        above = {x: (per, half) for x, per, half in report.rss_above(found, name)}
        own = processes.get(name, 0)  # a producer process's own memory, beside the parent's
        shown = [(p.workload.producers, above.get(p.workload.producers, (None, None)))
                 for p in found[1:]]
        series[name] = [(x, (per + own) / 1024 if per and per + own > 0 else float("nan"))
                        for x, (per, _) in shown]
        errors[name] = [half / 1024 if half is not None and per and per + own > 0 else None
                        for _, (per, half) in shown]

    def last(name):  # the figure at the largest point measured: what one more costs at scale
        measured = [y for _, y in series[name] if y == y]
        return measured[-1] if measured else 0

    order = sorted(series, key=lambda n: -last(n))
    series = {name: series[name] for name in order}  # the dearest first, as the legend says
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 5.5), layout="constrained")
        axes = figure.subplots()
        _lines(axes, series, errors)
        shown = [p.workload.producers for p in found[1:]]
        _x_axis(axes, {"": [(x, 0) for x in shown]}, field)
        axes.set_xlim(shown[0] / 1.5, shown[-1] * 1.5)
        axes.set_yscale("log")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda kib, _: _kib_tick(kib)))
        axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        first = found[0].workload.producers
        axes.set_ylabel(f"(peak RSS − peak RSS at {count(first, 'producer')}) / producers "
                        "added (log scale)")
        extra = ["Error bars: 95 % intervals from the spread over pyperf's processes. A point "
                 "whose peak is not above the smallest point's (within the noise of the "
                 "allocator, some hundreds of KiB) is left out."]
        if processes:
            extra.append(f"{', '.join(sorted(processes))}: the parent's memory per producer, "
                         "plus what each producer process holds of its own (its private "
                         "memory when its source ran out, in the check run).")
        note = _crosses(figure, axes, series, found, field, extra=extra)
        return _finish(figure, axes, "Memory per waiting producer against producers", found,
                       field, suites, stem, "variant (dearest first)", False, note)


def _kib_tick(kib):
    return f"{kib:,g} KiB"


def heatmap(suites, stem, variants=None):
    """Time per item over two parameters (producers x consumers), one small map per variant.

    One colour scale for every map, logarithmic, so that maps compare with each other.
    """
    found = _points(suites, variants)
    varying = report.varying([p.workload for p in found])
    if len(varying) != 2:
        raise results.ResultsError("a heat map needs results that differ in exactly two "
                                   f"workload parameters, not {len(varying)}")
    across, down = varying
    xs = sorted({getattr(p.workload, across) for p in found})
    ys = sorted({getattr(p.workload, down) for p in found})
    names = list(dict.fromkeys(r.variant for p in sorted(
        found, key=lambda p: [getattr(p.workload, f) for f in varying]) for r in p.rows))
    costs = {(r.variant, getattr(p.workload, across), getattr(p.workload, down)): r.median
             for p in found for r in p.rows}
    columns = min(4, len(names))
    rows = -(-len(names) // columns)
    norm = matplotlib.colors.LogNorm(min(costs.values()) * 1e9, max(costs.values()) * 1e9)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(2.3 * columns + 1.2, 2.1 * rows + 1.0), layout="constrained")
        grid = figure.subplots(rows, columns, squeeze=False)
        for panel, name in zip(grid.flat, names):
            cells = [[costs.get((name, x, y), float("nan")) * 1e9 for x in xs] for y in ys]
            image = panel.imshow(cells, norm=norm, cmap="viridis", origin="lower",
                                 aspect="auto")
            for j, line in enumerate(cells):
                for i, ns in enumerate(line):
                    if ns == ns:  # not NaN
                        panel.text(i, j, units.duration(ns / 1e9), ha="center",
                                   va="center", fontsize=6.5,
                                   color="white" if norm(ns) < 0.6 else "black")
            panel.set_title(name, fontsize=9)
            panel.set_xticks(range(len(xs)), [f"{x:g}" for x in xs])
            panel.set_yticks(range(len(ys)), [f"{y:g}" for y in ys])
            panel.set_xlabel(across, fontsize=8)
            panel.set_ylabel(down, fontsize=8)
            panel.grid(False)
        for panel in list(grid.flat)[len(names):]:
            panel.set_visible(False)
        figure.colorbar(image, ax=grid, label="time per item (median, log colour scale)",
                        format=FuncFormatter(lambda ns, _: units.tick_duration(ns)))
        context = (f"{_context(found[0].workload, across, down)}\n"
                   f"measured: {report.describe_machine(suites[0])}")
        figure.suptitle(f"Cost per item for {across} x {down}\n{context}", fontsize=10)
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        return save(figure, stem)


def matrix(suites, stem, variants=None):
    """Time per item of each variant on each interpreter: a row per variant, a marker per
    interpreter (hollow for a free-threaded build), on one logarithmic axis.

    For the results of ``capqueue matrix``: one workload, measured under several
    interpreters. A row's markers apart are what the interpreter changes; rows apart are
    what the model changes.
    """
    found = [row for suite in suites for row in report.rows(suite)
             if not variants or row.variant in variants]
    if not found:
        raise results.ResultsError("nothing to plot: the files hold no capqueue benchmarks")
    if len({row.workload for row in found}) != 1:
        raise results.ResultsError("a matrix plot needs results of one workload, measured "
                                   "under several interpreters")
    pythons = report.interpreters(suites)
    base = min(pythons, key=lambda python: python.endswith("t"))  # the first GIL build
    order = {row.variant: row.median for row in found if row.python == base}
    names = sorted({row.variant for row in found}, key=lambda v: order.get(v, float("inf")))
    cell = {(row.variant, row.python): row for row in found}
    colors = matplotlib.colormaps["tab10"].colors
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 1.6 + 0.32 * len(names)), layout="constrained")
        axes = figure.subplots()
        for index, python in enumerate(pythons):
            ys = [y for y, name in enumerate(names) if (name, python) in cell]
            xs = [cell[names[y], python].median * 1e9 for y in ys]
            free = python.endswith("t")
            axes.scatter(xs, ys, s=28, marker="s" if free else "o", linewidths=1.3,
                         facecolors="none" if free else colors[index % 10],
                         edgecolors=colors[index % 10], label=python, zorder=3)
        axes.set_yticks(range(len(names)), names)
        axes.set_ylim(len(names) - 0.5, -0.5)  # cheapest at the top, as in the tables
        axes.set_xscale("log")  # decades only: the rows span five or six of them
        axes.xaxis.set_major_locator(LogLocator(base=10))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda ns, _: units.tick_duration(ns)))
        axes.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.set_xlabel("time per item (median over pyperf's processes, log scale)")
        figure.suptitle("Cost per item on each interpreter", fontsize=11, fontweight="bold")
        axes.set_title(f"{_context(found[0].workload)}\nmeasured: "
                       f"{report.describe_machine(suites[0]).split(' on ', 1)[-1]}; "
                       f"hollow squares: free-threaded builds", fontsize=8.5)
        axes.legend(title="interpreter", loc="center left", bbox_to_anchor=(1.01, 0.5),
                    frameon=False)
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        return save(figure, stem)


def for_sweep(suites, stem):
    """The figure a sweep is read by: a heat map over two parameters; over one, the
    throughput when producers wait, the efficiency when consumers work or when the work
    itself is swept, else the cost."""
    found = report.points(suites)
    if not any(p.rows for p in found):
        return []
    varying = report.varying([p.workload for p in found])
    if any(isinstance(getattr(found[0].workload, name), str) for name in varying):
        return []  # a kind of wait is no axis: the sweep's table compares them
    if len(varying) == 2:
        return heatmap(suites, stem)
    if len(varying) != 1:
        return []
    workload = found[0].workload
    if workload.io and varying[0] == "producers":
        return throughput(suites, stem)
    if (workload.cpu and varying[0] == "consumers") or varying[0] in ("io", "cpu"):
        return efficiency(suites, stem)
    return sweep(suites, stem)


def _label(field, value):
    if field in ("io", "cpu"):
        return units.tick_duration(value * 1e9)
    return units.tick_count(value)


def _context(workload, *swept):
    """The workload's description with the swept parameters left out."""
    n = workload
    per = " per producer" if n.producers > 1 or "producers" in swept else ""
    parts = {"items": f"{n.items:,} items{per}", "capacity": f"capacity {n.capacity:,}",
             "producers": f"{n.producers} producer{'s' * (n.producers != 1)}",
             "consumers": f"{n.consumers} consumer{'s' * (n.consumers != 1)}"}
    for f in dataclasses.fields(n):  # per-item work, as Workload.describe shows it: if any
        value = getattr(n, f.name)
        if isinstance(value, str):  # the kind of wait: said only when it is not a timer
            if value != f.default:
                parts[f.name] = f"{value} waits"
        elif f.name not in parts and value:
            show = f.metadata.get("show", str)
            parts[f.name] = f"{f.name} {show(value)}/item"
    for field in swept:
        parts.pop(field, None)
    flow = " -> ".join(parts.pop(f) for f in ("producers", "consumers") if f in parts)
    return "workload: " + ", ".join(filter(None, [parts.pop("items", ""), flow, *parts.values()]))


def save(figure, stem):
    """Write ``figure`` as STEM.svg and STEM.png with no varying metadata; return the paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    svg, png = stem.with_suffix(".svg"), stem.with_suffix(".png")
    with matplotlib.rc_context(STYLE):
        figure.savefig(svg, format="svg", metadata=SVG_METADATA)
        figure.savefig(png, format="png", metadata=PNG_METADATA, dpi=PNG_DPI)
    return [svg, png]


PLOTS = {"sweep": sweep, "throughput": throughput, "efficiency": efficiency,
         "memory": memory, "heatmap": heatmap, "matrix": matrix}



# ---- the latency mode's figures (harness.latency) -----------------------------------------

def _latency_rows(suites, variants):
    """The latency rows of the suites (one workload), with only ``variants`` kept."""
    from harness import latency

    found = [row for suite in suites for row in latency.rows(suite)]
    if not found:
        raise results.ResultsError("nothing to plot: the files hold no latency figures "
                                   "(capqueue latency writes them)")
    if len({row.workload for row in found}) != 1:
        raise results.ResultsError("a latency plot needs the figures of one workload")
    if variants:
        missing = [name for name in variants if name not in {r.variant for r in found}]
        if missing:
            raise results.ResultsError(f"no variant {missing[0]!r} in the files to plot")
        found = [row for row in found if row.variant in variants]
    return found


def _latency_title(figure, title, found, suites):
    processes = found[0].processes
    figure.suptitle(f"{title}\n{_context(found[0].workload)}; "
                    f"{units.count(processes, 'process', 'processes')} per variant\n"
                    f"measured: {report.describe_machine(suites[0])}", fontsize=9.5)


def latency_cdf(suites, stem, variants=None):
    """The share of items whose latency is at most x, a line per variant, pooled over its
    processes: log x; the y axis stretched at both ends (logit), so that the median and the
    tail (p99, p99.9) both show. Lines lowest p99 first in the legend."""
    from harness import stamps

    found = _latency_rows(suites, variants)
    colors = matplotlib.colormaps["tab10"].colors
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 5.5), layout="constrained")
        axes = figure.subplots()
        for index, row in enumerate(found):
            points = [(x, y) for x, y in stamps.cdf(row.histograms()) if y < 1]
            if not points:
                continue
            xs, ys = zip(*points)
            axes.step(xs, ys, where="post", color=colors[index % 10],
                      linestyle="-" if index < 10 else "--", linewidth=1.4, label=row.variant)
        axes.set_xscale("log")
        axes.xaxis.set_major_locator(LogLocator(base=10))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda s, _: units.tick_duration(s * 1e9)))
        axes.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.set_yscale("logit")
        shares = (0.1, 0.5, 0.9, 0.99, 0.999)
        axes.set_yticks(shares, [f"{s:.1%}".replace(".0%", "%") for s in shares])
        axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.set_ylim(0.05, 0.9995)
        axes.set_xlabel("latency: from an item's take at its source to its sink call "
                        "(log scale)")
        axes.set_ylabel("share of items with at most that latency")
        axes.legend(title="variant (lowest p99 first)", loc="center left",
                    bbox_to_anchor=(1.01, 0.5), frameon=False)
        _latency_title(figure, "How long an item waits: the latency of every item", found,
                       suites)
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        return save(figure, stem)


def depth_timeline(suites, stem, variants=None):
    """The queue's depth over one whole run of each variant, a small panel each (in the
    order of the tables): in each of 400 slices of the run, the band from the least to the
    most depth seen in it; the most items in flight as a thin line; the capacity dashed."""
    return _depth_panels(suites, stem, variants, whole=True)


def fill(suites, stem, variants=None):
    """The start of one run of each variant, event by event, a small panel each: the depth
    seen after every take, put and sink call (the notebook's step-by-step fill, as a
    picture), the items in flight as a thin line, the capacity dashed."""
    return _depth_panels(suites, stem, variants, whole=False)


def _depth_panels(suites, stem, variants, whole):
    found = _latency_rows(suites, variants)
    found = [row for row in found if (row.timeline() if whole else row.start())]
    w = found[0].workload
    columns = min(3, len(found))
    rows_ = -(-len(found) // columns)
    scale, unit = (1e3, "ms") if whole else (1e6, "µs")
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(3.1 * columns + 0.6, 1.75 * rows_ + 1.3), layout="constrained")
        grid = figure.subplots(rows_, columns, squeeze=False, sharey=True)
        for panel, row in zip(grid.flat, found):
            if whole:
                span, low, high, flight = row.timeline()
                xs = [span * scale * i / len(low) for i in range(len(low) + 1)]
                low, high, flight = ([*values, values[-1]] for values in (low, high, flight))
                end = xs[-1]
            else:
                times, depth, flight = row.start()
                xs = [0.0, *(t * scale for t in times)]
                high = [0, *(max(d, 0) for d in depth)]
                low, flight = [0] * len(high), [0, *flight]
                end = xs[-1]
            panel.fill_between(xs, low, high, step="post", color="tab:blue", alpha=0.35,
                               linewidth=0)
            panel.step(xs, high, where="post", color="tab:blue", linewidth=0.9,
                       label="depth seen" + (" (least to most in each slice)" if whole else ""))
            if whole:
                panel.step(xs, low, where="post", color="tab:blue", linewidth=0.9)
            panel.step(xs, flight, where="post", color="tab:orange", linewidth=0.7,
                       label="items in flight (taken, not yet at a sink)")
            panel.axhline(w.capacity, color="black", linestyle="--", linewidth=0.9,
                          label=f"capacity {w.capacity}")
            panel.set_title(f"{row.variant} ({row.model})", fontsize=8.5)
            panel.set_xlim(0, end)
            panel.tick_params(labelsize=7)
            panel.yaxis.set_major_locator(MaxNLocator(integer=True))
            panel.set_xlabel(f"{unit} into the run", fontsize=7)
        for panel in list(grid.flat)[len(found):]:
            panel.set_visible(False)
        handles, labels = grid.flat[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False,
                      fontsize=8)
        title = ("How full the queue runs: its depth over one run of each variant" if whole
                 else "How the queue fills: the start of one run of each variant, event by "
                      "event")
        _latency_title(figure, title, found, suites)
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        return save(figure, stem)


def consumers(suites, stem, variants=None):
    """How the items were shared among the consumers, a bar per variant: each consumer's
    share of the items, busiest first, averaged over the processes (an even split is
    1/C each; a missing segment is a consumer that got nothing)."""
    found = _latency_rows(suites, variants)
    w = found[0].workload
    colors = matplotlib.colormaps["tab10"].colors
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 1.6 + 0.3 * len(found)), layout="constrained")
        axes = figure.subplots()
        for y, row in enumerate(found):
            ranked = [sorted(c, reverse=True) for c in row.consumers()]
            shares = [sum(r[k] for r in ranked) / len(ranked) / w.total
                      for k in range(w.consumers)]
            left = 0.0
            for k, share in enumerate(shares):
                axes.barh(y, share * 100, left=left * 100, color=colors[k % 10],
                          edgecolor="white", linewidth=0.6,
                          label=f"consumer ranked {k + 1}" if y == 0 else None)
                left += share
        for k in range(1, w.consumers):
            axes.axvline(100 * k / w.consumers, color="black", linestyle=":", linewidth=0.9)
        axes.set_yticks(range(len(found)), [row.variant for row in found])
        axes.set_ylim(len(found) - 0.5, -0.5)
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f} %"))
        axes.set_xlabel("share of the items, consumers ranked busiest first (mean over the "
                        "processes); dotted: an even split")
        axes.grid(axis="y", visible=False)
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        _latency_title(figure, "How the work is shared: items per consumer", found, suites)
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        return save(figure, stem)


PLOTS.update(latency=latency_cdf, depth=depth_timeline, fill=fill, consumers=consumers)
