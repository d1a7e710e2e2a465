"""Producers and consumers as Ray actors, through Ray's own bounded queue, ray.util.queue.Queue(maxsize=capacity).

Ray is a distributed engine: the same code runs its workers on one machine or on many. Each
producer and each consumer is an *actor*, a class decorated ``@ray.remote`` whose instance
lives in a worker process of its own, and the queue is Ray's ``Queue``, itself an actor: an
``asyncio.Queue(maxsize)`` in one more process. Every ``put`` and every ``get`` is a remote
call to that actor (a task sent over gRPC, run on its event loop, its result sent back), so
each item costs two remote calls, its value serialized in each.

Actors rather than tasks, because Ray's guide calls an actor a stateful worker, or a
service, and a producer or a consumer is one, alive for the whole run. And an actor is
never retried (``max_restarts=0``), where a task that loses its worker is retried by
default and would send its items twice; ``ray.kill`` ends it at once; and it asks for no
CPU (``num_cpus=0``), so any number of workers fit on a small cluster. The I/O wait is a
plain ``time.sleep`` in the producer's own process, as in ``processes``.

Back-pressure: a producer's ``queue.put`` does not return until the queue actor has room,
that is until a consumer's ``get`` has run there; the queue actor parks the call as a
coroutine awaiting room, not as a thread.

Shutdown: the producers count themselves down on a small counter actor; the last one to
finish puts one ``None`` per consumer, and each consumer stops at its ``None``. Failure:
the driver (this process) waits on every worker's result at once (``ray.wait``). A worker
whose source or sink raised returns a ``RayTaskError`` that carries the original
exception; the driver then kills every actor (``ray.kill``: the process dies, whatever it
was doing), waits until the processes of those on this machine have exited (Ray reports an
actor dead before its process is gone), and raises the original exception. Workers on
other machines are killed the same way, but only Ray's report of their death is waited for.

What the timing includes: creating the actors (each one a worker process, started afresh
or taken from the few Ray starts ahead), the two remote calls per item, and killing every
actor. Starting the cluster does not count: the harness starts it once per process, before
any run (``SERVICE``), as a deployed cluster is already running. What to notice: the cost
per item is that of two remote calls whatever the capacity, so room in the queue buys
nothing here, and a run's fixed cost is the start of a process per actor; sending several
items per call is a different design (``docs/alternatives/ray_queue_batched.py``).
"""

import os
import time

import psutil
import ray
from ray.util.queue import Queue

MODEL = "ray"
SERVICE = "ray"  # the cluster: the harness starts it (or joins yours) and connects us to it

ACTOR = {"num_cpus": 0, "max_restarts": 0}  # holds no CPU; never restarted
GRACE = 2.0  # seconds the processes of killed actors get to exit


@ray.remote(**ACTOR, max_task_retries=0)
class Countdown:
    """How many producers have not finished: the last one to finish ends the stream."""

    def __init__(self, producers):
        self.producers = producers

    def finished(self):
        self.producers -= 1
        return self.producers == 0


@ray.remote(**ACTOR, max_task_retries=0)
class Producer:
    """Takes each item from its source and puts it in the queue."""

    def run(self, queue, source, io, countdown, consumers):
        for item in source:
            if io:
                time.sleep(io)  # the item's I/O, in this actor's own process
            queue.put(item)  # waits while the queue is full: back-pressure
        if ray.get(countdown.finished.remote()):
            for _ in range(consumers):
                queue.put(None)


@ray.remote(**ACTOR, max_task_retries=0)
class Consumer:
    """Gets items from the queue and hands each to its sink, until a None arrives."""

    def run(self, queue, sink):
        while (item := queue.get()) is not None:
            sink(item)


def run(sources, sinks, capacity, io, service):
    """Start an actor per worker, wait for them all, and kill everyone at the first failure.

    ``service`` is the cluster's address; the harness has connected this process to it.
    """
    queue = Queue(maxsize=capacity, actor_options=ACTOR)
    countdown = Countdown.remote(len(sources))
    producers = [Producer.remote() for _ in sources]
    consumers = [Consumer.remote() for _ in sinks]
    actors = [queue.actor, countdown, *producers, *consumers]
    places = [actor.__ray_call__.remote(place) for actor in actors]  # answered as items flow
    running = [p.run.remote(queue, source, io, countdown, len(sinks))
               for p, source in zip(producers, sources)]
    running += [c.run.remote(queue, sink) for c, sink in zip(consumers, sinks)]
    try:
        while running:
            [done], running = ray.wait(running, num_returns=1)
            try:
                ray.get(done)
            except ray.exceptions.RayTaskError as error:
                raise error.cause from None  # the source's or the sink's own exception
    finally:
        stop(actors, places)


def place(actor):
    """The node and the process an actor runs in (run inside the actor by ``__ray_call__``)."""
    return ray.get_runtime_context().get_node_id(), os.getpid()


def stop(actors, places):
    """Kill every actor, and wait until the processes of those on this node have exited.

    ``ray.kill`` only asks: Ray reports the actor dead some time later, and its process may
    run on for longer still, and a worker must not touch its source or sink once
    ``run()`` has returned. An actor that has not yet said where it is has not started its
    ``run`` either (an actor runs one caller's calls in order), so it is not waited for.
    """
    here = ray.get_runtime_context().get_node_id()
    answered, _ = ray.wait(places, num_returns=len(places), timeout=0)
    processes = []
    for ref in answered:
        try:
            node, pid = ray.get(ref)
            if node == here:
                processes.append(psutil.Process(pid))
        except (ray.exceptions.RayError, psutil.Error):
            pass  # it died before it answered, or its process is gone already
    for actor in actors:
        ray.kill(actor, no_restart=True)
    psutil.wait_procs(processes, timeout=GRACE)
