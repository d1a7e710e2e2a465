"""Shared test plumbing: the variants to parametrize over, and the CLI run as a user runs it."""

import subprocess
import sys
from pathlib import Path

import pytest

from harness.registry import discover

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"


def pytest_generate_tests(metafunc):
    """Parametrize ``variant`` over every registered variant, installed ones included.

    A variant whose library is missing here is skipped with the reason; one that is broken
    is kept, so that its test fails and says why.
    """
    if "variant" in metafunc.fixturenames:
        params = []
        for variant in discover():
            marks = ([pytest.mark.skip(reason=variant.problem)]
                     if variant.status == "unavailable" else [])
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
