"""``capqueue new``: a variant skeleton in a model's own idiom, with one line left to write.

A skeleton is a whole variant but for its hand-off: the model's queue, its workers, the
guarded I/O wait, shutdown and failure handling are in place, and the docstring already
has the sections a reader of the study expects (hand-off, back-pressure, shutdown,
failure, figures), written for what the skeleton does. The one line left is the producer's
put, marked ``FILL IN``: it raises ``NotImplementedError`` until it is written, and its
comment shows the model's usual way to write it. Once it is, the skeleton passes
``capqueue conform``.
"""

import string
import textwrap
from dataclasses import dataclass
from pathlib import Path

import variants
from harness.options import UsageError
from harness.registry import discover

MARK = "FILL IN"
HOLE = "@@ "  # in a template, the line that becomes the marked one: "@@ <the usual code>"


@dataclass(frozen=True)
class Skeleton:
    """One model's skeleton: its docstring's paragraphs and its code."""

    key: str  # what ``capqueue new --model`` calls it
    model: str  # the MODEL string it declares
    summary: str  # the docstring's first line, which ``capqueue list`` prints
    handoff: str
    backpressure: str
    shutdown: str
    failure: str
    code: str  # the module after its docstring; ``$name`` is the variant's name

    def render(self, name):
        """The module's text for a variant called ``name``."""
        doc = "\n\n".join([
            self.summary,
            f"Written from capqueue's {self.key} skeleton (``capqueue new {name} --model "
            f"{self.key}``): keep each paragraph true to what the code does.",
            f"Hand-off: {self.handoff}",
            f"Back-pressure: {self.backpressure}",
            f"Shutdown: {self.shutdown}",
            f"Failure: {self.failure}",
            f"Figures: time it beside its neighbours (``capqueue run {name} sequential``) and "
            "say here what a reader should notice in them, and why."])
        text = f'"""{_wrap(doc)}\n"""\n' + string.Template(self.code).substitute(name=name)
        lines = []
        for line in text.splitlines():
            indent, hole, usual = line.partition(HOLE)
            if hole and not indent.strip():
                line = f'{indent}raise NotImplementedError("{MARK}")  # e.g. {usual}'
            lines.append(line)
        return "\n".join(lines) + "\n"


def _wrap(doc, width=91):
    """Each paragraph of ``doc`` filled to ``width`` columns (the first line left whole)."""
    first, _, rest = doc.partition("\n\n")
    paragraphs = [textwrap.fill(p, width, break_on_hyphens=False) for p in rest.split("\n\n")]
    return "\n\n".join([first, *paragraphs])


SKELETONS = {skeleton.key: skeleton for skeleton in [
    Skeleton(
        key="threads",
        model="threads",
        summary="OS threads handing items over through queue.Queue(maxsize=capacity).",
        handoff="each producer and each consumer is a thread; ``Queue.put`` and ``Queue.get`` "
                "pass the items, and which thread runs next is the OS scheduler's choice.",
        backpressure="``put`` blocks while the queue holds ``capacity`` items: the producer "
                     "sleeps on the queue's condition until a consumer takes one.",
        shutdown="a sentinel: once every producer has finished, the main thread puts one "
                 "``DONE`` per consumer, then joins them.",
        failure="nothing can stop a thread from outside, so failure is cooperative. A worker "
                "whose source or sink raises records the error; producers look at that record "
                "before each item and stop; a consumer that failed keeps draining the queue "
                "until its ``DONE``, so that no producer waits forever on a full queue. The "
                "main thread joins everyone, then re-raises the first error.",
        code='''
import queue
import threading
import time

MODEL = "threads"

DONE = object()


def run(sources, sinks, capacity, io):
    """Start a thread per producer and per consumer, then join them all."""
    q = queue.Queue(maxsize=capacity)
    errors = []

    def produce(source):
        try:
            for item in source:
                if errors:
                    return  # someone failed: stop
                if io:
                    time.sleep(io)  # the item's I/O: releases the GIL, other threads run
                @@ q.put(item)
        except BaseException as exc:
            errors.append(exc)

    def consume(sink):
        try:
            while (item := q.get()) is not DONE:
                sink(item)
        except BaseException as exc:
            errors.append(exc)
            while q.get() is not DONE:
                pass  # keep taking, so that no producer waits forever on a full queue

    producers = [threading.Thread(target=produce, args=(source,)) for source in sources]
    consumers = [threading.Thread(target=consume, args=(sink,)) for sink in sinks]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join()
    for _ in consumers:
        q.put(DONE)
    for thread in consumers:
        thread.join()
    if errors:
        raise errors[0]
'''),
    Skeleton(
        key="asyncio",
        model="asyncio",
        summary="asyncio tasks handing items over through asyncio.Queue(maxsize=capacity).",
        handoff="producers and consumers are tasks on one event loop in one thread; "
                "``await queue.put()`` and ``await queue.get()`` pass the items, and between "
                "two ``await``s a task runs alone.",
        backpressure="``await queue.put()`` suspends the producer while the queue is full; "
                     "the loop runs whichever task is ready meanwhile.",
        shutdown="a sentinel: when every producer has finished, one ``DONE`` per consumer.",
        failure="``asyncio.TaskGroup``: when a task raises, its group cancels every other "
                "task in it and raises an ``ExceptionGroup`` holding the error. The consumers' "
                "group encloses the producers', so a failing consumer also cancels the "
                "producers blocked on a full queue.",
        code='''
import asyncio

MODEL = "asyncio"

DONE = object()


async def produce(queue, source, io):
    """Put every item of the source, waiting whenever the queue is full."""
    for item in source:
        if io:
            await asyncio.sleep(io)  # the item's I/O: the loop runs other tasks meanwhile
        @@ await queue.put(item)


async def consume(queue, sink):
    """Process items until the DONE sentinel arrives."""
    while (item := await queue.get()) is not DONE:
        sink(item)


async def main(sources, sinks, capacity, io):
    """Run the producers to the end, then tell each consumer it is done."""
    queue = asyncio.Queue(maxsize=capacity)
    async with asyncio.TaskGroup() as consumers:
        for sink in sinks:
            consumers.create_task(consume(queue, sink))
        async with asyncio.TaskGroup() as producers:
            for source in sources:
                producers.create_task(produce(queue, source, io))
        for _ in sinks:
            await queue.put(DONE)


def run(sources, sinks, capacity, io):
    """Run the whole hand-off on a fresh event loop."""
    asyncio.run(main(sources, sinks, capacity, io))
'''),
    Skeleton(
        key="trio",
        model="trio",
        summary="trio tasks handing items over through a memory channel with a buffer of "
                "capacity.",
        handoff="``trio.open_memory_channel(capacity)`` gives a send end and a receive end; "
                "producers ``await send()``, consumers iterate the receive end with ``async "
                "for``. Every ``send`` is a checkpoint, where trio may switch tasks.",
        backpressure="``await send()`` suspends the producer while the buffer is full.",
        shutdown="closing, not a sentinel: each worker owns a clone of its channel end and "
                 "closes it when done; when the last send clone is closed, every consumer's "
                 "``async for`` ends.",
        failure="the nursery's: if any task raises, trio cancels all the others, waits for "
                "them and raises the error in an ``ExceptionGroup``. The channels are closed "
                "with a plain ``with``: ``async with`` would add a checkpoint where a "
                "cancellation could replace the very error that caused it.",
        code='''
import trio

MODEL = "trio"


async def produce(send_channel, source, io):
    """Send every item of the source, then close this producer's send end."""
    with send_channel:
        for item in source:
            if io:
                await trio.sleep(io)  # the item's I/O: trio runs the other tasks meanwhile
            @@ await send_channel.send(item)


async def consume(receive_channel, sink):
    """Process items until every send end is closed."""
    with receive_channel:
        async for item in receive_channel:
            sink(item)


async def main(sources, sinks, capacity, io):
    """Start every producer and consumer with its own clone of a channel end."""
    send_channel, receive_channel = trio.open_memory_channel(capacity)
    async with trio.open_nursery() as nursery:
        with send_channel, receive_channel:
            for source in sources:
                nursery.start_soon(produce, send_channel.clone(), source, io)
            for sink in sinks:
                nursery.start_soon(consume, receive_channel.clone(), sink)


def run(sources, sinks, capacity, io):
    """Run the whole hand-off in a fresh trio run."""
    trio.run(main, sources, sinks, capacity, io)
'''),
    Skeleton(
        key="anyio",
        model="anyio on asyncio",
        summary="anyio memory object streams with a buffer of capacity, on anyio's asyncio "
                "backend.",
        handoff="``anyio.create_memory_object_stream(capacity)`` gives a send and a receive "
                "stream; producers ``await send()``, consumers iterate with ``async for``. "
                "The code is anyio's portable API: ``backend=\"trio\"`` runs it unchanged.",
        backpressure="``await send()`` suspends the producer while the buffer is full.",
        shutdown="closing: each worker owns a clone of its stream and closes it when done; "
                 "when the last send clone closes, the consumers' loops end.",
        failure="the task group's: when a task raises, anyio cancels every other task and "
                "raises the error in an ``ExceptionGroup``. The streams are closed with a "
                "plain ``with``, so that no checkpoint lets a cancellation replace the error.",
        code='''
import anyio

MODEL = "anyio on asyncio"


async def produce(send_stream, source, io):
    """Send every item of the source, then close this producer's clone."""
    with send_stream:
        for item in source:
            if io:
                await anyio.sleep(io)  # the item's I/O: other tasks run meanwhile
            @@ await send_stream.send(item)


async def consume(receive_stream, sink):
    """Process items until every send clone is closed."""
    with receive_stream:
        async for item in receive_stream:
            sink(item)


async def main(sources, sinks, capacity, io):
    """Start every producer and consumer with its own clone of a stream."""
    send_stream, receive_stream = anyio.create_memory_object_stream(capacity)
    async with anyio.create_task_group() as group:
        with send_stream, receive_stream:
            for source in sources:
                group.start_soon(produce, send_stream.clone(), source, io)
            for sink in sinks:
                group.start_soon(consume, receive_stream.clone(), sink)


def run(sources, sinks, capacity, io):
    """Run the portable code on the asyncio backend."""
    anyio.run(main, sources, sinks, capacity, io, backend="asyncio")
'''),
    Skeleton(
        key="gevent",
        model="gevent",
        summary="gevent greenlets handing items over through gevent.queue.Queue(maxsize="
                "capacity).",
        handoff="the code reads like threads, but all of it runs in one OS thread: a "
                "greenlet that cannot go on switches to gevent's hub, which switches to one "
                "that can.",
        backpressure="``queue.put`` blocks (cooperatively) while the queue is full.",
        shutdown="the queue's own ``shutdown()``: once the producers are done, consumers take "
                 "what is queued, after which their ``get`` raises ``ShutDown``.",
        failure="a worker that fails calls ``shutdown(immediate=True)`` before its error "
                "propagates, so that every blocked or later ``put`` and ``get`` raises "
                "``ShutDown`` and the other workers end at once; ``joinall`` then re-raises "
                "the error.",
        code='''
import gevent
from gevent.queue import Queue, ShutDown

MODEL = "gevent"


def produce(queue, source, io):
    """Put every item of the source, blocking (cooperatively) whenever the queue is full."""
    for item in source:
        if io:
            gevent.sleep(io)  # the item's I/O: the hub runs the other greenlets meanwhile
        @@ queue.put(item)


def consume(queue, sink):
    """Process items until the queue is shut down and empty."""
    while True:
        try:
            item = queue.get()
        except ShutDown:
            return
        sink(item)


def run(sources, sinks, capacity, io):
    """Spawn the workers, shut the queue down once the producers are done, re-raise failures."""
    queue = Queue(maxsize=capacity)

    def work(task, *args):
        try:
            task(queue, *args)
        except ShutDown:
            pass  # someone else failed and shut the queue down: just stop
        except BaseException:
            queue.shutdown(immediate=True)  # stop everyone else now
            raise

    producers = [gevent.spawn(work, produce, source, io) for source in sources]
    consumers = [gevent.spawn(work, consume, sink) for sink in sinks]
    try:
        gevent.joinall(producers, raise_error=True)
        queue.shutdown()
        gevent.joinall(consumers, raise_error=True)
    finally:
        gevent.killall(producers + consumers)
'''),
    Skeleton(
        key="generators",
        model="generators",
        summary="Generator coroutines around a capped deque, driven by a coordinator with "
                "next().",
        handoff="a producer appends to a ``deque(maxlen=capacity)``; a consumer pops from the "
                "other end. A plain loop, the coordinator, decides who runs: each producer in "
                "turn fills the deque, then the next consumer drains it.",
        backpressure="a producer whose deque is full ``yield``s: a bare ``yield`` is the "
                     "whole of it, \"I cannot go on, someone else run\".",
        shutdown="a producer's ``StopIteration``: the coordinator drops it and, once none is "
                 "left, stops resuming the consumers.",
        failure="a failing source or sink raises straight out of ``next()`` and so out of "
                "``run``: with one thread of control there is no other worker to stop.",
        code='''
import time
from collections import deque
from itertools import cycle

MODEL = "generators"


def produce(dq, capacity, source, io):
    """Append items until the deque is full, then yield control back to the coordinator."""
    for item in source:
        if io:
            time.sleep(io)  # the item's I/O: blocks everyone, nobody could resume us later
        @@ dq.appendleft(item)
        if len(dq) == capacity:
            yield


def consume(dq, sink):
    """Process items until the deque is empty, then yield control; never finishes."""
    while True:
        while dq:
            sink(dq.pop())
        yield


def run(sources, sinks, capacity, io):
    """Coordinate: resume each producer in turn, and after each, the next consumer."""
    dq = deque(maxlen=capacity)
    producers = deque(produce(dq, capacity, source, io) for source in sources)
    consumers = cycle([consume(dq, sink) for sink in sinks])
    while producers:
        producer = producers.popleft()
        try:
            next(producer)
            producers.append(producer)  # it stopped on a full deque: it will have another turn
        except StopIteration:
            pass  # its source is exhausted
        next(next(consumers))
'''),
]}


def write(name, model, folder=None):
    """Write the ``model`` skeleton of variant ``name`` into ``folder`` (default: the
    ``variants`` package); return its path and the number of its marked line."""
    if not name.isidentifier() or name.startswith("_"):
        raise UsageError(f"{name!r} cannot be a variant name: use letters, digits and _, "
                         "not starting with _ or a digit")
    folder = Path(folder) if folder else Path(variants.__path__[0])
    if not folder.is_dir():
        raise UsageError(f"no folder at {folder}")
    path = folder / f"{name}.py"
    if path.exists() and path.parent == Path(variants.__path__[0]):
        raise UsageError(f"there is already a variant named {name!r} (variants/{name}.py); "
                         "choose another name")
    if path.exists():
        raise UsageError(f"{path} already exists; choose another name, or another folder with "
                         "--to")
    known = {v.name: v for v in discover()}  # last: it imports every variant
    if name in known:
        raise UsageError(f"there is already a variant named {name!r} ({known[name].origin}); "
                         "choose another name")
    text = SKELETONS[model].render(name)
    path.write_text(text)
    line = next(number for number, line in enumerate(text.splitlines(), 1)
                if f'NotImplementedError("{MARK}")' in line)
    return path, line
