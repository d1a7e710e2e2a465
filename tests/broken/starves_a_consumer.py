"""Broken on purpose (unfair, not wrong): every item goes to the first consumer; the others never get one.

It does the task, so it passes every check: each item is processed once, in order, within
the capacity. Only the latency mode's fairness figures show what it does to the others.
"""

import time
from collections import deque

MODEL = "broken"


def run(sources, sinks, capacity, io):
    queue = deque()
    for source in sources:
        for item in source:
            if io:
                time.sleep(io)
            queue.append(item)
            if len(queue) == capacity:
                while queue:
                    sinks[0](queue.popleft())
    while queue:
        sinks[0](queue.popleft())
