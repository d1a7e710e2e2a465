"""The teaching notebook's design: generator coroutines around a capped deque, driven by next().

A producer appends to the left of a ``deque(maxlen=capacity)`` until it is full, then
``yield``s: that bare ``yield`` is the whole of back-pressure, a cooperative "I cannot go on,
someone else run". A consumer pops from the right until the deque is empty, then yields in
turn. Neither generator yields a value: ``yield`` here suspends, and ``next()`` resumes, not
iterates. A plain loop, the coordinator, decides who runs: each producer in turn fills the
deque, then the next consumer drains it. Because nobody else can touch the deque between
those steps, a producer always starts on an empty deque and never overfills it (a full
``deque(maxlen=...)`` would silently drop its oldest item).

Shutdown is a producer's ``StopIteration``: the coordinator drops it and, once none is left,
simply stops resuming the consumers, which stay suspended forever and are collected. A
failing source or sink raises straight out of ``next()`` and so out of ``run``: with one
thread of control there is no other worker to stop.

Expect it, with ``generators_send``, the cheapest hand-off here: a deque append and pop per
item, and one generator resume per full or empty deque, so a larger capacity means fewer
switches.
``capqueue trace generators --items 35 --capacity 10`` prints the notebook's own narration.

An I/O wait shows what a coordinator of plain generators cannot do: a generator can only
yield to whoever resumed it, and nothing here knows how to resume it when its I/O is done.
So a producer blocks in ``time.sleep`` with the whole program, and the waits of several
producers add up instead of overlapping.

A socket wait shows the same: the producer blocks in ``recv`` until the server's reply comes
(``asking``, as it takes each item), and so does the whole program.
"""

import time
from collections import deque
from itertools import cycle

MODEL = "generators"


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later
            yield item


def produce(dq, capacity, source, io, say=None):
    """Append items until the deque is full, then yield control back to the coordinator."""
    for item in source:
        if io:
            time.sleep(io)  # the item's I/O: blocks everyone, nobody could resume us later
        dq.appendleft(item)
        if len(dq) == capacity:
            if say:
                say("queue full - yielding control")
            yield


def consume(dq, sink, say=None):
    """Process items until the deque is empty, then yield control; never finishes."""
    while True:
        while dq:
            sink(dq.pop())
        if say:
            say("queue empty - yielding control")
        yield


def run(sources, sinks, capacity, io, say=None, connections=None):
    """Coordinate: resume each producer in turn, and after each, the next consumer."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    dq = deque(maxlen=capacity)
    producers = deque(produce(dq, capacity, source, io, say) for source in sources)
    consumers = cycle([consume(dq, sink, say) for sink in sinks])
    while producers:
        producer = producers.popleft()
        if say:
            say("producing...")
        try:
            next(producer)
            producers.append(producer)  # it stopped on a full deque: it will have another turn
        except StopIteration:
            pass  # its source is exhausted
        if say:
            say("consuming...")
        next(next(consumers))
