"""Broken on purpose: takes the whole interpreter down half way (as a crash in C would)."""

import os

MODEL = "broken"


def run(sources, sinks, capacity, io):
    for source in sources:
        for item in source:
            if item == 20:
                os._exit(3)
            sinks[0](item)
