"""``capqueue run``: check, then time variants with pyperf, saving after every slice.

``compare`` is the same command with other defaults (every variant, 8 processes x 3
values); both print the comparison table at the end.
"""

import pyperf

from harness import measure, report, results
from harness.commands.common import LONG_RUNS, add_common_options, usable_or_reported
from harness.registry import select
from harness.workload import Workload, WorkloadError

NAME = "run"
HELP = "check, then time variants with pyperf"
DESCRIPTION = ("Check, then time each variant with pyperf, in seconds per item, and save one "
               "pyperf BenchmarkSuite JSON (to results/run-<time>.json unless -o or --append "
               "names a file). A variant that fails its check is reported and not timed.")
EPILOG = f"{measure.TIMER_NOTE} {LONG_RUNS}"


def arguments(parser, command=NAME, **preset):
    """The options of ``run`` (or of ``compare``, with its ``preset``); return the session
    that parses them with pyperf's."""
    if command == NAME:
        parser.add_argument("variants", nargs="*", metavar="VARIANT",
                            help="variants to time (default: all)")
    Workload.add_options(parser)
    add_common_options(parser, command)
    measure.add_measure_options(parser)
    return measure.Session(parser, **preset)


def run(args, command=NAME):
    workload = Workload.from_args(args)
    if workload.items < 1:
        raise WorkloadError("items", "must be at least 1 to time anything per item, not 0")
    session = args.session
    variants = select(getattr(args, "variants", []), args.variant_path,
                      everything=command == "compare", workloads=[workload])
    output = args.output or (None if args.append else str(results.default_path(command)))
    base = results.check_target(output, args.append, workload, [v.name for v in variants])
    target = output or args.append
    print(f"workload: {workload.describe()}")
    print(f"timer:    {measure.TIMER_NOTE}")
    print(f"settings: {measure.format_settings(session.settings(None), session.rounds)}")
    print(f"results:  {target}")
    usable = usable_or_reported(variants, workload=workload)
    tasks = [measure.Task(v.name, v, workload) for v in usable]
    broken = sum(v.status == "broken" for v in variants)
    return measure.interruptible(
        command, target, lambda: time_and_show(session, tasks, target, base, broken, command))


def time_and_show(session, tasks, target, base, broken, command=NAME):
    """Check and time ``tasks``, saving to ``target``; print the table; return the status.

    ``compare`` leaves out of its table what passed its check but would take minutes to
    time (a checked run of ``measure.VERY_LONG_CHECK`` seconds or more), and says so.
    """
    if not tasks:
        print("no variant can run here: nothing was checked or timed, and no file was written")
        return 1
    print(f"checking {len(tasks)} variant(s) first, on "
          f"{measure.checked_workload(tasks[0].workload).describe()}", flush=True)
    passing = session.check(tasks)
    # a variant this machine cannot run on the workload is a result, not a failure
    unrunnable = [session.cannot_run[t.name] for t in tasks if t.name in session.cannot_run]
    failed = len(tasks) - len(passing) - len(unrunnable) + broken
    if command == "compare":
        for task in [t for t in passing if session.checked_seconds(t) >= measure.VERY_LONG_CHECK]:
            print(f"not timed: {task.name}: its checked run took "
                  f"{session.checked_seconds(task):.0f} s, too long for this table; time it "
                  f"alone: capqueue run {task.name}")
            passing.remove(task)
    long = [t for t in passing if session.settings(t) != session.settings()]
    if long:
        print(f"settings for {', '.join(t.name for t in long)} (long runs): "
              f"{measure.format_settings(session.settings(long[0]), session.rounds)}")
    if not passing:
        none = ("no variant can run this workload here" if len(unrunnable) == len(tasks)
                else "no variant passed its check")
        print(f"{none}: nothing was timed and no file was written")
        return 1
    suite = base
    for entry in unrunnable:
        suite = results.add_cannot_run(suite, entry)

    def save(bench):
        nonlocal suite
        suite = results.add(suite, bench)
        results.save(suite, target)

    benches = session.time(passing, save, progress=measure.progress_line(passing))
    print()
    shown = pyperf.BenchmarkSuite(benches)
    for entry in unrunnable:
        shown = results.add_cannot_run(shown, entry)
    print_table(shown)
    print(f"\nsaved to {target}")
    return 1 if failed else 0


def print_table(suite):
    """The workload, the machine, then the comparison table of ``suite``."""
    for workload in report.workloads(suite):
        print(f"workload: {workload.describe()}")
    print(f"measured: {report.describe_machine(suite)}")
    for part in report.render([suite]):
        print()
        print(*part, sep="\n")
