"""``capqueue compare``: check and time every variant on one workload; print the table."""

from harness import measure
from harness.commands import run as run_command

NAME = "compare"
HELP = "check and time every variant; print the table"
DESCRIPTION = ("Check and time every variant on one workload (the default unless options "
               "say otherwise), print the comparison table, and save the pyperf JSON under "
               "results/. What `make compare` runs.")
EPILOG = (f"{run_command.EPILOG} A variant whose checked run takes "
          f"{measure.VERY_LONG_CHECK:g} s or more is checked but left out of the table "
          "(it says which): time it alone with capqueue run.")
# 8 processes x 3 values keeps a table of every variant under three minutes on a 2-core
# machine (docs/methodology.md says what more processes buy).
PRESET = {"processes": 8, "values": 3}


def arguments(parser):
    return run_command.arguments(parser, NAME, **PRESET)


def run(args):
    return run_command.run(args, NAME)
