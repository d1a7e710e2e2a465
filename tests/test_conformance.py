"""Every registered variant does the same work, on every workload shape the study uses,
with and without work per item (an I/O wait at each producer, CPU work at each consumer).

The shapes are the "task" cases of ``harness/conform.py``, which ``capqueue conform`` runs
too; they reach this test through capqueue's own pytest plugin (``harness/pytest_plugin.py``),
as they reach a package that tests its own variants.
"""

import pytest

# ray_queue's cases take minutes (a process per actor): tests/test_ray.py runs those that
# prove its contract, and `capqueue conform ray_queue` all of them.
pytestmark = pytest.mark.capqueue(cases="task", exclude=["ray_queue"])


def test_variant_does_the_task(capqueue_case):
    capqueue_case.check()
