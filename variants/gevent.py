"""gevent greenlets handing items over through gevent.queue.Queue(maxsize=capacity).

The code reads like the threads variant: ``queue.put`` blocks while the queue is full and
iterating the queue blocks while it is empty. But the blocking is cooperative: a greenlet
that cannot go on switches to gevent's hub (a libev or libuv event loop), and the hub
switches to a greenlet that can. All of it runs in one OS thread, with no lock and no GIL
hand-over, and no monkey-patching is needed since nothing here does I/O.

Shutdown is gevent's own idiom: putting ``StopIteration`` in the queue ends a consumer's
``for item in queue``. The main greenlet waits with ``gevent.iwait`` for workers to finish
in whatever order they do, re-raises the first failure at once with ``get()``, and in any
case kills every worker still alive before returning, so none is left blocked on a full or
empty queue.

Expect a hand-off near asyncio's or below: a switch between greenlets is a C-level stack
swap, cheaper than a trip through asyncio's Python event loop.
"""

import gevent
from gevent.queue import Queue

MODEL = "gevent"


def produce(queue, source):
    """Put every item of the source, blocking (cooperatively) whenever the queue is full."""
    for item in source:
        queue.put(item)


def consume(queue, sink):
    """Process items until StopIteration comes out of the queue."""
    for item in queue:
        sink(item)


def run(sources, sinks, capacity):
    """Spawn the workers, close the queue once the producers are done, re-raise any failure."""
    queue = Queue(maxsize=capacity)
    producers = [gevent.spawn(produce, queue, source) for source in sources]
    consumers = [gevent.spawn(consume, queue, sink) for sink in sinks]
    producing = len(producers)
    try:
        for worker in gevent.iwait(producers + consumers):
            worker.get()  # re-raises the worker's error, if it failed
            if worker in producers:
                producing -= 1
                if not producing:
                    for _ in consumers:
                        queue.put(StopIteration)
    finally:
        gevent.killall(producers + consumers)
