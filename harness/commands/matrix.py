"""``capqueue matrix``: ``capqueue run`` under every --python, then variants against
interpreters."""

import sys
from pathlib import Path

from harness import matrix, report, results
from harness.options import UsageError

NAME = "matrix"
HELP = "check and time variants on several interpreters"
DESCRIPTION = ("Check and time variants on several interpreters, one results file each: "
               "capqueue run under every --python, with the other options as given (variants, "
               "workload, pyperf's). Each interpreter checks and times with its own "
               "libraries; a variant whose library does not build or import there is skipped "
               "with the reason (DIR/<interpreter>.txt lists them). An interpreter already in "
               "DIR is skipped, so an interrupted matrix resumes. Then the table of variants "
               "against interpreters.")
EPILOG = ("Any other option goes to capqueue run under each interpreter: variants, workload "
          "options, pyperf's (-p, -n, --fast, ...).")


class _Forwarding:
    """Parses the matrix's own options and keeps every other one for ``capqueue run``."""

    def __init__(self, parser):
        self.parser = parser

    def parse_args(self, argv):
        args, args.forwarded = self.parser.parse_known_args(argv)
        return args


def arguments(parser):
    parser.add_argument("--python", action="append", metavar="PYTHON",
                        help="an interpreter to measure on, a path or a command (repeatable; "
                             "default: this one)")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="the folder for the results (default: results/matrix-<time>/)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return _Forwarding(parser)


def run(args):
    if "--append" in args.forwarded:
        raise UsageError("--append does not apply to a matrix: it writes one file per "
                         "interpreter into -o DIR, and resumes a DIR given again")
    directory = args.output or str(results.default_path(NAME).with_suffix(""))
    print(f"results:  {directory}/")
    status = matrix.run_matrix(args.python or [sys.executable], args.forwarded, directory)
    files = sorted(str(p) for p in Path(directory).glob("*.json"))
    if status == 130:
        return status
    if not files:
        print("\nno interpreter timed anything: no results file was written")
        return status or 1
    suites = [results.load(path) for path in files]
    for part in report.render(suites, sources=files):
        print()
        print(*part, sep="\n")
    return status
