"""Producer threads put into a janus.Queue(maxsize=capacity) through its sync face; asyncio consumer tasks get from its async face.

The hand-off a service needs when blocking code (a thread, a blocking library) feeds an
asyncio program, with janus, the older of the two libraries for it. A ``janus.Queue`` has
two faces over one buffer: ``queue.sync_q`` for threads, whose ``put`` blocks the calling
thread, and ``queue.async_q`` for tasks, whose ``get`` suspends the calling task. The
producers are threads of a pool the event loop waits on (``loop.run_in_executor``); the
consumers are tasks on the loop in the calling thread.

Back-pressure is a producer thread blocked in ``put`` on a full queue; an empty queue is a
consumer task suspended in ``get``. Each crossing wakes the other side in its own way: a
task that takes an item wakes a waiting thread through a lock the thread sleeps on, and a
thread that puts an item wakes a waiting task by scheduling its wake-up on the loop from
outside (``call_soon_threadsafe``, which writes to the loop's self-pipe). janus keeps two
sets of conditions over one ``threading.Lock``: ``threading.Condition``s for the threads,
``asyncio.Condition``s for the tasks; a thread's ``put`` notifies a waiting task by
scheduling a small task on the loop that takes the asyncio lock and notifies.

Shutdown: when every producer thread has returned, the loop puts one ``DONE`` per
consumer. Failure: the consumers and the wait for the producers share an
``asyncio.TaskGroup``, so a failing producer (its error comes out of its executor future)
or a failing consumer cancels the rest of the group; a thread cannot be cancelled, so
``queue.aclose()`` (janus's ``shutdown(immediate=True)``, then a wait for its pending
notifications) makes every blocked or later ``put`` raise ``SyncQueueShutDown`` in the
producer threads, which end; the pool's ``with`` block joins them.

Expect a hand-off to cost more than in ``threads`` or ``asyncio`` alone: every item crosses
from a thread to the loop, and a full or empty queue costs a cross-thread wake-up (a
system call) on top of the GIL hand-over. The I/O wait is ``time.sleep`` in the producer
thread: it releases the GIL, so the loop and the other producers run meanwhile.

A socket wait is the threads' own: a blocking ``sendall`` and ``recv`` in the producer
thread as it takes each item (``asking``), which releases the GIL while it waits.
"""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import janus

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


def produce(queue, source, io):
    """A producer thread: put every item, blocking while the queue is full."""
    for item in source:
        if io:
            time.sleep(io)  # the item's I/O: releases the GIL, the loop runs meanwhile
        queue.put(item)


async def consume(queue, sink):
    """A consumer task: process items until the DONE sentinel arrives."""
    while (item := await queue.get()) is not DONE:
        sink(item)


async def main(threads, sources, sinks, capacity, io):
    """Consume on the loop while the producer threads run; then tell each consumer."""
    loop = asyncio.get_running_loop()
    queue = janus.Queue(maxsize=capacity)
    try:
        async with asyncio.TaskGroup() as consumers:
            for sink in sinks:
                consumers.create_task(consume(queue.async_q, sink))
            await asyncio.gather(*[loop.run_in_executor(threads, produce, queue.sync_q,
                                                        source, io) for source in sources])
            for _ in sinks:
                await queue.async_q.put(DONE)
    finally:
        await queue.aclose()  # after a failure: wakes producers blocked in put()


def run(sources, sinks, capacity, io, connections=None):
    """A thread per producer, the consumers on an event loop in this thread."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    with ThreadPoolExecutor(max_workers=len(sources), thread_name_prefix="producer") as threads:
        asyncio.run(main(threads, sources, sinks, capacity, io))
