"""Socket waits: each producer asks the delay server over a connection of its own, and the
server's counts prove it did, once per item.

The harness starts the delay server (``harness.delayserver``) in each process that runs a
variant with ``--io-kind socket``, and none may survive a check, a failed check, a check
killed at its time limit or an interrupted ``capqueue run``. Every exhibit is checked with
socket waits by the conformance suite (its ``socket-wait`` case, ``tests/test_conformance.py``:
the server's count of each producer's requests equals the items it took); these tests prove
the rule that case relies on, on variants broken on purpose, and what a variant that takes
no connections gets.

Each test that starts capqueue runs it in a temporary directory of its own, which the servers
it starts inherit as their working directory: that tells them apart from anyone else's.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import psutil
import pyperf
import pytest

from harness import services, waits
from harness.check import check_variant
from harness.registry import _run_problem, load_path
from harness.workload import RoundTrip, Workload

from conftest import broken, capqueue

SOCKET = Workload(items=10, producers=3, io=0.002, io_kind="socket")
NO_CONNECTIONS = ("its run() takes no connections, so it cannot wait on sockets (socket waits "
                  "need run(..., connections=None))")


def servers(directory):
    """The delay servers running (zombies aside) with ``directory`` as working directory."""
    found = []
    for process in psutil.process_iter(["cmdline", "cwd", "status"]):
        if "harness.delayserver" in (process.info["cmdline"] or []) and \
                process.info["cwd"] == str(directory) and \
                process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


def none_left(directory, within=2.0):
    """Whether every delay server started from ``directory`` is gone, after a moment."""
    deadline = time.monotonic() + within
    while servers(directory):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def started_by_a_worker(server):
    """Whether ``server`` was started by a pyperf worker (not by a check)."""
    try:
        return "worker" in server.parent().cmdline()
    except (psutil.Error, AttributeError):  # gone, or its parent is
        return False


def start(directory, *args):
    """Start capqueue in ``directory``, in a session of its own, as a terminal would."""
    return subprocess.Popen([sys.executable, "-m", "harness", *map(str, args)], cwd=directory,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


# The check's rule: one request per item taken, each after the previous reply, all read.

@pytest.mark.parametrize("io", [0.0, 0.002], ids=["round-trip", "io-2ms"])
def test_a_variant_that_sleeps_instead_of_asking_fails(io):
    verdict = check_variant(load_path(broken("sleeps_instead_of_asking")),
                            Workload(items=10, producers=3, io=io, io_kind="socket"))
    assert verdict.problems[0] == ("producer 0 sent the delay server 0 requests for the 10 "
                                   "items it took: its socket wait is missing")
    assert len(verdict.problems) == 3  # one per producer


def test_a_variant_that_sends_without_reading_fails_at_io_0():
    # The server answers at once: the replies pile up unread in the client's socket.
    verdict = check_variant(load_path(broken("sends_without_reading")),
                            Workload(items=10, producers=2, io_kind="socket"))
    assert verdict.problems[0] == ("producer 0 left 10 of its 10 replies unread when its "
                                   "connection closed: it did not wait for its replies")


def test_a_variant_that_sends_without_reading_fails_with_a_delay():
    # Each request comes while the previous one's reply is still pending in the server.
    verdict = check_variant(load_path(broken("sends_without_reading")),
                            Workload(items=6, io=0.005, io_kind="socket"))
    [problem] = verdict.problems
    assert problem.startswith("producer 0 sent ") and problem.endswith(
        " of its 6 requests before the reply to the previous one came: it did not wait for "
        "its replies")


# A variant that takes no connections cannot run socket waits: said, never a silent sleep.

def test_a_variant_without_connections_cannot_run_socket_waits():
    variant = load_path(broken("ignores_the_wait"))
    assert variant.cannot_run(SOCKET) == NO_CONNECTIONS
    assert variant.cannot_run(Workload(io=0.001)) == ""
    verdict = check_variant(variant, SOCKET)
    assert (verdict.ok, verdict.problems) == (False, [])
    assert verdict.line(16) == f"skip  ignores_the_wait  cannot run: {NO_CONNECTIONS}"


def test_checking_a_named_variant_that_cannot_run_socket_waits_is_refused():
    result = capqueue("check", "--io-kind", "socket", "--variant-path", broken("ignores_the_wait"))
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", f"capqueue: variant 'ignores_the_wait' cannot run this workload: "
               f"{NO_CONNECTIONS}\n")


def test_a_run_that_requires_connections_breaks_the_contract():
    def requires(sources, sinks, capacity, io, connections):
        pass

    def by_position(sources, sinks, capacity, io, connections=None, /):
        pass

    assert _run_problem(requires) == (
        "its run() requires connections, which the harness passes only for socket waits "
        "(--io-kind socket): give it a default, connections=None")
    assert _run_problem(by_position).startswith(
        "its run() takes connections only by position, but the harness passes it by keyword")


# Bad input: one sentence, exit status 2.

def test_an_unknown_kind_of_wait_is_one_sentence_and_exit_2():
    result = capqueue("check", "--io-kind", "nonsense", "sequential")
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "capqueue check: argument --io-kind: expected sleep or socket, not 'nonsense' "
               "(see capqueue check --help)\n")


def test_instructions_refuse_socket_waits_in_one_sentence():
    result = capqueue("instructions", "--io-kind", "socket", "sequential")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("capqueue: capqueue instructions counts timer waits only, not "
                             "--io-kind socket: a round trip is mostly the kernel's work, which "
                             "valgrind does not see; time socket waits with capqueue run\n")


def test_more_connections_than_a_process_may_open_cannot_run():
    assert waits.room(Workload(producers=100, io_kind="socket"), limit=1024) == ""
    assert waits.room(Workload(producers=5000, io_kind="socket"), limit=1024) == (
        "5,000 connections need about 5,064 open files, more than a process may have here "
        "(1,024: ulimit -Hn)")
    assert waits.room(Workload(producers=5000), limit=1024) == ""  # timers need no files


# The delay server lives exactly as long as the runs that need it.

def test_the_server_counts_each_connection_and_stops_when_done():
    before = set(psutil.Process().children())
    with waits.provided(Workload(items=3, producers=2, io=0.001, io_kind="socket")) as given:
        [server] = set(psutil.Process().children()) - before
        connections = given.open()["connections"]
        for connection in connections[:1]:
            for _ in range(3):
                connection.sendall(b"?")
                assert connection.recv(1) == b"!"
        given.close({"connections": connections})
        counts = given.counts(settle=True)
        assert given.metadata["capqueue_delay_server"] == "private"
        assert given.metadata["capqueue_nofile_limit"] > 2
    assert [(counts[p].requests, counts[p].early, counts[p].pending) for p in (0, 1)] == [
        (3, 0, 0), (0, 0, 0)]
    assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE
    assert set(psutil.Process().children()) == before  # stopped, and waited for


def test_the_server_stops_when_the_runs_fail():
    before = set(psutil.Process().children())
    with pytest.raises(ZeroDivisionError):
        with waits.provided(SOCKET):
            assert set(psutil.Process().children()) != before
            1 / 0  # noqa: B018 - a run that fails
    assert set(psutil.Process().children()) == before


def test_another_program_on_the_port_is_not_taken_for_the_server():
    with socket.socket() as squatter:  # answers every connection, but not as the server
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()

        def answer():
            connection, _ = squatter.accept()
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        with pytest.raises(services.Refused, match="^not capqueue's delay server: "):
            services.DELAY.identify(squatter.getsockname())


def test_no_server_survives_a_failed_check(tmp_path):
    child = start(tmp_path, "check", "--variant-path", broken("sleeps_instead_of_asking"),
                  "--io-kind", "socket", "--items", 40, "--io", "5ms")
    seen = wait_for(lambda: servers(tmp_path) or child.poll() is not None)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 1 and "its socket wait is missing" in stdout, stdout + stderr
    assert seen is not True, "no server was seen while the check ran: this proves nothing"
    assert none_left(tmp_path), "a delay server outlived the check"


def test_no_server_survives_a_check_killed_at_its_time_limit(tmp_path):
    child = start(tmp_path, "check", "sequential", "--io-kind", "socket", "--items", 100_000,
                  "--io", "1ms", "--check-timeout", 2)
    wait_for(lambda: servers(tmp_path))
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 1 and "no answer in 2 s" in stdout, stdout + stderr
    assert none_left(tmp_path), "a delay server outlived the check's process group"


def test_a_timed_run_records_what_its_ideal_is_made_of_and_leaves_no_server(tmp_path):
    out = tmp_path / "results.json"
    child = start(tmp_path, "run", "sequential", "--io-kind", "socket", "--items", 20,
                  "--debug-single-value", "-o", out)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stdout + stderr
    [bench] = pyperf.BenchmarkSuite.load(str(out)).get_benchmarks()
    [run] = [run for run in bench.get_runs() if run.values]
    metadata = run.get_metadata()
    assert metadata["capqueue_io_kind"] == "socket"
    assert metadata["capqueue_delay_version"].startswith("harness.delayserver on ")
    assert RoundTrip.from_metadata([metadata]) is not None
    assert metadata["capqueue_delay_server_cpu_s"] > 0
    assert "round trips in sequence" in stdout  # the ideal says what it is made of
    assert none_left(tmp_path)


def test_no_server_survives_an_interrupted_run(tmp_path):
    child = start(tmp_path, "run", "sequential", "--io-kind", "socket", "--items", 200,
                  "--io", "1ms", "-o", tmp_path / "out.json", "-p", 20, "-n", 1, "-w", 0,
                  "-l", 1)
    wait_for(lambda: any(started_by_a_worker(server) for server in servers(tmp_path)))
    os.killpg(child.pid, signal.SIGINT)  # Ctrl-C in a terminal
    stdout, stderr = child.communicate(timeout=30)
    assert child.returncode == 130, stdout + stderr
    assert none_left(tmp_path), "a delay server outlived the interrupted run"


# The ideal, from the figures measured (arithmetic only: no timing here).

def test_the_ideal_of_socket_waits_counts_the_round_trip_and_the_shared_cores():
    trip = RoundTrip(wall=20e-6, cpu=15e-6, late=1e-3)
    slow = Workload(items=5, producers=1000, io=0.1, io_kind="socket")
    assert slow.least_time(2, trip) == pytest.approx(5 * (0.1 + 1e-3 + 20e-6))
    fast = Workload(items=100, producers=1000, io=0.001, io_kind="socket")
    assert fast.least_time(2, trip) == pytest.approx(100 * 1000 * 15e-6 / 2)  # the CPU binds
    assert fast.least_time(2) == pytest.approx(100 * 0.001)  # unmeasured: the timer's rule
    bare = Workload(items=10, io_kind="socket")  # io 0: a round trip, answered at once
    assert bare.least_time(2, trip) == pytest.approx(10 * 20e-6)
