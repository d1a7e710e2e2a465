"""OS threads handing items over through queue.SimpleQueue, capped by a BoundedSemaphore.

``queue.SimpleQueue`` is written in C and has no capacity, so the cap is a separate
``threading.BoundedSemaphore(capacity)`` holding one slot per item the queue may hold: a
producer acquires a slot before it puts an item, a consumer releases one as soon as it
takes an item. Back-pressure is a producer asleep in ``acquire()``; the hand-off itself is
``SimpleQueue``'s ``put`` and ``get``, in C, where ``queue.Queue`` takes a lock and
notifies a condition in Python code at every call. Whether that makes it cheaper is for
``capqueue run simplequeue threads`` to say: the semaphore is Python code too.

Shutdown uses a sentinel: once every producer has finished, the main thread puts one
``DONE`` per consumer (no slot needed: no producer is left to be held back). Failure is
cooperative, as with any threads: a worker whose source or sink raises records the error;
producers look at that record before each item and stop; a consumer that failed keeps
taking items, and releasing their slots, until its ``DONE``, so that producers never wait
in ``acquire()`` for slots nobody will release. For the same reason a consumer releases an
item's slot as soon as it takes the item, before its sink: released after, the slot of an
item whose sink raised would stay taken for good, and a full queue would hold its producer
forever (``capqueue conform`` catches that version at its first failure case). The main
thread joins everyone, then re-raises the first error.
"""

import queue
import threading
import time

MODEL = "threads"

DONE = object()


def run(sources, sinks, capacity, io):
    """Start a thread per producer and per consumer, then join them all."""
    items = queue.SimpleQueue()
    slots = threading.BoundedSemaphore(capacity)
    errors = []

    def produce(source):
        try:
            for item in source:
                if errors:
                    return
                if io:
                    time.sleep(io)  # the item's I/O: releases the GIL, other threads run
                slots.acquire()
                items.put(item)
        except BaseException as exc:
            errors.append(exc)

    def consume(sink):
        try:
            while (item := items.get()) is not DONE:
                slots.release()
                sink(item)
        except BaseException as exc:
            errors.append(exc)
            while items.get() is not DONE:
                slots.release()  # keep freeing slots, so that no producer waits forever

    producers = [threading.Thread(target=produce, args=(source,)) for source in sources]
    consumers = [threading.Thread(target=consume, args=(sink,)) for sink in sinks]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join()
    for _ in consumers:
        items.put(DONE)
    for thread in consumers:
        thread.join()
    if errors:
        raise errors[0]
