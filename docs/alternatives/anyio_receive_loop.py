"""Alternative to anyio_asyncio: the consumer calls receive() in a loop until EndOfStream."""

import anyio

MODEL = "anyio on asyncio"


async def produce(send_stream, source, io):
    with send_stream:
        for item in source:
            if io:
                await anyio.sleep(io)
            await send_stream.send(item)


async def consume(receive_stream, sink):
    with receive_stream:
        while True:
            try:
                item = await receive_stream.receive()
            except anyio.EndOfStream:
                return
            sink(item)


async def main(sources, sinks, capacity, io):
    send_stream, receive_stream = anyio.create_memory_object_stream(capacity)
    async with anyio.create_task_group() as group:
        with send_stream, receive_stream:
            for source in sources:
                group.start_soon(produce, send_stream.clone(), source, io)
            for sink in sinks:
                group.start_soon(consume, receive_stream.clone(), sink)


def run(sources, sinks, capacity, io):
    anyio.run(main, sources, sinks, capacity, io, backend="asyncio")
