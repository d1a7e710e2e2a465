"""Producer threads hand items to an asyncio.Queue(maxsize=capacity) with run_coroutine_threadsafe; asyncio consumer tasks get from it.

The hand-off of ``mixed_culsans`` and ``mixed_janus`` with the standard library alone, as
it is written without a library. The queue belongs to the event loop and is not
thread-safe, so a producer thread never touches it: it hands the loop a coroutine,
``queue.put(item)``, through ``asyncio.run_coroutine_threadsafe``, and blocks on the
``concurrent.futures.Future`` it gets back until the loop has run the put. The producers
are threads of a pool the loop waits on (``loop.run_in_executor``); the consumers are
tasks on the loop in the calling thread.

Back-pressure: the put waits on the loop while the queue is full, and its producer thread
waits on the future meanwhile. Every item, full queue or not, costs two cross-thread
wake-ups: the thread schedules a callback on the loop (``call_soon_threadsafe``: a lock, a
deque append and a write to the self-pipe that wakes the loop's ``select``), the loop
wraps the put in a new ``Task`` and runs it, and setting the future's result notifies the
``threading.Condition`` the thread sleeps on. The libraries save the round trip for the
items that find room: their sync ``put`` takes a lock and appends in the thread itself.

Shutdown: when every producer thread has returned, the loop puts one ``DONE`` per consumer.
Failure is cooperative, as in ``threads``: Python 3.11's ``asyncio.Queue`` has no
``shutdown()`` (3.13 adds one), and cancelling the consumers would leave a thread waiting
forever for a put that no one completes. So a worker that fails records its error; the
producers look at that record before each item and stop; a consumer that failed keeps
taking items (without processing them) until its ``DONE``, so that no put waits forever on
a full queue. Once everyone has stopped, the loop raises the first error.

The I/O wait is ``time.sleep`` in the producer thread: it releases the GIL, so the loop and
the other producers run meanwhile.

A socket wait is the threads' own: a blocking ``sendall`` and ``recv`` in the producer
thread as it takes each item (``asking``), which releases the GIL while it waits.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

MODEL = "threads + asyncio"
PER_PRODUCER = "thread"  # a thread of the pool: the harness checks the OS has room for them

DONE = object()


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later (GIL released)
            yield item


def produce(loop, queue, source, io, errors):
    """A producer thread: have the loop put each item, waiting until it has."""
    try:
        for item in source:
            if errors:
                return  # someone failed: stop
            if io:
                time.sleep(io)  # the item's I/O: releases the GIL, the loop runs meanwhile
            asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()
    except BaseException as exc:
        errors.append(exc)


async def consume(queue, sink, errors):
    """A consumer task: process items until the DONE sentinel arrives."""
    try:
        while (item := await queue.get()) is not DONE:
            sink(item)
    except Exception as exc:
        errors.append(exc)
        while await queue.get() is not DONE:
            pass  # keep taking, so that no producer thread waits forever on a full queue


async def main(threads, sources, sinks, capacity, io):
    """Consume on the loop while the producer threads run; then tell each consumer."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue(maxsize=capacity)
    errors = []
    consumers = [asyncio.create_task(consume(queue, sink, errors)) for sink in sinks]
    await asyncio.gather(*[loop.run_in_executor(threads, produce, loop, queue, source, io,
                                                errors) for source in sources])
    for _ in sinks:
        await queue.put(DONE)
    await asyncio.gather(*consumers)
    if errors:
        raise errors[0]


def run(sources, sinks, capacity, io, connections=None):
    """A thread per producer, the consumers on an event loop in this thread."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    with ThreadPoolExecutor(max_workers=len(sources), thread_name_prefix="producer") as threads:
        asyncio.run(main(threads, sources, sinks, capacity, io))
