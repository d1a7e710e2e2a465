"""Timing with pyperf: one benchmark per variant, in seconds per item, saved as one suite.

pyperf runs every benchmark in fresh worker processes (warm-ups, calibrated loops, several
values each), and each worker re-runs this program as ``python -m harness run ...`` with
``--worker``: so the options that choose and shape the benchmarks are forwarded to it
(``forward_options``), and the variants are registered in the same order in the parent and
in every worker, because a worker only runs task number K of that sequence.

What the timer includes. Each timed loop hands the whole workload to ``run()`` and measures
that call, so a figure includes the model's own start-up and tear-down (creating and
joining threads, ``asyncio.run``'s new event loop, ``trio.run``), spread over the items of
one run. That is deliberate: it is what a program pays to use the model for this job, and
leaving it out would flatter the models with the most expensive start-up. The per-run cost
fades as the number of items grows; ``capqueue report`` given runs at several item counts
splits the two (``make scale`` makes such runs). The timer excludes making the sources
(``range`` objects) and the sinks (``deque(maxlen=1).append``).
"""

import time
from dataclasses import replace

from harness.instruments import timed_sinks
from harness.workload import Workload

CHECK_ITEMS = 100_000  # run and compare check the timed workload's shape at most this big

TIMER_NOTE = ("Each timed loop runs the whole workload through run(): the figures include "
              "starting the model's runtime (creating threads, asyncio.run, trio.run), spread "
              "over the items of one run.")


def time_variant(loops, run, workload):
    """pyperf time function: run the workload ``loops`` times; return the seconds in ``run``."""
    timer = time.perf_counter
    capacity, consumers = workload.capacity, workload.consumers
    final_items = {r[-1] for r in workload.ranges() if r}
    total = 0.0
    for _ in range(loops):
        sources = workload.ranges()
        sinks, lasts = timed_sinks(consumers)
        started = timer()
        run(sources, sinks, capacity)
        total += timer() - started
        # With one consumer its last item is some producer's final item: a cheap guard, out
        # of the timer, that the timed run did finish the job (the check proved the rest).
        # A consumer in another process appends to its own copy of the deque, not to ours.
        if consumers == 1 and lasts[0] and lasts[0][0] not in final_items:
            raise RuntimeError(f"timed run ended on {list(lasts[0])}, not on a final item")
    return total


def checked_workload(workload):
    """The workload the check runs before timing: the same shape, at most CHECK_ITEMS big.

    A check records every event, so at millions of items it would cost far more than the
    timing; correctness does not depend on the count beyond a point, the time limit does.
    """
    return replace(workload, items=min(workload.items, CHECK_ITEMS))


def metadata(variant, workload):
    """What each benchmark carries besides its values: enough to know what was measured."""
    return {
        "capqueue_variant": variant.name,
        "capqueue_model": variant.model,
        "capqueue_description": variant.description,
        "capqueue_checked_items": checked_workload(workload).items,
        "capqueue_timer": TIMER_NOTE,
        **workload.as_metadata(),
    }


def forward_options(command, args):
    """pyperf's add_cmdline_args: pass the workers what selects and shapes the benchmarks."""
    command.extend(Workload(args.items, args.capacity, args.producers,
                            args.consumers).as_options())
    for path in args.variant_path:
        command.extend(["--variant-path", path])
    command.extend(args.variants)


def bench(runner, name, variant, workload):
    """Register the benchmark of one variant with pyperf; the parent gets its Benchmark back.

    A worker runs only task number ``--worker-task`` of the sequence of calls, so it passes
    ``variant=None`` for the others (and need not import their libraries): those calls only
    keep pyperf's count of tasks.
    """
    if variant is None:
        return runner.bench_time_func(name, time_variant)
    return runner.bench_time_func(name, time_variant, variant.run, workload,
                                  inner_loops=workload.total, metadata=metadata(variant, workload))
