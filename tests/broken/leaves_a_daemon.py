"""Broken on purpose: sequential, but it starts a daemon the classic way (fork, setsid, fork
again, the middle process exits), so the daemon's parent is dead before run() returns."""

import os
import time

MODEL = "broken"


def run(sources, sinks, capacity, io):
    middle = os.fork()
    if middle == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(60)  # the daemon, orphaned at once
        os._exit(0)
    os.waitpid(middle, 0)
    for source in sources:
        for item in source:
            sinks[0](item)
