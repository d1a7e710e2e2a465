"""The anyio_asyncio variant's very code, run on anyio's trio backend.

Nothing changes but the ``backend`` argument: anyio's task group becomes a trio nursery,
its memory object streams run on trio's scheduler, and its checkpoints are trio's own.
Read its figure against ``trio`` (the same model without the layer) and against
``anyio_asyncio`` (the same code on the other backend).
"""

import anyio
import trio  # noqa: F401 - anyio loads its backend lazily; without trio, say so up front

from variants.anyio_asyncio import main

MODEL = "anyio on trio"


def run(sources, sinks, capacity, io, connections=None):
    """Run the portable code on the trio backend."""
    anyio.run(main, sources, sinks, capacity, io, connections, backend="trio")
