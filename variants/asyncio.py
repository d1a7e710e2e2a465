"""asyncio tasks handing items over through asyncio.Queue(maxsize=capacity).

Producers and consumers are tasks on one event loop in one thread. ``await queue.put()``
suspends the producer while the queue is full and ``await queue.get()`` suspends the
consumer while it is empty: back-pressure is a task parked on a future that the other
side resolves, and the loop then runs whichever task is ready. Between two ``await``s a
task runs alone, so the queue needs no lock.

Shutdown uses a sentinel: when every producer has finished, one ``DONE`` per consumer.
Failure is structured by ``asyncio.TaskGroup`` (Python 3.11): when a producer or a
consumer raises, its group cancels every other task in it, waits for them, and raises an
``ExceptionGroup`` holding the error. The consumers' group encloses the producers' group,
so a failing consumer also cancels the producers blocked on a full queue.

Expect a hand-off to cost more than gevent's and less than a thread's: every ``put`` and
``get`` is a coroutine call even when it does not suspend, and each suspension is a trip
through the event loop's ready queue, plus a future and a callback, all in Python code. An
I/O wait is ``await asyncio.sleep``: the task parks on a timer and the loop runs the
others, so the waits of many producers overlap in one thread.

A socket wait uses asyncio's streams, the documented high-level API:
``asyncio.open_connection(sock=...)`` adopts the producer's connected socket, then each
item is ``writer.write`` of a request and ``await reader.readexactly(1)`` of its reply,
during which the loop runs the other tasks. (A ``Protocol`` of one's own saves nothing
measurable and hides the wait in callbacks.) The stream owns the socket from then on, so
the producer closes it when its source is done.
"""

import asyncio
from contextlib import closing

MODEL = "asyncio"

DONE = object()


async def produce(queue, source, io):
    """Put every item of the source, waiting whenever the queue is full."""
    for item in source:
        if io:
            await asyncio.sleep(io)  # the item's I/O: the loop runs other tasks meanwhile
        await queue.put(item)


async def produce_asking(queue, source, connection):
    """Put every item of the source, each after a round trip over the producer's socket."""
    reader, writer = await asyncio.open_connection(sock=connection)
    with closing(writer):
        for item in source:
            writer.write(b"?")  # the item's I/O: a request, which the server answers io later;
            await reader.readexactly(1)  # the loop runs other tasks until the reply is in
            await queue.put(item)


async def consume(queue, sink):
    """Process items until the DONE sentinel arrives."""
    while (item := await queue.get()) is not DONE:
        sink(item)


async def main(sources, sinks, capacity, io, connections=None):
    """Run the producers to the end, then tell each consumer it is done."""
    queue = asyncio.Queue(maxsize=capacity)
    async with asyncio.TaskGroup() as consumers:
        for sink in sinks:
            consumers.create_task(consume(queue, sink))
        async with asyncio.TaskGroup() as producers:
            if connections:  # socket waits: each producer asks the server over its own
                for source, connection in zip(sources, connections):
                    producers.create_task(produce_asking(queue, source, connection))
            else:
                for source in sources:
                    producers.create_task(produce(queue, source, io))
        for _ in sinks:
            await queue.put(DONE)


def run(sources, sinks, capacity, io, connections=None):
    """Run the whole hand-off on a fresh event loop."""
    asyncio.run(main(sources, sinks, capacity, io, connections))
