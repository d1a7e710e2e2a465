"""Broken on purpose: a queue that is a stack (LIFO), so items come out in reverse order."""

MODEL = "broken"


def run(sources, sinks, capacity, io):
    stack = []
    for source in sources:
        for item in source:
            stack.append(item)
            if len(stack) == capacity:
                while stack:
                    sinks[0](stack.pop())
    while stack:
        sinks[0](stack.pop())
