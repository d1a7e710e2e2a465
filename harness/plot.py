"""Plots from results: figures the docs embed, drawn from the same rows as the tables.

Each plot function takes pyperf suites (as ``results.load`` returns them) and an output
stem, and writes ``STEM.svg`` for the pages and ``STEM.png`` beside it. The files are
byte-stable: the same suites give the same bytes (no date, no software version, a fixed
SVG hash salt, text drawn as paths with matplotlib's own font), so regenerating the docs
changes a plot only when its results change.

    python -m harness.plot sweep results/capacity-1-*.json results/compare-*.json \
        results/capacity-100-*.json -o docs/plots/capacity
"""

import argparse
import dataclasses
import sys
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from harness import report, results
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


def sweep(suites, stem, variants=None):
    """ns per item against the workload parameter the suites vary, one line per variant.

    Both axes are logarithmic: a cost that halves when the capacity doubles is a straight
    line of slope -1, one that does not care is flat. ``variants`` keeps only those lines.
    Returns the paths written.
    """
    measured = [found for found in (report.rows(suite) for suite in suites) if found]
    if not measured:
        raise results.ResultsError("nothing to plot: the files hold no capqueue benchmarks")
    varying = [f for f in FIELDS if len({getattr(found[0].workload, f) for found in measured}) > 1]
    if len(varying) != 1:
        raise results.ResultsError("a sweep plot needs files that differ in exactly one "
                                   f"workload parameter, not {len(varying)}")
    [field] = varying
    measured.sort(key=lambda found: getattr(found[0].workload, field))
    series = {}  # variant -> [(x, ns per item)], in the order of the last file's costs
    for row in measured[-1]:
        series[row.variant] = []
    for found in measured:
        for row in found:
            series.setdefault(row.variant, []).append((getattr(row.workload, field),
                                                       row.mean_ns))
    if variants:
        missing = [name for name in variants if name not in series]
        if missing:
            raise results.ResultsError(f"no variant {missing[0]!r} in the files to plot")
        series = {name: points for name, points in series.items() if name in variants}

    fixed = measured[0][0].workload
    label = AXIS_LABELS.get(field, field)
    title = f"Cost per item against {label.split(' (')[0]}"
    context = f"{_context(fixed, field)}\nmeasured: {report.describe_machine(suites[0])}"
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 5.5), layout="constrained")
        axes = figure.subplots()
        colors = matplotlib.colormaps["tab10"].colors
        for index, (name, points) in enumerate(series.items()):
            xs, ys = zip(*points)
            # ten colours, then the same colours dashed; seven markers, so that two lines of
            # one colour never share a marker either
            axes.plot(xs, ys, marker="osD^v<>"[index % 7], color=colors[index % 10],
                      linestyle="-" if index < 10 else "--", linewidth=1.5, markersize=5,
                      label=name)
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xticks(sorted({x for points in series.values() for x, _ in points}))
        axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _count(value)))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _duration(value)))
        axes.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axes.set_xlabel(label)
        axes.set_ylabel("time per item (mean of pyperf's values, log scale)")
        figure.suptitle(title, fontsize=11, fontweight="bold")
        axes.set_title(context, fontsize=8.5)
        axes.legend(title="variant (costliest first)", loc="center left",
                    bbox_to_anchor=(1.01, 0.5), frameon=False,
                    handles=axes.get_legend_handles_labels()[0][::-1])
        figure.draw_without_rendering()  # lay it out once, not once per format
        figure.set_layout_engine("none")
        return save(figure, stem)


def _count(value):
    """1, 10, 100, 1k, 10k, 1M: short enough for ticks a decade apart."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _duration(ns):
    """A tick label in the unit that suits it: 50 ns, 2 µs, 1 ms."""
    for size, unit in ((1e6, "ms"), (1e3, "µs")):
        if ns >= size:
            return f"{ns / size:g} {unit}"
    return f"{ns:g} ns"


def _context(workload, field):
    """The workload's description with the swept parameter left out."""
    n = workload
    parts = {"items": f"{n.items:,} items", "capacity": f"capacity {n.capacity:,}",
             "producers": f"{n.producers} producer{'s' * (n.producers != 1)}",
             "consumers": f"{n.consumers} consumer{'s' * (n.consumers != 1)}"}
    for f in dataclasses.fields(n):  # per-item work, as Workload.describe shows it: if any
        if f.name not in parts and getattr(n, f.name):
            show = f.metadata.get("show", str)
            parts[f.name] = f"{f.name} {show(getattr(n, f.name))}/item"
    parts.setdefault(field, "")
    del parts[field]
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


PLOTS = {"sweep": sweep}


def main(argv=None):
    """``python -m harness.plot KIND FILE... -o STEM``: write one plot; exit 2 on bad input."""
    parser = argparse.ArgumentParser(prog="python -m harness.plot", description=__doc__.split(
        "\n\n")[0] + " Writes STEM.svg and STEM.png.")
    parser.add_argument("kind", choices=sorted(PLOTS), help="sweep: ns per item against the "
                        "one workload parameter the files differ in, one line per variant")
    parser.add_argument("files", nargs="+", metavar="FILE", help="pyperf JSON from capqueue")
    parser.add_argument("-o", "--output", required=True, metavar="STEM",
                        help="where to write, without the suffix")
    parser.add_argument("--variants", metavar="NAME,...",
                        help="plot only these variants (comma-separated)")
    args = parser.parse_args(argv)
    try:
        suites = [results.load(path) for path in args.files]
        wanted = args.variants.split(",") if args.variants else None
        for path in PLOTS[args.kind](suites, args.output, wanted):
            print(path)
    except results.ResultsError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
