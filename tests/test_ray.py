"""Ray's queue as a model: the contract on a shared cluster, and a private cluster that leaves nothing.

``ray_queue``'s whole battery takes minutes (every actor is a process of its own), so the
conformance suite leaves it out and this file runs the cases that prove its contract: the
task, and a failure among several workers, on one cluster shared by the file (the reader's
path, ``CAPQUEUE_RAY_ADDRESS``, which also proves that nothing is started when it is given);
``capqueue conform ray_queue`` runs them all. The private cluster the harness starts is
proven to leave no process behind after a failed check, an interrupted run (which checks,
then times), and a ``SIGKILL`` of the process that holds it (its watchdog's job).

Each test that starts a private cluster runs capqueue in a temporary directory of its own,
which every process of the cluster inherits as its working directory: that tells them
apart from anyone else's.
"""

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from harness import conform, services
from harness.check import check_variant
from harness.cli import main
from harness.registry import load_path

from conftest import RAY, ROOT, needs_ray

pytestmark = [needs_ray, pytest.mark.xdist_group("ray")]
QUICK = ["-p", "20", "-n", "1", "-w", "0", "-l", "1"]
CASES = {case.id: case for case in conform.CASES}


def ray_processes(directory):
    """The live processes of Ray started from ``directory``, and the watchdog of its cluster."""
    found = []
    for process in psutil.process_iter(["cwd", "status", "cmdline"]):
        command = process.info["cmdline"] or [""]
        if process.info["cwd"] == str(directory) and process.info["status"] != \
                psutil.STATUS_ZOMBIE and (command[0].startswith("ray::") or any(
                    "site-packages/ray/" in word or word == "harness.watchdog"
                    for word in command)):
            found.append(process)
    return found


def timed_by_a_worker(process):
    """Whether ``process`` belongs to a cluster a pyperf worker started (not a check)."""
    try:
        return "worker" in process.parent().cmdline()
    except (psutil.Error, AttributeError):  # gone, or its parent is
        return False


def none_left(directory, within=5.0):
    """Whether every Ray process started from ``directory`` is gone, allowing a moment."""
    deadline = time.monotonic() + within
    while ray_processes(directory):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def start(directory, *args, env=None):
    """Start capqueue in ``directory``, in a session of its own, as a terminal would."""
    return subprocess.Popen([sys.executable, "-m", "harness", *map(str, args)], cwd=directory,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)


def wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


# The contract, on the shared cluster: the reader's path.

@pytest.mark.parametrize("case", ["notebook", "3x2-capacity-2-sink-at-middle"])
def test_ray_queue_keeps_the_contract_on_a_cluster_of_the_readers(on_ray_cluster, case):
    verdict = CASES[case].check(RAY)
    assert verdict.ok, verdict.problems + [verdict.debug]


def test_the_batched_alternative_loaded_by_path_reaches_rays_workers(on_ray_cluster):
    # Its functions travel by value: Ray's workers cannot import a file loaded by path.
    batched = load_path(ROOT / "docs" / "alternatives" / "ray_queue_batched.py")
    verdict = check_variant(batched, conform.SHAPES["notebook"])
    assert verdict.ok, verdict.problems + [verdict.debug]


JOINER = """
import json
from harness import measure, registry
with registry.find("ray_queue").ready() as ready:
    print(json.dumps([ready.metadata, ready.usage(), measure.libraries()]))
"""


def test_the_readers_cluster_is_joined_recorded_and_its_cpu_not_counted(
        tmp_path, on_ray_cluster):
    child = subprocess.Popen([sys.executable, "-c", JOINER], cwd=tmp_path, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = []
    while child.poll() is None:
        seen += ray_processes(tmp_path)
        time.sleep(0.05)
    stdout, stderr = child.communicate()
    assert child.returncode == 0, stderr
    assert not seen, "a Ray process was started though a cluster was given"
    metadata, usage, libraries = json.loads(stdout)
    import ray

    assert metadata == {"capqueue_ray_cluster": on_ray_cluster["CAPQUEUE_RAY_ADDRESS"],
                        "capqueue_ray_version": ray.__version__,
                        "capqueue_ray_cpu": "not measured: the cluster is yours, its "
                                            "processes not ours"}
    assert usage is None  # so a timed run records no CPU time (harness.measure)
    assert f"ray=={ray.__version__}" in libraries.split()
    # pyperf's workers get only the variables they are told of: these among them.
    assert set(on_ray_cluster) <= set(services.ENVIRON)


def test_list_says_how_to_use_a_cluster_of_the_readers(monkeypatch, capsys):
    def listed():
        assert main(["list"]) == 0
        [line] = [line for line in capsys.readouterr().out.splitlines()
                  if line.startswith("ray_queue ")]
        return line[line.index(" (ray: "):]

    assert listed() == (" (ray: a private local cluster, or yours at $CAPQUEUE_RAY_ADDRESS "
                        "(with RAY_AUTH_MODE=token and RAY_AUTH_TOKEN))")
    monkeypatch.setenv("CAPQUEUE_RAY_ADDRESS", "ray://head.example:10001")
    assert listed() == " (ray: yours at head.example:10001, from $CAPQUEUE_RAY_ADDRESS)"


# A private cluster leaves nothing.

def test_no_ray_process_survives_a_failed_check(tmp_path):
    child = start(tmp_path, "check", "ray_queue", "--items", 100, "--io", "10ms",
                  "--fail-in", "sink", "--fail-at", 50)
    seen = wait_for(lambda: ray_processes(tmp_path) or child.poll() is not None)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stdout + stderr
    assert seen is not True, "no Ray process was seen while the check ran: this proves nothing"
    assert none_left(tmp_path), "a Ray process outlived the check"


def test_no_ray_process_survives_an_interrupted_run(tmp_path):
    # The run checks first (a private cluster in the check's child, shut down as it ends),
    # then times: Ctrl-C reaches the group, and pyperf kills its worker with SIGKILL.
    child = start(tmp_path, "run", "ray_queue", "--items", 100, "--io", "10ms",
                  "-o", tmp_path / "out.json", *QUICK)
    wait_for(lambda: any(timed_by_a_worker(p) for p in ray_processes(tmp_path)))
    os.killpg(child.pid, signal.SIGINT)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stdout + stderr
    assert none_left(tmp_path), "a Ray process outlived the interrupted run"


HOLDER = """
import json, os, sys
import ray
from harness import services

@ray.remote(num_cpus=0)
class Busy:
    def spin(self):
        return sum(range(3_000_000))

with services.Ray().running() as running:
    before = running.usage()
    busy = Busy.remote()
    ray.get([busy.spin.remote() for _ in range(3)])
    print(json.dumps([before, running.usage(), os.environ["RAY_AUTH_TOKEN"]]), flush=True)
    input()
"""


def test_a_private_cluster_counts_its_cpu_and_dies_with_its_process_even_when_killed(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=tmp_path, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env={**os.environ, "HOME": str(home)})
    before, after, token = json.loads(holder.stdout.readline())
    assert after[0] + after[1] > before[0] + before[1], "the actor's CPU time was not counted"
    processes = ray_processes(tmp_path)
    assert any("raylet" in " ".join(p.info["cmdline"]) for p in processes)
    assert any(p.info["cmdline"][0].startswith("ray::") for p in processes), processes
    holder.kill()  # SIGKILL: no finally runs; only the watchdog can end the workers now
    holder.wait()
    assert none_left(tmp_path), "a Ray process outlived the process that started it"
    assert not (home / ".ray").exists(), "Ray wrote to the home folder"
    assert token not in " ".join(str(p) for p in home.rglob("*"))
