"""Shared test plumbing: the variants to parametrize over, and the CLI run as a user runs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.registry import discover

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"


def pytest_generate_tests(metafunc):
    """Parametrize ``variant`` over every registered variant, installed ones included.

    A variant whose library (or program) is missing here is skipped with the reason; one
    that is broken is kept, so that its test fails and says why. On CI (``CI`` set) nothing
    is skipped: ``make test`` installs everything every variant needs, so an unavailable
    variant there is a set-up that went wrong, and its tests fail with the reason.
    """
    if "variant" in metafunc.fixturenames:
        params = []
        skip_unavailable = not os.environ.get("CI")
        for variant in discover():
            marks = ([pytest.mark.skip(reason=variant.problem)]
                     if variant.status == "unavailable" and skip_unavailable else [])
            params.append(pytest.param(variant, id=variant.name, marks=marks))
        metafunc.parametrize("variant", params)


def capqueue(*args, timeout=300, cwd=ROOT):
    """Run ``python -m harness ARGS`` in a subprocess; return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "harness", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def broken(name):
    """The path of a deliberately broken variant in tests/broken/."""
    path = BROKEN / f"{name}.py"
    assert path.is_file(), path
    return str(path)
