"""Broken on purpose: processes, but the consumer process is never told that the producers
are done, and run() waits for it forever: a hang spread over threads and a child process."""

import multiprocessing
import threading

MODEL = "broken"

context = multiprocessing.get_context("fork")


def consume(queue, sink):
    while True:
        sink(queue.get())  # no sentinel ever comes


def produce(queue, source):
    for item in source:
        queue.put(item)


def run(sources, sinks, capacity, io):
    queue = context.Queue(capacity)
    consumer = context.Process(target=consume, args=(queue, sinks[0]))
    consumer.start()
    producers = [threading.Thread(target=produce, args=(queue, source)) for source in sources]
    for producer in producers:
        producer.start()
    for producer in producers:
        producer.join()
    consumer.join()  # forever
