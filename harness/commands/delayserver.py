"""``capqueue delayserver``: the delay server of socket waits, alone: serve, or measure it."""

import signal

from harness import services, units
from harness.delayserver import capacity
from harness.options import UsageError
from harness.table import layout
from harness.workload import whole_number

NAME = "delayserver"
HELP = "run the delay server of socket waits, or measure its capacity"
DESCRIPTION = ("Start the delay server that socket waits talk to (--io-kind socket; "
               "harness/delayserver.py says its protocol) on a free loopback port and serve "
               "until Ctrl-C, or with --bench measure its capacity: a trivial client keeps "
               "one request in flight on each of N connections at io 0, and the table gives "
               "round trips per second and the CPU each side spends per round trip. Both "
               "run on this machine's cores, as they do in a run.")


def _sizes(text):
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--connections takes whole numbers separated by commas, not "
                         f"{text!r}") from None
    if not all(size >= 1 for size in sizes):
        raise UsageError(f"--connections must all be at least 1, not {text}")
    return sizes


def arguments(parser):
    parser.add_argument("--bench", action="store_true",
                        help="measure the server's capacity instead of serving")
    parser.add_argument("--connections", default="1,100,10000", metavar="N[,N...]",
                        help="with --bench: the numbers of connections to measure at "
                             "(default: 1,100,10000)")
    parser.add_argument("--seconds", type=whole_number, default=3, metavar="S",
                        help="with --bench: seconds measured at each size, after half a "
                             "second of warm-up (default: 3)")


def run(args):
    sizes = _sizes(args.connections)
    if args.seconds < 1:
        raise UsageError(f"--seconds must be at least 1, not {args.seconds}")
    if not args.bench:
        with services.DELAY.running() as running:
            host, port = running.address
            print(f"listening on {host}:{port} ({running.metadata['capqueue_delay_version']}); "
                  "Ctrl-C stops it", flush=True)
            signal.pause()
        return 0
    rows = []
    for size in sizes:
        with services.DELAY.running() as running:  # a fresh server for each size
            found = capacity(running.address, size, seconds=args.seconds)
        print(f"{size:,} connection(s): {found['rate']:,.0f} round trips/s", flush=True)
        rows.append([f"{size:,}", f"{found['rate']:,.0f}",
                     units.duration(found["median_round_trip"]),
                     units.duration(found["server_cpu"]), units.duration(found["client_cpu"]),
                     f"{found['server_cores']:.2f}, {found['client_cores']:.2f}",
                     units.duration(found["opening"])])
    print(f"\nserver: {running.metadata['capqueue_delay_version']}; client: an asyncio.Protocol "
          f"on {found['client_loop']}, one request in flight per connection, io 0, "
          f"{args.seconds} s per size")
    print(*layout(["connections", "round trips/s", "median round trip",
                   "server CPU per round trip", "client CPU per round trip",
                   "cores used (server, client)", "connect, each"], rows, "rrrrrrr"),
          sep="\n")
    return 0
