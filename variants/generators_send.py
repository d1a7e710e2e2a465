"""PEP 342 style: the notebook's producer and capped deque, and a consumer fed with send().

The producer is the notebook's: it appends to a ``deque(maxlen=capacity)`` and yields when
the deque is full. The consumer is a coroutine in the sense of PEP 342 (Python 2.5): its
``yield`` is an expression, ``sink((yield))``, so it receives each item as the value of
``send()``. The coordinator no longer asks the consumer to drain the deque; it drains it
itself, sending the items one by one into the consumer.

Compare it with ``generators``: there one ``next()`` lets the consumer process a whole
dequeful, here every item is a ``send()``, a full resume and suspend of the consumer's
frame. That is the price of pushing data into a coroutine rather than letting it pull,
which instruction counts resolve where wall time at the default capacity does not.
Shutdown is ``close()``, which raises ``GeneratorExit`` at the consumer's ``yield``;
a failing sink raises out of ``send()`` and so out of ``run``. As in ``generators``, an
I/O wait can only block the whole program.

A socket wait blocks the same way, in ``recv`` (``asking``).
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


def produce(dq, capacity, source, io):
    """Append items until the deque is full, then yield control back to the coordinator."""
    for item in source:
        if io:
            time.sleep(io)  # the item's I/O: blocks everyone
        dq.appendleft(item)
        if len(dq) == capacity:
            yield


def consume(sink):
    """Receive items through send(), one per resume, until closed."""
    while True:
        sink((yield))


def run(sources, sinks, capacity, io, connections=None):
    """Coordinate: let each producer fill the deque, then send its items to the next consumer."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    dq = deque(maxlen=capacity)
    producers = deque(produce(dq, capacity, source, io) for source in sources)
    consumers = [consume(sink) for sink in sinks]
    for consumer in consumers:
        next(consumer)  # prime it: run it to its first yield, ready for send()
    feeds = cycle([consumer.send for consumer in consumers])
    try:
        while producers:
            producer = producers.popleft()
            try:
                next(producer)
                producers.append(producer)
            except StopIteration:
                pass
            feed = next(feeds)
            while dq:
                feed(dq.pop())
    finally:
        for consumer in consumers:
            consumer.close()
