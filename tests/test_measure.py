"""The measuring session: resources per item, interleaved rounds, one variant per worker."""

import pyperf

from harness import report

from conftest import capqueue

QUICK = ["-w", "0", "-l", "1", "--min-time", "0.001"]


def test_each_run_records_cpu_time_and_context_switches(tmp_path):
    out = tmp_path / "run.json"
    result = capqueue("run", "threads", "generators", "--capacity", 1, "--items", 2000,
                      "-p", 2, "-n", 1, *QUICK, "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {r.variant: r for r in report.rows(pyperf.BenchmarkSuite.load(str(out)))}
    for row in rows.values():
        assert set(row.usage) == {"user_s", "system_s", "voluntary_switches",
                                  "involuntary_switches"}
        assert row.cpu > 0 and all(value >= 0 for value in row.usage.values())
    # Two OS threads at capacity 1 put each other to sleep on every item; a generator
    # coordinator never blocks. A count, not a time.
    assert rows["threads"].usage["voluntary_switches"] > 0.5
    assert rows["generators"].usage["voluntary_switches"] < 0.01


def test_interleaved_rounds_give_the_same_benchmarks(tmp_path):
    plain, interleaved = tmp_path / "plain.json", tmp_path / "rounds.json"
    for out, rounds in ((plain, 1), (interleaved, 3)):
        result = capqueue("run", "sequential", "generators", "--items", 200, "-p", 3, "-n", 2,
                          *QUICK, "--rounds", rounds, "-o", out)
        assert result.returncode == 0, result.stdout + result.stderr
    suites = [pyperf.BenchmarkSuite.load(str(path)) for path in (plain, interleaved)]
    assert suites[0].get_benchmark_names() == suites[1].get_benchmark_names()
    for name in suites[0].get_benchmark_names():
        a, b = (s.get_benchmark(name) for s in suites)
        assert len(a.get_runs()) == len(b.get_runs()) == 3
        assert len(a.get_values()) == len(b.get_values()) == 6
        same = ("capqueue_variant", "capqueue_items", "inner_loops", "loops")
        assert [a.get_metadata().get(k) for k in same] == [b.get_metadata().get(k) for k in same]


def test_progress_shows_each_round(tmp_path):
    result = capqueue("run", "sequential", "--items", 50, "-p", 2, "-n", 1, *QUICK,
                      "--rounds", 2, "-o", tmp_path / "r.json")
    assert "[1/2] sequential, round 1/2:" in result.stdout
    assert "[2/2] sequential, round 2/2:" in result.stdout
    assert "in 2 interleaved rounds" in result.stdout


def test_a_worker_imports_only_the_variant_it_times(tmp_path):
    # gevent turns the GIL back on in a free-threaded build: a worker timing another
    # variant must not import it. The worker records which modules it holds.
    out = tmp_path / "run.json"
    result = capqueue("run", "sequential", "--items", 50, "--debug-single-value", "-o", out)
    assert result.returncode == 0, result.stderr
    meta = pyperf.BenchmarkSuite.load(str(out)).get_benchmark("sequential").get_metadata()
    assert meta["capqueue_models_imported"] == "none"
