"""Broken on purpose: the sequential loop, but it never waits for the item's I/O."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    for source in sources:
        for item in source:
            sinks[0](item)  # io is taken and ignored: every item arrives for free
