"""Broken on purpose: takes its time to clean up after a failure before raising it."""

import time

MODEL = "broken"


def run(sources, sinks, capacity, io):
    try:
        for source in sources:
            for item in source:
                sinks[0](item)
    except Exception:
        time.sleep(2.5)  # "flushing buffers"
        raise
