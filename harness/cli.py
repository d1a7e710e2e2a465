"""The capqueue command line: find the command, let it parse its arguments, run it.

``capqueue`` and ``python -m harness`` are the same program. The commands are the table in
``harness.commands``, one module each, and every one is dispatched the same way. Bad input
of any kind ends in one sentence on stderr and exit status 2; an interrupted command exits
with status 130; ``--debug`` shows the traceback too (for a variant that does not load, its
own error: a SyntaxError with its line and caret).
"""

import os
import signal
import sys
import traceback

from harness import commands
from harness.docs import DocsError
from harness.options import Parser, UsageError
from harness.registry import VariantError, error_text
from harness.results import ResultsError
from harness.workload import WorkloadError

USER_ERRORS = (UsageError, WorkloadError, VariantError, ResultsError, DocsError)


def main(argv=None):
    """Entry point of ``capqueue`` and ``python -m harness``; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        return dispatch(argv)
    except USER_ERRORS as exc:
        if debug:  # the error behind the sentence: the variant's own, when it has one
            cause = exc.__cause__
            print(error_text(cause) if cause else "".join(traceback.format_exception(exc)),
                  end="", file=sys.stderr)
        text = f"--{exc.field.replace('_', '-')} {exc.rule}" if isinstance(exc, WorkloadError) else str(exc)
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


def dispatch(argv):
    """Run the command ``argv`` names with the rest of ``argv``; return its exit status.

    The command builds its own parser: the one pyperf Runner a measuring command needs is
    made there, since only that command runs in this process.
    """
    if not argv or argv[0] not in commands.COMMANDS:
        parser = top_parser()
        parser.parse_args(argv)  # --help lists the commands; a wrong or missing one is an error
        parser.error("the command comes first: capqueue COMMAND [OPTIONS]")
    command = commands.load(argv[0])
    parser = Parser(prog=f"capqueue {command.NAME}")
    parsing = command.arguments(parser) or parser
    parser.description = command.DESCRIPTION  # after arguments(): pyperf sets its own
    parser.epilog = getattr(command, "EPILOG", None)
    return command.run(parsing.parse_args(argv[1:]))


def top_parser():
    """``capqueue`` before its command: it knows only the commands' names and help lines."""
    parser = Parser(prog="capqueue", description="capqueue: one capped-queue producer/"
                    "consumer task, written once per Python concurrency model, verified "
                    "then measured with pyperf.",
                    epilog="Run 'capqueue COMMAND --help' for a command's options.")
    listed = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands.COMMANDS:
        command = commands.load(name)
        if command.HELP:
            listed.add_parser(name, help=command.HELP, add_help=False)
    return parser
