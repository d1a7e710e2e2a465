"""No concurrency at all: take each item and process it at once; the floor of every table.

There is no queue, no hand-off and no second worker: one loop takes every item from every
source in turn and gives it to the first consumer's sink. What it costs per item is what
every variant pays anyway (the source's iterator and the sink call), so each other
variant's ratio to this one is the price of its model's hand-off, back-pressure and
shutdown. Its queue depth is always zero, so the capacity never matters. A failing source
or sink simply raises out of the loop: there is nobody else to stop.

With work per item it is also the other bound, the run with no concurrency at all: every
I/O wait is slept through, one after another, and every item's CPU work follows it, so a
run takes producers x items x (io + cpu). A model's speed-up is measured against it.

A socket wait is a blocking ``sendall`` of a request and ``recv`` of its reply, done as a
producer takes each item (``asking``): nothing else can happen meanwhile, so the round
trips of several producers add up too.
"""

import time

MODEL = "sequential"


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    with connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, and a blocking wait for
            connection.recv(1)  # its reply, which the server sends io later
            yield item


def run(sources, sinks, capacity, io, connections=None):
    """Process every item of every source, in order, with the first sink."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
    sink = sinks[0]
    for source in sources:
        for item in source:
            if io:
                time.sleep(io)  # the item's I/O: nothing else can happen meanwhile
            sink(item)
