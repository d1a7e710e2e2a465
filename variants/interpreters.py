"""Subinterpreters handing items over through concurrent.interpreters.create_queue(maxsize=capacity).

Each producer and each consumer gets an interpreter of its own, created for the run, and a
thread of its own, which ``interp.call(...)`` switches into that interpreter. Interpreters
share no objects, and each has its own GIL, so on any build the workers run Python code at
the same time, as processes do, but in one process. The one way across is the queue:
``put`` copies the item out of the producer's interpreter (ints and ``None`` natively,
other objects by pickle) and ``get`` rebuilds it in the consumer's. The sources and sinks
are pickled into the interpreter that uses them when its thread calls in, as the
``processes`` exhibit pickles them into its children. ``produce`` and ``consume`` reach
nothing outside themselves (they import what they use), so they cross as code: the
interpreters do not import this module.

Back-pressure: the queue holds at most ``capacity`` items, but its blocking ``put`` and
``get`` cannot be woken by the other side. They try, and while the queue is full (or
empty) sleep 10 ms and try again (CPython issue 143017). A side that finds the queue full
or empty therefore waits about 10 ms whether or not the other side moves a microsecond
later. At capacity 1 the two sides take turns through those sleeps, one item per round;
a bigger queue lets each round move up to ``capacity`` items, so the cost per item falls
roughly as 1/capacity. Scratch figures on 3.14.7 (GIL build, 300 items, one producer and
one consumer, run() as timed, start-up included): about 10 ms per item at capacity 1,
1 ms at capacity 10, 0.1 ms at capacity 100, against about 5 µs for ``threads``.
``docs/alternatives/interpreters_eventfd.py`` blocks on kernel semaphores instead.

Shutdown: when every producer has returned, the main thread puts one ``None`` per consumer
(the identity of an ``object()`` sentinel would not survive the crossing). Failure is
cooperative, as with ``threads``, since nothing stops an interpreter from outside. A
worker whose source or sink raises sets a one-byte flag that every worker shares (a
``memoryview``: its memory is shared between interpreters, not copied) and returns the
exception, which is pickled back, so that ``run`` raises it with its own type; a consumer
that failed keeps taking items until its ``None``, so that no producer stays blocked on a
full queue; producers look at the flag before each item. The main thread joins every
thread, closes every interpreter, then raises the first error.

What its timing includes: creating and closing an interpreter per worker, unpickling its
source or sink there (a few milliseconds in all), the threads, and every sleep in the
polls. Unavailable before Python 3.14, which has no ``concurrent.interpreters``.
"""

import threading

import concurrent.interpreters as interpreters

MODEL = "interpreters"


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


def run(sources, sinks, capacity, io):
    """Start an interpreter on a thread per producer and per consumer, then join them all."""
    queue = interpreters.create_queue(maxsize=capacity)
    stopping = memoryview(bytearray(1))
    errors = []

    def work(function, *args):
        interp = interpreters.create()
        try:
            error = interp.call(function, queue, *args, stopping)
        except interpreters.InterpreterError as exc:  # e.g. a sink that cannot be pickled
            stopping[0] = 1
            error = exc
            if function is consume:
                while queue.get() is not None:
                    pass  # this consumer's share of the draining, from here
        finally:
            interp.close()
        if error is not None:
            errors.append(error)

    producers = [threading.Thread(target=work, args=(produce, source, io))
                 for source in sources]
    consumers = [threading.Thread(target=work, args=(consume, sink)) for sink in sinks]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join()
    for _ in consumers:
        queue.put(None)
    for thread in consumers:
        thread.join()
    if errors:
        raise errors[0]
