"""``capqueue report``: the tables of one or more results files."""

from harness import report, results
from harness.options import UsageError

NAME = "report"
HELP = "print the table of one or more results files"
DESCRIPTION = ("Print the comparison table of a results file. Given several files of one "
               "workload with one parameter changed (items, capacity, ...), print ns per item "
               "and peak RSS for each; when the item count changes, also split each "
               "variant's cost into a fixed cost per run and a marginal cost per item.")


def arguments(parser):
    parser.add_argument("files", nargs="+", metavar="FILE", help="pyperf JSON written by "
                        "capqueue run or compare (several: a sweep table), or by capqueue "
                        "latency (its percentile, depth and fairness tables)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="only the benchmarks of that workload (repeatable): one point of "
                             "a sweep, e.g. --where capacity=1")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def run(args):
    try:
        suites = report.where([results.load(path) for path in args.files], args.where)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if len(report.points(suites, args.files)) == 1 or report.latency_only(suites):
        for workload in report.workloads(suites[0]):
            print(f"workload: {workload.describe()}")
    print(f"measured: {report.describe_machine(suites[0])}")
    for part in report.render(suites, args.markdown, args.files):
        print()
        print(*part, sep="\n")
    return 0
