"""``capqueue new``: a variant skeleton in a model's own idiom, with one line left to write.

A skeleton is made from the model's exhibit, so that a fix to an exhibit reaches its
skeleton: the exhibit's code whole (its queue, its workers, the guarded I/O wait, shutdown
and failure handling), under a docstring that has the sections a reader of the study
expects (hand-off, back-pressure, shutdown, failure, figures), written for what that code
does. One line is left out, the put of the producer that sleeps (``produce``; an async
exhibit's producer for socket waits, ``produce_asking``, keeps its own), which each
skeleton names: it becomes a ``raise NotImplementedError("FILL IN")`` whose comment shows
the exhibit's own line. Once it is written, the skeleton passes ``capqueue conform``. An
exhibit whose ``produce`` no longer has the named line exactly once makes no skeleton
(``tests/test_scaffold.py`` says so first).
"""

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

import variants
from harness.options import UsageError
from harness.registry import discover

MARK = "FILL IN"
PRODUCER = "produce"  # the function (or closure) of the exhibit whose put is left out


@dataclass(frozen=True)
class Skeleton:
    """One model's skeleton: the exhibit it is made from, its hand-off line, its docstring."""

    key: str  # what ``capqueue new --model`` calls it
    exhibit: str  # the variant whose code it is: variants/<exhibit>.py
    put: str  # the statement of the exhibit left for the user to write, as it stands there
    summary: str  # the docstring's first line, which ``capqueue list`` prints
    handoff: str
    backpressure: str
    shutdown: str
    failure: str

    def code(self):
        """The exhibit's code after its docstring, with its ``put`` line marked."""
        path = Path(variants.__file__).with_name(f"{self.exhibit}.py")
        source = path.read_text()
        body = ast.parse(source).body
        start = body[0].end_lineno if body and isinstance(body[0], ast.Expr) and isinstance(
            getattr(body[0], "value", None), ast.Constant) else 0
        lines = source.splitlines()[start:]
        producer = next((node for node in ast.walk(ast.parse(source)) if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == PRODUCER), None)
        within = range(producer.lineno - 1 - start, producer.end_lineno - start) \
            if producer else range(0)
        found = [n for n in within if lines[n].partition("  #")[0].strip() == self.put]
        if len(found) != 1:
            raise UsageError(f"the {self.key} skeleton is made from variants/{self.exhibit}.py, "
                             f"whose {PRODUCER}() has {len(found) or 'no'} line(s) "
                             f"{self.put!r} to leave out; name its hand-off line in "
                             "harness/scaffold.py")
        [at] = found
        indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
        lines[at] = f'{indent}raise NotImplementedError("{MARK}")  # e.g. {self.put}'
        return "\n".join(lines) + "\n"

    def render(self, name):
        """The module's text for a variant called ``name``."""
        doc = "\n\n".join([
            self.summary,
            f"Written from capqueue's {self.key} skeleton (``capqueue new {name} --model "
            f"{self.key}``), which is the ``{self.exhibit}`` exhibit's code: keep each "
            "paragraph true to what the code does.",
            f"Hand-off: {self.handoff}",
            f"Back-pressure: {self.backpressure}",
            f"Shutdown: {self.shutdown}",
            f"Failure: {self.failure}",
            f"Figures: time it beside its neighbours (``capqueue run {name} sequential``) and "
            "say here what a reader should notice in them, and why."])
        return f'"""{_wrap(doc)}\n"""\n' + self.code()


def _wrap(doc, width=91):
    """Each paragraph of ``doc`` filled to ``width`` columns (the first line left whole)."""
    first, _, rest = doc.partition("\n\n")
    paragraphs = [textwrap.fill(p, width, break_on_hyphens=False) for p in rest.split("\n\n")]
    return "\n\n".join([first, *paragraphs])


SKELETONS = {skeleton.key: skeleton for skeleton in [
    Skeleton(
        key="threads",
        exhibit="threads",
        put="q.put(item)",
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
                "main thread joins everyone, then re-raises the first error."),
    Skeleton(
        key="asyncio",
        exhibit="asyncio",
        put="await queue.put(item)",
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
                "producers blocked on a full queue."),
    Skeleton(
        key="trio",
        exhibit="trio",
        put="await send_channel.send(item)",
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
                "cancellation could replace the very error that caused it."),
    Skeleton(
        key="anyio",
        exhibit="anyio_asyncio",
        put="await send_stream.send(item)",
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
                "plain ``with``, so that no checkpoint lets a cancellation replace the error."),
    Skeleton(
        key="gevent",
        exhibit="gevent",
        put="queue.put(item)",
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
                "the error."),
    Skeleton(
        key="generators",
        exhibit="generators",
        put="dq.appendleft(item)",
        summary="Generator coroutines around a capped deque, driven by a coordinator with "
                "next().",
        handoff="a producer appends to a ``deque(maxlen=capacity)``; a consumer pops from the "
                "other end. A plain loop, the coordinator, decides who runs: each producer in "
                "turn fills the deque, then the next consumer drains it. ``say``, when "
                "``capqueue trace`` passes ``print``, narrates who runs and who waits.",
        backpressure="a producer whose deque is full ``yield``s: a bare ``yield`` is the "
                     "whole of it, \"I cannot go on, someone else run\".",
        shutdown="a producer's ``StopIteration``: the coordinator drops it and, once none is "
                 "left, stops resuming the consumers.",
        failure="a failing source or sink raises straight out of ``next()`` and so out of "
                "``run``: with one thread of control there is no other worker to stop."),
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
