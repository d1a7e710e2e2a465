"""Studies that stand apart from the variants: measurements a page of the docs rests on,
made with pyperf but not of the capped-queue task.

``containers``: the teaching notebook's list-versus-deque timings, redone so that every
timed call does its work (``capqueue containers``; docs/notebook-timings.md reads it).
"""
