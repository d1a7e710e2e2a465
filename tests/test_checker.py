"""Each rule of the checker, proven to fail on a variant broken on purpose (tests/broken/)."""

import os
import re
import secrets
import signal
import subprocess
import sys

import psutil
import pytest

from harness import check
from harness.check import _end_everything, check_variant
from harness.leftovers import MARKER
from harness.registry import load_path
from harness.workload import Workload

from conftest import broken

RULES = [
    # (broken variant, the rule it breaks, what the first problem must say)
    ("loses_an_item", "no loss", "missing item 17 (producer 0's item 17)"),
    ("duplicates_an_item", "no duplicate", "duplicate item 4"),
    ("reorders", "order kept", "item 9 after item 10 at consumer 0"),
    ("unbounded", "cap respected", "queue depth reached at least 11 > capacity 10"),
    ("hangs", "no hang", "no answer in 3 s: hung after 100 of 100 items"),
    ("invents_items", "real hand-off", "processed item 1 before producer 0 took it"),
    ("passes_its_sentinel", "only items", "processed a value that is not an item"),
    ("leaves_a_thread", "nothing after return", "was still working after run() returned"),
    ("raises", "no error", "run() raised RuntimeError: out of patience"),
    ("crashes", "no crash", "the check process died (exit status 3)"),
    ("returns_a_coroutine", "run does the work", "run() returned a coroutine without running "
     "it: run must do the whole job before it returns"),
]


@pytest.mark.parametrize("name, rule, message", RULES, ids=[r[0] for r in RULES])
def test_broken_variant_fails_its_rule(name, rule, message):
    verdict = check_variant(load_path(broken(name)), Workload(items=100), timeout=3)
    assert not verdict.ok, f"the {rule!r} rule let {name} pass"
    assert message in verdict.problems[0], verdict.problems


def test_a_missing_io_wait_is_caught():
    verdict = check_variant(load_path(broken("ignores_the_wait")),
                            Workload(items=50, producers=2, io=0.002))
    assert not verdict.ok, "the 'producers wait' rule let ignores_the_wait pass"
    assert verdict.problems[0].startswith("producer 0 took an item every "), verdict.problems
    assert verdict.problems[0].endswith("less than its I/O wait of 2 ms: the wait is missing")


def test_the_same_variant_passes_with_no_wait_asked():
    verdict = check_variant(load_path(broken("ignores_the_wait")), Workload(items=50))
    assert verdict.ok, verdict.problems


def test_thread_left_running_is_reported():
    verdict = check_variant(load_path(broken("leaves_a_thread")), Workload(items=100))
    assert any("thread(s) still running" in p for p in verdict.problems), verdict.problems


def test_depth_rule_sees_overrun_with_several_consumers():
    # The bound allows one item in hand per consumer, and no more.
    workload = Workload(items=100, capacity=5, consumers=3)
    verdict = check_variant(load_path(broken("unbounded")), workload)
    assert "> capacity 5" in verdict.problems[0], verdict.problems


def test_order_is_per_producer_at_each_consumer():
    workload = Workload(items=50, capacity=4, producers=2)
    verdict = check_variant(load_path(broken("reorders")), workload)
    assert "order was not kept" in verdict.problems[0], verdict.problems


FAILURE_RULES = [
    # (broken variant, the rule it breaks, what the first problem must say)
    ("swallows_errors", "the error comes out", "did not come out of run(): it returned "
     "normally"),
    ("replaces_the_error", "the error comes out", "which raised RuntimeError: a worker failed "
     "instead"),
    ("hangs_on_failure", "shutdown ends", "did not shut down: still running 3 s after the "
     "failure injected in a sink at item 50"),
    ("slow_shutdown", "shutdown within 2 s", "shutdown took 2.5 s after the failure (limit 2 s)"),
    ("leaks_on_failure", "nobody left behind", "was still working after run() returned"),
]


@pytest.mark.parametrize("name, rule, message", FAILURE_RULES, ids=[r[0] for r in FAILURE_RULES])
def test_broken_shutdown_fails_its_rule(name, rule, message):
    verdict = check_variant(load_path(broken(name)), Workload(items=100),
                            failure=("sink", 50))
    assert not verdict.ok, f"the {rule!r} rule let {name} pass"
    assert message in verdict.problems[0], verdict.problems


def test_a_failing_variant_that_leaves_its_thread_blocked_is_reported():
    verdict = check_variant(load_path(broken("leaks_on_failure")), Workload(items=100),
                            failure=("sink", 50))
    assert any("thread(s) still running" in p for p in verdict.problems), verdict.problems


def test_a_greenlet_left_suspended_is_reported():
    verdict = check_variant(load_path(broken("leaks_a_greenlet")), Workload(items=100))
    assert "run() returned with 1 greenlet(s) still suspended, never ended" in verdict.problems


@pytest.mark.parametrize("name, where", [
    ("leaks_a_process", ": a fork of the check process"),  # a worker never joined
    ("leaves_a_helper", " in a session of its own: "),  # Popen(start_new_session=True)
    ("leaves_a_daemon", " in a session of its own: a fork"),  # its parent died: reparented
])
def test_processes_left_behind_are_reported_and_ended(name, where):
    verdict = check_variant(load_path(broken(name)), Workload(items=100))
    [problem] = [p for p in verdict.problems if "process(es) still running" in p]
    match = re.fullmatch(r"run\(\) returned with 1 child process\(es\) still running, which "
                         r"the check ended: pid (\d+)(.*)", problem)
    assert match and match[2].startswith(where), problem
    assert not _running(int(match[1])), f"{name}'s process is still running"


HANGS_WITH_A_HELPER = '''"""Starts a helper in a session of its own, then hangs."""
import subprocess, sys, threading
MODEL = "broken"
def run(sources, sinks, capacity, io):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                     start_new_session=True)
    threading.Event().wait()
'''


def test_a_hung_run_leaves_no_helper_behind(tmp_path):
    path = tmp_path / "hangs_with_a_helper.py"
    path.write_text(HANGS_WITH_A_HELPER)
    verdict = check_variant(load_path(str(path)), Workload(items=10), timeout=1)
    assert verdict.problems[0].startswith("no answer in 1 s"), verdict.problems
    [pid] = re.findall(r"--- pid (\d+) in a session of its own: ", verdict.debug)
    assert not _running(int(pid)), "the helper of a hung run is still running"


def test_a_process_that_escaped_the_tree_is_found_by_its_marker():
    # As where no subreaper can be had: a process out of the check's tree, with its marker.
    token = secrets.token_hex(8)
    escaped = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                               start_new_session=True, env={**os.environ, MARKER: token})
    child = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    child.wait()
    found = _end_everything(child, token)
    [described] = found
    assert described.startswith(f"pid {escaped.pid}: {sys.executable} -c import time"), found
    assert not _running(escaped.pid), "the escaped process is still running"


def _running(pid):
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_hang_after_the_failure_is_cut_short():
    # The time limit is 10 s, but once the failure is 3 s old there is no point waiting.
    verdict = check_variant(load_path(broken("hangs_on_failure")), Workload(items=100),
                            timeout=30, failure=("sink", 50))
    assert verdict.problems[0].startswith("did not shut down")


def test_a_wait_below_the_checks_resolution_is_said_unproven():
    # ignores_the_wait passes at 10 µs: the check's own cost per item hides the difference,
    # and the verdict says so rather than vouching for it.
    verdict = check_variant(load_path(broken("ignores_the_wait")), Workload(items=50, io=1e-5))
    assert verdict.ok
    assert verdict.notes == ["waits under 50 µs are not proven: the check's own cost per item "
                             "is of that order"]
    assert verdict.line().endswith("; waits under 50 µs are not proven: the check's own cost "
                                   "per item is of that order")


SLOW_SERVICE = '''"""Sequential, with a service that takes {delay} s to start and keeps a thread running."""
import contextlib, threading, time
MODEL = "broken"
@contextlib.contextmanager
def service():
    time.sleep({delay})
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, name="the service's own")
    helper.start()
    try:
        yield "ready"
    finally:
        stop.set()
        helper.join()
def run(sources, sinks, capacity, io, service):
    for source, sink in zip(sources, sinks):
        for item in source:
            sink(item)
'''


def test_the_time_limit_starts_once_the_service_is_ready_and_its_threads_are_not_the_runs(
        tmp_path):
    path = tmp_path / "slow_service.py"
    path.write_text(SLOW_SERVICE.format(delay=2))
    verdict = check_variant(load_path(str(path)), Workload(items=10), timeout=1)
    assert verdict.ok, verdict.problems


def test_a_service_never_ready_is_said_so(tmp_path, monkeypatch):
    monkeypatch.setattr(check, "SERVICE_LIMIT", 1.0)
    path = tmp_path / "slow_service.py"
    path.write_text(SLOW_SERVICE.format(delay=60))
    verdict = check_variant(load_path(str(path)), Workload(items=10), timeout=1)
    assert verdict.problems == ["its service was not ready after 1 s, so the run never started"]


SLOW_HAND_OFF = '''"""Sequential, 20 ms an item: slower than the check's limit allows for its items."""
import time
MODEL = "broken"
def run(sources, sinks, capacity, io):
    for source, sink in zip(sources, sinks):
        for item in source:
            time.sleep(0.02)
            sink(item)
'''


def test_at_the_default_limit_a_run_still_progressing_is_given_time_and_a_hang_is_not(
        tmp_path, monkeypatch):
    # A limit of 1 s for 3 s of items, each 20 ms after the last: STALL is far above that.
    monkeypatch.setattr(check, "time_limit", lambda workload: 1.0)
    monkeypatch.setattr(check, "STALL", 5.0)
    path = tmp_path / "slow_hand_off.py"
    path.write_text(SLOW_HAND_OFF)
    slow = check_variant(load_path(str(path)), Workload(items=150))
    assert slow.ok, slow.problems
    hung = check_variant(load_path(broken("hangs")), Workload(items=100))
    assert hung.problems[0].startswith("no answer in "), hung.problems
    assert hung.problems[0].endswith(" s: hung after 100 of 100 items were processed")
    limited = check_variant(load_path(str(path)), Workload(items=100), timeout=1)
    assert limited.problems[0].startswith("no answer in 1 s: hung after"), limited.problems


def test_a_process_gone_while_its_stacks_are_asked_for_is_not_an_error():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    process = psutil.Process(child.pid)
    child.kill()
    child.wait()
    assert check._catches(process, signal.SIGUSR1) is False
