"""Broken on purpose: it takes its connections, then sleeps instead of asking the server."""

import time

MODEL = "broken"


def run(sources, sinks, capacity, io, connections=None):
    for source in sources:
        for item in source:
            time.sleep(io)  # as long as the wait, but no request: the server never hears of it
            sinks[0](item)
