"""capqueue's conformance suite as a pytest plugin: the battery of ``harness.conform`` run
over the variants a test suite names, its own included.

pytest loads this plugin wherever capqueue is installed (entry point group ``pytest11``),
and it stays idle until a test asks for the ``capqueue_case`` fixture. Such a test runs
once per variant and per case of ``harness.conform.CASES``; ``capqueue_case.check()``
fails it with the check's problems and the ``capqueue check`` command that runs the case
again. A package that ships variants (entry point group ``capqueue.variants``) tests them
with one file:

    import pytest

    pytestmark = pytest.mark.capqueue("my_variant")


    def test_the_capqueue_contract(capqueue_case):
        capqueue_case.check()

The marker ``capqueue(*names, paths=(), cases="all", exclude=())`` chooses the variants, by
their registered names or as files (``paths``), and the cases: ``"task"`` (every workload
shape), ``"failures"`` (every injected failure) or ``"all"``. With no marker, or one that
names no variant, every registered variant is run, but those ``exclude`` names (a variant
whose battery takes minutes, tested on a few cases elsewhere). A variant whose library (or
program) is missing here, named or not, is skipped, with the reason, and so is a case it
cannot run (socket waits, for a ``run`` that takes no ``connections``). On CI (``CI`` set
in the environment) only a variant that needs a newer Python than the one running is
skipped: there the set-up
installs every library and program, so any other unavailable variant is a set-up gone
wrong, and its tests fail with the reason.
"""

import os
from dataclasses import dataclass

import pytest

from harness import conform
from harness.registry import Variant, VariantError, discover, select

MARKER = "capqueue"
CASES = {"all": conform.CASES, "task": conform.TASK, "failures": conform.FAILURES}


@dataclass(frozen=True)
class Conformance:
    """One case of the battery for one variant: what a ``capqueue_case`` test checks."""

    variant: Variant
    case: conform.Case

    def check(self, timeout=None):
        """Check the case; fail the test with the problems found, else return the verdict."""
        if not self.variant.ok:
            pytest.fail(f"{self.variant.name} is {self.variant.status}: {self.variant.problem}",
                        pytrace=False)
        verdict = self.case.check(self.variant, timeout=timeout)
        if verdict.cannot_run is not None:  # socket waits, say, for a run() without connections
            pytest.skip(f"{self.variant.name} cannot run: {verdict.cannot_run}")
        if not verdict.ok:
            pytest.fail("\n".join([*verdict.problems, f"again: {self.case.command(self.variant)}",
                                   verdict.debug.rstrip()]), pytrace=False)
        return verdict


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{MARKER}(*names, paths=(), cases='all', exclude=()): the variants "
                   "(registered names, or files) and the cases ('task', 'failures' or 'all') "
                   "that tests using the capqueue_case fixture run; none named: every "
                   "registered variant but those excluded")


def pytest_generate_tests(metafunc):
    """Parametrize ``capqueue_case`` over the chosen variants and cases."""
    if "capqueue_case" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker(MARKER)
    names, options = (marker.args, marker.kwargs) if marker else ((), {})
    paths = [str(path) for path in options.get("paths", ())]
    cases = options.get("cases", "all")
    if cases not in CASES:
        pytest.fail(f"@pytest.mark.{MARKER}(cases={cases!r}): cases is one of "
                    f"{', '.join(map(repr, CASES))}", pytrace=False)
    try:
        variants = (select(list(names), paths, keep_unavailable=True) if names or paths
                    else discover())
    except VariantError as exc:
        pytest.fail(f"@pytest.mark.{MARKER}: {exc}", pytrace=False)
    params = []
    on_ci = bool(os.environ.get("CI"))
    excluded = set(options.get("exclude", ()))
    for variant in [v for v in variants if v.name not in excluded]:
        skipped = variant.status == "unavailable" and (variant.newer_python or not on_ci)
        marks = [pytest.mark.skip(reason=f"{variant.name} {variant.problem}")] if skipped else []
        params += [pytest.param(Conformance(variant, case), id=f"{variant.name}-{case.id}",
                                marks=marks) for case in CASES[cases]]
    metafunc.parametrize("capqueue_case", params, indirect=True)


@pytest.fixture
def capqueue_case(request):
    """One case of capqueue's conformance battery for one variant; ``.check()`` runs it."""
    return request.param
