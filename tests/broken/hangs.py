"""Broken on purpose: asyncio, but the consumers are never told that the producers are done."""

import asyncio

MODEL = "broken"


async def main(sources, sinks, capacity):
    queue = asyncio.Queue(capacity)

    async def consume(sink):
        while True:
            sink(await queue.get())

    async def produce(source):
        for item in source:
            await queue.put(item)

    async with asyncio.TaskGroup() as group:
        for sink in sinks:
            group.create_task(consume(sink))
        for source in sources:
            group.create_task(produce(source))


def run(sources, sinks, capacity, io):
    asyncio.run(main(sources, sinks, capacity))
