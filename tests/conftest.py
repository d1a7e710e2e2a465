"""Shared test plumbing: the CLI run as a user runs it, and the broken variants.

The conformance tests get their variants and cases from capqueue's pytest plugin
(``harness/pytest_plugin.py``, loaded through its ``pytest11`` entry point).
"""

import os
import subprocess
import sys
from pathlib import Path

from harness import services

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"

# A reader's own server (CAPQUEUE_REDIS_URL) is not for the suite: its cases run side by side
# and would share it. The tests that prove that path start a server of their own for it.
for _name in services.ENVIRON:
    os.environ.pop(_name, None)


def capqueue(*args, timeout=300, cwd=ROOT):
    """Run ``python -m harness ARGS`` in a subprocess; return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "harness", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def broken(name):
    """The path of a deliberately broken variant in tests/broken/."""
    path = BROKEN / f"{name}.py"
    assert path.is_file(), path
    return str(path)
