"""Broken on purpose: processes item 4 twice."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    for source in sources:
        for item in source:
            sinks[0](item)
            if item == 4:
                sinks[0](item)
