"""capqueue conform and the pytest plugin: the whole contract on one variant, one battery."""

import os
import subprocess
import sys

from harness import conform

from conftest import ROOT, broken, capqueue


def test_the_battery_is_every_shape_and_every_failure():
    assert [case.workload for case in conform.TASK] == list(conform.SHAPES.values())
    assert any(case.workload.io for case in conform.TASK)
    assert any(case.workload.sockets for case in conform.TASK)
    assert any(case.workload.cpu for case in conform.TASK)
    assert len(conform.FAILURES) == 12  # 2 topologies x sink, source x first, middle, last
    assert {case.workload.consumers for case in conform.FAILURES} == {1, 2}


def test_conform_prints_one_line_per_check_and_a_verdict():
    result = capqueue("conform", "--variant-path", broken("swallows_errors"), "--jobs", 2)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("conform swallows_errors (")
    assert lines[0].endswith("): the whole variant contract, 26 checks")
    checks = [line for line in lines[1:-1] if not line.startswith(" ")]
    assert len(checks) == 26
    assert [line.split()[:2] for line in checks[:2]] == [["ok", "is"], ["ok", "does"]]
    failing = [line for line in checks if line.startswith("FAIL")]
    ids = {case.id for case in conform.CASES}
    assert [next(word for word in line.split() if word in ids) for line in failing] == [
        "io-wait", "io-and-cpu-2x2", "1x1-sink-at-first", "1x1-sink-at-middle",
        "1x1-sink-at-last", "3x2-capacity-2-sink-at-first", "3x2-capacity-2-sink-at-middle",
        "3x2-capacity-2-sink-at-last"]
    assert failing[2].endswith("the failure injected in a sink at item 1 did not come out of "
                               "run(): it returned normally")
    again = lines[lines.index(failing[2]) + 1].strip()
    assert again == (f"again: capqueue check --variant-path {broken('swallows_errors')} "
                     "--items 300 --fail-in sink --fail-at 1")
    # its run() takes no connections: the socket case is not run, and not held against it
    [socket] = [line for line in checks if "socket-wait" in line]
    assert socket.split()[0] == "skip" and socket.endswith(
        "cannot run: its run() takes no connections, so it cannot wait on sockets (socket "
        "waits need run(..., connections=None))")
    assert lines[-1] == ("verdict: swallows_errors does NOT conform: 8 of 25 checks failed "
                         "(io-wait, io-and-cpu-2x2, 1x1-sink-at-first, 1x1-sink-at-middle, "
                         "1x1-sink-at-last, 3x2-capacity-2-sink-at-first, "
                         "3x2-capacity-2-sink-at-middle, 3x2-capacity-2-sink-at-last), 1 it "
                         "cannot run (socket-wait)")


PLUGIN_TEST = '''
import pytest

pytestmark = pytest.mark.capqueue(paths=[{path!r}], cases="failures")


def test_contract(capqueue_case):
    capqueue_case.check()
'''


def test_the_pytest_plugin_runs_the_battery_over_the_variants_a_suite_names(tmp_path):
    (tmp_path / "test_theirs.py").write_text(PLUGIN_TEST.format(path=broken("swallows_errors")))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--rootdir", str(tmp_path), str(tmp_path)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "6 failed, 6 passed" in result.stdout
    failed = "FAILED test_theirs.py::test_contract[swallows_errors-1x1-sink-at-middle]"
    assert failed in result.stdout
    assert ("the failure injected in a sink at item 150 did not come out of run(): it returned "
            "normally") in result.stdout
    assert f"again: capqueue check --variant-path {broken('swallows_errors')}" in result.stdout


def test_on_ci_the_plugin_skips_only_a_variant_that_needs_a_newer_python(tmp_path):
    for name, line in [("from_the_future", "import concurrent.no_such_module\n"),
                       ("not_installed", "import no_such_library_for_capqueue\n")]:
        (tmp_path / f"{name}.py").write_text(line)
    paths = [str(tmp_path / "from_the_future.py"), str(tmp_path / "not_installed.py")]
    (tmp_path / "test_theirs.py").write_text(
        PLUGIN_TEST.replace("paths=[{path!r}]", f"paths={paths!r}"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                             "--rootdir", str(tmp_path), str(tmp_path)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CI": "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "12 failed, 12 skipped" in result.stdout  # 12 failure cases each
    assert "from_the_future needs concurrent.no_such_module, which Python" in result.stdout
    assert "not_installed is unavailable: needs no_such_library_for_capqueue" in result.stdout
