"""Alternative to threads: daemon consumers and queue.join() instead of a sentinel.

A common recipe (it is the queue module's own example): consumers loop forever calling
``task_done()``, and the main thread waits for ``queue.join()``. It is rejected by the
check, not by the timing: ``run()`` returns with the consumer threads still alive, blocked
in ``get()`` forever, and the interpreter only gets rid of them at exit.
"""

import queue
import threading
import time

MODEL = "threads"


def run(sources, sinks, capacity, io):
    q = queue.Queue(maxsize=capacity)

    def produce(source):
        for item in source:
            if io:
                time.sleep(io)
            q.put(item)

    def consume(sink):
        while True:
            sink(q.get())
            q.task_done()

    producers = [threading.Thread(target=produce, args=(source,)) for source in sources]
    for sink in sinks:
        threading.Thread(target=consume, args=(sink,), daemon=True).start()
    for thread in producers:
        thread.start()
    for thread in producers:
        thread.join()
    q.join()
