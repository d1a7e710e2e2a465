"""Broken on purpose: asyncio, but run() hands back the coroutine instead of running it.

run itself is a plain def, so the contract check on the module lets it through; only the
run shows that nothing happened.
"""

import asyncio

MODEL = "broken"


async def main(sources, sinks, capacity, io):
    queue = asyncio.Queue(capacity)

    async def consume(sink):
        while (item := await queue.get()) is not None:
            sink(item)

    async with asyncio.TaskGroup() as group:
        consumer = group.create_task(consume(sinks[0]))
        for source in sources:
            for item in source:
                await queue.put(item)
        await queue.put(None)
        await consumer


def run(sources, sinks, capacity, io):
    return main(sources, sinks, capacity, io)  # should have been asyncio.run(main(...))
