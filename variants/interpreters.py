"""Subinterpreters handing items over through concurrent.interpreters.create_queue(maxsize=capacity).

Each producer and each consumer gets an interpreter of its own (Python 3.14) and a thread
of its own, which ``interp.call(...)`` switches into that interpreter. Interpreters share
no objects and each has its own GIL, so on any build the workers run Python code at the
same time, as processes do, but in one process. The one way across is the queue: ``put``
copies the item out of the producer's interpreter (ints and ``None`` natively, other
objects by pickle) and ``get`` rebuilds it in the consumer's. The sources and sinks are
pickled into the interpreter that uses them when its thread calls in, as ``processes``
pickles them into its children. ``produce`` and ``consume`` reach nothing outside
themselves (they import what they use), so they cross as code: no interpreter has to
import this module.

Back-pressure: the queue holds at most ``capacity`` items, but nothing wakes a blocked
``put`` or ``get``: each tries, and while the queue is full (or empty) sleeps 10 ms and
tries again (CPython issue 143017). A side that finds the queue full or empty waits about
10 ms even if the other side moves a microsecond later, so one round of polls moves at
most ``capacity`` items: expect about 10 ms / capacity per item, far more than a thread
hand-off at every capacity (``docs/models/interpreters.md`` has the figures).
``docs/alternatives/interpreters_eventfd.py`` blocks on kernel semaphores instead, and
costs less than this exhibit at every capacity measured.

Shutdown: when every producer has returned, the main thread puts one ``None`` per consumer
(the identity of an ``object()`` sentinel would not survive the crossing). The
interpreters are closed only after every consumer is done: an item still queued when the
interpreter that put it is closed turns into ``interpreters.UNBOUND``. Failure is
cooperative, as with ``threads``, since nothing stops an interpreter from outside. A
worker whose source or sink raises sets a one-byte flag that every worker shares (a
``memoryview``, whose memory crosses interpreters shared, not copied) and returns the
exception, pickled back so that ``run`` raises it with its own type; a consumer that
failed keeps taking items until its ``None``, so that no producer stays blocked on a full
queue; producers look at the flag before each item. The main thread joins every thread,
closes every interpreter, then raises the first error.

What its timing includes: creating, calling into and closing an interpreter per worker
(tens of milliseconds per run for two workers: ``docs/models/interpreters.md``), the
threads, and every sleep of the polls. Unavailable before Python 3.14, which has no
``concurrent.interpreters``.

A socket wait is a blocking ``sendall`` and ``recv`` in the producer's interpreter. A
socket object cannot cross (it does not pickle), but its file descriptor, a plain number,
can: the main interpreter lets go of it (``detach()``) and the producer's interpreter
makes a socket of its own on it (``socket.socket(fileno=...)``), which it closes when its
source is done.
"""

import threading

import concurrent.interpreters as interpreters

MODEL = "interpreters"
PER_PRODUCER = "interpreter"  # and a thread, per consumer too: the harness checks the room


def produce(queue, source, io, stopping):
    """In the producer's interpreter: put every item of the source; return its error."""
    import time

    try:
        for item in source:
            if stopping[0]:
                return None  # another worker failed
            if io:
                time.sleep(io)  # the item's I/O: the other interpreters run meanwhile
            queue.put(item)  # while full: sleep 10 ms, try again
    except BaseException as exc:
        stopping[0] = 1
        return exc
    return None


def produce_asking(queue, source, fd, stopping):
    """In the producer's interpreter: put every item of the source, each after a round trip
    over the socket on file descriptor ``fd``; return its error."""
    import socket

    try:
        with socket.socket(fileno=fd) as connection:
            for item in source:
                if stopping[0]:
                    return None  # another worker failed
                connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
                connection.recv(1)  # its reply; the other interpreters run meanwhile
                queue.put(item)
    except BaseException as exc:
        stopping[0] = 1
        return exc
    return None


def consume(queue, sink, stopping):
    """In the consumer's interpreter: process items until a None arrives; return its error."""
    try:
        while (item := queue.get()) is not None:  # while empty: sleep 10 ms, try again
            sink(item)
    except BaseException as exc:
        stopping[0] = 1
        while queue.get() is not None:
            pass  # keep taking, so that no producer waits forever on a full queue
        return exc
    return None


def run(sources, sinks, capacity, io, connections=None):
    """Start an interpreter on a thread per producer and per consumer, then join them all."""
    queue = interpreters.create_queue(maxsize=capacity)
    stopping = memoryview(bytearray(1))
    errors = []

    def work(interp, function, *args):
        try:
            error = interp.call(function, queue, *args, stopping)
        except Exception as exc:  # the call itself failed: a sink that cannot cross, say
            stopping[0] = 1
            error = exc
            if function is consume:
                while queue.get() is not None:
                    pass  # this consumer's share of the draining, from here
        if error is not None:
            errors.append(error)

    if connections:  # socket waits: a socket cannot cross to an interpreter, its number can
        workers = [(interpreters.create(), produce_asking, source, connection.detach())
                   for source, connection in zip(sources, connections)]
    else:
        workers = [(interpreters.create(), produce, source, io) for source in sources]
    workers += [(interpreters.create(), consume, sink) for sink in sinks]
    threads = [threading.Thread(target=work, args=worker) for worker in workers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads[:len(sources)]:
            thread.join()
        for _ in sinks:
            queue.put(None)
        for thread in threads[len(sources):]:
            thread.join()
    finally:
        # Only now: an item still queued when the interpreter that put it is closed
        # turns into interpreters.UNBOUND (the queue's default for orphaned items).
        for interp, *_ in workers:
            interp.close()
    if errors:
        raise errors[0]
