"""Alternative to trio: the consumer calls receive() in a loop until EndOfChannel.

Everything else is the trio variant's. Measured against it to see whether ``async for``
over a channel costs anything beyond the explicit loop (``docs/summary.md`` compares the
two, in time and in instructions per item).
"""

import trio

MODEL = "trio"


async def produce(send_channel, source, io):
    with send_channel:
        for item in source:
            if io:
                await trio.sleep(io)
            await send_channel.send(item)


async def consume(receive_channel, sink):
    with receive_channel:
        while True:
            try:
                item = await receive_channel.receive()
            except trio.EndOfChannel:
                return
            sink(item)


async def main(sources, sinks, capacity, io):
    send_channel, receive_channel = trio.open_memory_channel(capacity)
    async with trio.open_nursery() as nursery:
        with send_channel, receive_channel:
            for source in sources:
                nursery.start_soon(produce, send_channel.clone(), source, io)
            for sink in sinks:
                nursery.start_soon(consume, receive_channel.clone(), sink)


def run(sources, sinks, capacity, io):
    trio.run(main, sources, sinks, capacity, io)
