"""Broken on purpose: gives up half way with an error of its own."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    for source in sources:
        for item in source:
            if item > 10:
                raise RuntimeError("out of patience")
            sinks[0](item)
