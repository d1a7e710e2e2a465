"""Tables from results: the statistics over processes, the overlap wording, the ideal."""

import pyperf
import pytest

from harness import report
from harness.workload import Workload


def bench(variant, process_values, workload=Workload(), usage=None, **meta):
    """A benchmark as pyperf would store it: one run per worker process."""
    runs = []
    for values in process_values:
        metadata = {"name": f"{variant} {workload.label()}", "unit": "second",
                    "capqueue_variant": variant, "capqueue_model": variant, "cpu_count": 2,
                    **workload.as_metadata(), **meta}
        if usage:
            metadata.update({f"capqueue_{key}": value for key, value in usage.items()})
        runs.append(pyperf.Run(values, metadata=metadata, collect_metadata=False))
    return pyperf.Benchmark(runs)


def suite(*benches):
    return pyperf.BenchmarkSuite(list(benches))


def test_the_centre_is_the_median_of_process_means():
    [row] = report.rows(suite(bench("x", [[1.0, 3.0], [10.0, 10.0], [4.0, 4.0]])))
    assert row.process_means == (2.0, 10.0, 4.0)
    assert row.median == 4.0
    assert row.mean == pytest.approx(16 / 3)


def test_the_interval_is_students_over_processes():
    [row] = report.rows(suite(bench("x", [[1.0], [2.0], [3.0]])))
    low, high = row.interval
    # mean 2, sd 1, n 3: t(0.975, 2) = 4.303, half-width 4.303 / sqrt(3)
    assert (low, high) == pytest.approx((2 - 4.303 / 3 ** 0.5, 2 + 4.303 / 3 ** 0.5))


def test_one_process_has_no_interval():
    [row] = report.rows(suite(bench("x", [[1.0, 2.0]])))
    assert row.interval is None and row.stdev is None


def test_ratios_are_to_the_sequential_median_of_the_same_workload():
    found = {r.variant: r for r in report.rows(suite(
        bench("sequential", [[10e-9], [12e-9], [11e-9]]),
        bench("trio", [[1100e-9], [1000e-9], [1210e-9]])))}
    assert found["trio"].ratio == pytest.approx(100.0)


def test_overlapping_intervals_are_not_ranked():
    found = suite(bench("a", [[1.0], [1.1], [1.2]]), bench("b", [[1.15], [1.2], [1.25]]),
                  bench("c", [[5.0], [5.1], [5.2]]))
    assert report.overlapping(report.rows(found)) == [["a", "b"]]
    assert report.notes(found)[0] == ("Not told apart by this run (their 95 % intervals "
                                      "overlap): a ≈ b.")


def test_a_missing_floor_is_explained():
    notes = report.notes(suite(bench("trio", [[1.0], [1.0]])))
    assert any(note.startswith("No ratio: the file has no sequential benchmark") for note in notes)


@pytest.mark.parametrize("workload, ideal", [
    # the waits of 4 producers overlapped: 200 waits of 2 ms in a row, for 800 items
    (Workload(items=200, producers=4, io=0.002), 200 * 0.002 / 800),
    # the CPU work spread over min(consumers, cores) = 2
    (Workload(items=1000, consumers=4, cpu=100e-6), 1000 * 100e-6 / 2 / 1000),
    # both: the larger limit wins
    (Workload(items=100, producers=2, consumers=1, io=1e-3, cpu=1e-3), 1e-3),
])
def test_the_ideal_is_the_larger_limit(workload, ideal):
    [row] = report.rows(suite(bench("x", [[ideal * 2]], workload)))
    assert row.ideal == pytest.approx(ideal)
    assert row.efficiency == pytest.approx(0.5)


def test_work_adds_speed_up_and_efficiency_columns():
    workload = Workload(items=200, producers=4, io=0.002)
    found = suite(bench("sequential", [[0.002], [0.002]], workload),
                  bench("threads", [[0.0005], [0.0006]], workload))
    table = report.comparison(found)
    assert table.names[5:7] == ["speed-up", "efficiency"]
    assert (table.cell("threads", "speed-up"), table.cell("threads", "efficiency")) == \
        ("3.6x", "91%")
    assert any(n.startswith("Ideal on this workload (2 cores): 500 µs per item (each "
                            "producer's 200 waits of 2 ms") for n in table.notes)


def test_cpu_time_and_switches_come_from_each_runs_metadata():
    usage = {"user_s": 3e-6, "system_s": 1e-6, "voluntary_switches": 2.0,
             "involuntary_switches": 0.5}
    [row] = report.rows(suite(bench("threads", [[5e-6], [5e-6]], usage=usage)))
    assert row.cpu == pytest.approx(4e-6)
    assert report._switches(row) == "2 + 0.5"


def test_files_written_before_work_existed_still_read():
    old = {"capqueue_items": 10000, "capqueue_capacity": 10, "capqueue_producers": 1,
           "capqueue_consumers": 1}
    run = pyperf.Run([1e-6], metadata={"name": "trio", "unit": "second",
                                       "capqueue_variant": "trio", **old},
                     collect_metadata=False)
    [row] = report.rows(suite(pyperf.Benchmark([run])))
    assert row.workload == Workload() and row.usage is None


def test_a_sweep_table_has_a_column_per_point():
    files = [suite(bench("trio", [[1e-6]], Workload(capacity=c)),
                   bench("sequential", [[4e-8]], Workload(capacity=c))) for c in (1, 10)]
    header = report.sweep_table(files)[0]
    assert header.index("capacity 1") < header.index("capacity 10")


def test_two_files_of_one_workload_stay_apart():
    files = [suite(bench("trio", [[1e-6]])), suite(bench("trio", [[2e-6]]))]
    header = report.sweep_table(files, sources=["a.json", "b.json"])[0]
    assert "a.json" in header and "b.json" in header


def test_the_crossover_is_where_efficiency_stays_above_each_share():
    # ideal per item = io (one producer): efficiency 50 %, 95 %, 99.5 %, and back to 95 %
    def tight(t):  # three processes a hair apart: an interval well inside 0.1 %
        return [[t * 0.9999], [t], [t * 1.0001]]
    files = [suite(bench("m", tight(io / eff), Workload(items=100, io=io)))
             for io, eff in ((1e-5, 0.5), (1e-4, 0.95), (1e-3, 0.995), (1e-2, 0.995))]
    table = report.crossover(files)
    assert table.names == ["variant", "own cost below 10% from io of",
                           "own cost below 1% from io of"]
    assert [row.cells for row in table.rows] == [("m", "100 µs", "1 ms")]


def test_a_crossover_counts_only_what_the_slow_end_of_the_interval_reaches():
    # at io 100 µs the median reaches 95 % but the interval's slow end is under 90 %
    files = [suite(bench("m", values, Workload(items=100, io=io))) for io, values in (
        (1e-4, [[1e-4 / 0.80], [1e-4 / 0.95], [1e-4 / 0.99]]),
        (1e-3, [[1e-3 / 0.95], [1e-3 / 0.951], [1e-3 / 0.952]]))]
    assert report.crossover(files).rows[0].cells == ("m", "1 ms", "above 1 ms")


def test_a_model_that_never_gets_there_says_so():
    files = [suite(bench("m", [[io * 2]], Workload(items=100, io=io))) for io in (1e-4, 1e-3)]
    assert report.crossover(files).rows[0].cells == ("m", "above 1 ms", "above 1 ms")


def test_two_runs_of_one_workload_show_how_far_each_ratio_moved():
    runs = [suite(bench("sequential", [[1e-8]]), bench("trio", [[t]])) for t in (2e-6, 2.3e-6)]
    parts = report.render(runs, sources=["a.json", "b.json"])
    header, *lines = parts[0]
    assert header.split() == ["variant", "ratio,", "a.json", "ratio,", "b.json", "moved,",
                              "b.json"]
    assert lines[1].split() == ["trio", "200.0x", "230.0x", "+15%"]
    assert parts[1] == ["Runs of one workload on one interpreter: 0 of 1 ratios to "
                        "sequential moved by 10 % or less between runs."]


def test_where_cuts_one_point_out_of_a_sweep():
    sweep = suite(*(bench(v, [[1e-6 * c]], Workload(capacity=c))
                    for v in ("sequential", "trio") for c in (1, 10)))
    [cut] = report.where([sweep], ["capacity=1"])
    assert {r.workload.capacity for r in report.rows(cut)} == {1}
    with pytest.raises(ValueError, match="^no benchmark matches --where capacity=5$"):
        report.where([sweep], ["capacity=5"])
    with pytest.raises(ValueError, match="^--where takes FIELD=VALUE with a workload field"):
        report.where([sweep], ["colour=1"])


def test_the_fixed_and_marginal_split_is_only_for_runs_that_differ_in_size():
    sizes = [suite(bench("trio", [[t]], Workload(items=n))) for n, t in ((1, 1e-3), (1000, 2e-6))]
    assert report.split(sizes)  # 1 and 1,000 items: a fixed cost and a marginal one
    producers = [suite(bench("trio", [[t]], Workload(producers=p, io=1e-3)))
                 for p, t in ((1, 1e-3), (4, 3e-4))]
    assert report.split(producers) is None  # more items, but because of more producers


# The tables as data: columns, rows, the choice of table, and choosing on the data.

def test_a_comparison_table_is_named_columns_and_rows_keyed_by_variant():
    found = suite(bench("sequential", [[10e-9], [12e-9], [11e-9]]),
                  bench("trio", [[1100e-9], [1000e-9], [1210e-9]]))
    table = report.comparison(found)
    assert table.kind == "comparison"
    assert table.names == ["variant", "model", "per item (median)", "95% interval of the mean",
                           "mean ± std dev", "ratio to sequential", "CPU per item",
                           "switches per item (vol. + invol.)", "peak RSS"]
    assert "".join(column.align for column in table.columns) == "llrrrrrrr"
    assert table.keys == ["sequential", "trio"]  # cheapest first
    assert table.rows[1].cells[:3] == ("trio", "trio", "1.10 µs")
    assert table.cell("trio", "ratio to sequential") == "100.0x"
    assert table.cell("sequential", "peak RSS") == "n/a"
    assert table.notes == ()  # no ties, a floor, no work, no GIL


def test_the_kind_of_report_follows_the_files():
    one = suite(bench("sequential", [[1e-8]]), bench("trio", [[1e-6]]))
    again = suite(bench("sequential", [[1e-8]]), bench("trio", [[2e-6]]))
    grown = suite(bench("sequential", [[1e-8]], Workload(items=20)))
    elsewhere = suite(bench("trio", [[1e-6]], capqueue_python="pypy-3.9.16"))
    assert report.kind([one]) == "comparison"
    assert report.kind([one, again], ["a.json", "b.json"]) == "repeat"
    assert report.kind([one, again], ["a.json", "b.json"], only="sweep") == "sweep"
    assert report.kind([one, grown]) == "sweep"
    assert report.kind([one, elsewhere]) == "matrix"
    assert [t.kind for t in report.tables([one, again], ["a.json", "b.json"])] == ["repeat"]
    # time and ratio; no change against CPython 3.11, which neither file was measured on
    assert [t.kind for t in report.tables([one, elsewhere])] == ["matrix"] * 2


def test_a_sweep_of_sizes_gives_its_sweep_and_its_split():
    sizes = [suite(bench("trio", [[t]], Workload(items=n))) for n, t in ((1, 1e-3), (1000, 2e-6))]
    assert [t.kind for t in report.tables(sizes)] == ["sweep", "split"]
    assert [t.kind for t in report.tables(sizes, only="sweep")] == ["sweep"]
    [split] = report.tables(sizes, only="split")
    assert split.title.startswith("Split from the smallest and largest runs")
    # a run of n items: about 1 ms + n x 1 µs (1 ms for 1 item, 2 ms for 1,000)
    assert split.rows[0].cells == ("trio", "trio", "999 µs", "n/a (one process)", "1.00 µs",
                                   "n/a (one process)")


def test_the_split_carries_the_two_runs_intervals_into_its_digits():
    def spread(t, d):
        return [[t - d], [t], [t + d]]
    sizes = [suite(bench("trio", spread(t, d), Workload(items=n)))
             for n, t, d in ((1, 1e-3, 2e-5), (1000, 2e-6, 1e-8))]
    [split] = report.tables(sizes, only="split")
    variant, model, fixed, fixed_interval, marginal, marginal_interval = split.rows[0].cells
    # the marginal cost is what both intervals allow: wide, since 1 item weighs little
    assert (fixed, fixed_interval) == ("1,000 µs", "950 to 1,050 µs")  # 999 ± 50: to tens
    assert (marginal, marginal_interval) == ("1.00 µs", "0.93 to 1.08 µs")


def test_rows_and_columns_are_chosen_on_the_data():
    points = [suite(bench("trio", [[1e-6]], Workload(capacity=c)),
                    bench("sequential", [[4e-8]], Workload(capacity=c))) for c in (1, 10)]
    table = report.sweep(points)
    assert table.names == ["variant", "ns/item, capacity 1", "peak RSS", "ns/item, capacity 10",
                           "peak RSS"]
    assert table.select(["trio"]).keys == ["trio"]
    assert table.select(["trio", "nobody"]).keys == ["trio"]
    narrow = table.without(["peak RSS"])  # every column of that name, one per point
    assert narrow.names == ["variant", "ns/item, capacity 1", "ns/item, capacity 10"]
    assert narrow.rows[0].cells == ("sequential", "40.0", "40.0")
    with pytest.raises(ValueError, match=r"^no column 'colour' to drop; the columns are "
                                         r"variant, ns/item, capacity 1, peak RSS, "):
        table.without(["colour"])
    assert table.rows == report.sweep(points).rows  # choosing made new tables


def test_render_prints_the_chosen_tables_title_table_then_notes():
    runs = [suite(bench("sequential", [[1e-8]]), bench("trio", [[t]])) for t in (2e-6, 2.3e-6)]
    parts = report.render(runs, markdown=True, sources=["a.json", "b.json"])
    assert parts[0][:2] == ["| variant | ratio, a.json | ratio, b.json | moved, b.json |",
                            "|---|---:|---:|---:|"]
    assert parts[0][3] == "| trio | 200.0x | 230.0x | +15% |"
    assert parts[1] == list(report.repeat(runs, ["a.json", "b.json"]).notes)
