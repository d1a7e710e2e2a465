"""gevent greenlets handing items over through gevent.queue.Queue(maxsize=capacity).

The code reads like the threads variant: ``queue.put`` blocks while the queue is full and
``queue.get`` while it is empty. But the blocking is cooperative: a greenlet that cannot go
on switches to gevent's hub (a libev or libuv event loop), and the hub switches to a
greenlet that can. All of it runs in one OS thread, with no lock and no GIL hand-over; no
monkey-patching is needed: the one I/O here, a socket wait, uses ``gevent.socket`` itself.

Shutdown uses the queue's own ``shutdown()``, the API Python 3.13 gave ``queue.Queue``
and gevent offers on every version: once the producers are done, ``shutdown()`` lets the
consumers take what is queued, after which their ``get`` raises ``ShutDown``. A worker
that fails calls ``shutdown(immediate=True)`` before its error propagates, so that every
blocked or later ``put`` and ``get`` raises ``ShutDown`` and the other workers end at once;
the main greenlet then re-raises the error from ``joinall``.

Why not just kill the others when one fails? ``capqueue check --fail-in sink`` showed that
gevent delivers a greenlet's death (links, ``iwait``, ``kill``) through the hub's callback
queue, and the queue's hand-offs can keep the hub busy until every item is through: the
survivors ran the rest of the workload before anyone heard of the failure, so shutdown took
longer the more items there were. Shutting the queue down stops them at their very next
``put`` or ``get``.

Expect a hand-off well below asyncio's: a switch between greenlets is a C-level stack
swap, not a trip through an event loop written in Python. An I/O wait is ``gevent.sleep``:
the greenlet parks on a timer in the hub, which runs the others meanwhile (with
monkey-patching, ``time.sleep`` and blocking sockets would do the same).

A socket wait reads like a thread's, ``sendall`` of a request and ``recv`` of its reply,
done as the producer takes each item (``asking``); but the producer's socket is first
taken over by a ``gevent.socket.socket`` (``detach()`` hands it the file descriptor, so
that only one object owns it), whose ``recv`` parks the greenlet on the socket in the hub.
"""

import gevent
from gevent.queue import Queue, ShutDown

MODEL = "gevent"


def asking(source, connection):
    """The items of the source, each after a round trip over the producer's socket."""
    import gevent.socket  # here, not above: without socket waits a run never loads it

    with gevent.socket.socket(fileno=connection.detach()) as connection:
        for item in source:
            connection.sendall(b"?")  # the item's I/O: a request, answered io later; the hub
            connection.recv(1)  # runs the other greenlets until the reply is in
            yield item


def produce(queue, source, io):
    """Put every item of the source, blocking (cooperatively) whenever the queue is full."""
    for item in source:
        if io:
            gevent.sleep(io)  # the item's I/O: the hub runs the other greenlets meanwhile
        queue.put(item)


def consume(queue, sink):
    """Process items until the queue is shut down and empty."""
    while True:
        try:
            item = queue.get()
        except ShutDown:
            return
        sink(item)


def run(sources, sinks, capacity, io, connections=None):
    """Spawn the workers, shut the queue down once the producers are done, re-raise failures."""
    if connections:  # socket waits: each producer asks the server as it takes an item
        sources, io = list(map(asking, sources, connections)), 0  # (and does not sleep)
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
