"""Broken on purpose: processes, but run() does not wait for its consumer process to finish."""

import multiprocessing
import time

MODEL = "broken"


def consume(queue, sink):
    while (item := queue.get()) is not None:
        sink(item)
    time.sleep(1)  # "closing files"


def run(sources, sinks, capacity, io):
    context = multiprocessing.get_context("fork")
    queue = context.Queue(capacity)
    context.Process(target=consume, args=(queue, sinks[0])).start()
    for source in sources:
        for item in source:
            queue.put(item)
    queue.put(None)
    queue.close()
    queue.join_thread()  # the items are delivered, but the consumer is never joined
