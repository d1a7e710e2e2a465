"""Scale: points a machine cannot run are results; each run's memory and start-up recorded."""

import json
import os
import resource
import subprocess
import sys
from types import SimpleNamespace

import pyperf

from conftest import ROOT, capqueue
from harness import limits, plot, registry, report, results
from harness.workload import Workload

from test_report import bench, suite

# A machine with room for 50 threads by its memory maps, and the harness's caps.
SMALL = limits.Machine(threads_max=10_000, pid_max=32_768, tasks=300, max_map_count=1_000,
                       maps=594, user_tasks=None, open_files=1_024, ports=28_232,
                       memory=24 * 2**30, caps={"process": 200, "interpreter": 200})


def test_a_point_past_the_machines_limits_says_which_limit_in_one_sentence():
    threads, asyncio, processes = (registry.find(name)
                                   for name in ("threads", "asyncio", "processes"))
    assert limits.cannot_run(threads, Workload(producers=49), SMALL) is None
    assert limits.cannot_run(threads, Workload(producers=50), SMALL) == (
        "51 threads (threads starts one per producer, its consumers counted too) are more "
        "than one run may start here: they need about 153 memory maps and vm.max_map_count "
        "allows 1,000 per process (about 50 threads)")
    assert limits.cannot_run(asyncio, Workload(producers=100_000), SMALL) is None
    reason = limits.cannot_run(processes, Workload(producers=200), SMALL)
    assert reason.startswith("201 processes (processes starts one per producer") and \
        "the harness runs at most 200 processes in one run" in reason
    # one connection per producer takes a file descriptor (once socket waits exist)
    sockets = SimpleNamespace(producers=1_000, consumers=1, io_kind="socket")
    assert limits.cannot_run(asyncio, sockets, SMALL).endswith(
        "this process may open 1,024 (ulimit -n, raised to its hard limit)")


def test_a_run_that_ran_out_of_something_cannot_run_rather_than_fails():
    assert limits.ran_out("run() raised RuntimeError: can't start new thread") == (
        "the machine ran out of a resource in the check: run() raised RuntimeError: can't "
        "start new thread")
    assert limits.ran_out("run() raised OSError: [Errno 24] Too many open files")
    assert limits.ran_out("missing item 17 (producer 0's item 17): no consumer processed it") \
        is None


def test_points_that_cannot_run_are_kept_in_the_file_and_read_as_rows(tmp_path):
    path = tmp_path / "r.json"
    entry = {"name": "threads producers=9", "capqueue_variant": "threads",
             "capqueue_model": "threads", **Workload(producers=9).as_metadata(),
             results.CANNOT_RUN: "9 threads are too many", "cpu_count": 2}
    results.save(results.add_cannot_run(None, entry), path)  # no benchmark yet
    alone = results.load(path)
    assert report.rows(alone) == [] and [report.cannot_run(r) for r in
                                         report.rows(alone, cannot_run=True)] == [
        "9 threads are too many"]
    both = results.add(alone, bench("asyncio", [[1e-6]], Workload(producers=9)))
    results.save(both, path)
    assert pyperf.BenchmarkSuite.load(str(path)).get_benchmark_names() == [
        "asyncio producers=9"]  # pyperf reads the file and passes the entries over
    loaded = results.load(path)
    assert [r.variant for r in report.rows(loaded)] == ["asyncio"]  # as ever
    rows = report.rows(loaded, cannot_run=True)
    assert [(r.variant, report.cannot_run(r)) for r in rows] == [
        ("asyncio", None), ("threads", "9 threads are too many")]
    [table] = report.tables([loaded])
    assert table.cell("threads", "per item (median)") == "cannot run"
    assert "threads cannot run here: 9 threads are too many." in table.notes


def test_a_producers_sweep_gives_memory_per_producer_and_marks_what_cannot_run(tmp_path):
    def at(producers, peak, startup):  # two pyperf processes, as a run records them
        return bench("threads", [[1e-3], [1e-3]], Workload(producers=producers, io=1e-3),
                     capqueue_startup_s=startup, capqueue_startup_median_s=startup / 2,
                     capqueue_base_rss=20 * 2**20, capqueue_peak_rss=peak)
    sweep_ = suite(at(1, 30 * 2**20, 1e-3), at(101, 30 * 2**20 + 100 * 16384, 0.1))
    results.add_cannot_run(sweep_, {"name": "threads producers=30001",
                                    "capqueue_variant": "threads",
                                    **Workload(producers=30_001, io=1e-3).as_metadata(),
                                    results.CANNOT_RUN: "too many threads"})
    tables = {t.kind: t for t in report.tables([sweep_])}
    assert tables["memory"].cell("threads", "RSS per producer (slope)") == "16 KiB"
    assert tables["memory"].cell("threads", "peak RSS, 30,001 producers") == "cannot run"
    assert tables["startup"].cell("threads", "101 producers") == "100 ms / 50 ms"
    # the reason is said once, under the first table
    assert sum(n.startswith("threads cannot run") for t in tables.values() for n in t.notes) == 1
    found = report.points([sweep_])
    assert plot._unrunnable(found, "producers") == {"threads": [(30_001, "too many threads")]}
    assert [p.name for p in plot.memory([sweep_], tmp_path / "m")] == ["m.svg", "m.png"]


def test_a_sweep_resumes_past_a_point_that_cannot_run_and_records_each_runs_memory(tmp_path):
    out = tmp_path / "sweep.json"
    command = [sys.executable, "-m", "harness", "sweep", "processes", "--producers", "2,4",
               "--items", "3", "--debug-single-value", "-o", str(out)]
    env = {**os.environ, "CAPQUEUE_MAX_PROCESSES": "4"}  # 2 producers and 1 consumer fit
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env,
                           timeout=120)
    assert first.returncode == 0, first.stdout + first.stderr
    assert ("skip  processes  cannot run: 5 processes (processes starts one per producer, "
            "its consumers counted too) are more than one run may start here: the harness "
            "runs at most 4 processes in one run (CAPQUEUE_MAX_PROCESSES)") in first.stdout
    assert json.loads(out.read_text())[results.CANNOT_RUN][0]["name"] == \
        "processes items=3 producers=4"
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env,
                           timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("  already measured: skipped") == 2
    [row] = report.rows(results.load(out))
    assert row.rss_measure == "run" and row.peaks[0] > row.bases[0] > 10 * 2**20
    # the first takes of forked producers reached the parent: the second took later
    assert row.startup > row.startup_median > 0
    shown = capqueue("report", out)
    assert "processes cannot run at producers 4: 5 processes" in shown.stdout


def test_a_limit_the_prediction_misses_is_caught_by_the_check(tmp_path):
    # Room for about a hundred 8 MiB thread stacks: the 400 threads fail to start.
    room = 1000 * 2**20
    result = subprocess.run(
        [sys.executable, "-m", "harness", "check", "threads", "--producers", "400", "--items",
         "1"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (room, room)))
    assert result.returncode == 1, result.stdout + result.stderr  # nothing was checked
    assert ("skip  threads  cannot run: the machine ran out of a resource in the check: "
            "run() raised RuntimeError: can't start new thread") in result.stdout
