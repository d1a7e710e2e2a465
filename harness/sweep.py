"""Sweeps: a grid of workloads over chosen variants, each point checked then timed, resumable.

``capqueue sweep --producers 1,2,4,8,16 --io 1ms --items 200 trio asyncio threads`` makes
every combination of the values given (here five points), and for each point checks then
times every variant, with the measuring session of ``run`` and ``compare``. All of it goes
into one pyperf file, each benchmark named by its variant and its workload
(``trio items=200 producers=4 io=1ms``) and carrying every workload parameter in its
metadata.

A point is saved once all its variants are timed, so an interrupted sweep loses at most
the point it was in. Run again on the same file, it skips every (variant, workload)
already there and measures the rest: the half-finished point is redone.

A variant that cannot run at a point on this machine (past its limits of threads,
processes or open files: ``harness.limits``) is reported there as "cannot run" with the
reason, and kept in the file as such (``harness.results``), so that a sweep run again
skips it like a measured one, and the tables and plots show it.

Points with work per item are long per run (four producers of 200 items waiting 1 ms each
take 0.2 s at best, 0.8 s for a model that cannot overlap them): the session times such
points with ``measure.LONG_RUN_SETTINGS`` unless told otherwise, and the sweep says so.
"""

import os
import time
from pathlib import Path

from harness import report, results, units
from harness.measure import LONG_RUN, Task, format_settings

WORKER_START = 0.4  # seconds a pyperf worker takes to start, roughly, for the time left


def plan(variants, workloads):
    """The tasks of a sweep, point by point: [(workload, [Task, ...]), ...]."""
    return [(workload, [Task(f"{v.name} {workload.label()}", v, workload) for v in variants])
            for workload in workloads]


def done_in(suite):
    """(variant, workload) pairs a results file already holds, measured or found unable to
    run here."""
    if suite is None:
        return set()
    return {(row.variant, row.workload) for row in report.rows(suite, cannot_run=True)}


class TimeLeft:
    """An estimate of the time left, from what the finished work took against its guess."""

    def __init__(self):
        self.guessed = self.took = 0.0
        self.started = time.monotonic()

    def finished(self, guess):
        self.guessed += guess
        self.took = time.monotonic() - self.started

    def left(self, guess):
        scale = self.took / self.guessed if self.guessed else 1.0
        return guess * scale


def guess(session, task):
    """A rough cost of timing ``task``, in seconds: its runs, and starting its workers."""
    settings = session.settings(task)
    w = task.workload
    one_run = max(w.least_time(os.cpu_count() or 1), LONG_RUN)
    runs = settings["processes"] * (settings["values"] + (settings["warmups"] or 0))
    return settings["processes"] * WORKER_START + runs * one_run


def run_sweep(session, points, target, base, out):
    """Check and time every point not already in ``target``; return the exit status."""
    already = done_in(base)
    suite = base
    clock = TimeLeft()
    left = sum(guess(session, t) for _, tasks in points for t in tasks
               if (t.variant.name, t.workload) not in already)
    failed = 0
    for number, (workload, tasks) in enumerate(points, 1):
        todo = [t for t in tasks if (t.variant.name, t.workload) not in already]
        print(f"\npoint {number}/{len(points)}: {workload.describe()}", file=out)
        if not todo:
            print("  already measured: skipped", file=out, flush=True)
            continue
        if len(todo) < len(tasks):
            print(f"  {len(tasks) - len(todo)} variant(s) already measured: skipped", file=out)
        passing = session.check(todo)
        unrunnable = [session.cannot_run[t.name] for t in todo if t.name in session.cannot_run]
        for settings in dict.fromkeys(format_settings(session.settings(t), session.rounds)
                                      for t in passing):
            print(f"  settings: {settings}", file=out, flush=True)
        failed += len(todo) - len(passing) - len(unrunnable)
        left -= sum(guess(session, t) for t in todo if t not in passing)
        benches = []

        def progress(task, round_number, rounds, bench):
            nonlocal left
            if round_number == rounds:
                cost = guess(session, task)
                clock.finished(cost)
                left -= cost
            processes = sum(1 for run in bench.get_runs() if run.values)
            print(f"  {task.variant.name}: {units.duration(bench.median())} per item "
                  f"({processes} processes); about "
                  f"{units.time_left(clock.left(left))} left", file=out, flush=True)

        benches = session.time(passing, lambda bench: None, progress)
        for bench in benches:
            suite = results.add(suite, bench)
        for entry in unrunnable:  # a result too: the sweep resumes past it
            suite = results.add_cannot_run(suite, entry)
        if benches or unrunnable:
            results.save(suite, target)  # the whole point at once: never half a point
    return suite, failed


def draw(suite, target):
    """Draw the figure the sweep is read by beside its file (FILE.svg, FILE.png); say what
    was written, or why nothing was."""
    try:
        from harness import plot  # matplotlib: not installed on every interpreter
    except ImportError as exc:
        return f"none ({exc.name} is not installed here)"
    if not report.rows(suite):
        return "none (no variant could run at any point)"
    paths = plot.for_sweep([suite], str(Path(target).with_suffix("")))
    return ", ".join(map(str, paths)) or ("none (the sweep varies more than two parameters, "
                                          "or the kind of wait, which its table compares)")
