"""Alternative to generators: the notebook's literal tests, len(dq) > 0 and dq.maxlen.

The same design as the generators variant, with the notebook's spelling of the two tests
that run once per item: ``while len(dq) > 0`` instead of ``while dq``, and ``len(dq) ==
dq.maxlen`` (an attribute lookup) instead of comparing with a local ``capacity``.
"""

import time
from collections import deque
from itertools import cycle

MODEL = "generators"


def produce(dq, source, io):
    for item in source:
        if io:
            time.sleep(io)
        dq.appendleft(item)
        if len(dq) == dq.maxlen:
            yield


def consume(dq, sink):
    while True:
        while len(dq) > 0:
            sink(dq.pop())
        yield


def run(sources, sinks, capacity, io):
    dq = deque(maxlen=capacity)
    producers = deque(produce(dq, source, io) for source in sources)
    consumers = cycle([consume(dq, sink) for sink in sinks])
    while producers:
        producer = producers.popleft()
        try:
            next(producer)
            producers.append(producer)
        except StopIteration:
            pass
        next(next(consumers))
