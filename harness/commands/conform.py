"""``capqueue conform``: the whole variant contract on the variants named."""

import sys

from harness import conform
from harness.commands.common import add_common_options
from harness.options import UsageError
from harness.registry import select
from harness.workload import whole_number

NAME = "conform"
HELP = "run the whole contract on a variant"
DESCRIPTION = ("Run the whole variant contract on a variant: every workload shape of the "
               "conformance suite (odd ones, I/O waits, CPU work) and failures injected in a "
               "sink and in a source at the first, middle and last item, with one and with "
               "several workers. One line per check, then the verdict; exit status 0 only "
               "when the variant conforms. What a new variant should pass before anything "
               "else.")


def arguments(parser):
    parser.add_argument("variants", nargs="*", metavar="VARIANT", help="variants to conform")
    parser.add_argument("--jobs", "-j", type=whole_number, default=1, metavar="N",
                        help="run N checks at a time, each in its own process (default: 1; "
                             "more is faster on several cores, but checks then share them)")
    add_common_options(parser, NAME)


def run(args):
    if not (args.variants or args.variant_path):
        raise UsageError("name a variant to conform, or give its file with --variant-path")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    variants = select(args.variants, args.variant_path)  # each one named: each can run
    verdicts = []
    for variant in variants:
        verdicts.append(conform.conform(variant, timeout=args.check_timeout, jobs=args.jobs,
                                        debug=sys.stderr if args.debug else None))
    return 0 if verdicts and all(verdicts) else 1
