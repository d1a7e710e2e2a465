"""The asyncio variant's very code, run on uvloop's event loop instead of asyncio's own.

uvloop reimplements asyncio's event loop on libuv, in Cython; tasks, futures and
``asyncio.Queue`` are still asyncio's. So the difference between this figure and
``asyncio``'s is what the loop alone costs per hand-off: scheduling the woken task and
polling for I/O on each turn of the loop. Everything else (back-pressure, sentinel
shutdown, TaskGroup failure handling) is exactly the asyncio variant's.
"""

import uvloop

from variants.asyncio import main

MODEL = "asyncio on uvloop"


def run(sources, sinks, capacity):
    """Run the asyncio variant's main() on a fresh uvloop event loop."""
    uvloop.run(main(sources, sinks, capacity))
