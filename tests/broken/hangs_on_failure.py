"""Broken on purpose: threads whose consumer dies without a word, leaving the producer blocked."""

import queue
import threading

MODEL = "broken"

DONE = object()


def run(sources, sinks, capacity, io):
    q = queue.Queue(capacity)

    def consume(sink):
        while (item := q.get()) is not DONE:
            sink(item)  # if this raises, the thread dies and nobody drains the queue

    consumers = [threading.Thread(target=consume, args=(sink,), daemon=True) for sink in sinks]
    for consumer in consumers:
        consumer.start()
    for source in sources:
        for item in source:
            q.put(item)  # blocks forever once the queue is full and the consumer is gone
    for _ in consumers:
        q.put(DONE)
    for consumer in consumers:
        consumer.join()
