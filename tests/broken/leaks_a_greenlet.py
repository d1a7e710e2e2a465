"""Broken on purpose: the greenlet variant without its finally: consumers stay suspended."""

from collections import deque
from functools import partial
from itertools import cycle

from greenlet import getcurrent, greenlet

MODEL = "broken"


def run(sources, sinks, capacity, io):
    dq = deque()

    def produce(source):
        for item in source:
            if len(dq) == capacity:
                next(turns).switch(getcurrent())
            dq.append(item)

    def consume(sink, producer):
        while True:
            while dq:
                sink(dq.popleft())
            producer = producer.switch()

    consumers = [greenlet(partial(consume, sink)) for sink in sinks]
    turns = cycle(consumers)
    for source in sources:
        greenlet(produce).switch(source)
    if dq:
        next(turns).switch(getcurrent())
    run.consumers = consumers  # still referenced, still suspended, never ended
