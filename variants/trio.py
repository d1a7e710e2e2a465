"""trio tasks handing items over through a memory channel with a buffer of capacity.

``trio.open_memory_channel(capacity)`` gives a send end and a receive end. ``await
send()`` suspends the producer while the buffer is full and the receiver iterates with
``async for``: back-pressure and hand-off are the channel's own. Every ``send`` is a
checkpoint, a place where trio may switch tasks or deliver a cancellation, even when the
buffer has room; that is part of what a trio hand-off costs, and what makes it cancellable.

Shutdown is closing, not a sentinel: each producer owns a clone of the send end and closes
it when its source is done; when the last clone is closed, every consumer's ``async for``
ends. Failure is the nursery's: if any task raises, trio cancels all the others, waits for
them, and raises the error in an ``ExceptionGroup``. No task can outlive the ``async with``
block that started it.

The channels are closed with a plain ``with``, not ``async with``: ``aclose()`` is a
checkpoint, and a consumer whose sink raised would wait there while a producer, finding the
channel closed, fails with ``BrokenResourceError`` and gets everyone cancelled; the
``Cancelled`` then replaces the sink's error, which is lost (trio issue #746). ``capqueue
check --fail-in sink`` caught exactly that.

Expect a hand-off dearer than a thread's and than in every other single-thread model but
anyio on trio, and one that does not get cheaper with a larger capacity: every item pays a
pass through trio's scheduler on each side. trio trades speed for guarantees (checkpoints,
fairness, cancellation) on every operation. An I/O wait is ``await trio.sleep``: the task
sleeps on trio's timer queue while the others run.

A socket wait wraps the producer's connected socket in a ``trio.SocketStream``, then each
item is ``await send_all`` of a request and ``await receive_some(1)`` of its reply; trio
parks the task on the socket's readiness (epoll) meanwhile. The producer closes the socket
with a plain ``with`` when its source is done, for the channels' reason.
"""

import trio

MODEL = "trio"


async def produce(send_channel, source, io):
    """Send every item of the source, then close this producer's send end."""
    with send_channel:
        for item in source:
            if io:
                await trio.sleep(io)  # the item's I/O: trio runs the other tasks meanwhile
            await send_channel.send(item)


async def produce_asking(send_channel, source, connection):
    """Send every item of the source, each after a round trip over the producer's socket."""
    stream = trio.SocketStream(trio.socket.from_stdlib_socket(connection))
    with send_channel, stream.socket:
        for item in source:
            await stream.send_all(b"?")  # the item's I/O: a request, answered io later;
            await stream.receive_some(1)  # trio runs the other tasks until the reply is in
            await send_channel.send(item)


async def consume(receive_channel, sink):
    """Process items until every send end is closed."""
    with receive_channel:
        async for item in receive_channel:
            sink(item)


async def main(sources, sinks, capacity, io, connections=None):
    """Start every producer and consumer with its own clone of a channel end."""
    send_channel, receive_channel = trio.open_memory_channel(capacity)
    async with trio.open_nursery() as nursery:
        with send_channel, receive_channel:
            if connections:  # socket waits: each producer asks the server over its own
                for source, connection in zip(sources, connections):
                    nursery.start_soon(produce_asking, send_channel.clone(), source, connection)
            else:
                for source in sources:
                    nursery.start_soon(produce, send_channel.clone(), source, io)
            for sink in sinks:
                nursery.start_soon(consume, receive_channel.clone(), sink)


def run(sources, sinks, capacity, io, connections=None):
    """Run the whole hand-off in a fresh trio run."""
    trio.run(main, sources, sinks, capacity, io, connections)
