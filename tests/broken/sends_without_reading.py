"""Broken on purpose: it sends each item's request but never waits for the reply."""

import time

MODEL = "broken"


def run(sources, sinks, capacity, io, connections=None):
    for source, connection in zip(sources, connections):
        for item in source:
            connection.sendall(b"?")  # the request goes out ...
            time.sleep(io)  # ... and the item waits as long, but the reply is never read
            sinks[0](item)
