"""A server a variant needs lives exactly as long as the runs that need it.

The ``redis`` variant starts a private redis-server in each process that runs it (the
check's child, every pyperf worker). None may survive a check, a failed check, a check
killed at its time limit, or an interrupted ``capqueue run``; and where the program is
missing, the variant is unavailable and every other variant still runs.

Each test runs capqueue in a temporary directory of its own, which the servers it starts
inherit as their working directory: that tells them apart from anyone else's on the machine.
"""

import os
import signal
import subprocess
import sys
import time

import psutil
import pyperf
import pytest

from harness.registry import find

REDIS = find("redis")
needs_redis = pytest.mark.skipif(REDIS.status == "unavailable" and not os.environ.get("CI"),
                                 reason=REDIS.problem)  # on CI, `make test` installed it
QUICK = ["-p", "20", "-n", "1", "-w", "0", "--min-time", "0.01"]


def servers(directory):
    """The redis-servers running (zombies aside) with ``directory`` as working directory."""
    return [p for p in psutil.process_iter(["name", "cwd", "status"])
            if p.info["name"] == "redis-server" and p.info["cwd"] == str(directory)
            and p.info["status"] != psutil.STATUS_ZOMBIE]


def none_left(directory, within=2.0):
    """Whether every server started from ``directory`` is gone, allowing the kernel a moment."""
    deadline = time.monotonic() + within
    while servers(directory):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def timed_by_a_worker(server):
    """Whether ``server`` was started by a pyperf worker (not by a check)."""
    try:
        return "worker" in server.parent().cmdline()
    except (psutil.Error, AttributeError):  # gone, or its parent is
        return False


def start(directory, *args):
    """Start capqueue in ``directory``, in a session of its own, as a terminal would."""
    return subprocess.Popen([sys.executable, "-m", "harness", *map(str, args)], cwd=directory,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


@needs_redis
@pytest.mark.parametrize("failure", [[], ["--fail-in", "sink", "--fail-at", 100]],
                         ids=["passing", "failing"])
def test_no_server_survives_a_check(tmp_path, failure):
    # 150 items with a 5 ms wait each: long enough to see the server while it runs
    child = start(tmp_path, "check", "redis", "--items", 150, "--io", "5ms", *failure)
    seen = wait_for(lambda: servers(tmp_path) or child.poll() is not None)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stdout + stderr
    assert seen is not True, "no server was seen while the check ran: this proves nothing"
    assert none_left(tmp_path), "a redis-server outlived the check"


@needs_redis
def test_no_server_survives_a_check_killed_at_its_time_limit(tmp_path):
    child = start(tmp_path, "check", "redis", "--items", 1_000_000, "--check-timeout", 2)
    wait_for(lambda: servers(tmp_path))
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 1 and "no answer in 2 s" in stdout, stdout + stderr
    assert none_left(tmp_path), "a redis-server outlived the check's process group"


@needs_redis
def test_a_timed_run_starts_its_server_outside_the_timer_and_leaves_none(tmp_path):
    out = tmp_path / "results.json"
    child = start(tmp_path, "run", "redis", "--items", 100, "--debug-single-value", "-o", out)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stdout + stderr
    assert [b.get_name() for b in pyperf.BenchmarkSuite.load(str(out)).get_benchmarks()] == [
        "redis"]
    assert none_left(tmp_path)


@needs_redis
@pytest.mark.parametrize("target", ["process", "group"])
def test_no_server_survives_an_interrupted_run(tmp_path, target):
    # SIGINT to capqueue alone: pyperf kills its worker with SIGKILL, and the kernel then
    # kills the worker's server (PR_SET_PDEATHSIG). To the group, as Ctrl-C in a terminal.
    child = start(tmp_path, "run", "redis", "--items", 200, "-o", tmp_path / "out.json", *QUICK)
    wait_for(lambda: any(timed_by_a_worker(s) for s in servers(tmp_path)))
    if target == "group":
        os.killpg(child.pid, signal.SIGINT)
    else:
        child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 130, stdout + stderr
    assert none_left(tmp_path), "a redis-server outlived the interrupted run"


def test_without_the_program_the_variant_is_unavailable_and_the_others_run(tmp_path):
    hidden = {**os.environ, "PATH": str(tmp_path)}  # a PATH with no program on it at all

    def capqueue(*args):
        return subprocess.run([sys.executable, "-m", "harness", *map(str, args)], env=hidden,
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)

    reason = "needs the program redis-server, which is not on PATH"
    listed = capqueue("list")
    assert listed.returncode == 0
    assert [line.split(None, 2)[2] for line in listed.stdout.splitlines()
            if line.startswith("redis ")] == [f"unavailable: {reason}"]
    refused = capqueue("check", "redis")
    assert (refused.returncode, refused.stderr) == (
        2, f"capqueue: variant 'redis' is unavailable: {reason}\n")
    assert all(" unavailable: " not in line or "which Python" in line  # newer-Python ones
               for line in listed.stdout.splitlines() if not line.startswith("redis "))
    others = capqueue("check", "processes", "mixed_loop", "--items", 5)
    assert others.returncode == 0, others.stdout + others.stderr
