"""The child side of ``check``, ``trace`` and ``latency``: run one variant once, instrumented, and report.

The harness never runs a variant under check in its own process: a variant that hangs, leaks
threads or crashes the interpreter must not take the harness with it. ``harness.check``
starts this module as ``python -m harness.checkrun``; it runs the variant on recording (or
printing) sources and sinks, then writes what it saw of the run itself (how it ended, how
long shutdown took, which workers were left behind) as JSON. What the sources and sinks saw
is already in the ledger file.

A variant's service (a server it needs, see ``harness.services``) is started before the run
and stopped before the report is written, and so is the delay server of socket waits
(``harness.waits``), whose counts of each producer's requests go into the report; one that
cannot be had ends this process with its reason as the last line of its stderr, which the
parent reports. The parent kills this process's whole group when it gives up on it, and the
servers are in that group, so a hung run leaves no server.
A ``latency`` run is the same, with the stamping instruments of ``harness.stamps`` (after
``--warmups`` plain runs), and its report also carries the metadata its benchmarks record.
Processes the run itself left behind, once the service is stopped, are reported, then
ended (see ``harness.leftovers``). A hang is for the parent to see: ``SIGUSR1`` makes this
process print the stacks of all its threads (``faulthandler``) before the parent kills it.
"""

import argparse
import contextlib
import faulthandler
import gc
import inspect
import json
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import astuple

from harness import leftovers, waits
from harness.check import READY
from harness.services import ServiceError
from harness.instruments import (INJECTED_NS, InjectedFailure, Ledger, RecordedSink,
                                 RecordedSource, TracedSink, TracedSource)
from harness.registry import find
from harness.stamps import StampedSink, StampedSource, Stamps
from harness.workload import Workload

LINGER = 0.2  # seconds to watch workers that outlived run() before reporting them


def main(argv=None):
    """Run one check or trace as ``harness.check`` asked, on the options it passed."""
    parser = argparse.ArgumentParser(prog="python -m harness.checkrun")
    parser.add_argument("mode", choices=("check", "trace", "latency"))
    parser.add_argument("variant")
    parser.add_argument("--variant-path", action="append", default=[])
    Workload.add_options(parser)
    parser.add_argument("--cpu-loops", type=int, default=0,
                        help="iterations of the CPU work per item, calibrated by the parent")
    parser.add_argument("--ledger", help="check mode: the ledger file the parent created")
    parser.add_argument("--report", help="check mode: where to write the JSON report")
    parser.add_argument("--fail-in", choices=("sink", "source"))
    parser.add_argument("--fail-at", type=int)
    parser.add_argument("--stamps", help="latency mode: the stamps file the parent created")
    parser.add_argument("--warmups", type=int, default=0, help="latency mode: plain runs first")
    parser.add_argument("--spin-rate", type=float, default=0.0,
                        help="latency mode: the calibrated rate, recorded with --cpu")
    args = parser.parse_args(argv)

    workload = Workload.from_args(args)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # the parent's "where are you?"
    leftovers.become_subreaper()
    variant = find(args.variant, args.variant_path)
    with contextlib.ExitStack() as stack:
        try:
            ready = stack.enter_context(variant.ready())
            provided = stack.enter_context(waits.provided(workload))
        except ServiceError as exc:
            print(f"its service could not be had: {exc}", file=sys.stderr)
            return 3
        if os.environ.get(READY):  # the parent's time limit starts now
            open(os.environ[READY], "x").close()
        if args.mode == "trace":
            trace(variant, ready.run, workload, args.cpu_loops, provided)
            return 0
        if args.mode == "latency":
            report = stamp(variant, ready, workload, Stamps(args.stamps, workload),
                           args.cpu_loops, args.warmups, args.spin_rate, provided)
        else:
            failure = (args.fail_in, args.fail_at) if args.fail_in else None
            ledger = Ledger(args.ledger, workload, failure)
            report = check(ready.run, workload, ledger, args.cpu_loops, provided)
    processes = leftovers.descendants()  # the run's own: its service is stopped by now
    report["processes_left"] = [leftovers.describe(p) for p in processes]
    if report["threads_left"] or processes or report["greenlets_left"]:
        time.sleep(LINGER)  # let what was left running show itself in the ledger
    leftovers.end(processes)
    for _ in range(3):  # and whatever they started meanwhile
        processes = leftovers.descendants()
        if not processes:
            break
        leftovers.end(processes)
    with open(args.report, "w") as file:
        json.dump(report, file)
    # Leave now, even if the variant left threads behind: they would keep us alive.
    sys.stdout.flush()
    os._exit(0)


def trace(variant, run, workload, cpu_loops=0, provided=None):
    """Run once with printing instruments; a narrating variant tells its own story.

    ``run`` is the variant's run, ready to call (``Variant.ready``); ``provided``, the
    workload's waits (``harness.waits``).
    """
    narrates = variant.narrates
    sources = [TracedSource(p, items, quiet=narrates) for p, items in enumerate(workload.ranges())]
    sinks = [TracedSink(c, workload.consumers > 1, cpu_loops) for c in range(workload.consumers)]
    story = {"say": print} if narrates else {}
    given = provided.open() if provided else {}
    try:
        run(sources, sinks, workload.capacity, io=workload.io, **story, **given)
    finally:
        if provided:
            provided.close(given)


def check(run, workload, ledger, cpu_loops=0, provided=None):
    """Run once with recording instruments; return what was seen of the run as a whole.

    ``run`` is the variant's run, ready to call (``Variant.ready``); ``provided``, the
    workload's waits (``harness.waits``), whose connections it is given for socket waits.
    """
    sources = [RecordedSource(ledger, p, items) for p, items in enumerate(workload.ranges())]
    sinks = [RecordedSink(ledger, c, cpu_loops) for c in range(workload.consumers)]
    given = provided.open() if provided else {}
    error = returned = None
    before = set(threading.enumerate())  # a service's own threads (Ray's) are not the run's
    started = time.perf_counter()
    try:
        returned = run(sources, sinks, workload.capacity, io=workload.io, **given)
    except BaseException as exc:  # noqa: B036 - a variant may raise anything, even SystemExit
        error = exc
    finally:
        ledger.mark_returned()
    returned_ns = time.monotonic_ns()
    seconds = time.perf_counter() - started
    injected_ns = ledger.head[INJECTED_NS]
    sockets = None
    if given:
        provided.close(given)
        counts = provided.counts(settle=True)
        sockets = {"counts": [astuple(counts.get(p, waits.Count()))
                              for p in range(workload.producers)],
                   "unread": provided.unread}
    return {
        "seconds": seconds,
        "error": describe(error),
        "returned": unrun(returned),
        "shutdown_seconds": (returned_ns - injected_ns) / 1e9 if injected_ns else None,
        "threads_left": threads_left(before),
        "processes_left": [],  # filled in by main() once the service is stopped
        "greenlets_left": greenlets_left(),
        "sockets": sockets,  # for socket waits: what the delay server saw of each producer
    }


def stamp(variant, ready, workload, stamps, cpu_loops=0, warmups=0, spin_rate=0.0,
          provided=None):
    """Run ``warmups`` plain runs, then one stamped run; return what ``check`` returns, and
    the metadata the run's benchmarks record (``metadata``).

    ``ready`` is the variant's ``Variant.ready``; the warm-ups use a timed run's sources
    and sinks, so that the stamped run is not a fresh process's first. ``provided``, the
    workload's waits, gives every run connections of its own for socket waits.
    """
    from harness import measure  # the metadata every benchmark records: only for this mode
    from harness.instruments import timed_sinks

    error = returned = None
    seconds = 0.0
    before = set(threading.enumerate())
    try:
        for _ in range(warmups):
            sinks, _ = timed_sinks(workload.consumers, cpu_loops)
            given = provided.open() if provided else {}
            try:
                ready.run(workload.ranges(), sinks, workload.capacity, io=workload.io, **given)
            finally:
                if given:
                    provided.close(given)
        sources = [StampedSource(stamps, p, items) for p, items in enumerate(workload.ranges())]
        sinks = [StampedSink(stamps, c, cpu_loops) for c in range(workload.consumers)]
        given = provided.open() if provided else {}
        started = time.perf_counter()
        try:
            returned = ready.run(sources, sinks, workload.capacity, io=workload.io, **given)
        finally:
            seconds = time.perf_counter() - started
            if given:
                provided.close(given)
    except BaseException as exc:  # noqa: B036 - a variant may raise anything
        error = exc
    return {
        "seconds": seconds,
        "error": describe(error),
        "returned": unrun(returned),
        "shutdown_seconds": None,
        "threads_left": threads_left(before),
        "processes_left": [],
        "greenlets_left": greenlets_left(),
        "metadata": {**measure.metadata(variant, workload, cpu_loops, spin_rate),
                     **ready.metadata},
    }


def threads_left(before):
    """The names of the threads still running that were not running ``before`` the run:
    those a service started for itself (``ray.init`` starts two) live as long as it does."""
    return [t.name for t in threading.enumerate()
            if t not in before and t is not threading.main_thread() and t.is_alive()]


def unrun(value):
    """What ``run`` returned instead of doing the work ("a coroutine", ...), or None.

    A run() that hands back a coroutine or a generator did nothing: one wrapped around an
    ``async def`` by a decorator, say. It is closed here, so no "never awaited" warning
    hides the point.
    """
    for test, what in ((inspect.iscoroutine, "a coroutine"), (inspect.isgenerator, "a generator"),
                       (inspect.isasyncgen, "an async generator"),
                       (inspect.isawaitable, "an awaitable")):
        if test(value):
            if hasattr(value, "close"):
                value.close()
            return what
    return None


def greenlets_left():
    """Greenlets started and not finished, other than this one and gevent's hub.

    A suspended greenlet is a worker that can still be switched back into; ending them is
    the variant's job (``throw()``, ``gevent.killall``), not the garbage collector's.
    """
    greenlet = sys.modules.get("greenlet")
    if greenlet is None:
        return []
    gc.collect()
    hub = getattr(sys.modules.get("gevent.hub"), "Hub", ())
    current = greenlet.getcurrent()
    return [repr(g) for g in gc.get_objects()
            if isinstance(g, greenlet.greenlet) and g and g is not current
            and g.parent is not None and not isinstance(g, hub)]


def describe(error):
    """An error as the report gives it: its text, and whether it is the injected failure."""
    if error is None:
        return None
    if isinstance(error, BaseExceptionGroup):
        injected, others = error.split(InjectedFailure)
    elif isinstance(error, InjectedFailure):
        injected, others = error, None
    else:
        injected, others = None, error
    text = _text(error)
    if isinstance(error, BaseExceptionGroup):  # what is inside says what went wrong
        text += f": {'; '.join(_leaves(error))}"
    return {
        "text": text,
        "injected": injected is not None,
        "others": _leaves(others),
        "traceback": "".join(traceback.format_exception(error)),
    }


def _leaves(error):
    if error is None:
        return []
    if isinstance(error, BaseExceptionGroup):
        return [text for e in error.exceptions for text in _leaves(e)]
    return [_text(error)]


def _text(error):
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
