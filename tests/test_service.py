"""A server a variant needs lives exactly as long as the runs that need it, or is the reader's.

The harness starts the ``redis`` variant's service, a private redis-server, in each process
that runs it (the check's child, every pyperf worker). None may survive a check, a failed
check, a check killed at its time limit, or an interrupted ``capqueue run``; and where the
program is missing, the variant is unavailable and every other variant still runs. With
``CAPQUEUE_REDIS_URL`` set, the harness starts no server at all: it uses the one named, which
here is a second private redis-server the test starts as "the reader's", and every benchmark
records it.

Each test runs capqueue in a temporary directory of its own, which the servers it starts
inherit as their working directory: that tells them apart from anyone else's on the machine.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pyperf
import pytest
import redis

from harness import services
from harness.cli import main
from harness.registry import find

REDIS = find("redis")
needs_redis = pytest.mark.skipif(REDIS.status == "unavailable" and not os.environ.get("CI"),
                                 reason=REDIS.problem)  # on CI, `make test` installed it
QUICK = ["-p", "20", "-n", "1", "-w", "0", "--min-time", "0.01"]


def servers(directory):
    """The redis-servers running (zombies aside) with ``directory`` as working directory."""
    return [p for p in psutil.process_iter(["name", "cwd", "status"])
            if p.info["name"] == "redis-server" and p.info["cwd"] == str(directory)
            and p.info["status"] != psutil.STATUS_ZOMBIE]


def none_left(directory, within=2.0):
    """Whether every server started from ``directory`` is gone, allowing the kernel a moment."""
    deadline = time.monotonic() + within
    while servers(directory):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def timed_by_a_worker(server):
    """Whether ``server`` was started by a pyperf worker (not by a check)."""
    try:
        return "worker" in server.parent().cmdline()
    except (psutil.Error, AttributeError):  # gone, or its parent is
        return False


def start(directory, *args, env=None):
    """Start capqueue in ``directory``, in a session of its own, as a terminal would."""
    return subprocess.Popen([sys.executable, "-m", "harness", *map(str, args)], cwd=directory,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


@needs_redis
@pytest.mark.parametrize("failure", [[], ["--fail-in", "sink", "--fail-at", 100]],
                         ids=["passing", "failing"])
def test_no_server_survives_a_check(tmp_path, failure):
    # 150 items with a 5 ms wait each: long enough to see the server while it runs
    child = start(tmp_path, "check", "redis", "--items", 150, "--io", "5ms", *failure)
    seen = wait_for(lambda: servers(tmp_path) or child.poll() is not None)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stdout + stderr
    assert seen is not True, "no server was seen while the check ran: this proves nothing"
    assert none_left(tmp_path), "a redis-server outlived the check"


@needs_redis
def test_no_server_survives_a_check_killed_at_its_time_limit(tmp_path):
    child = start(tmp_path, "check", "redis", "--items", 1_000_000, "--check-timeout", 2)
    wait_for(lambda: servers(tmp_path))
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 1 and "no answer in 2 s" in stdout, stdout + stderr
    assert none_left(tmp_path), "a redis-server outlived the check's process group"


@needs_redis
def test_a_timed_run_starts_its_server_outside_the_timer_and_leaves_none(tmp_path):
    out = tmp_path / "results.json"
    child = start(tmp_path, "run", "redis", "--items", 100, "--debug-single-value", "-o", out)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stdout + stderr
    [bench] = pyperf.BenchmarkSuite.load(str(out)).get_benchmarks()
    assert bench.get_name() == "redis"
    assert bench.get_metadata()["capqueue_redis_server"] == "private"
    assert none_left(tmp_path)


@needs_redis
@pytest.mark.parametrize("target", ["process", "group"])
def test_no_server_survives_an_interrupted_run(tmp_path, target):
    # SIGINT to capqueue alone: pyperf kills its worker with SIGKILL, and the kernel then
    # kills the worker's server (PR_SET_PDEATHSIG). To the group, as Ctrl-C in a terminal.
    child = start(tmp_path, "run", "redis", "--items", 200, "-o", tmp_path / "out.json", *QUICK)
    wait_for(lambda: any(timed_by_a_worker(s) for s in servers(tmp_path)))
    if target == "group":
        os.killpg(child.pid, signal.SIGINT)
    else:
        child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 130, stdout + stderr
    assert none_left(tmp_path), "a redis-server outlived the interrupted run"


def test_without_the_program_the_variant_is_unavailable_and_the_others_run(tmp_path):
    hidden = {**os.environ, "PATH": str(tmp_path)}  # a PATH with no program on it at all

    def capqueue(*args):
        return subprocess.run([sys.executable, "-m", "harness", *map(str, args)], env=hidden,
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)

    reason = ("needs the program redis-server, which is not on PATH (or set CAPQUEUE_REDIS_URL "
              "to use a server of yours)")
    listed = capqueue("list")
    assert listed.returncode == 0
    assert [line.split(None, 2)[2] for line in listed.stdout.splitlines()
            if line.startswith("redis ")] == [f"unavailable: {reason}"]
    refused = capqueue("check", "redis")
    assert (refused.returncode, refused.stderr) == (
        2, f"capqueue: variant 'redis' is unavailable: {reason}\n")
    assert all(" unavailable: " not in line or "which Python" in line  # newer-Python ones
               for line in listed.stdout.splitlines() if not line.startswith("redis "))
    others = capqueue("check", "processes", "mixed_loop", "--items", 5)
    assert others.returncode == 0, others.stdout + others.stderr


@needs_redis
def test_list_names_the_variable_that_gives_the_readers_own_server(monkeypatch, capsys):
    def listed():
        assert main(["list"]) == 0
        [line] = [line for line in capsys.readouterr().out.splitlines()
                  if line.startswith("redis ")]
        return line[line.rindex(" ("):]

    assert listed() == " (redis: a private redis-server, or yours at $CAPQUEUE_REDIS_URL)"
    monkeypatch.setenv("CAPQUEUE_REDIS_URL", "redis://me:secret@broker.example:7000/2")
    assert listed() == " (redis: yours at broker.example:7000, from $CAPQUEUE_REDIS_URL)"


# The reader's own server: a second private redis-server, started by the test.

@pytest.fixture
def readers_server(tmp_path_factory):
    """A redis-server of "the reader's", in a directory of its own: (its URL, its process)."""
    home = tmp_path_factory.mktemp("readers")
    port = services.free_port()
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                               "--save", "", "--appendonly", "no"], cwd=home,
                              stdout=subprocess.DEVNULL, preexec_fn=services.die_with(os.getpid()))
    url = f"redis://127.0.0.1:{port}/3"
    client = redis.Redis.from_url(url)
    wait_for(lambda: answers(client), timeout=10)
    yield url, client
    client.close()
    server.terminate()
    server.wait(10)


def answers(client):
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def connections(client):
    """How many connections the server has taken since it started."""
    return client.info("stats")["total_connections_received"]


def watched(child, directory):
    """Wait for ``child`` to end; return whether a redis-server from ``directory`` was seen."""
    seen = False
    while child.poll() is None:
        seen = seen or bool(servers(directory))
        time.sleep(0.02)
    return seen


@needs_redis
@pytest.mark.parametrize("failure", [[], ["--fail-in", "sink", "--fail-at", 5]],
                         ids=["passing", "failing"])
def test_a_check_uses_the_readers_server_and_starts_none(tmp_path, readers_server, failure):
    url, client = readers_server
    # No redis-server on PATH: the variant is available through the reader's server alone.
    env = {**os.environ, "CAPQUEUE_REDIS_URL": url, "PATH": str(tmp_path)}
    before = connections(client)
    child = start(tmp_path, "check", "redis", "--items", 200, *failure, env=env)
    assert not watched(child, tmp_path), "a redis-server was started though one was given"
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stdout + stderr
    assert stdout.splitlines()[1].startswith("ok    redis"), stdout
    assert connections(client) > before + 2, "the check did not use the reader's server"
    assert none_left(tmp_path) and answers(client)  # nothing of ours left; theirs still up


@needs_redis
def test_a_timed_run_records_the_readers_server_and_starts_none(tmp_path, readers_server):
    url, client = readers_server
    out = tmp_path / "results.json"
    env = {**os.environ, "CAPQUEUE_REDIS_URL": url}  # pyperf's workers must inherit it
    child = start(tmp_path, "run", "redis", "--items", 100, "--debug-single-value", "-o", out,
                  env=env)
    assert not watched(child, tmp_path), "a redis-server was started though one was given"
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stdout + stderr
    [bench] = pyperf.BenchmarkSuite.load(str(out)).get_benchmarks()
    metadata = bench.get_metadata()
    port = client.connection_pool.connection_kwargs["port"]
    assert (metadata["capqueue_redis_server"], metadata["capqueue_redis_version"]) == (
        f"127.0.0.1:{port}", client.info("server")["redis_version"])
    assert none_left(tmp_path) and answers(client)


@needs_redis
def test_an_interrupted_run_on_the_readers_server_leaves_nothing(tmp_path, readers_server):
    url, client = readers_server
    env = {**os.environ, "CAPQUEUE_REDIS_URL": url}
    child = start(tmp_path, "run", "redis", "--items", 200, "-o", tmp_path / "out.json",
                  *QUICK, env=env)
    wait_for(lambda: any(timed_by_a_worker(c) for c in clients(child)))  # a worker is timing
    os.killpg(child.pid, signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 130, stdout + stderr
    assert none_left(tmp_path) and answers(client)
    # Every process of the run is gone, so is every connection but the test's own.
    wait_for(lambda: len(client.client_list()) == 1, timeout=5)


def clients(child):
    """The processes below a worker of ``child``: its variant's workers, if it runs one."""
    try:
        return psutil.Process(child.pid).children(recursive=True)
    except psutil.Error:
        return []


# The mechanism itself, on a service of the test's own.

class Silent(services.Server):
    """A server that never answers: a program that sleeps."""

    name = "silent"
    program = "sleeper"

    def command(self, port):
        return [sys.executable, "-c", "import time; time.sleep(60)"]

    def address(self, port):
        return port

    def identify(self, address):
        raise services.NotYet("nothing listens")


def test_a_server_that_does_not_answer_in_time_is_stopped(monkeypatch):
    monkeypatch.setattr(services, "START_LIMIT", 0.3)
    before = set(psutil.Process().children())
    with pytest.raises(services.ServiceError,
                       match=r"^silent: sleeper did not answer within 0\.3 s: nothing listens$"):
        with Silent().running():
            pass
    assert set(psutil.Process().children()) == before  # the program is stopped, and waited for


@needs_redis
def test_a_port_taken_first_by_another_program_is_given_up_for_another(monkeypatch):
    with socket.socket() as squatter:  # listens, never answers
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken, services.free_port()])
        monkeypatch.setattr(services, "free_port", lambda: next(ports))
        with services.Redis().running() as running:
            assert running.address != f"redis://127.0.0.1:{taken}/0"
            assert redis.Redis.from_url(running.address).ping()
            assert running.metadata["capqueue_redis_server"] == "private"


@needs_redis
def test_a_server_dies_with_the_process_that_started_it_even_when_killed(tmp_path):
    code = ("from harness import services\n"
            "with services.Redis().running() as running:\n"
            "    print(running.address, flush=True)\n"
            "    input()\n")
    child = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().startswith("redis://127.0.0.1:")
    assert servers(tmp_path)
    child.kill()  # SIGKILL: no finally runs; only the kernel can end the server now
    child.wait()
    assert none_left(tmp_path), "a redis-server outlived the process that started it"
