"""``capqueue latency``: check, then stamp every item of runs in fresh processes; save figures."""

import sys

from harness import check, latency, measure, results
from harness.commands.common import add_common_options, usable_or_reported
from harness.instruments import calibrate, loops_for
from harness.options import UsageError
from harness.registry import select
from harness.table import parts
from harness.workload import Workload, WorkloadError, whole_number

NAME = "latency"
HELP = "check, then measure each item's latency, the queue's depth and fairness"
DESCRIPTION = ("Check each variant, then run it in several fresh processes with every item "
               "stamped when it leaves its source and when it reaches its sink: latency "
               "percentiles (p50 to max), the queue's depth over time, items per consumer and "
               "how long producers were kept from putting, each with a 95 % interval over the "
               "processes. Saves one pyperf BenchmarkSuite JSON (to results/latency-<time>.json "
               "unless -o or --append names a file), which capqueue report and capqueue plot "
               "latency, depth and consumers read.")
EPILOG = (f"{latency.NOTE} The timed path of run and compare is untouched: they never stamp. "
          "Every run of a process counts, its start included; the stamps cost about what "
          "sequential's p50 shows, per item.")


def arguments(parser):
    parser.add_argument("variants", nargs="*", metavar="VARIANT",
                        help="variants to measure (default: all)")
    Workload.add_options(parser)
    add_common_options(parser, NAME)
    parser.add_argument("-p", "--processes", type=whole_number, default=5, metavar="N",
                        help="fresh processes per variant, one stamped run each: the "
                             "intervals are over them (default: 5)")
    parser.add_argument("-w", "--warmups", type=whole_number, default=1, metavar="N",
                        help="plain runs in each process before the stamped one (default: 1)")
    parser.add_argument("-o", "--output", metavar="FILE", help="the results file to write "
                        "(default: results/latency-<time>.json); it must not exist")
    parser.add_argument("--append", metavar="FILE", help="add to this results file instead "
                        "(of the same workload), creating it if need be")


def run(args):
    workload = Workload.from_args(args)
    if workload.items < 1:
        raise WorkloadError("items", "must be at least 1 to measure any item, not 0")
    if args.processes < 1:
        raise UsageError(f"--processes must be at least 1, not {args.processes}")
    if args.warmups < 0:
        raise UsageError(f"--warmups must not be negative, not {args.warmups}")
    if args.output and args.append:
        raise UsageError("-o and --append name the results file two ways: give one")
    variants = select(args.variants, args.variant_path)
    output = args.output or (None if args.append else str(results.default_path(NAME)))
    names = [f"{v.name} {s} {workload.label()}" for v in variants for s in latency.STATISTICS]
    base = results.check_target(output, args.append, workload, names)
    target = output or args.append
    print(f"workload: {workload.describe()}")
    print(f"stamps:   {latency.NOTE}")
    print(f"settings: {args.processes} process(es) per variant, {args.warmups} warm-up run(s) "
          "each, then one stamped run")
    print(f"results:  {target}")
    usable = usable_or_reported(variants)
    broken = len(variants) - len(usable) - sum(v.status == "unavailable" for v in variants)
    return measure.interruptible(
        NAME, target, lambda: measure_all(args, workload, usable, target, base, broken))


def measure_all(args, workload, usable, target, base, broken):
    """Check, then stamp each variant in turn, saving after each; print the tables."""
    if not usable:
        print("no variant can run here: nothing was checked or measured, and no file was "
              "written")
        return 1
    rate = calibrate() if workload.cpu else 0.0
    cpu_loops = loops_for(workload.cpu, rate) if workload.cpu else 0
    checked = measure.checked_workload(workload)
    print(f"checking {len(usable)} variant(s) first, on {checked.describe()}", flush=True)
    width = max(len(v.name) for v in usable)
    passing = []
    for variant in usable:
        verdict = check.check_variant(variant, checked, timeout=args.check_timeout,
                                      cpu_loops=loops_for(checked.cpu, rate) if rate else 0)
        print(verdict.line(width), flush=True)
        if verdict.ok:
            passing.append(variant)
    failed = len(usable) - len(passing) + broken
    if not passing:
        print("no variant passed its check: nothing was measured and no file was written")
        return 1
    print(f"stamping {len(passing)} variant(s), {args.processes} process(es) each", flush=True)
    suite = base
    measured = 0
    for variant in passing:
        outcomes = []
        for _ in range(args.processes):
            outcome = latency.stamp_variant(variant, workload, timeout=args.check_timeout,
                                            cpu_loops=cpu_loops, spin_rate=rate,
                                            warmups=args.warmups)
            outcomes.append(outcome)
            if not outcome.ok:
                break
        if not outcomes[-1].ok:
            failed += 1
            print(f"{'FAIL':5} {variant.name:{width}}  {outcomes[-1].problems[0]}", flush=True)
            if args.debug:
                print(f"--- {variant.name}:", *outcomes[-1].problems, outcomes[-1].debug,
                      sep="\n", file=sys.stderr)
            continue
        for bench in latency.benchmarks(variant.name, workload, outcomes, args.warmups):
            suite = results.add(suite, bench)
        results.save(suite, target)
        measured += 1
        print(f"{'ok':5} {variant.name:{width}}  {latency.line(outcomes[0].figures, workload)}"
              f" (first process)", flush=True)
    if not measured:
        print("no variant's stamped runs did the task: no file was written")
        return 1
    print()
    for part in parts(latency.tables([results.load(target)])):
        print(*part, sep="\n")
        print()
    print(f"saved to {target}")
    return 1 if failed else 0

