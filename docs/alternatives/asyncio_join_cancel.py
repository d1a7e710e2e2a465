"""Alternative to asyncio: shut down with queue.join(), then cancel the consumers.

Consumers call ``task_done()`` after each item; once the producers are done, the main
task waits for ``queue.join()`` and cancels the consumers, which never see a sentinel.
Measured against the sentinel: it adds a ``task_done()`` per item; the timing does not
tell the two apart.
"""

import asyncio

MODEL = "asyncio"


async def produce(queue, source, io):
    for item in source:
        if io:
            await asyncio.sleep(io)
        await queue.put(item)


async def consume(queue, sink):
    while True:
        sink(await queue.get())
        queue.task_done()


async def main(sources, sinks, capacity, io):
    queue = asyncio.Queue(capacity)
    async with asyncio.TaskGroup() as group:
        consumers = [group.create_task(consume(queue, sink)) for sink in sinks]
        async with asyncio.TaskGroup() as producers:
            for source in sources:
                producers.create_task(produce(queue, source, io))
        await queue.join()
        for consumer in consumers:
            consumer.cancel()


def run(sources, sinks, capacity, io):
    asyncio.run(main(sources, sinks, capacity, io))
