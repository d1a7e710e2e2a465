"""What several commands share: their --variant-path, --check-timeout and --debug options,
and one line for each variant that cannot run."""

import sys

from harness.instruments import calibrate, loops_for
from harness.options import seconds
from harness.registry import error_text

# What --variant-path does for each command (the variant's name is its file name, less .py).
PATH_HELP = {
    "list": "also list the variant in FILE (repeatable)",
    "check": "also load the variant in FILE (repeatable); with no VARIANT named, check only "
             "these files' variants, else only the variants named (a file's variant is named "
             "by its file name without .py)",
    "trace": "load the variant in FILE, to trace it by its file name without .py",
    "conform": "conform the variant in FILE (repeatable; its name is the file name without "
               ".py)",
    "run": "also load the variant in FILE (repeatable); with no VARIANT named, time only "
           "these files' variants, else only the variants named; pyperf's workers load the "
           "file too",
    "compare": "also compare the variant in FILE with all the others (repeatable)",
    "instructions": "also load the variant in FILE (repeatable); with no VARIANT named, "
                    "count only these files' variants, else only the variants named",
    "sweep": "also load the variant in FILE (repeatable); with no VARIANT named, time only "
             "these files' variants at every point, else only the variants named; pyperf's "
             "workers load the file too",
    "latency": "also load the variant in FILE (repeatable); with no VARIANT named, measure "
               "only these files' variants, else only the variants named",
}
DEBUG_HELP = {
    "list": "show the error of each variant that does not load",
}

# What the help of every measuring command ends with, after measure.TIMER_NOTE.
LONG_RUNS = ("A benchmark whose one run takes long (at least 0.1 s of work per run by the "
             "workload, or 1 s for its check) is timed with 1 loop, no warm-up and 3 "
             "processes x 1 value, unless -p, -n, -w or -l say otherwise.")


def add_common_options(parser, command, check_options=True):
    """--variant-path and --debug, and unless told otherwise --check-timeout."""
    parser.add_argument("--variant-path", action="append", default=[], metavar="FILE",
                        help=PATH_HELP[command])
    if check_options:
        parser.add_argument("--check-timeout", type=seconds, metavar="SECONDS",
                            help="time limit of one check run (default: 20 s plus 200 µs "
                                 "per item)")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP.get(
        command, "on errors, show tracebacks and the checked process's output (for a hang, "
                 "the stacks of its threads and processes when it was stopped)"))


def cpu_loops(workload):
    """The calibrated iterations of CPU work per item, for a check or trace run here."""
    return loops_for(workload.cpu, calibrate()) if workload.cpu else 0


def show_load_errors(variants):
    """With --debug: the error of each variant that did not load, on stderr."""
    for variant in variants:
        if variant.error is not None:
            print(f"--- {variant.name} ({variant.origin}):", error_text(variant.error),
                  sep="\n", end="", file=sys.stderr)


def usable_or_reported(variants, out=None, workload=None):
    """The variants that can run (``workload``, if given); print one line for each that
    cannot."""
    out = out or sys.stdout
    width = max((len(v.name) for v in variants), default=0)
    usable = []
    for variant in variants:
        reason = variant.cannot_run(workload) if variant.ok and workload else ""
        if not variant.ok:
            label = "skip" if variant.status == "unavailable" else "FAIL"
            print(f"{label:5} {variant.name:{width}}  {variant.status}: {variant.problem}",
                  file=out)
        elif reason:
            print(f"{'skip':5} {variant.name:{width}}  cannot run: {reason}", file=out)
        else:
            usable.append(variant)
    return usable
