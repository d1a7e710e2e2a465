"""Broken on purpose: raises a consumer's error at once, leaving its producer thread blocked."""

import queue
import threading

MODEL = "broken"


def run(sources, sinks, capacity, io):
    q = queue.Queue(capacity)

    def produce():
        for source in sources:
            for item in source:
                q.put(item)
        q.put(None)

    threading.Thread(target=produce).start()
    while (item := q.get()) is not None:
        sinks[0](item)  # if this raises, the producer stays blocked on the full queue
