"""The textbook bounded buffer: a deque guarded by one threading.Condition.

Producers wait on the condition while the buffer is full, consumers while it is empty, and
every change is announced with ``notify_all()``: with a single condition for both kinds of
waiter, ``notify()`` could wake a producer when only a consumer can make progress, and
the program could stall. That is the classic monitor of operating-systems courses, and what
``queue.Queue`` improves on with two conditions (``not_full``, ``not_empty``) over one lock.

Shutdown needs no sentinel: a count of producers still running is part of the shared
state, and a consumer that finds the buffer empty and the count at zero stops. Failure
is a flag in the same state: a worker that fails sets it and wakes everyone, and every
waiter checks it when it wakes, so all threads stop at once, even those blocked on a full
or empty buffer; the main thread joins them all and re-raises the first error.

Read its figure against ``threads``: the same threads and the same GIL, a simpler
structure, and more wake-ups when several threads wait (``notify_all()`` wakes them all).
An I/O wait is ``time.sleep`` outside the monitor, as in ``threads``.

A socket wait is a blocking ``sendall`` and ``recv`` in the producer's thread as it takes
each item (``asking``), outside the monitor, as in ``threads``.
"""

import threading
import time
from collections import deque

MODEL = "threads"
PER_PRODUCER = "thread"  # and per consumer: the harness checks the OS has room for them


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later (GIL released)
            yield item


def run(sources, sinks, capacity, io, connections=None):
    """Start a thread per producer and per consumer around one monitor, then join them."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    buffer = deque()
    changed = threading.Condition()
    producing = len(sources)
    errors = []

    def produce(source):
        nonlocal producing
        try:
            for item in source:
                if io:
                    time.sleep(io)  # the item's I/O, outside the monitor: others run
                with changed:
                    while len(buffer) == capacity and not errors:
                        changed.wait()
                    if errors:
                        return
                    buffer.append(item)
                    changed.notify_all()
        except BaseException as exc:
            fail(exc)
        finally:
            with changed:
                producing -= 1
                changed.notify_all()

    def consume(sink):
        try:
            while True:
                with changed:
                    while not buffer and producing and not errors:
                        changed.wait()
                    if errors or not buffer:
                        return
                    item = buffer.popleft()
                    changed.notify_all()
                sink(item)
        except BaseException as exc:
            fail(exc)

    def fail(exc):
        with changed:
            errors.append(exc)
            changed.notify_all()

    threads = [threading.Thread(target=produce, args=(source,)) for source in sources]
    threads += [threading.Thread(target=consume, args=(sink,)) for sink in sinks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
