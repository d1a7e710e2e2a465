"""Alternative to trio: one shared channel, no clones, and a DONE sentinel per consumer.

Shutdown the asyncio way, inside trio: a nested nursery waits for the producers, then the
parent sends one sentinel per consumer. Measured against closing the channel's clones.
"""

import trio

MODEL = "trio"

DONE = object()


async def produce(send_channel, source, io):
    for item in source:
        if io:
            await trio.sleep(io)
        await send_channel.send(item)


async def consume(receive_channel, sink):
    async for item in receive_channel:
        if item is DONE:
            return
        sink(item)


async def main(sources, sinks, capacity, io):
    send_channel, receive_channel = trio.open_memory_channel(capacity)
    async with trio.open_nursery() as nursery:
        for sink in sinks:
            nursery.start_soon(consume, receive_channel, sink)
        async with trio.open_nursery() as producers:
            for source in sources:
                producers.start_soon(produce, send_channel, source, io)
        for _ in sinks:
            await send_channel.send(DONE)


def run(sources, sinks, capacity, io):
    trio.run(main, sources, sinks, capacity, io)
