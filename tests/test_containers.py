"""The notebook-timings benchmark times what it says: every pop pops, every benchmark runs."""

import subprocess
import sys

import pyperf

from harness.studies import containers

from conftest import ROOT


def test_every_operation_is_timed_in_one_pyperf_suite(tmp_path):
    out = tmp_path / "containers.json"
    result = subprocess.run([sys.executable, "-m", "harness", "containers",
                             "--debug-single-value", "-o", str(out)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    suite = pyperf.BenchmarkSuite.load(str(out))
    assert suite.get_benchmark_names() == list(containers.BENCHMARKS)
    assert {b.get_metadata()["inner_loops"] for b in suite.get_benchmarks()} == {containers.SIZE}


def test_the_time_functions_really_pop_everything():
    for name, time_func in containers.BENCHMARKS.items():
        assert time_func(2) > 0, name  # the pops assert that their container ends up empty
