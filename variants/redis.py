"""Producers and consumers in separate processes, through a real Redis server: two lists as a bounded buffer.

When a pipeline outgrows one machine, its workers talk through a broker, most often Redis.
Here every worker is a process (as in ``processes``) with its own connection to a private
``redis-server`` on the loopback interface, and the queue lives in the server. Redis lists
have blocking pops but no cap, so the bounded buffer is built the textbook way, from two
lists used as counting semaphores: ``slots`` starts with ``capacity`` free-slot tokens and
``items`` starts empty. A producer pops a slot token (``BLPOP``), then pushes its item
(``RPUSH``); a consumer pops an item, then pushes a slot token back. The server runs one
command at a time, so every pop and push is atomic with no lock of ours.

Back-pressure: a producer blocked in ``BLPOP`` on an empty ``slots`` list. The server parks
its connection and answers it when a consumer gives a token back.

Shutdown: the producers count themselves down on a shared counter (``DECR``, atomic in the
server); the one that reaches zero pushes one ``DONE`` marker per consumer behind the last
items, and each consumer stops at its marker. Failure: nothing is shared but the broker,
so a worker whose source or sink raises hands its pickled error over through an ``errors``
list and exits with status 1. The parent, waiting on every process's sentinel, then pushes
a ``STOP`` to the head of each list, one for every worker that may be waiting on it: a
consumer blocked on ``items`` gets its ``STOP`` at once, and so does a producer waiting
for a slot token. Everyone stops through the broker, as workers on other machines would
have to; the parent terminates only a worker still running a second later.

What the timing includes: starting, connecting and joining every process, and for each
item four network round trips (a producer's pop and push, a consumer's pop and push), each
a system call on both sides and a wake-up of a blocked process, plus the client's
encoding: redis-py writes every command in the RESP protocol and parses every reply in
Python, and an item travels as its decimal text. Starting the server does not count: it
is started once per process, before any run, by ``service()`` (a deployed broker is
already running). Round trips, not parallelism, set the price here: batching several
items per round trip is the lesson a broker teaches (``docs/alternatives/redis_pipelined.py``).
"""

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import socket
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import wait

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

MODEL = "redis"
PROGRAMS = ("redis-server",)

context = multiprocessing.get_context("fork")

ITEMS = "capqueue:items"  # the queue
SLOTS = "capqueue:slots"  # its free slots, one token each
PRODUCING = "capqueue:producing"  # how many producers have not finished
ERRORS = "capqueue:errors"  # the errors of failed workers, pickled
SLOT, DONE, STOP = b"slot", b"done", b"stop"  # never an item: items travel as decimal text
GRACE = 1.0  # seconds a worker gets to stop at its STOP before it is terminated


def produce(url, source, io, consumers):
    """Take a free slot, then push the item; the last producer to finish ends the stream."""
    broker = redis.Redis.from_url(url)
    try:
        for item in source:
            if io:
                time.sleep(io)  # the item's I/O, in this producer's own process
            if broker.blpop([SLOTS])[1] == STOP:  # wait for a free slot: back-pressure
                return
            broker.rpush(ITEMS, item)
        if broker.decr(PRODUCING) == 0:
            broker.rpush(ITEMS, *[DONE] * consumers)
    except BaseException as exc:
        hand_over(broker, exc)


def consume(url, sink):
    """Pop items, giving each one's slot back, until a DONE (or a STOP) arrives."""
    broker = redis.Redis.from_url(url)
    try:
        while (item := broker.blpop([ITEMS])[1]) not in (DONE, STOP):
            broker.rpush(SLOTS, SLOT)  # the item is out of the queue: its slot is free
            sink(int(item))
    except BaseException as exc:
        hand_over(broker, exc)


def hand_over(broker, exc):
    """Give a worker's error to the parent through the broker, and end the worker."""
    broker.rpush(ERRORS, pickle.dumps(exc))
    raise SystemExit(1) from None


def run(sources, sinks, capacity, io, service):
    """Fill the slots, start a process per worker, supervise them, stop everyone on a failure."""
    broker = redis.Redis.from_url(service)
    broker.delete(ITEMS, SLOTS, PRODUCING, ERRORS)  # what a failed run may have left
    broker.rpush(SLOTS, *[SLOT] * capacity)
    broker.set(PRODUCING, len(sources))
    workers = [context.Process(target=produce, args=(service, source, io, len(sinks)))
               for source in sources]
    workers += [context.Process(target=consume, args=(service, sink)) for sink in sinks]
    for worker in workers:
        worker.start()
    try:
        running = list(workers)
        while running:
            wait([worker.sentinel for worker in running])
            for worker in [w for w in running if w.exitcode is not None]:
                running.remove(worker)
                if worker.exitcode:
                    pickled = broker.lpop(ERRORS)
                    if pickled is None:
                        raise RuntimeError(f"{worker.name} died with exit code "
                                           f"{worker.exitcode}")
                    raise pickle.loads(pickled)
    finally:
        if any(worker.is_alive() for worker in workers):
            with contextlib.suppress(redis.RedisError):  # no broker? terminate() below
                broker.lpush(ITEMS, *[STOP] * len(sinks))
                broker.lpush(SLOTS, *[STOP] * len(sources))
        for worker in workers:
            worker.join(GRACE)
            if worker.exitcode is None:
                worker.terminate()
                worker.join()
        broker.close()


# The broker itself: one private server per process that runs the variant, for all its runs.

START_LIMIT = 10.0  # seconds for a server to answer
ATTEMPTS = 5  # ports to try: another program may take a free port before the server does


@contextlib.contextmanager
def service():
    """Start a private redis-server on a free loopback port; yield its URL; stop it.

    Persistence is off (no snapshot, no append-only file): the lists live in memory only.
    The server stays in this process's group, so the check's kill of its child's group
    reaches it, and the kernel kills it if this process dies (``PR_SET_PDEATHSIG``), so it
    never outlives the process that started it.
    """
    for _ in range(ATTEMPTS):
        with tempfile.TemporaryFile() as log:
            port = free_port()
            server = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                 "--save", "", "--appendonly", "no"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=die_with(os.getpid()))
            try:
                if answers(server, port):
                    yield f"redis://127.0.0.1:{port}/0"
                    return
            finally:
                server.terminate()
                try:
                    server.wait(5)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            log.seek(0)
            said = log.read().decode(errors="replace").strip().splitlines()[-1:]
    raise RuntimeError(f"redis-server did not start after {ATTEMPTS} tries "
                       f"(exit status {server.returncode}): {said[0] if said else 'no output'}")


def free_port():
    """A TCP port on the loopback interface that nothing listens on, as far as we know."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(server, port):
    """Wait until ``server`` (not another program on its port) answers; False if it exits."""
    client = redis.Redis(port=port, socket_timeout=1, retry=Retry(NoBackoff(), 0))
    deadline = time.monotonic() + START_LIMIT
    try:
        while server.poll() is None and time.monotonic() < deadline:
            try:
                return client.info("server")["process_id"] == server.pid
            except redis.RedisError:  # not listening yet (or someone else's, refusing us)
                time.sleep(0.005)
        return False
    finally:
        client.close()


def die_with(parent):
    """What the server's process runs before redis-server: die when ``parent`` does (Linux)."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up now, not in the child
    pr_set_pdeathsig = 1

    def die_with_parent():
        prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return die_with_parent
