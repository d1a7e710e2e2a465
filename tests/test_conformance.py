"""Every registered variant does the same work, on every workload shape the study uses."""

import pytest

from harness.check import check_variant
from harness.workload import Workload

WORKLOADS = {
    "notebook": Workload(items=35, capacity=10),
    "default-shape": Workload(items=2_000),
    "capacity-1": Workload(items=300, capacity=1),
    "capacity-above-items": Workload(items=20, capacity=100),
    "3-producers-2-consumers": Workload(items=500, capacity=3, producers=3, consumers=2),
    "2-producers-4-consumers-capacity-1": Workload(items=200, capacity=1, producers=2,
                                                   consumers=4),
    "more-consumers-than-items": Workload(items=2, capacity=2, producers=1, consumers=5),
    "zero-items": Workload(items=0),
    "zero-items-several-workers": Workload(items=0, producers=3, consumers=2),
}


@pytest.mark.parametrize("workload", WORKLOADS.values(), ids=WORKLOADS.keys())
def test_variant_does_the_task(variant, workload):
    assert variant.ok, f"{variant.name} {variant.problem}"
    verdict = check_variant(variant, workload)
    assert verdict.ok, verdict.problems
    assert verdict.processed == workload.total
