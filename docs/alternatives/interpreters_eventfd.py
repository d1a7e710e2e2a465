"""Alternative to interpreters: the same queue, woken by two kernel semaphores instead of 10 ms polls.

``concurrent.interpreters`` queues cannot wake a blocked ``put`` or ``get``: both sleep
10 ms and try again (CPython issue 143017). Here the queue still carries every item, but
nobody ever finds it full or empty, because two Linux ``eventfd`` counters in semaphore
mode count its free slots and its items: a producer takes a free slot
(``os.eventfd_read(free)``, which blocks in the kernel at zero, its interpreter's GIL
released), ``put_nowait``s the item and adds one to ``ready``; a consumer takes one from
``ready``, ``get_nowait``s the item and gives the slot back. A file descriptor is an int,
so it crosses interpreters as it is, and the kernel wakes the waiter the moment the other
side writes.

Shutdown, failure and start-up are the ``interpreters`` exhibit's: one ``None`` per
consumer (through the same slots), a shared one-byte flag, consumers that drain after a
failure, interpreters closed last. Linux only (``os.eventfd``), Python 3.14.

Four system calls per item (two on each side) instead of none, but nobody sleeps longer
than the other side takes: it costs less than the polling exhibit at every capacity
measured, and more than ``threads`` (``docs/models/interpreters.md`` has the figures).
"""

import os
import threading

import concurrent.interpreters as interpreters

MODEL = "interpreters"


def produce(queue, source, io, stopping, free, ready):
    """In the producer's interpreter: put every item once a slot is free; return its error."""
    import os
    import time

    try:
        for item in source:
            if stopping[0]:
                return None
            if io:
                time.sleep(io)  # the item's I/O: the other interpreters run meanwhile
            os.eventfd_read(free)  # blocks while the queue is full
            queue.put_nowait(item)
            os.eventfd_write(ready, 1)
    except BaseException as exc:
        stopping[0] = 1
        return exc
    return None


def consume(queue, sink, stopping, free, ready):
    """In the consumer's interpreter: process items until a None arrives; return its error."""
    import os

    def take():
        os.eventfd_read(ready)  # blocks while the queue is empty
        item = queue.get_nowait()
        os.eventfd_write(free, 1)
        return item

    try:
        while (item := take()) is not None:
            sink(item)
    except BaseException as exc:
        stopping[0] = 1
        while take() is not None:
            pass
        return exc
    return None


def run(sources, sinks, capacity, io):
    """Start an interpreter on a thread per producer and per consumer, then join them all."""
    queue = interpreters.create_queue(maxsize=capacity)
    free = os.eventfd(capacity, os.EFD_SEMAPHORE)
    ready = os.eventfd(0, os.EFD_SEMAPHORE)
    stopping = memoryview(bytearray(1))
    errors = []

    def work(interp, function, *args):
        try:
            error = interp.call(function, queue, *args, stopping, free, ready)
        except Exception as exc:  # the call itself failed: a sink that cannot cross, say
            stopping[0] = 1
            error = exc
            if function is consume:
                while True:  # this consumer's share of the draining, from here
                    os.eventfd_read(ready)
                    item = queue.get_nowait()
                    os.eventfd_write(free, 1)
                    if item is None:
                        break
        if error is not None:
            errors.append(error)

    workers = [(interpreters.create(), produce, source, io) for source in sources]
    workers += [(interpreters.create(), consume, sink) for sink in sinks]
    threads = [threading.Thread(target=work, args=worker) for worker in workers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads[:len(sources)]:
            thread.join()
        for _ in sinks:
            os.eventfd_read(free)
            queue.put_nowait(None)
            os.eventfd_write(ready, 1)
        for thread in threads[len(sources):]:
            thread.join()
    finally:
        for interp, *_ in workers:
            interp.close()  # not before: queued items die with the interpreter that put them
        os.close(free)
        os.close(ready)
    if errors:
        raise errors[0]
