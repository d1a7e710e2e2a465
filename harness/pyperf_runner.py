"""pyperf's Runner as capqueue uses it: every coupling to pyperf's internals, in one file.

capqueue times with pyperf (worker processes, warm-ups, calibrated loops, JSON), and three
things it needs go beyond pyperf's documented API; they are here, so that a pyperf upgrade
is checked against this file alone (written against pyperf 2.10):

- pyperf's options join a capqueue command's own parser (``Parser``, whose errors are one
  line), through the Runner's private ``_argparser``;
- the command line is parsed in two steps, argparse then the Runner's private ``_set_args``,
  so that ``-o`` and ``--append`` can be taken from pyperf before it sees them: a command
  that saves its own files (atomically, after every slice, and resuming an existing one)
  must not have pyperf write or refuse them too;
- a session times each benchmark with settings of its own (processes, values, warm-ups,
  loops) by setting them on ``runner.args`` around one ``bench_time_func`` call, with
  pyperf's own result line kept off stdout.

Worker processes are this program again, ``python -m harness COMMAND --worker ...``, and a
worker runs only task number K of the parent's sequence of benchmarks (pyperf's
``--worker-task``); ``bench_worker_task`` runs the one a worker was started for.
"""

import argparse
import contextlib
import importlib.metadata
import io

import pyperf

from harness import results
from harness.options import UsageError

# The settings a session chooses per benchmark, under their pyperf option names.
SETTINGS = ("processes", "values", "warmups", "loops")
PRESETS = ("fast", "rigorous", "debug_single_value")  # pyperf options that set SETTINGS
FILES = ("output", "append")  # pyperf's options that name the results file


class Runner:
    """This process's one pyperf Runner, its options added to a capqueue command's parser.

    ``command`` is what a worker process runs, after ``python -m harness`` ("worker");
    ``forward()`` gives the options to add to the next worker's command line (those of the
    benchmark about to be timed); ``defaults`` are pyperf's ``processes`` and ``values``
    when the command line does not set them. pyperf allows one Runner per process.
    """

    def __init__(self, parser, command, forward=None, metadata=None, **defaults):
        self._parser = parser
        self._pyperf = pyperf.Runner(
            program_args=("-m", "harness", command), _argparser=parser, metadata=metadata,
            add_cmdline_args=(lambda argv, args: argv.extend(forward())) if forward else None,
            **defaults)
        self.explicit = frozenset()  # the SETTINGS the command line gave, presets included

    def parse_args(self, argv, own_files=False, quiet=False, hooks=(), inherit=()):
        """Parse ``argv`` with the command's options and pyperf's; return them, with this
        Runner as ``runner``.

        With ``own_files`` the caller saves the results itself: pyperf gets no ``-o`` or
        ``--append`` (the values returned still hold them); without, pyperf writes them, and
        an existing ``-o`` file is refused here, in one sentence. ``quiet`` silences pyperf's
        progress; ``hooks`` are pyperf hooks to use, those that are installed; ``inherit``
        names environment variables the workers get besides the few pyperf passes on.
        """
        args = self._parser.parse_args(argv)
        if args.compare_to:
            raise UsageError("--compare-to is not supported here: time each interpreter with "
                             "--python into its own file, then python -m pyperf compare_to A B")
        given = {key: getattr(args, key) for key in FILES}
        self.explicit = frozenset(key for key in SETTINGS
                                  if getattr(args, key) != self._parser.get_default(key))
        if any(getattr(args, preset) for preset in PRESETS):
            self.explicit = frozenset(SETTINGS)
        if own_files:
            for key in FILES:
                setattr(args, key, None)
        else:  # pyperf would refuse it too, but with a message and exit status of its own
            results.refuse_existing(args.output)
        args.inherit_environ = [*(args.inherit_environ or []), *inherit]
        self._pyperf._set_args(args)  # what Runner.parse_args does after argparse
        installed = [hook for hook in hooks
                     if importlib.metadata.entry_points(group="pyperf.hook", name=hook)]
        if installed:
            args.hook = [*(args.hook or []), *installed]
        if quiet:
            args.quiet = True
        return argparse.Namespace(**{**vars(args), **(given if own_files else {}),
                                     "runner": self})

    @property
    def python(self):
        """The interpreter the workers run (pyperf's --python, as an absolute path)."""
        return self._pyperf.args.python

    @property
    def is_worker(self):
        """Whether this process is one of pyperf's workers."""
        return bool(self._pyperf.args.worker)

    def settings(self):
        """pyperf's settings as the command line chose them (after --fast and the like)."""
        return {key: getattr(self._pyperf.args, key) for key in SETTINGS}

    def bench(self, name, time_func, *args, settings=None, silent=False, **kwargs):
        """Time ``time_func(loops, *args)`` as benchmark ``name``; return the Benchmark.

        In the parent, pyperf starts the workers and returns their runs (with ``settings``
        in place of the command line's for this one benchmark; ``silent``: without pyperf's
        result line on stdout). In a worker, only the benchmark of the worker's task runs,
        and the result goes back to the parent: None here.
        """
        state = self._pyperf.args
        saved = {key: getattr(state, key) for key in SETTINGS}
        output = contextlib.redirect_stdout(io.StringIO()) if silent else contextlib.nullcontext()
        try:
            for key, value in (settings or {}).items():
                setattr(state, key, value)
            with output:
                return self._pyperf.bench_time_func(name, time_func, *args, **kwargs)
        finally:
            for key, value in saved.items():
                setattr(state, key, value)

    def bench_worker_task(self, name, time_func, *args, **kwargs):
        """In a worker: time the one benchmark this worker was started for, whatever its
        number in the parent's sequence (the tasks before it are passed over unrun)."""
        for _ in range(self._pyperf.args.worker_task or 0):
            self._pyperf.bench_time_func("-", None)
        return self._pyperf.bench_time_func(name, time_func, *args, **kwargs)
