"""The child side of ``instructions``: warm up, then run one variant once, under valgrind.

``harness.instructions`` starts this module under valgrind several times per variant. Each
process starts, imports the variant, runs a warm-up, then makes the sources and sinks of
one more run: of no items without calling ``run()`` on them (``--measure 0 --call 0``, the
base), of no items calling it (``--measure 0 --call 1``), or of the workload's items
(``--measure N --call 1``). Everything but that call and its size is the same in these
processes, so the differences between their instruction counts are the call alone.
The runs are timed runs in all but the timer: the sources of
``harness.instruments.timed_sources`` (the ranges of ``Workload.ranges()``, each noting its
producer's first take) and the sinks of ``harness.instruments.timed_sinks``.

It imports only what a run needs (no pyperf), so that valgrind's slow start-up stays
short; whatever it imports is counted in every process alike and cancels out.
"""

import argparse
import os
import sys
from dataclasses import replace

from harness.instruments import timed_sinks, timed_sources
from harness.registry import find
from harness.workload import Workload

RUNS_BEGIN = "runs-begin"  # the file in --log-dir that says the runs have begun
WARMUP_ITEMS = 1_000  # at most, per producer: enough for lazy imports and specialization


def main(argv=None):
    """Warm up, then prepare a run of ``--measure`` items per producer, and call ``run()``
    on it unless ``--call 0`` (the base process, which does all the rest)."""
    parser = argparse.ArgumentParser(prog="python -m harness.countrun")
    parser.add_argument("variant")
    parser.add_argument("--variant-path", action="append", default=[])
    Workload.add_options(parser)
    parser.add_argument("--cpu-loops", type=int, default=0,
                        help="iterations of the CPU work per item, calibrated by the parent")
    parser.add_argument("--log-dir", required=True,
                        help="where valgrind writes one log per process (log.PID)")
    parser.add_argument("--measure", type=int, required=True,
                        help="items per producer of the run after the warm-up: 0 or --items "
                             "(0 padded with zeros to the same width)")
    # Not a flag: every process must parse the same options the same way, or the
    # parsing itself would differ (one more argparse flag: over 150,000 instructions).
    parser.add_argument("--call", type=int, choices=(0, 1), required=True,
                        help="1: call run() on the prepared run; 0: do not (the base)")
    args = parser.parse_args(argv)
    variant = find(args.variant, args.variant_path)
    workload = Workload.from_args(args)
    mark_runs_begin(args.log_dir)
    # The warm-up: lazy imports, first-call caches and the interpreter's specialization
    # happen here, in every process, so that the measured run is a steady one, as
    # in a pyperf worker after its warm-ups.
    run_once(variant.run, warmup(workload), args.cpu_loops)
    run_once(variant.run, replace(workload, items=args.measure), args.cpu_loops,
             call=bool(args.call))
    return 0


def warmup(workload):
    """The workload of the warm-up run: the same shape, at most WARMUP_ITEMS per producer."""
    return replace(workload, items=min(workload.items, WARMUP_ITEMS))


def mark_runs_begin(log_dir):
    """Tell the parent that the runs begin: list the valgrind logs there so far.

    Those belong to processes that start-up and imports ran (trio's imports run
    ``ldconfig`` through ``ctypes.util.find_library``): they are not part of a run, and
    their instructions are counted apart from ours. A log that appears later is a process
    the runs started.
    """
    names = sorted(name for name in os.listdir(log_dir) if name.startswith("log."))
    ready = os.path.join(log_dir, RUNS_BEGIN + ".tmp")
    with open(ready, "w") as file:
        file.write("\n".join(names))
    os.replace(ready, os.path.join(log_dir, RUNS_BEGIN))  # seen whole or not at all


def run_once(run, workload, cpu_loops, call=True):
    """One run on timed sources and sinks; refuse a run that did not finish the job.

    With ``call`` false, everything but the call of ``run``: the base process does it, so
    that the differences of counts hold the call alone (give or take the few hundred
    instructions of ``finals`` and of the final check with one item more).
    """
    sources, _ = timed_sources(workload)
    sinks, lasts = timed_sinks(workload.consumers, cpu_loops)
    finals = {r[-1] for r in workload.ranges() if r}
    if call:
        run(sources, sinks, workload.capacity, io=workload.io)
    if workload.consumers == 1 and lasts[0] and lasts[0][0] not in finals:
        raise RuntimeError(f"the run ended on {list(lasts[0])}, not on a final item")


if __name__ == "__main__":
    sys.exit(main())
