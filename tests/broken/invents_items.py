"""Broken on purpose: processes range(1, n + 1) itself instead of what its source hands out."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    for source in sources:
        count = len(source.items) if hasattr(source, "items") else len(source)
        for item in range(1, count + 1):
            sinks[0](item)
        for _ in source:
            pass
