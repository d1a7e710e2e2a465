"""The figures a sweep is drawn with, from the same rows the tables use."""

import math

import pytest

from harness import plot, report, results
from harness.workload import Workload

from test_report import bench, suite


def test_a_point_a_variant_failed_breaks_its_line():
    points = report.points([suite(bench("a", [[1e-6]], Workload(io=1e-5)),
                                  bench("b", [[2e-6]], Workload(io=1e-5)),
                                  bench("a", [[3e-6]], Workload(io=1e-4)))])
    series = plot._series(points, "io", lambda row: row.median)
    assert series["a"] == [(1e-5, 1e-6), (1e-4, 3e-6)]
    assert series["b"][0] == (1e-5, 2e-6) and math.isnan(series["b"][1][1])


def test_each_sweep_is_drawn_the_way_it_is_read(tmp_path, monkeypatch):
    drawn = []
    for kind in ("sweep", "throughput", "efficiency", "heatmap"):
        monkeypatch.setattr(plot, kind, lambda suites, stem, kind=kind: drawn.append(kind))
    shapes = {
        "throughput": [Workload(producers=p, io=1e-3) for p in (1, 2)],
        "efficiency": [Workload(consumers=c, cpu=1e-4) for c in (1, 2)],
        "heatmap": [Workload(producers=p, consumers=c) for p in (1, 2) for c in (1, 2)],
        "sweep": [Workload(capacity=c) for c in (1, 10)],
    }
    for expected, workloads in shapes.items():
        drawn.clear()
        plot.for_sweep([suite(*(bench("x", [[1e-6]], w) for w in workloads))], tmp_path / "p")
        assert drawn == [expected]
    drawn.clear()
    plot.for_sweep([suite(*(bench("x", [[1e-6]], Workload(io=io)) for io in (1e-5, 1e-4)))],
                   tmp_path / "p")
    assert drawn == ["efficiency"]  # the work itself swept: how close to the ideal


def test_a_matrix_plot_puts_every_interpreter_on_each_variants_row(tmp_path):
    files = [suite(bench("sequential", [[seq]], capqueue_python=python),
                   bench("trio", [[trio]], capqueue_python=python))
             for python, seq, trio in (("cpython-3.11.7", 4e-8, 1e-5),
                                       ("cpython-3.14.7t", 2e-8, 6e-6))]
    written = plot.matrix(files, tmp_path / "m")
    assert [path.name for path in written] == ["m.svg", "m.png"]
    svg = written[0].read_text()
    assert "<svg" in svg and svg == plot.matrix(files, tmp_path / "n")[0].read_text()


def test_a_matrix_plot_refuses_results_of_different_workloads(tmp_path):
    files = [suite(bench("trio", [[1e-5]], Workload(capacity=c), capqueue_python=python))
             for python, c in (("cpython-3.11.7", 1), ("cpython-3.14.7", 10))]
    with pytest.raises(results.ResultsError, match="one workload"):
        plot.matrix(files, tmp_path / "m")
