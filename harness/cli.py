"""The capqueue command line: list, check, conform, new, trace, run, compare, report and docs.

``capqueue`` and ``python -m harness`` are the same program. Bad input of any kind ends in
one sentence on stderr and exit status 2; an interrupted command exits with status 130;
``--debug`` shows the traceback too (for a variant that does not load, its own error: a
SyntaxError with its line and caret).
"""

import os
import signal
import sys
import traceback
from pathlib import Path

import pyperf

from harness import (check, conform, docs, instructions, matrix, measure, report, results,
                     scaffold, sweep)
from harness.instruments import calibrate, loops_for
from harness.options import Parser, UsageError, seconds
from harness.registry import VariantError, discover, error_text, select
from harness.results import ResultsError
from harness.workload import Workload, WorkloadError, whole_number

TRACE_ITEMS = 35  # the teaching notebook's run: range(1, 36)
COMPARE_PRESET = {"processes": 8, "values": 3}  # see cmd_measure

USER_ERRORS = (UsageError, WorkloadError, VariantError, ResultsError, docs.DocsError)

DESCRIPTIONS = {
    "list": "List every variant: its model and what it is, or why it cannot run here.",
    "check": "Run each variant once, instrumented, and verify it did the task: every item "
             "processed exactly once, each producer's order kept at each consumer, the queue "
             "never above its capacity, and run() returning in time with nothing left "
             "running. Exit status 0 only when every variant passes.",
    "conform": "Run the whole variant contract on a variant: every workload shape of the "
               "conformance suite (odd ones, I/O waits, CPU work) and failures injected in a "
               "sink and in a source at the first, middle and last item, with one and with "
               "several workers. One line per check, then the verdict; exit status 0 only "
               "when the variant conforms. What a new variant should pass before anything "
               "else.",
    "new": "Write a new variant's file in a model's own idiom: its queue, its workers, the "
           "I/O wait, shutdown and failure handling in place, and a docstring with the "
           "sections a reader expects. One line is left to write, the hand-off, marked FILL "
           "IN; then `capqueue conform NAME` says whether the variant keeps the contract.",
    "trace": "Print the order of events of one run. A variant that narrates (generators, as "
             "in the notebook) tells its own story; for the others the harness prints what "
             "the sources and sinks saw.",
    "run": "Check, then time each variant with pyperf, in seconds per item, and save one "
           "pyperf BenchmarkSuite JSON (to results/run-<time>.json unless -o or --append "
           "names a file). A variant that fails its check is reported and not timed.",
    "compare": "Check and time every variant on one workload (the default unless options "
               "say otherwise), print the comparison table, and save the pyperf JSON under "
               "results/. What `make compare` runs.",
    "long": "A benchmark whose one run takes long (at least 0.1 s of work per run by the "
            "workload, or 1 s for its check) is timed with 1 loop, no warm-up and 3 "
            "processes x 1 value, unless -p, -n, -w or -l say otherwise.",
    "sweep": "Check and time variants on every combination of workload values (each workload "
             "option takes a comma-separated list), into one pyperf file. Run it again on the "
             "same -o FILE and it resumes: what the file holds is skipped.",
    "matrix": "Check and time variants on several interpreters, one results file each: "
              "capqueue run under every --python, with the other options as given (variants, "
              "workload, pyperf's). Each interpreter checks and times with its own "
              "libraries; a variant whose library does not build or import there is skipped "
              "with the reason (DIR/<interpreter>.txt lists them). An interpreter already in "
              "DIR is skipped, so an interrupted matrix resumes. Then the table of variants "
              "against interpreters.",
    "report": "Print the comparison table of a results file. Given several files of one "
              "workload with one parameter changed (items, capacity, ...), print ns per item "
              "and peak RSS for each; when the item count changes, also split each "
              "variant's cost into a fixed cost per run and a marginal cost per item.",
}


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
}
DEBUG_HELP = {
    "list": "show the error of each variant that does not load",
}


def add_common_options(parser, command, check_options=True):
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


def build_parser():
    parser = Parser(prog="capqueue", description="capqueue: one capped-queue producer/"
                    "consumer task, written once per Python concurrency model, verified "
                    "then measured with pyperf.",
                    epilog="Run 'capqueue COMMAND --help' for a command's options.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=Parser)

    sub = commands.add_parser("list", help="list every variant with its model",
                              description=DESCRIPTIONS["list"])
    add_common_options(sub, "list", check_options=False)
    sub.set_defaults(handler=cmd_list)

    sub = commands.add_parser("check", help="verify that variants do the task",
                              description=DESCRIPTIONS["check"])
    sub.add_argument("variants", nargs="*", metavar="VARIANT",
                     help="variants to check (default: all)")
    Workload.add_options(sub)
    add_common_options(sub, "check")
    sub.add_argument("--fail-in", choices=("sink", "source"),
                     help="make a consumer's sink (or a producer's source) raise at item "
                          "--fail-at, and check that every variant shuts down cleanly")
    sub.add_argument("--fail-at", type=whole_number, metavar="K",
                     help="the item at which the injected failure happens")
    sub.set_defaults(handler=cmd_check)

    sub = commands.add_parser("conform", help="run the whole contract on a variant",
                              description=DESCRIPTIONS["conform"])
    sub.add_argument("variants", nargs="*", metavar="VARIANT", help="variants to conform")
    sub.add_argument("--jobs", "-j", type=whole_number, default=1, metavar="N",
                     help="run N checks at a time, each in its own process (default: 1; "
                          "more is faster on several cores, but checks then share them)")
    add_common_options(sub, "conform")
    sub.set_defaults(handler=cmd_conform)

    sub = commands.add_parser("new", help="write a variant skeleton to fill in",
                              description=DESCRIPTIONS["new"])
    sub.add_argument("name", metavar="NAME", help="the new variant's name; its file is NAME.py")
    sub.add_argument("--model", required=True, choices=list(scaffold.SKELETONS),
                     help="the concurrency model whose idiom the skeleton is written in")
    sub.add_argument("--to", metavar="FOLDER", help="write NAME.py into FOLDER (default: the "
                     "variants folder, where every command finds it by name)")
    sub.set_defaults(handler=cmd_new)

    sub = commands.add_parser("trace", help="print the order of events of one run",
                              description=DESCRIPTIONS["trace"])
    sub.add_argument("variant", metavar="VARIANT")
    Workload.add_options(sub, items=TRACE_ITEMS)
    add_common_options(sub, "trace")
    sub.set_defaults(handler=cmd_trace)

    for name, help_text in (("run", "check, then time variants with pyperf"),
                            ("compare", "check and time every variant; print the table"),
                            ("sweep", "check and time variants over a grid of workloads"),
                            ("matrix", "check and time variants on several interpreters")):
        commands.add_parser(name, help=help_text, add_help=False)

    sub = commands.add_parser("instructions", help="count instructions per item under valgrind")
    instructions.add_options(sub)
    add_common_options(sub, "instructions")
    sub.set_defaults(handler=instructions.command)

    sub = commands.add_parser("report", help="print the table of one or more results files",
                              description=DESCRIPTIONS["report"])
    sub.add_argument("files", nargs="+", metavar="FILE", help="pyperf JSON written by "
                     "capqueue run or compare (several: a sweep table)")
    sub.add_argument("--markdown", action="store_true", help="print a Markdown table")
    sub.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                     help="only the benchmarks of that workload (repeatable): one point of "
                          "a sweep, e.g. --where capacity=1")
    sub.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub.set_defaults(handler=cmd_report)
    docs.add_command(commands)
    return parser


def main(argv=None):
    """Entry point of ``capqueue`` and ``python -m harness``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        if argv and argv[0] == "worker":  # a pyperf worker process (not shown in --help)
            return measure.worker_main(argv[1:])
        if argv and argv[0] in ("run", "compare"):
            return cmd_measure(argv[0], argv[1:])
        if argv and argv[0] == "sweep":
            return cmd_sweep(argv[1:])
        if argv and argv[0] == "matrix":
            return cmd_matrix(argv[1:])
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except USER_ERRORS as exc:
        if debug:  # the error behind the sentence: the variant's own, when it has one
            cause = exc.__cause__
            print(error_text(cause) if cause else "".join(traceback.format_exception(exc)),
                  end="", file=sys.stderr)
        text = f"--{exc.field} {exc.rule}" if isinstance(exc, WorkloadError) else str(exc)
        print(f"capqueue: {text}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("capqueue: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (capqueue report ... | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as exc:
        if debug:
            raise
        print(f"capqueue: internal error: {type(exc).__name__}: {exc} (run again with --debug "
              "for the traceback)", file=sys.stderr)
        return 1


def cmd_list(args):
    found = discover(args.variant_path)
    width = max(len(v.name) for v in found)
    model_width = max(len(v.model) for v in found)
    for variant in found:
        text = variant.description if variant.ok else f"{variant.status}: {variant.problem}"
        text += f" ({variant.note})" if variant.note else ""  # the service, and how to give yours
        print(f"{variant.name:{width}}  {variant.model:{model_width}}  {text}")
    if args.debug:
        show_load_errors(found)
    return 0


def show_load_errors(variants):
    """With --debug: the error of each variant that did not load, on stderr."""
    for variant in variants:
        if variant.error is not None:
            print(f"--- {variant.name} ({variant.origin}):", error_text(variant.error),
                  sep="\n", end="", file=sys.stderr)


def usable_or_reported(variants, out=sys.stdout):
    """The variants that can run; print one line for each that cannot."""
    width = max((len(v.name) for v in variants), default=0)
    for variant in variants:
        if not variant.ok:
            label = "skip" if variant.status == "unavailable" else "FAIL"
            print(f"{label:5} {variant.name:{width}}  {variant.status}: {variant.problem}",
                  file=out)
    return [v for v in variants if v.ok]


def cmd_check(args):
    workload = Workload.from_args(args)
    failure = None
    if args.fail_in or args.fail_at is not None:
        if not (args.fail_in and args.fail_at is not None):
            raise UsageError("--fail-at and --fail-in go together: give both, or neither")
        if not 1 <= args.fail_at <= workload.total:
            raise UsageError(f"--fail-at must name an item from 1 to {workload.total:,}, "
                             f"not {args.fail_at}")
        failure = (args.fail_in, args.fail_at)
    variants = select(args.variants, args.variant_path)
    what = f"; failure injected in a {failure[0]} at item {failure[1]}" if failure else ""
    print(f"checking {len(variants)} variant(s) on {workload.describe()}{what}", flush=True)
    usable = usable_or_reported(variants)
    verdicts = check.check_many(usable, workload, timeout=args.check_timeout, failure=failure,
                                cpu_loops=cpu_loops(workload))
    if args.debug:
        show_load_errors(variants)
        for verdict in verdicts:
            if not verdict.ok:
                print(f"--- {verdict.variant}:", *verdict.problems, verdict.debug,
                      sep="\n", file=sys.stderr)
    broken = any(v.status == "broken" for v in variants)
    return 0 if all(v.ok for v in verdicts) and not broken else 1


def cmd_conform(args):
    if not (args.variants or args.variant_path):
        raise UsageError("name a variant to conform, or give its file with --variant-path")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    variants = select(args.variants, args.variant_path)
    for variant in variants:
        if not variant.ok:  # an unavailable file, not named
            raise VariantError(f"variant {variant.name!r} is {variant.status}: {variant.problem}")
    verdicts = []
    for variant in variants:
        verdicts.append(conform.conform(variant, timeout=args.check_timeout, jobs=args.jobs,
                                        debug=sys.stderr if args.debug else None))
    return 0 if all(verdicts) else 1


def cmd_new(args):
    path, line = scaffold.write(args.name, args.model, args.to)
    if path.is_relative_to(os.getcwd()):
        path = path.relative_to(os.getcwd())
    found_by_name = args.to is None
    then = (f"capqueue conform {args.name}" if found_by_name
            else f"capqueue conform --variant-path {path}")
    print(f"wrote {path}: a {args.model} variant but for its hand-off, line {line}, marked "
          f"{scaffold.MARK}")
    print("write that line (its comment shows the model's usual way), make the docstring say "
          f"what the variant does, then run:\n  {then}")
    return 0


def cmd_trace(args):
    workload = Workload.from_args(args)
    [variant] = select([args.variant], args.variant_path)
    status = check.trace_variant(variant, workload, timeout=args.check_timeout,
                                 cpu_loops=cpu_loops(workload))
    if status is None:
        limit = args.check_timeout or check.time_limit(workload)
        print(f"capqueue trace: {variant.name} did not finish within {limit:g} s; stopped it",
              file=sys.stderr)
        return 1
    return status


def cmd_report(args):
    try:
        suites = report.where([results.load(path) for path in args.files], args.where)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if len(report.points(suites, args.files)) == 1:
        for workload in report.workloads(suites[0]):
            print(f"workload: {workload.describe()}")
    print(f"measured: {report.describe_machine(suites[0])}")
    for part in report.render(suites, args.markdown, args.files):
        print()
        print(*part, sep="\n")
    return 0


def print_table(suite):
    for workload in report.workloads(suite):
        print(f"workload: {workload.describe()}")
    print(f"measured: {report.describe_machine(suite)}")
    for part in report.render([suite]):
        print()
        print(*part, sep="\n")


def cmd_measure(command, argv):
    """``run`` and ``compare``: check, then time with pyperf, saving as we go."""
    parser = Parser(prog=f"capqueue {command}")
    if command == "run":
        parser.add_argument("variants", nargs="*", metavar="VARIANT",
                            help="variants to time (default: all)")
    Workload.add_options(parser)
    add_common_options(parser, command)
    measure.add_measure_options(parser)
    # compare's default, 8 processes x 3 values, keeps a table of every variant under three
    # minutes on a 2-core machine (see docs/methodology.md for what more processes buy).
    session = measure.Session(parser, **(COMPARE_PRESET if command == "compare" else {}))
    parser.description = DESCRIPTIONS[command]  # pyperf sets its own; ours says more
    parser.epilog = f"{measure.TIMER_NOTE} {DESCRIPTIONS['long']}"
    args = session.parse_args(argv)
    workload = Workload.from_args(args)
    if workload.items < 1:
        raise WorkloadError("items", "must be at least 1 to time anything per item, not 0")
    variants = select(getattr(args, "variants", []), args.variant_path,
                      everything=command == "compare")
    output = args.output or (None if args.append else str(results.default_path(command)))
    base = results.check_target(output, args.append, workload, [v.name for v in variants])
    target = output or args.append
    args.output = args.append = None  # saved atomically by us, after every slice
    print(f"workload: {workload.describe()}")
    print(f"timer:    {measure.TIMER_NOTE}")
    print(f"settings: {measure.format_settings(session.settings(None), session.rounds)}")
    print(f"results:  {target}")
    usable = usable_or_reported(variants)
    tasks = [measure.Task(v.name, v, workload) for v in usable]
    broken = len(variants) - len(usable) - sum(v.status == "unavailable" for v in variants)
    return measure.interruptible(
        command, target, lambda: time_and_show(session, tasks, target, base, broken))


def time_and_show(session, tasks, target, base, broken):
    """Check and time ``tasks``, saving to ``target``; print the table; return the status."""
    print(f"checking {len(tasks)} variant(s) first, on "
          f"{measure.checked_workload(tasks[0].workload).describe() if tasks else '-'}",
          flush=True)
    passing = session.check(tasks)
    failed = len(tasks) - len(passing) + broken
    long = [t for t in passing if session.settings(t) != session.settings()]
    if long:
        print(f"settings for {', '.join(t.name for t in long)} (long runs): "
              f"{measure.format_settings(session.settings(long[0]), session.rounds)}")
    if not passing:
        print("no variant passed its check: nothing was timed and no file was written")
        return 1
    suite = base

    def save(bench):
        nonlocal suite
        suite = results.add(suite, bench)
        results.save(suite, target)

    benches = session.time(passing, save, progress=measure.progress_line(passing))
    print()
    print_table(pyperf.BenchmarkSuite(benches))
    print(f"\nsaved to {target}")
    return 1 if failed else 0


def cmd_sweep(argv):
    """``sweep``: check and time variants over a grid of workloads, resumably."""
    parser = Parser(prog="capqueue sweep")
    parser.add_argument("variants", nargs="*", metavar="VARIANT",
                        help="variants to time at every point (default: all)")
    Workload.add_options(parser, grid=True)
    add_common_options(parser, "sweep")
    measure.add_measure_options(parser)
    session = measure.Session(parser, processes=4, values=2)
    parser.description = DESCRIPTIONS["sweep"]
    parser.epilog = f"{measure.TIMER_NOTE} {DESCRIPTIONS['long']}"
    plain = parser.parse_args(argv)
    if plain.output and os.path.exists(plain.output):  # the same file again: resume it
        at = argv.index(plain.output)
        argv = argv[:at - 1] + ["--append", plain.output] + argv[at + 1:]
    args = session.parse_args(argv)
    workloads = Workload.grid_from_args(args)
    if any(w.items < 1 for w in workloads):
        raise WorkloadError("items", "must be at least 1 to time anything per item, not 0")
    variants = select(args.variants, args.variant_path)
    target = args.output or args.append or str(results.default_path("sweep"))
    base = results.load(target) if os.path.exists(target) else None
    args.output = args.append = None
    usable = usable_or_reported(variants)
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
        print()
        print(*report.sweep_table([suite]), sep="\n")
        print(f"\nsaved to {target}")
        print(f"plots:    {sweep.draw(suite, target)}")
        return 1 if failed else 0

    return measure.interruptible("sweep", target, body)


def cmd_matrix(argv):
    """``matrix``: ``run`` under every --python, then variants against interpreters."""
    parser = Parser(prog="capqueue matrix", description=DESCRIPTIONS["matrix"],
                    epilog="Any other option goes to capqueue run under each interpreter: "
                           "variants, workload options, pyperf's (-p, -n, --fast, ...).")
    parser.add_argument("--python", action="append", metavar="PYTHON",
                        help="an interpreter to measure on, a path or a command (repeatable; "
                             "default: this one)")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="the folder for the results (default: results/matrix-<time>/)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    args, forwarded = parser.parse_known_args(argv)
    if "--append" in forwarded:
        raise UsageError("--append does not apply to a matrix: it writes one file per "
                         "interpreter into -o DIR, and resumes a DIR given again")
    directory = args.output or str(results.default_path("matrix").with_suffix(""))
    print(f"results:  {directory}/")
    status = matrix.run_matrix(args.python or [sys.executable], forwarded, directory)
    files = sorted(str(p) for p in Path(directory).glob("*.json"))
    if files and status != 130:
        suites = [results.load(path) for path in files]
        for part in report.render(suites, sources=files):
            print()
            print(*part, sep="\n")
    return status
