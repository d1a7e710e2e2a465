"""Broken on purpose: drops every 17th item on the floor instead of passing it on."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    for source in sources:
        for item in source:
            if item % 17:
                sinks[0](item)
