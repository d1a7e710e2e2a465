"""``capqueue trace``: the order of events of one run, as the teaching notebook prints it."""

import sys

from harness import check
from harness.commands.common import add_common_options, cpu_loops
from harness.registry import select
from harness.workload import Workload

NAME = "trace"
HELP = "print the order of events of one run"
DESCRIPTION = ("Print the order of events of one run. A variant that narrates (generators, as "
               "in the notebook) tells its own story; for the others the harness prints what "
               "the sources and sinks saw.")
TRACE_ITEMS = 35  # the teaching notebook's run: range(1, 36)


def arguments(parser):
    parser.add_argument("variant", metavar="VARIANT")
    Workload.add_options(parser, items=TRACE_ITEMS)
    add_common_options(parser, NAME)


def run(args):
    workload = Workload.from_args(args)
    [variant] = select([args.variant], args.variant_path, workloads=[workload])
    status = check.trace_variant(variant, workload, timeout=args.check_timeout,
                                 cpu_loops=cpu_loops(workload))
    if status is None:
        limit = args.check_timeout or check.time_limit(workload)
        print(f"capqueue trace: {variant.name} did not finish within {limit:g} s; stopped it",
              file=sys.stderr)
        return 1
    return status
