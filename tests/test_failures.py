"""Every variant shuts down cleanly when a source or a sink fails, wherever the failure is.

The injected error must come out of run(), every other worker must stop (no thread, task,
greenlet or process left running), and run() must return within 2 seconds of the failure:
at the first, the middle and the last item, in a sink and in a source, with one producer
and one consumer and with several. The cases are the "failures" of ``harness/conform.py``,
run through capqueue's own pytest plugin, like ``test_conformance.py``.
"""

import pytest

# ray_queue's cases take minutes (a process per actor): tests/test_ray.py runs those that
# prove its contract, and `capqueue conform ray_queue` all of them.
pytestmark = pytest.mark.capqueue(cases="failures", exclude=["ray_queue"])


def test_variant_shuts_down_cleanly_on_failure(capqueue_case):
    capqueue_case.check()
