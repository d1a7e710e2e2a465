"""The whole variant contract, run on one variant: every workload shape and every failure.

A variant conforms when its module follows the contract (``harness.registry`` checks that
on import: a docstring, a ``MODEL`` string, a plain ``def run(sources, sinks, capacity,
io)``) and every case of the battery below passes its check (``harness.check``):

- ``SHAPES``: the workloads the study uses, small and odd ones included (capacity 1, more
  consumers than items, no items at all), and work per item (an I/O wait at each producer,
  a timer or a round trip over a socket, and CPU work at each consumer); each must be done
  exactly, in order, within the cap, with the waits really waited and nothing left running.
  A variant whose ``run`` takes no ``connections`` cannot run socket waits: that case is
  reported as such, and does not count against it;
- ``FAILURES``: a sink, then a source, raising at the first, the middle and the last item,
  with one producer and one consumer and with several of each; the error must come out of
  ``run()`` within 2 seconds and every other worker must stop.

``capqueue conform`` prints one line per case; the conformance suite
(``tests/test_conformance.py``, ``tests/test_failures.py``) and the pytest plugin
(``harness.pytest_plugin``) run the very same cases.
"""

import shlex
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields

from harness.check import check_variant
from harness.workload import Workload

CPU_LOOPS = 400  # the CPU work per item of cpu shapes: the rules do not depend on its length

SHAPES = {
    "notebook": Workload(items=35, capacity=10),
    "default-shape": Workload(items=2_000),
    "capacity-1": Workload(items=300, capacity=1),
    "capacity-above-items": Workload(items=20, capacity=100),
    "3-producers-2-consumers": Workload(items=500, capacity=3, producers=3, consumers=2),
    "2-producers-4-consumers-capacity-1": Workload(items=200, capacity=1, producers=2,
                                                   consumers=4),
    "more-consumers-than-items": Workload(items=2, capacity=2, producers=1, consumers=5),
    "zero-items": Workload(items=0),
    "zero-items-several-workers": Workload(items=0, producers=3, consumers=2),
    # 1 ms: uvloop rounds every timer to whole milliseconds, so it cannot wait 0.5 ms at all
    "io-wait": Workload(items=40, capacity=2, producers=3, io=0.001),
    "cpu-work": Workload(items=200, capacity=5, consumers=2, cpu=0.00002),
    "io-and-cpu-2x2": Workload(items=30, capacity=1, producers=2, consumers=2, io=0.001,
                               cpu=0.00002),
    "socket-wait": Workload(items=20, capacity=2, producers=3, consumers=2, io=0.001,
                            io_kind="socket"),
}

TOPOLOGIES = {  # where failures are injected: alone, and among several of each
    "1x1": Workload(items=300, capacity=10),
    "3x2-capacity-2": Workload(items=200, capacity=2, producers=3, consumers=2),
}
PLACES = ("sink", "source")


def positions(workload):
    """Early, in the middle, and at the very last item of the run."""
    return {"first": 1, "middle": workload.total // 2, "last": workload.total}


@dataclass(frozen=True)
class Case:
    """One check of the battery: a rule, a workload, and maybe a failure to inject."""

    id: str  # "capacity-1", "3x2-capacity-2-sink-at-middle": names it in tests and output
    rule: str  # the part of the contract it proves, as ``capqueue conform`` prints it
    workload: Workload
    failure: tuple | None = None  # ("sink" | "source", item)

    def check(self, variant, timeout=None):
        """Check ``variant`` on this case; return the ``harness.check.Verdict``."""
        verdict = check_variant(variant, self.workload, failure=self.failure, timeout=timeout,
                                cpu_loops=CPU_LOOPS if self.workload.cpu else 0)
        if verdict.cannot_run is not None:
            return verdict
        if verdict.ok and self.failure is None and verdict.processed != self.workload.total:
            verdict.problems.append(f"processed {verdict.processed:,} items, not "
                                    f"{self.workload.total:,}")
        if verdict.ok and self.failure is not None and verdict.shutdown_seconds is None:
            verdict.problems.append("the injected failure never happened")
        return verdict

    def command(self, variant):
        """The ``capqueue check`` command that runs this case alone, to try it again."""
        words = ["capqueue", "check"]
        words += ["--variant-path", variant.path] if variant.path else [variant.name]
        default = Workload()
        for f in fields(Workload):
            value = getattr(self.workload, f.name)
            if value != getattr(default, f.name):
                words += [f"--{f.name.replace('_', '-')}", _option(value)]
        if self.failure:
            words += ["--fail-in", self.failure[0], "--fail-at", str(self.failure[1])]
        return shlex.join(words)


def _option(value):
    """A workload value as an option's argument: 200, 1ms, 20us, socket."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    for unit, scale in (("s", 1.0), ("ms", 1e-3)):
        if value >= scale:
            return f"{value / scale:g}{unit}"
    return f"{value / 1e-6:g}us"


def _shape_rule(workload):
    if workload.sockets:
        return "waits on its socket"
    if workload.io:
        return "waits its I/O"
    return "does the task"


TASK = [Case(name, _shape_rule(workload), workload) for name, workload in SHAPES.items()]
FAILURES = [Case(f"{topology}-{place}-at-{where}", "fails cleanly", workload, (place, item))
            for topology, workload in TOPOLOGIES.items() for place in PLACES
            for where, item in positions(workload).items()]
CASES = TASK + FAILURES


def conform(variant, *, out=sys.stdout, timeout=None, debug=None, jobs=1):
    """Run every case on ``variant``, one line each, then the verdict; return whether it
    conforms. ``debug``, a file, receives what a failing check saw (tracebacks, stacks);
    ``jobs`` checks run at a time (each in its own process), the lines still in order."""
    width = max(len(case.id) for case in CASES)
    rule_width = max(len(case.rule) for case in CASES)
    print(f"conform {variant.name} ({variant.origin}): the whole variant contract, "
          f"{len(CASES) + 1} checks", file=out, flush=True)
    print(f"{'ok':5} {'is a variant':{rule_width}}  {'module':{width}}  a docstring, MODEL "
          f"{variant.model!r}, def run(sources, sinks, capacity, io)", file=out, flush=True)
    failed, skipped = [], []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        verdicts = pool.map(lambda case: case.check(variant, timeout=timeout), CASES)
        for case, verdict in zip(CASES, verdicts):
            print(f"{verdict.label:5} {case.rule:{rule_width}}  {case.id:{width}}  "
                  f"{verdict.detail()}", file=out, flush=True)
            if verdict.cannot_run is not None:
                skipped.append(case)
            elif not verdict.ok:
                failed.append(case)
                print(f"{'':5} {'':{rule_width}}  again: {case.command(variant)}", file=out,
                      flush=True)
                if debug:
                    print(f"--- {variant.name}, {case.id}:", *verdict.problems, verdict.debug,
                          sep="\n", file=debug)
    ran = len(CASES) + 1 - len(skipped)
    unrun = (f", {len(skipped)} it cannot run ({', '.join(case.id for case in skipped)})"
             if skipped else "")
    if failed:
        print(f"verdict: {variant.name} does NOT conform: {len(failed)} of {ran} checks failed "
              f"({', '.join(case.id for case in failed)}){unrun}", file=out)
    else:
        print(f"verdict: {variant.name} conforms: all {ran} checks passed{unrun}", file=out)
    return not failed
