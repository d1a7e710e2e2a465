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
