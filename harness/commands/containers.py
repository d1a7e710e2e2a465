"""``capqueue containers``: the teaching notebook's list-versus-deque timings, redone."""

from harness.options import UsageError
from harness.pyperf_runner import Runner
from harness.studies import containers

NAME = "containers"
HELP = "time list against deque, as the notebook did but with every pop popping"
DESCRIPTION = (containers.__doc__.split("\n\n")[0] + " Times append, insert at the front and "
               "pop at either end of a list and of a deque of 10,000 items with pyperf, each "
               "timed loop on a fresh container built outside the timer, in ns per operation; "
               "or runs the notebook's own cells as written (--as-notebook), or prints a file "
               "of these timings as a Markdown table (--report).")


def arguments(parser):
    parser.add_argument("--as-notebook", action="store_true",
                        help="run the notebook's cells In [62]-[71] as written, and count the "
                             "pops each timing really did")
    parser.add_argument("--report", metavar="FILE",
                        help="print FILE, written by this command with -o, as a Markdown "
                             "table, list beside deque")
    return Runner(parser, NAME, metadata={"description": containers.__doc__.splitlines()[0],
                                          "containers_size": containers.SIZE})


def run(args):
    if args.as_notebook:
        containers.as_notebook()
        return 0
    if args.report:
        import pyperf

        try:
            table = containers.table(pyperf.BenchmarkSuite.load(args.report))
        except Exception as exc:  # no such file, not one this command wrote, one value each
            raise UsageError(f"{args.report} does not give the list-versus-deque table "
                             f"({exc})") from None
        print(*table, sep="\n")
        return 0
    for name, time_func in containers.BENCHMARKS.items():
        args.runner.bench(name, time_func, inner_loops=containers.SIZE)
    return 0
