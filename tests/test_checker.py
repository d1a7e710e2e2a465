"""Each rule of the checker, proven to fail on a variant broken on purpose (tests/broken/)."""

import pytest

from harness.check import check_variant
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


@pytest.mark.parametrize("name, message", [
    ("leaks_a_greenlet", "run() returned with 1 greenlet(s) still suspended, never ended"),
    ("leaks_a_process", "run() returned with 1 child process(es) still running"),
])
def test_workers_left_behind_are_reported(name, message):
    verdict = check_variant(load_path(broken(name)), Workload(items=100))
    assert message in verdict.problems, verdict.problems


def test_a_hang_after_the_failure_is_cut_short():
    # The time limit is 10 s, but once the failure is 3 s old there is no point waiting.
    verdict = check_variant(load_path(broken("hangs_on_failure")), Workload(items=100),
                            timeout=30, failure=("sink", 50))
    assert verdict.problems[0].startswith("did not shut down")
