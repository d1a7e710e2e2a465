"""Broken on purpose: sequential, but it starts a helper process in a session of its own and
leaves it running, out of reach of a kill of the check's process group."""

import subprocess
import sys

MODEL = "broken"

HELPER = "import time; time.sleep(60)  # leaves_a_helper's helper"


def run(sources, sinks, capacity, io):
    subprocess.Popen([sys.executable, "-c", HELPER], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    for source in sources:
        for item in source:
            sinks[0](item)
