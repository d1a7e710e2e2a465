"""Alternative to gevent: iterate the queue until StopIteration, and kill everyone on failure.

gevent's older idiom: ``for item in queue`` ends when ``StopIteration`` is put in the
queue, and the main greenlet waits with ``gevent.iwait``, re-raises the first failure and
kills the survivors. What sets it apart is not its cost per item (``docs/summary.md``
compares the two) but its shutdown: ``check --fail-in sink`` with several workers shows
its flaw: the news of a greenlet's death travels through the hub's callback
queue, which the queue's own hand-offs keep busy, so the survivors process the whole
workload first, and shutdown takes longer the more items there are, past the check's time
limit on a large workload (``docs/failures.md``).
"""

import gevent
from gevent.queue import Queue

MODEL = "gevent"


def produce(queue, source, io):
    for item in source:
        if io:
            gevent.sleep(io)
        queue.put(item)


def consume(queue, sink):
    for item in queue:
        sink(item)


def run(sources, sinks, capacity, io):
    queue = Queue(maxsize=capacity)
    producers = [gevent.spawn(produce, queue, source, io) for source in sources]
    consumers = [gevent.spawn(consume, queue, sink) for sink in sinks]
    producing = len(producers)
    try:
        for worker in gevent.iwait(producers + consumers):
            worker.get()
            if worker in producers:
                producing -= 1
                if not producing:
                    for _ in consumers:
                        queue.put(StopIteration)
    finally:
        gevent.killall(producers + consumers)
