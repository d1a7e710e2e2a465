"""This package's variant against the whole capqueue contract.

capqueue's pytest plugin (installed with capqueue) runs its conformance battery, every
workload shape and every injected failure, once per case, for the variants the marker names.
"""

import pytest

pytestmark = pytest.mark.capqueue("simplequeue")


def test_the_capqueue_contract(capqueue_case):
    capqueue_case.check()
