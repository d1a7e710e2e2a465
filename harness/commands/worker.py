"""``capqueue worker``: one pyperf worker process, timing the one benchmark it was started for.

Not typed by anyone: ``measure.Session`` starts it, with the benchmark's options.
"""

from harness import measure

NAME = "worker"
HELP = None  # not listed in capqueue --help
DESCRIPTION = "A pyperf worker of capqueue's measuring session: times one benchmark."


def arguments(parser):
    return measure.worker_arguments(parser)


def run(args):
    return measure.worker_main(args)
