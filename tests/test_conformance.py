"""Every registered variant does the same work, on every workload shape the study uses,
with and without work per item (an I/O wait at each producer, CPU work at each consumer)."""

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
    # 1 ms: uvloop rounds every timer to whole milliseconds, so it cannot wait 0.5 ms at all
    "io-wait": Workload(items=40, capacity=2, producers=3, io=0.001),
    "cpu-work": Workload(items=200, capacity=5, consumers=2, cpu=0.00002),
    "io-and-cpu-2x2": Workload(items=30, capacity=1, producers=2, consumers=2, io=0.001,
                               cpu=0.00002),
}
CPU_LOOPS = 400  # a fixed count: the rules do not depend on how long the work takes


@pytest.mark.parametrize("workload", WORKLOADS.values(), ids=WORKLOADS.keys())
def test_variant_does_the_task(variant, workload):
    assert variant.ok, f"{variant.name} {variant.problem}"
    verdict = check_variant(variant, workload, cpu_loops=CPU_LOOPS if workload.cpu else 0)
    assert verdict.ok, verdict.problems
    assert verdict.processed == workload.total
