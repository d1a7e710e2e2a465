"""Alternative to threads: queue.Queue.shutdown() (Python 3.13) instead of sentinels.

Once every producer has finished, the main thread calls ``q.shutdown()``: ``put`` now
raises ``queue.ShutDown`` and ``get`` raises it as soon as the queue is empty, so each
consumer drains what is left and stops, with no ``DONE`` to count out per consumer.
Failure uses the same switch at full strength: a worker whose source or sink raises
records the error and calls ``q.shutdown(immediate=True)``, which empties the queue and
wakes every thread blocked in ``put`` or ``get`` with ``ShutDown`` at once, so no failed
consumer has to keep draining on the producers' behalf and no producer checks an error
list before each item. The main thread joins everyone and re-raises the first error.

Needs Python 3.13 (``queue.ShutDown`` does not exist before: importing this file fails
there). What its timing includes: as ``threads``, starting and joining every thread.
Measured against the sentinel on 3.13.0 at capacities 1, 10 and 100: not told apart at
any of them (the figures are in ``docs/summary.md``).
"""

import queue
import threading
import time
from queue import ShutDown

MODEL = "threads"


def run(sources, sinks, capacity, io):
    """Start a thread per producer and per consumer, then join them all."""
    q = queue.Queue(maxsize=capacity)
    errors = []

    def produce(source):
        try:
            for item in source:
                if io:
                    time.sleep(io)  # the item's I/O: the GIL is released meanwhile
                q.put(item)
        except ShutDown:
            pass  # another worker failed and shut the queue down
        except BaseException as exc:
            errors.append(exc)
            q.shutdown(immediate=True)

    def consume(sink):
        try:
            while True:
                sink(q.get())
        except ShutDown:
            pass  # the end of the stream, or another worker failed
        except BaseException as exc:
            errors.append(exc)
            q.shutdown(immediate=True)

    producers = [threading.Thread(target=produce, args=(source,)) for source in sources]
    consumers = [threading.Thread(target=consume, args=(sink,)) for sink in sinks]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join()
    q.shutdown()  # no more puts: consumers take what is left, then get() raises ShutDown
    for thread in consumers:
        thread.join()
    if errors:
        raise errors[0]
