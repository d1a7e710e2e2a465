"""``capqueue check``: run each variant once, instrumented, and say whether it did the task."""

import sys

from harness import check
from harness.commands.common import (add_common_options, cpu_loops, show_load_errors,
                                     usable_or_reported)
from harness.options import UsageError
from harness.registry import select
from harness.workload import Workload, whole_number

NAME = "check"
HELP = "verify that variants do the task"
DESCRIPTION = ("Run each variant once, instrumented, and verify it did the task: every item "
               "processed exactly once, each producer's order kept at each consumer, the queue "
               "never above its capacity, and run() returning in time with nothing left "
               "running. Exit status 0 only when every variant passes (or cannot run this "
               "workload on this machine, which is said with the reason); 1 when one fails, or "
               "when no variant can run here, so that nothing was checked.")


def arguments(parser):
    parser.add_argument("variants", nargs="*", metavar="VARIANT",
                        help="variants to check (default: all)")
    Workload.add_options(parser)
    add_common_options(parser, NAME)
    parser.add_argument("--fail-in", choices=("sink", "source"),
                        help="make a consumer's sink (or a producer's source) raise at item "
                             "--fail-at, and check that every variant shuts down cleanly")
    parser.add_argument("--fail-at", type=whole_number, metavar="K",
                        help="the item at which the injected failure happens")


def run(args):
    workload = Workload.from_args(args)
    failure = None
    if args.fail_in or args.fail_at is not None:
        if not (args.fail_in and args.fail_at is not None):
            raise UsageError("--fail-at and --fail-in go together: give both, or neither")
        if not 1 <= args.fail_at <= workload.total:
            raise UsageError(f"--fail-at must name an item from 1 to {workload.total:,}, "
                             f"not {args.fail_at}")
        failure = (args.fail_in, args.fail_at)
    variants = select(args.variants, args.variant_path, workloads=[workload])
    what = f"; failure injected in a {failure[0]} at item {failure[1]}" if failure else ""
    print(f"checking {len(variants)} variant(s) on {workload.describe()}{what}", flush=True)
    usable = usable_or_reported(variants, workload=workload)
    if not usable:
        print("no variant can run here: nothing was checked")
        return 1
    verdicts = check.check_many(usable, workload, timeout=args.check_timeout, failure=failure,
                                cpu_loops=cpu_loops(workload))
    if args.debug:
        show_load_errors(variants)
        for verdict in verdicts:
            if not verdict.ok and verdict.cannot_run is None:
                print(f"--- {verdict.variant}:", *verdict.problems, verdict.debug,
                      sep="\n", file=sys.stderr)
    broken = any(v.status == "broken" for v in variants)
    # a point past this machine's limits is skipped with its reason, as an unavailable
    # variant is; but if nothing at all was checked, that is no pass
    checked = [v for v in verdicts if v.cannot_run is None]
    return 0 if checked and all(v.ok for v in checked) and not broken else 1
