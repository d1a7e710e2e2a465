"""``capqueue plot``: one figure from results files, as STEM.svg and STEM.png."""

from harness import results
from harness.options import UsageError

NAME = "plot"
HELP = "draw one figure of one or more results files"
DESCRIPTION = ("Draw one figure from pyperf JSON written by capqueue, with the same rows "
               "the tables use, as STEM.svg and STEM.png (byte-stable: what capqueue docs "
               "embeds). Needs matplotlib (the docs extra).")


def arguments(parser):
    try:
        from harness import plot  # matplotlib: only for this command
    except ImportError as exc:
        raise UsageError(f"capqueue plot needs {exc.name}, which is not installed here (it "
                         "comes with the docs extra: make setup)") from None
    parser.add_argument("kind", choices=sorted(plot.PLOTS), help="sweep: time per item against the "
                        "one workload parameter the results differ in, a line per variant; "
                        "throughput: items per second against it, with the ideal; "
                        "efficiency: ideal / measured against it; memory: peak RSS per "
                        "producer added against the producers (a sweep of --producers); "
                        "heatmap: time per item "
                        "over two parameters, a map per variant; matrix: time per item of "
                        "each variant on each interpreter (capqueue matrix's files); "
                        "and of capqueue latency's files: latency: the share of items "
                        "within each latency, a line per variant; depth: the queue's depth "
                        "over one run, a panel per variant; fill: the start of that run, "
                        "event by event; consumers: each consumer's share of the items")
    parser.add_argument("files", nargs="+", metavar="FILE", help="pyperf JSON from capqueue")
    parser.add_argument("-o", "--output", required=True, metavar="STEM",
                        help="where to write, without the suffix")
    parser.add_argument("--variants", metavar="NAME,...",
                        help="plot only these variants (comma-separated)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def run(args):
    from harness import plot

    suites = [results.load(path) for path in args.files]
    wanted = args.variants.split(",") if args.variants else None
    for path in plot.PLOTS[args.kind](suites, args.output, wanted):
        print(path)
    return 0
