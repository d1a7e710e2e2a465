"""OS threads handing items over through queue.Queue(maxsize=capacity).

Each producer and each consumer is a thread. ``Queue.put`` blocks while the queue holds
``capacity`` items and ``Queue.get`` blocks while it is empty: back-pressure is a thread
asleep on one of the queue's two conditions, woken by the operating system when the other
side moves. Which thread runs next is the OS scheduler's choice (and, in CPython, whoever
takes the GIL), not the program's.

Shutdown uses a sentinel: once every producer has finished, the main thread puts one
``DONE`` per consumer. Nothing can stop a thread from outside, so failure is cooperative:
a worker whose source or sink raises records the error; producers look at that record
before each item and stop; a consumer that failed keeps draining the queue (without
processing) until its ``DONE``, so that no producer stays blocked on a full queue. The main
thread joins everyone, then re-raises the first error.

Expect each hand-off to cost more than in generators, greenlet, gevent or asyncio: a full
or empty queue means a lock, a condition wait and a thread switch, and the GIL lets only
one of the two sides run Python code at a time. An I/O wait is a blocking ``time.sleep``,
which releases the GIL: the other threads run meanwhile, so the waits of many producers
overlap.

A socket wait is a blocking ``sendall`` of a request and ``recv`` of its reply in the
producer's thread, done as it takes each item (``asking``): ``recv`` releases the GIL
while it waits, so the waits of many producers overlap as their sleeps do, at a thread per
connection.
"""

import queue
import threading
import time

MODEL = "threads"
PER_PRODUCER = "thread"  # and per consumer: the harness checks the OS has room for them

DONE = object()


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later (GIL released)
            yield item


def run(sources, sinks, capacity, io, connections=None):
    """Start a thread per producer and per consumer, then join them all."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    q = queue.Queue(maxsize=capacity)
    errors = []

    def produce(source):
        try:
            for item in source:
                if errors:
                    return
                if io:
                    time.sleep(io)  # the item's I/O: releases the GIL, other threads run
                q.put(item)
        except BaseException as exc:
            errors.append(exc)

    def consume(sink):
        try:
            while (item := q.get()) is not DONE:
                sink(item)
        except BaseException as exc:
            errors.append(exc)
            while q.get() is not DONE:
                pass  # keep taking, so that no producer waits forever on a full queue

    producers = [threading.Thread(target=produce, args=(source,)) for source in sources]
    consumers = [threading.Thread(target=consume, args=(sink,)) for sink in sinks]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join()
    for _ in consumers:
        q.put(DONE)
    for thread in consumers:
        thread.join()
    if errors:
        raise errors[0]
