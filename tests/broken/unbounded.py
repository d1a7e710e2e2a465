"""Broken on purpose: the notebook's generators, but the producer never yields on a full queue."""

from collections import deque

MODEL = "broken"


def run(sources, sinks, capacity, io):
    dq = deque()  # no maxlen, and nobody looks at the capacity
    for source in sources:
        for item in source:
            dq.appendleft(item)
    while dq:
        sinks[0](dq.pop())
