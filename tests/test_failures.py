"""Every variant shuts down cleanly when a source or a sink fails, wherever the failure is.

The injected error must come out of run(), every other worker must stop (no thread, task,
greenlet or process left running), and run() must return within 2 seconds of the failure.
"""

import pytest

from harness.check import check_variant
from harness.workload import Workload

TOPOLOGIES = {
    "1x1": Workload(items=300, capacity=10),
    "3x2-capacity-2": Workload(items=200, capacity=2, producers=3, consumers=2),
}


def positions(workload):
    """Early, in the middle, and at the very last item of the run."""
    return {"first": 1, "middle": workload.total // 2, "last": workload.total}


CASES = [(topology, place, where)
         for topology in TOPOLOGIES for place in ("sink", "source")
         for where in ("first", "middle", "last")]


@pytest.mark.parametrize("topology, place, where", CASES,
                         ids=[f"{t}-{p}-at-{w}" for t, p, w in CASES])
def test_variant_shuts_down_cleanly_on_failure(variant, topology, place, where):
    assert variant.ok, f"{variant.name} {variant.problem}"
    workload = TOPOLOGIES[topology]
    item = positions(workload)[where]
    verdict = check_variant(variant, workload, failure=(place, item))
    assert verdict.ok, verdict.problems
    assert verdict.shutdown_seconds is not None and verdict.shutdown_seconds <= 2
