"""The asyncio variant's very code, run on uvloop's event loop instead of asyncio's own.

uvloop reimplements asyncio's event loop on libuv, in Cython; tasks, futures and
``asyncio.Queue`` are still asyncio's. So the difference between this figure and
``asyncio``'s is what the loop alone costs per hand-off: scheduling the woken task and
polling for I/O on each turn of the loop. Everything else (back-pressure, sentinel
shutdown, TaskGroup failure handling) is exactly the asyncio variant's.

One difference shows with I/O waits: libuv's timers count whole milliseconds, and uvloop
rounds every delay to the nearest one, so ``asyncio.sleep(0.0005)`` on uvloop does not
wait at all and ``sleep(0.0015)`` waits 2 ms (``capqueue check uvloop --io 0.5ms`` says
the wait is missing). asyncio's own loop rounds its poll timeout up instead. Socket waits
are the asyncio variant's streams, on libuv's sockets: by the two loops' designs (read
from their code, not measured here), a round trip costs libuv one poll per turn, where
asyncio's selector loop polls twice.
"""

import uvloop

from variants.asyncio import main

MODEL = "asyncio on uvloop"


def run(sources, sinks, capacity, io, connections=None):
    """Run the asyncio variant's main() on a fresh uvloop event loop."""
    uvloop.run(main(sources, sinks, capacity, io, connections))
