"""Alternative to greenlet: a coordinator greenlet in the middle of every hand-off.

The generator design transposed to greenlets: a producer's ``put`` switches back to the
coordinator when the deque is full, and the coordinator switches to a consumer, which
switches back to the coordinator when it has drained the deque. Measured against direct
producer-to-consumer switching: twice the switches.
"""

import time
from collections import deque
from itertools import cycle

from greenlet import getcurrent, greenlet

MODEL = "greenlet"


def run(sources, sinks, capacity, io):
    dq = deque()
    coordinator = getcurrent()

    def put(item):
        while len(dq) == capacity:
            coordinator.switch()
        dq.append(item)

    def produce(source):
        for item in source:
            if io:
                time.sleep(io)
            put(item)

    def consume(sink):
        while True:
            while dq:
                sink(dq.popleft())
            coordinator.switch()

    producers = deque(greenlet(lambda s=source: produce(s)) for source in sources)
    consumers = [greenlet(lambda s=sink: consume(s)) for sink in sinks]
    turns = cycle(consumers)
    try:
        while producers:
            producer = producers.popleft()
            producer.switch()
            if not producer.dead:
                producers.append(producer)
            next(turns).switch()
    finally:
        for worker in [*producers, *consumers]:
            if worker:
                worker.throw()
