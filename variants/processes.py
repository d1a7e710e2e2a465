"""Producers and consumers in separate processes, through multiprocessing.Queue(maxsize=capacity).

Each worker is an OS process with its own interpreter and its own GIL, so producers and
consumers really run at the same time on different cores. The price is that every item
crosses a process boundary: ``put`` pickles it and a background feeder thread writes it
to a pipe, ``get`` reads and unpickles it. ``maxsize`` is enforced with a semaphore shared
by the processes, so back-pressure is a producer blocked on that semaphore.

Shutdown: each producer puts a ``None`` after its items (the identity of an ``object()``
sentinel would not survive pickling), and the consumer that takes the last producer's
``None`` (a shared counter says which) puts one more for each other consumer. The
consumers, not the producers, must tell the end: a ``put`` returns once the item is in
the producer's feeder thread, before it is in the pipe, so a producer that finished
first may still have items on their way when the last one finishes; the pipe keeps each
producer's writes in order, so once every producer's ``None`` is taken, every item is. Failure:
nothing is shared but the queue, so a worker that fails sends its exception back through
a second queue and exits with status 1; the parent waits on every process's sentinel at
once and, at the first one that fails, terminates the others (a consumer's death would
leave producers blocked on a full queue forever) and re-raises the worker's error.

What the timing includes: starting and joining every process (with the ``fork`` start
method, cheaper than ``spawn``) and pickling each item across the pipe, both inside the
timed ``run()``. Expect a hand-off dearer than a thread's.
In exchange, an I/O wait (``time.sleep`` in the producer's own process) blocks nobody
else, and the consumers' CPU work runs on every core.

A socket wait is a blocking ``sendall`` and ``recv`` in the producer's own process as it
takes each item (``asking``): the connected socket came with the fork, like every argument
of a ``fork`` child, unpickled.
"""

import multiprocessing
import time
from multiprocessing.connection import wait

MODEL = "processes"
PER_PRODUCER = "process"  # and per consumer: the harness checks the OS has room for them

context = multiprocessing.get_context("fork")


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later, in this process
            yield item


def produce(queue, source, io, errors):
    """Put every item of the source, then a None to say this producer is done."""
    try:
        for item in source:
            if io:
                time.sleep(io)  # the item's I/O, in this producer's own process
            queue.put(item)
        queue.put(None)
        queue.close()
        queue.join_thread()  # make sure the feeder thread has written everything
    except BaseException as exc:
        errors.put(exc)
        raise SystemExit(1) from None


def consume(queue, sink, done, producers, consumers, errors):
    """Process items until every producer is done; the consumer that sees it tells the rest."""
    try:
        while True:
            while (item := queue.get()) is not None:
                sink(item)
            with done.get_lock():  # a None: one more producer done, or all of them
                done.value += 1
                if done.value == producers:
                    for _ in range(consumers - 1):
                        queue.put(None)
                if done.value >= producers:
                    return
    except BaseException as exc:
        errors.put(exc)
        raise SystemExit(1) from None


def run(sources, sinks, capacity, io, connections=None):
    """Start a process per worker, supervise them all, and stop everyone at the first failure."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    queue = context.Queue(maxsize=capacity)
    errors = context.SimpleQueue()
    done = context.Value("i", 0)  # how many producers' None the consumers have taken
    workers = [context.Process(target=produce, args=(queue, source, io, errors))
               for source in sources]
    workers += [context.Process(target=consume, args=(queue, sink, done, len(sources),
                                                      len(sinks), errors)) for sink in sinks]
    for worker in workers:
        worker.start()
    try:
        running = list(workers)
        while running:
            wait([worker.sentinel for worker in running])
            for worker in [w for w in running if w.exitcode is not None]:
                running.remove(worker)
                if worker.exitcode:
                    if errors.empty():
                        raise RuntimeError(f"{worker.name} died with exit code {worker.exitcode}")
                    raise errors.get()
    finally:
        for worker in workers:
            if worker.exitcode is None:
                worker.terminate()
            worker.join()
        queue.close()
        queue.cancel_join_thread()  # the parent put nothing it needs flushed
