"""Broken on purpose: a consumer that hands its shutdown sentinel to the sink as an item."""

import queue
import threading

MODEL = "broken"

DONE = object()


def run(sources, sinks, capacity, io):
    q = queue.Queue(capacity)

    def consume(sink):
        while True:
            item = q.get()
            sink(item)  # before looking at what it is
            if item is DONE:
                return

    consumer = threading.Thread(target=consume, args=(sinks[0],))
    consumer.start()
    for source in sources:
        for item in source:
            q.put(item)
    q.put(DONE)
    consumer.join()
