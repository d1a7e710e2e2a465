"""Producers and consumers in separate processes, through a real Redis server: two lists as a bounded buffer.

When a pipeline outgrows one machine, its workers talk through a broker, often Redis.
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
Python, and an item travels as its decimal text. Starting the server does not count: the
harness starts it once per process, before any run (a deployed broker is already running),
and passes its URL to ``run`` as ``service``. Round trips, not parallelism, set the price
here: batching several items per round trip is the lesson a broker teaches
(``docs/alternatives/redis_pipelined.py``).

The supervision in ``run`` is the ``processes`` variant's loop, written out again: here the
errors and the stop travel through the broker, and how a model stops its workers is part of
what a reader compares.

A socket wait is a blocking ``sendall`` and ``recv`` in the producer's process as it takes
each item (``asking``), as in ``processes``: the socket comes with the fork.
"""

import contextlib
import multiprocessing
import pickle
import time
from multiprocessing.connection import wait

import redis

MODEL = "redis"
PER_PRODUCER = "process"  # and per consumer: the harness checks the OS has room for them
SERVICE = "redis"  # the server: the harness starts it (or finds yours) and passes its URL

context = multiprocessing.get_context("fork")

ITEMS = "capqueue:items"  # the queue
SLOTS = "capqueue:slots"  # its free slots, one token each
PRODUCING = "capqueue:producing"  # how many producers have not finished
ERRORS = "capqueue:errors"  # the errors of failed workers, pickled
SLOT, DONE, STOP = b"slot", b"done", b"stop"  # never an item: items travel as decimal text
GRACE = 1.0  # seconds a worker gets to stop at its STOP before it is terminated


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later
            yield item


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


def run(sources, sinks, capacity, io, service, connections=None):
    """Fill the slots, start a process per worker, supervise them, stop everyone on a failure."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
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
