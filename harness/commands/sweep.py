"""``capqueue sweep``: check and time variants over a grid of workloads, resumably."""

import os
import sys

from harness import measure, report, results, sweep
from harness.commands.common import LONG_RUNS, add_common_options, usable_or_reported
from harness.registry import select
from harness.workload import Workload, WorkloadError

NAME = "sweep"
HELP = "check and time variants over a grid of workloads"
DESCRIPTION = ("Check and time variants on every combination of workload values (each "
               "workload option takes a comma-separated list), into one pyperf file. Run it "
               "again on the same -o FILE and it resumes: what the file holds is skipped.")
EPILOG = f"{measure.TIMER_NOTE} {LONG_RUNS}"


def arguments(parser):
    parser.add_argument("variants", nargs="*", metavar="VARIANT",
                        help="variants to time at every point (default: all)")
    Workload.add_options(parser, grid=True)
    add_common_options(parser, NAME)
    measure.add_measure_options(parser)
    return measure.Session(parser, processes=4, values=2)


def run(args):
    session = args.session
    workloads = Workload.grid_from_args(args)
    if any(w.items < 1 for w in workloads):
        raise WorkloadError("items", "must be at least 1 to time anything per item, not 0")
    variants = select(args.variants, args.variant_path, workloads=workloads)
    # -o FILE that exists is the same sweep again: resume it (the session leaves every file
    # to us, so however -o was spelled, it is the value parsed).
    target = args.output or args.append or str(results.default_path(NAME))
    base = results.load(target) if os.path.exists(target) else None
    usable = usable_or_reported(variants)
    if not usable:
        print("no variant can run here: nothing was checked or timed, and no file was written")
        return 1
    points = sweep.plan(usable, workloads)
    print(f"sweep:    {len(points)} point(s) x {len(usable)} variant(s)"
          + (f", resuming {target}" if base else ""))
    print(f"timer:    {measure.TIMER_NOTE}")
    print(f"results:  {target}")

    def body():
        suite, failed = sweep.run_sweep(session, points, target, base, sys.stdout)
        if suite is None:
            print("\nnothing was timed and no file was written")
            return 1
        for part in report.render([suite]):  # the sweep's table, then any of memory, start-up
            print()
            print(*part, sep="\n")
        print(f"\nsaved to {target}")
        print(f"plots:    {sweep.draw(suite, target)}")
        timed = report.rows(suite)  # none when every point so far cannot run here
        return 1 if failed or not timed else 0

    return measure.interruptible(NAME, target, body)
