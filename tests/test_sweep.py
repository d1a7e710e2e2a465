"""Sweeps: a grid of workloads, resumed where it stopped, nothing measured twice."""

import os
import signal
import subprocess
import sys
import time

import pyperf
import pytest

from conftest import ROOT, capqueue

# A sequential variant that stalls at capacity 2 while CAPQUEUE_TEST_STALL is set: the
# sweep can then be interrupted during its second point, and resumed without the stall.
STALLS = '''"""Sequential, but stalls at capacity 2 while CAPQUEUE_TEST_STALL is set."""

import os
import time

MODEL = "test"


def run(sources, sinks, capacity, io):
    if capacity == 2 and os.environ.get("CAPQUEUE_TEST_STALL"):
        time.sleep(60)
    for source in sources:
        for item in source:
            sinks[0](item)
'''


def runs_per_benchmark(path):
    suite = pyperf.BenchmarkSuite.load(str(path))
    return {b.get_name(): len(b.get_runs()) for b in suite.get_benchmarks()}


def test_an_interrupted_sweep_resumes_and_measures_nothing_twice(tmp_path):
    variant = tmp_path / "stalls.py"
    variant.write_text(STALLS)
    out = tmp_path / "sweep.json"
    command = [sys.executable, "-m", "harness", "sweep", "--variant-path", str(variant),
               "--capacity", "1,2", "--items", "20", "--debug-single-value", "-o", str(out)]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env={**os.environ, "CAPQUEUE_TEST_STALL": "1"})
    deadline = time.monotonic() + 60
    while not out.exists():  # the first point is saved; the second one stalls in its check
        assert time.monotonic() < deadline and child.poll() is None, child.communicate()
        time.sleep(0.05)
    time.sleep(1)
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 130, stdout + stderr
    assert runs_per_benchmark(out) == {"stalls items=20 capacity=1": 1}

    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "resuming" in again.stdout
    point_1 = again.stdout.index("point 1/2")
    assert again.stdout[point_1:].splitlines()[1] == "  already measured: skipped"
    assert runs_per_benchmark(out) == {"stalls items=20 capacity=1": 1,
                                       "stalls items=20 capacity=2": 1}


def test_a_sweep_names_each_point_and_keeps_its_parameters(tmp_path):
    out = tmp_path / "sweep.json"
    result = capqueue("sweep", "sequential", "generators", "--producers", "1,2", "--io", "1ms",
                      "--items", 5, "--debug-single-value", "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    suite = pyperf.BenchmarkSuite.load(str(out))
    assert sorted(suite.get_benchmark_names()) == [
        "generators items=5 io=1ms", "generators items=5 producers=2 io=1ms",
        "sequential items=5 io=1ms", "sequential items=5 producers=2 io=1ms"]
    meta = suite.get_benchmark("generators items=5 producers=2 io=1ms").get_metadata()
    assert (meta["capqueue_producers"], meta["capqueue_io"]) == (2, 0.001)
    assert "producers 1: per item" in result.stdout and "efficiency" in result.stdout
    # the sweep is drawn beside its file: throughput against producers, with the ideal
    assert f"plots:    {tmp_path / 'sweep.svg'}, {tmp_path / 'sweep.png'}" in result.stdout
    assert (tmp_path / "sweep.png").stat().st_size > 10_000


def test_work_points_get_long_run_settings_unless_told_otherwise(tmp_path):
    result = capqueue("sweep", "sequential", "--io", "2ms", "--items", 60, "-p", 1,
                      "-o", tmp_path / "s.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "settings: 1 process x 1 value, no warm-up, 1 loop per value" in result.stdout


def test_the_time_left_counts_consumers_and_cores(monkeypatch):
    from harness import sweep
    from harness.measure import Task
    from harness.workload import Workload

    class Session:
        def settings(self, task):
            return {"processes": 1, "values": 1, "warmups": 0}

    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def guess(consumers):
        work = Workload(items=10_000, consumers=consumers, cpu=100e-6)  # 1 s of CPU work
        return sweep.guess(Session(), Task("t", None, work))

    # the CPU work spread over min(consumers, cores): two consumers halve it, four do not
    # halve it again on two cores
    assert guess(1) - sweep.WORKER_START == pytest.approx(1.0)
    assert guess(2) - sweep.WORKER_START == pytest.approx(0.5)
    assert guess(4) == guess(2)
