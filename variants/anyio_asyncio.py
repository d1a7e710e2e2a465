"""anyio memory object streams with a buffer of capacity, run on anyio's asyncio backend.

The code is written once against anyio's portable API and runs unchanged on asyncio or
trio (``anyio_trio`` runs this very ``main`` on the other backend). It mirrors the trio
variant: ``create_memory_object_stream(capacity)`` gives a send and a receive stream,
producers ``await send()`` (suspended while the buffer is full), consumers iterate with
``async for``, and each worker owns a clone of its stream and closes it when done: when
the last send clone closes, the consumers' loops end. A task group, anyio's nursery,
cancels every other task when one fails and raises the error in an ``ExceptionGroup``.

As in the trio variant the streams are closed with a plain ``with`` (synchronous
``close()``): ``async with`` would add a checkpoint in which a cancellation could replace
the very error that caused it.

What the layer costs: anyio keeps trio's rule that every ``send`` and ``receive`` is a
checkpoint, so on asyncio each item costs a trip through the event loop (``sleep(0)``),
where ``asyncio.Queue`` suspends only when the queue is full or empty. An I/O wait is
``await anyio.sleep``, which becomes the backend's own sleep.

A socket wait adopts the producer's connected socket as anyio's own stream,
``SocketStream.from_socket`` (an asyncio transport here, a trio socket stream on trio),
then each item is ``await send`` of a request and ``await receive(1)`` of its reply.
Unlike a memory stream, a socket stream has no synchronous close, so this one is closed
with ``async with``.
"""

import anyio

MODEL = "anyio on asyncio"


async def produce(send_stream, source, io):
    """Send every item of the source, then close this producer's clone."""
    with send_stream:
        for item in source:
            if io:
                await anyio.sleep(io)  # the item's I/O: other tasks run meanwhile
            await send_stream.send(item)


async def produce_asking(send_stream, source, connection):
    """Send every item of the source, each after a round trip over the producer's socket."""
    from anyio.abc import SocketStream  # here, not above: without socket waits, never loaded

    with send_stream:
        async with await SocketStream.from_socket(connection) as stream:
            for item in source:
                await stream.send(b"?")  # the item's I/O: a request, answered io later;
                await stream.receive(1)  # the other tasks run until the reply is in
                await send_stream.send(item)


async def consume(receive_stream, sink):
    """Process items until every send clone is closed."""
    with receive_stream:
        async for item in receive_stream:
            sink(item)


async def main(sources, sinks, capacity, io, connections=None):
    """Start every producer and consumer with its own clone of a stream."""
    send_stream, receive_stream = anyio.create_memory_object_stream(capacity)
    async with anyio.create_task_group() as group:
        with send_stream, receive_stream:
            if connections:  # socket waits: each producer asks the server over its own
                for source, connection in zip(sources, connections):
                    group.start_soon(produce_asking, send_stream.clone(), source, connection)
            else:
                for source in sources:
                    group.start_soon(produce, send_stream.clone(), source, io)
            for sink in sinks:
                group.start_soon(consume, receive_stream.clone(), sink)


def run(sources, sinks, capacity, io, connections=None):
    """Run the portable code on the asyncio backend."""
    anyio.run(main, sources, sinks, capacity, io, connections, backend="asyncio")
