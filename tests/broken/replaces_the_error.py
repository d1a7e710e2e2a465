"""Broken on purpose: reports a failure with an error of its own, dropping the real one."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    try:
        for source in sources:
            for item in source:
                sinks[0](item)
    except Exception:
        raise RuntimeError("a worker failed") from None
