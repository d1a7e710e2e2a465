"""capqueue's commands: the table ``capqueue`` dispatches on, one module per command.

``capqueue NAME ARGS...`` imports ``harness.commands.NAME``, gives it a parser of its own
(``options.Parser``, prog ``capqueue NAME``), and lets it parse ARGS and run. Every command
goes the same way, the ones that time with pyperf included: only the command named runs in
a process, so a measuring command makes that process's one pyperf Runner (it adds pyperf's
options to the command's parser) while it sets up its arguments.

A command module gives:

``NAME``
    the word after ``capqueue``;
``HELP``
    its line in ``capqueue --help`` (None for a command no one types: the pyperf worker);
``DESCRIPTION``, and optionally ``EPILOG``
    what its own ``--help`` says first and last;
``arguments(parser)``
    adds its arguments to ``parser``. It may return what parses the command line in the
    parser's place, anything with ``parse_args(argv)``: a measuring ``Session`` or a
    ``pyperf_runner.Runner``, which reads pyperf's options as well and puts itself in the
    values it returns (``args.session``, ``args.runner``);
``run(args)``
    does the command and returns its exit status. A user's error is an exception of the
    kinds ``cli`` turns into one sentence and exit status 2 (``UsageError``, ...).

A new command is a module here and its name in ``COMMANDS``, where the order is the order
of ``capqueue --help``.
"""

import importlib

COMMANDS = ("list", "check", "conform", "new", "trace", "run", "compare", "sweep", "matrix",
            "instructions", "latency", "report", "docs", "plot", "containers", "interpreters",
            "delayserver", "worker")


def load(name):
    """The module of command ``name`` (one of ``COMMANDS``)."""
    return importlib.import_module(f"{__name__}.{name}")
