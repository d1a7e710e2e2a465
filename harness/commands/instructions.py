"""``capqueue instructions``: check, then count instructions per item under valgrind."""

import sys

from harness import instructions, results
from harness.commands.common import add_common_options, cpu_loops, usable_or_reported
from harness.countrun import warmup
from harness.measure import interruptible
from harness.options import UsageError
from harness.registry import select
from harness.workload import Workload, WorkloadError, whole_number

NAME = "instructions"
HELP = "count instructions per item under valgrind"
DESCRIPTION = (
    "Check, then count the instructions each variant executes per item under valgrind, "
    "a cost that repeats exactly whatever the machine is doing. For each variant, four "
    "processes run under valgrind (cachegrind), each with start-up, imports and a warm-up "
    "run: one stops there (and runs again last, to prove nothing changed meanwhile), one "
    "then runs no items, one the workload's items; their differences give the "
    "instructions per item and per run, start-up and imports cancelled out. "
    "Every process gets the same small environment with PYTHONHASHSEED=0, so that they "
    "hash alike and start alike whoever runs the command. Saved as pyperf "
    "JSON (unit 'integer', to results/instructions-<time>.json unless -o or --append names "
    "a file); python -m pyperf compare_to works on two such files (it says it cannot "
    "test the significance of one value: a count needs no test). Only variants whose "
    "whole run happens on one OS thread are counted: valgrind runs threads one at a time "
    "under its own lock and does not see the kernel, where threads and processes spend "
    "what defines them (a context switch counts as one instruction), so a variant that "
    "starts a thread or a process is left out, with the reason. Instructions do not "
    "capture cache misses, system calls or waits (sleeps, I/O, --io): read them beside "
    "wall and CPU time, not instead. Needs valgrind (apt-get install valgrind).")


def arguments(parser):
    parser.add_argument("variants", nargs="*", metavar="VARIANT",
                        help="variants to count (default: all; those that start threads "
                             "or processes are left out, with the reason)")
    Workload.add_options(parser)
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="save to FILE, which must not exist yet")
    parser.add_argument("--append", metavar="FILE",
                        help="add the benchmarks to FILE (made if missing)")
    parser.add_argument("-j", "--jobs", type=whole_number, default=1, metavar="J",
                        help="count J variants at a time; the counts do not depend on it "
                             "(default: 1)")
    add_common_options(parser, NAME)


def run(args, out=None):
    """Check, count, save, print the table; return the exit status."""
    out = out or sys.stdout
    workload = Workload.from_args(args)
    if workload.items < 1:
        raise WorkloadError("items", "must be at least 1 to count anything per item, not 0")
    if workload.sockets:
        raise UsageError("capqueue instructions counts timer waits only, not --io-kind "
                         "socket: a round trip is mostly the kernel's work, which valgrind "
                         "does not see; time socket waits with capqueue run")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    if args.output and args.append:
        raise UsageError("give -o FILE or --append FILE, not both")
    variants = select(args.variants, args.variant_path)
    target = args.output or args.append or str(results.default_path("instructions"))
    base = results.check_target(args.output, args.append, workload, [v.name for v in variants])
    instructions.check_append(args.append)
    program = instructions.find_valgrind()
    version = instructions.valgrind_version(program)
    loops = cpu_loops(workload)  # of the CPU work per item, calibrated here
    print(f"workload: {workload.describe()}", file=out)
    print(f"counted:  instructions of whole processes under {version} (cachegrind): after "
          f"a warm-up of {warmup(workload).items:,} items per producer, none, run() on no "
          f"items, run() on the workload; PYTHONHASHSEED={instructions.HASH_SEED}", file=out)
    print(f"results:  {target}", file=out)
    width = max((len(v.name) for v in variants), default=0)
    usable = usable_or_reported(variants, out)
    broken = sum(v.status == "broken" for v in variants)
    if not usable:
        print("no variant can run here: nothing was checked or counted, and no file was "
              "written", file=out)
        return 1

    def body():
        return instructions.check_and_count(usable, workload, program, version, loops,
                                            args, target, base, width, out, broken)

    return interruptible(NAME, target, body)
