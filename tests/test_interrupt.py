"""Ctrl-C during run or compare: stop promptly, keep every finished benchmark, leave no worker.

A real SIGINT goes to a real ``capqueue`` process, either to it alone (``kill -INT``) or to
its whole process group, as a terminal's Ctrl-C does.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import psutil
import pyperf
import pytest

from conftest import RAY, ROOT

QUICK = ["-p", "20", "-n", "1", "-w", "0", "--min-time", "0.01"]


def start(tmp_path, *args):
    """Start capqueue with a marker file that every pyperf worker's command line will carry."""
    marker = tmp_path / "interrupt_marker.py"
    shutil.copy(ROOT / "variants" / "sequential.py", marker)
    command = [sys.executable, "-m", "harness", *args, "--variant-path", str(marker), *QUICK]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    return child, str(marker)


def wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def workers_of(child):
    """The pyperf worker processes a capqueue process has started, and is running now."""
    try:
        return [p for p in psutil.Process(child.pid).children(recursive=True)
                if "worker" in p.cmdline()]
    except psutil.Error:  # the process, or one of its children, has just ended
        return []


@pytest.mark.parametrize(("command", "target"), [
    ("run", "process"), ("run", "group"),
    # compare checks every variant first (ray_queue's cluster included: seconds), so its own
    # path is proven once, with the signal sent the way a terminal's Ctrl-C sends it
    pytest.param("compare", "group", marks=pytest.mark.xdist_group("ray"))])
def test_sigint_keeps_finished_benchmarks(tmp_path, command, target, request):
    out = tmp_path / "results.json"
    args = [command, "-o", str(out)]
    if command == "run":
        args[1:1] = ["sequential", "generators", "threads"]
    else:  # every variant is checked first: ray_queue's on the suite's cluster, on few items
        args += ["--items", "200"]
        if RAY.ok:
            request.getfixturevalue("on_ray_cluster")
    child, _ = start(tmp_path, *args)
    wait_for(out.exists)  # the first benchmark is saved; the second is being timed
    wait_for(lambda: workers_of(child))  # a pyperf worker is running
    workers = workers_of(child)
    if target == "group":
        os.killpg(child.pid, signal.SIGINT)
    else:
        child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)

    assert child.returncode == 130, stdout + stderr
    assert f"the 1 benchmark(s) timed so far (" in stderr and f"are saved in {out}" in stderr
    assert len(pyperf.BenchmarkSuite.load(str(out)).get_benchmarks()) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    time.sleep(0.5)
    assert [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE] == [], \
        "a pyperf worker outlived the interrupted run"


def test_sigint_during_checks_saves_nothing_and_says_so(tmp_path):
    out = tmp_path / "results.json"
    child, _ = start(tmp_path, "run", "hangs", "-o", str(out), "--variant-path",
                     str(ROOT / "tests" / "broken" / "hangs.py"))
    time.sleep(2)  # the hanging variant is being checked
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 130
    assert "no benchmark had finished, so nothing was saved" in stderr
    assert not out.exists()
    assert [p for p in psutil.process_iter(["cmdline"])
            if "harness.checkrun" in " ".join(p.info["cmdline"] or []) and "hangs" in
            " ".join(p.info["cmdline"] or [])] == []
