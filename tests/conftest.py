"""Shared test plumbing: the CLI run as a user runs it, the broken variants, and one Ray
cluster for the tests that can share it.

The conformance tests get their variants and cases from capqueue's pytest plugin
(``harness/pytest_plugin.py``, loaded through its ``pytest11`` entry point).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import services
from harness.registry import find

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


# One Ray cluster for the tests that need one but not a private one: starting a cluster
# takes seconds, and each check or timed run would start its own. A helper process enters
# the Ray service, as a check's child does, and holds it until its standard input closes;
# the tests that use it run in one pytest-xdist group ("ray", with --dist loadgroup), so
# that one worker starts it, once.

RAY = find("ray_queue")
needs_ray = pytest.mark.skipif(RAY.status == "unavailable" and not os.environ.get("CI"),
                               reason=f"ray_queue {RAY.problem}")  # on CI, ray is installed
KEEPER = """
import os, sys
from harness import services
with services.Ray().running() as running:
    print(running.address, os.environ["RAY_AUTH_TOKEN"], flush=True)
    sys.stdin.read()
"""


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory):
    """A Ray cluster of "the reader's": the variables that name it and let a process join."""
    keeper = subprocess.Popen([sys.executable, "-c", KEEPER], cwd=tmp_path_factory.mktemp("ray"),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = keeper.stdout.readline().split()
    assert len(line) == 2, f"the kept Ray cluster did not start (exit status {keeper.poll()})"
    address, token = line
    # Kept on loopback, as every private cluster: a process joins it on loopback too.
    yield {services.Ray.environ: address, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": token,
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    keeper.stdin.close()
    try:
        keeper.wait(60)
    except subprocess.TimeoutExpired:  # its watchdog ends the cluster with it
        keeper.kill()
        keeper.wait()


@pytest.fixture
def on_ray_cluster(ray_cluster, monkeypatch):
    """The shared cluster, named in this test's environment (so in every process it starts)."""
    for name, value in ray_cluster.items():
        monkeypatch.setenv(name, value)
    return ray_cluster
