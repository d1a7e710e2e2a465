"""Broken on purpose: threads, but run() returns without joining its consumer thread."""

import queue
import threading
import time

MODEL = "broken"


def run(sources, sinks, capacity, io):
    q = queue.Queue(capacity)

    def consume(sink):
        while (item := q.get()) is not None:
            time.sleep(0.001)  # slow enough that items are still waiting when run() returns
            sink(item)

    threading.Thread(target=consume, args=(sinks[0],)).start()
    for source in sources:
        for item in source:
            q.put(item)
    q.put(None)  # and no join(): the last items are processed after run() returns
