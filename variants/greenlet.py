"""Plain greenlets switching straight from producer to consumer and back: no event loop at all.

A sibling of the notebook's generator coordinator, with the one thing generators cannot
do. A generator can only ``yield`` to whoever resumed it, so the notebook needs a
coordinator in the middle of every hand-off. A greenlet can ``switch()`` to any other
greenlet, from any depth of calls: these are symmetric coroutines. So a producer that finds
the deque full switches directly to a consumer, passing itself along; the consumer drains
the deque and switches directly back to that producer. No coordinator, no event loop, no
lock (nobody else can run in between), and half the switches of the generator design.

With no scheduler, nothing interleaves the producers either: the greenlet that called
``run`` starts them one after another, and each runs to the end of its source, handing
each full deque to the next consumer in turn; what is left at the end goes to one more.

Shutdown and failure follow greenlet's parent rule: a greenlet that finishes, or raises,
returns control (or its error) to its parent, the greenlet that created it, here the one
in ``run``. Consumers never finish on their own, so the ``finally`` ends every greenlet
still suspended with ``throw()`` (``GreenletExit``), whether the run succeeded or failed.

Expect the cheapest hand-off here after the generators': a switch is a C-level stack swap.
But with no scheduler there is no one to switch to while a producer waits for I/O: it
blocks in ``time.sleep`` with everyone else, and the producers' waits add up (gevent is
greenlet plus the scheduler that fixes exactly this).

A socket wait is the same blocking ``recv`` (``asking``, as a producer takes each item):
plain greenlets have no hub to switch to while a socket waits.
"""

import time
from collections import deque
from functools import partial
from itertools import cycle

from greenlet import getcurrent, greenlet

MODEL = "greenlet"


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later
            yield item


def run(sources, sinks, capacity, io, connections=None):
    """Run each producer in turn; full deques go straight to the consumers, and back."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    dq = deque()

    def produce(source):
        for item in source:
            if io:
                time.sleep(io)  # the item's I/O: blocks everyone, no one can run meanwhile
            if len(dq) == capacity:
                next(turns).switch(getcurrent())  # full: hand it to a consumer, and wait
            dq.append(item)

    def consume(sink, producer):
        while True:
            while dq:
                sink(dq.popleft())
            producer = producer.switch()  # empty: straight back; the next one sends itself

    consumers = [greenlet(partial(consume, sink)) for sink in sinks]
    turns = cycle(consumers)
    workers = list(consumers)
    try:
        for source in sources:
            workers.append(greenlet(produce))
            workers[-1].switch(source)  # returns when this producer's source is exhausted
        if dq:
            next(turns).switch(getcurrent())
    finally:
        for worker in workers:
            if worker:  # started and not finished: end it now
                worker.throw()
