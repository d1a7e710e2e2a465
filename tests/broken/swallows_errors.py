"""Broken on purpose: a consumer that logs its sink's errors and carries on."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    for source in sources:
        for item in source:
            try:
                sinks[0](item)
            except Exception as exc:
                print("ignored:", exc)
