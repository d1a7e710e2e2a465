"""Instructions per item under valgrind: a cost that repeats exactly, beside the clock.

Wall time per item moves with the host: on a shared machine one process runs a variant
1.5-2x slower than the next. The number of instructions a run executes does not: under
valgrind it is the same from one run to the next, whatever else the machine is doing, so
it ranks the single-thread models without noise and says how much work each hand-off is.

How a figure is made. For each variant, ``harness.countrun`` runs in several processes
under valgrind's cachegrind with its cache simulation off (then it only counts
instructions, the fastest of valgrind's exact counters). Each process starts the
interpreter, imports the variant, does a warm-up run, then makes the sources and sinks of
one more run: the base process stops there, the next calls ``run()`` on no items, the
next on the workload's N items per producer. All else is the same in these processes,
instruction for instruction, so start-up and imports cancel out exactly:

    per run (fixed)      = count(no items) - count(base)
    per item (marginal)  = (count(N items) - count(no items)) / (N x producers)

The figure stored is the marginal cost, instructions per item processed (a pyperf value of
unit ``integer``); the fixed cost of one steady run (starting and stopping the model's
runtime) and the raw counts go in the benchmark's metadata. The fixed cost is measured on
a run of no items rather than extrapolated from two sizes, because cost per item is not a
straight line near zero: items up to 256 are CPython's cached small ints, which a run
neither allocates nor frees (in a bare loop over a range into a deque, 255 instructions
each against 366 for larger ones), so the line through two sizes misses zero by some
28,000 instructions, more than the sequential variant's whole fixed cost (it came out
negative). The figure per item is the mean over the workload's items, small ones
included, as the timings are.

"All else is the same" has to hold, and a process depends on more than its code. Its
options: one more argparse flag costs over 150,000 instructions, so the processes differ
only in the values of their options, padded to the same length. Its environment and its
options sit at the top of its stack, and their size moves where everything else lands:
a value of ``$_`` (which the shell sets to the program it starts) 18 characters shorter
made anyio on trio run 1.9 % more instructions per item. So every process gets the same
small environment (``child_env``), whoever runs the command from where. And the listings
of the directories on ``sys.path``: one file added to the project's directory moves
start-up by some 20,000 instructions, 2 per item over 10,000 items, half a percent of the
sequential variant. So the base process runs again after the others: if it moved by more
than DRIFT of the run's own instructions, something changed meanwhile and the variant is
counted again, then reported as failed if it moves again.

Exact for one checkout, not across checkouts. A change anywhere that moves memory around
(a harness module that grows, another build of the interpreter) can move a figure whose
code depends on addresses: greenlet's switch copies a slice of the C stack, and when the
harness's registry grew, greenlet's count moved by 1.3 % (1,544 to 1,564 per item) and
gevent's by 0.07 %, sequential's and generators' not at all. Across checkouts, read
differences of a percent or two in such models as layout, not code.

Why PYTHONHASHSEED is fixed. The differences above are exact only if the processes run
the same instructions up to their last run. With a random seed every process hashes its
strings differently, so dictionaries probe and sets iterate differently, and start-up and
imports alone move by a few hundred thousand instructions (227,561 between two base
processes of the sequential variant here; with the seed fixed, not one): over 10,000 items
that is some 20 instructions per item, 5 % of the sequential variant's whole cost. Every
process gets ``PYTHONHASHSEED=0``.

Which variants. Only those whose whole run happens on one OS thread: valgrind runs a
program's threads one at a time under a lock of its own, so a threaded run's count would
follow valgrind's scheduling rather than the operating system's; and valgrind does not see
the kernel, where a threaded or multi-process model spends what defines it (a context
switch, a futex wait, a pipe write each counts as the few instructions of a system call).
For those models, CPU time and context switches per item tell more. No list says which
variants qualify: valgrind itself finds out. Every process runs with ``--max-threads=2``
(valgrind keeps slot 0 of its thread table unused, so that admits the main thread alone,
and a second thread stops it) and with ``--trace-children=yes`` and one log file per
process (a run that starts another process is stopped as soon as that process's log
appears; processes that start-up and imports ran, such as the ``ldconfig`` that trio's
import runs, are not the run's, and are counted apart). Such a variant is left out, with
the reason. Valgrind sees every thread and process, whoever starts it: the variant, its
library, a thread pool behind an innocent call.

What instructions do not capture: cache misses and branch mispredictions (an instruction
that waits for memory counts as one), system calls (the kernel's work is invisible, the
call one instruction), and every wait: sleeping, I/O, ``--io``. Two variants with the same
count can take different times. With ``--io`` the count includes each model's timer
bookkeeping, and how often a loop wakes depends on the clock, so it repeats a little less
exactly (asyncio, 200 items at 1 ms: 92,846 then 92,814 instructions per item).
trio shuffles the order in which it runs a batch of ready tasks, from a generator seeded by
the operating system, so its counts (and anyio's on trio) vary slightly from run to run;
over 10,000 items they agreed within 0.15 %, where every other variant's repeated to a
tenth of an instruction.
"""

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pyperf

from harness import check, results, units
from harness.countrun import RUNS_BEGIN, warmup
from harness.measure import libraries
from harness.options import UsageError
from harness.registry import BASELINE
from harness.table import layout
from harness.workload import Workload

HASH_SEED = "0"
# cachegrind without its cache simulation: an exact count of the instructions executed.
TOOL = ("--tool=cachegrind", "--cache-sim=no", "--branch-sim=no",
        "--cachegrind-out-file=/dev/null")
ONE_THREAD = "--max-threads=2"  # slot 0 is never used: the main thread alone
SLOWDOWN = 100  # how much slower than check's time limit a run may be under valgrind
POLL = 0.1  # seconds between looks at a counted process
DRIFT = 0.001  # of a run's instructions, the most two base processes may differ by
UNIT = "integer"  # pyperf's unit for counts
HARNESS_ONLY = ("mem_max_rss", "timer")  # pyperf metadata that would describe this process

MEASURE_NOTE = ("Instructions per item: the difference between whole processes under "
                "valgrind (cachegrind) that run no items and the workload's items, "
                "PYTHONHASHSEED=0; one-thread variants only; excludes cache misses, system "
                "calls and waits.")


class Problem(Exception):
    """A variant could not be counted; ``left_out`` when it is by design (threads,
    processes), not a fault. The message is a phrase: what valgrind saw."""

    def __init__(self, message, left_out=False):
        super().__init__(message)
        self.left_out = left_out


@dataclass(frozen=True)
class Counts:
    """The instruction counts of one variant on one workload, and what they give."""

    variant: object  # a registry.Variant
    workload: Workload
    base: int  # start-up, imports, the warm-up run, and making a run's sources and sinks
    empty: int  # the same, and run() on no items
    full: int  # the same, and run() on the workload's items
    again: int  # the base once more, after the others: the same, or something changed

    @property
    def per_item(self):
        """Instructions per item processed, the fixed cost of a run apart."""
        return (self.full - self.empty) / self.workload.total

    @property
    def value(self):
        """``per_item`` as stored and shown: to a tenth of an instruction."""
        return round(self.per_item, 1)

    @property
    def per_run(self):
        """Fixed instructions of one steady run: what run() costs with no item at all."""
        return self.empty - self.base


def find_valgrind():
    """The valgrind program, or a ``UsageError`` that says it is missing in one sentence."""
    found = shutil.which("valgrind")
    if found is None:
        raise UsageError("valgrind is not installed, and counting instructions needs it: "
                         "install it (apt-get install valgrind, or make valgrind as root)")
    return found


def valgrind_version(program):
    """valgrind's version, as it says it: 'valgrind-3.19.0'."""
    done = subprocess.run([program, "--version"], capture_output=True, text=True)
    return done.stdout.strip() or "valgrind, version unknown"


_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def parse_log(text, status=0):
    """The instruction count in a cachegrind log; a ``Problem`` if the run went wrong."""
    if "--max-threads" in text:  # valgrind refused a second thread and stopped the program
        raise Problem("it starts an OS thread besides the main one", left_out=True)
    if status != 0:
        raise Problem(f"failed under valgrind (exit status {status})")
    found = _REFS.findall(text)
    if not found:
        raise Problem("valgrind reported no instruction count")
    return int(found[-1].replace(",", ""))


def count(program, variant, workload, measure, cpu_loops=0, call=True, timeout=None):
    """Instructions of one whole ``harness.countrun`` process under valgrind.

    ``measure`` is the item count per producer of the run after the warm-up; with ``call``
    false the process prepares that run but does not call ``run()`` (the base).
    """
    timeout = timeout or SLOWDOWN * check.time_limit(workload)
    with tempfile.TemporaryDirectory(prefix="capqueue-instructions-") as tmp:
        # Every process gets options of the same length: the "0" of a run of no items is
        # padded to the width of N (see "All else is the same" above).
        width = len(str(workload.items))
        command = [program, *TOOL, ONE_THREAD, "--trace-children=yes",
                   f"--log-file={tmp}/log.%p", sys.executable, "-m", "harness.countrun",
                   variant.name, *workload.as_options(), "--cpu-loops", str(cpu_loops),
                   "--log-dir", tmp, "--measure", f"{measure:0{width}d}",
                   "--call", str(int(call))]
        if variant.path:
            command += ["--variant-path", variant.path]
        with open(Path(tmp, "stderr"), "w+") as stderr:
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=stderr, env=child_env(),
                                     start_new_session=True)
            _running.add(child)
            try:
                status = _watch(child, Path(tmp), timeout)
            finally:
                check.kill_group(child)
                _running.discard(child)
            stderr.seek(0)
            said = stderr.read().strip()
        log = Path(tmp, f"log.{child.pid}")
        log = log.read_text(errors="replace") if log.exists() else ""
    try:
        return parse_log(log, status)
    except Problem as problem:
        if said and not problem.left_out:  # the child's last words say more than a status
            raise Problem(f"{problem}: {said.splitlines()[-1]}") from None
        raise


def child_env():
    """The environment of every counted process: the same whoever starts the command.

    Only what a run needs: the hash seed, a plain PATH, and PYTHONPATH if one is set.
    """
    env = {"PATH": os.defpath, "PYTHONHASHSEED": HASH_SEED}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def _watch(child, tmp, timeout):
    """Wait for ``child``; stop it as soon as a process that its runs started appears.

    Every process under valgrind writes its own log; those there before the child marks
    the beginning of its runs came from start-up and imports (see ``harness.countrun``).
    """
    deadline = time.monotonic() + timeout
    before = None
    while True:
        try:
            status = child.wait(POLL)
        except subprocess.TimeoutExpired:
            status = None
        if before is None and Path(tmp, RUNS_BEGIN).exists():
            before = set(Path(tmp, RUNS_BEGIN).read_text().split())
        if before is not None:
            started = [p.name for p in tmp.glob("log.*")
                       if p.name not in before and p.name != f"log.{child.pid}"]
            if started:
                raise Problem("it starts another process (valgrind saw process "
                              f"{started[0].partition('.')[2]} begin)", left_out=True)
        if status is not None:
            return status
        if time.monotonic() > deadline:
            raise Problem(f"no answer within {timeout:.0f} s under valgrind")


_running = set()  # the valgrind processes counting now, for stop_all


def stop_all():
    """Kill every count under way (on Ctrl-C: they do not get the terminal's signal)."""
    for child in list(_running):
        check.kill_group(child)


def count_variant(program, variant, workload, cpu_loops=0):
    """The counts of ``variant``, bracketed by two base processes that must agree.

    The base comes first (it finds threads and processes soonest) and last: if it moved by
    more than DRIFT of the run's own instructions, something the processes depend on
    changed meanwhile, and the variant is counted once more.
    """
    if variant.service is not None:  # a server's work happens in its own process
        raise Problem("it hands items over through a server in another process",
                      left_out=True)
    for _ in range(2):
        base = count(program, variant, workload, 0, cpu_loops, call=False)
        empty = count(program, variant, workload, 0, cpu_loops)
        full = count(program, variant, workload, workload.items, cpu_loops)
        again = count(program, variant, workload, 0, cpu_loops, call=False)
        counts = Counts(variant, workload, base, empty, full, again)
        if abs(again - base) > DRIFT * abs(full - empty):
            continue
        if counts.per_item <= 0:
            raise Problem(f"the run of {workload.total:,} items executed no more "
                          "instructions than the run of none")
        return counts
    raise Problem(f"its base process counted {base:,} then {again:,} instructions, twice "
                  "more apart than its run allows: something it reads changed meanwhile "
                  "(a file added to a directory on sys.path?); count it again")


def benchmark(counts, version, cpu_loops=0):
    """One pyperf benchmark: one value, the instructions per item, and how it was made."""
    variant, workload = counts.variant, counts.workload
    metadata = {
        "name": variant.name,
        "unit": UNIT,
        "capqueue_variant": variant.name,
        "capqueue_model": variant.model,
        "capqueue_description": variant.description,
        "capqueue_measure": MEASURE_NOTE,
        "capqueue_libraries": libraries(),
        "capqueue_valgrind": f"{version} {' '.join(TOOL[:3])}",
        "capqueue_hash_seed": int(HASH_SEED),
        "capqueue_fixed_instructions": counts.per_run,
        "capqueue_warmup_items": warmup(workload).items,
        "capqueue_instructions_base": counts.base,
        "capqueue_instructions_empty": counts.empty,
        "capqueue_instructions_full": counts.full,
        "capqueue_instructions_base_again": counts.again,
        **workload.as_metadata(),
    }
    if cpu_loops:
        metadata["capqueue_cpu_loops"] = cpu_loops
    run = pyperf.Run([counts.value], metadata=metadata)
    # pyperf describes the process that makes the Run: its peak RSS and its clock are
    # this harness's, not the counted runs'.
    kept = {k: v for k, v in run.get_metadata().items() if k not in HARNESS_ONLY}
    return pyperf.Benchmark([pyperf.Run(run.values, metadata=kept, collect_metadata=False)])


def check_append(path):
    """Refuse to add counts to a file of timings: one file, one unit."""
    if not path or not Path(path).exists():
        return
    for bench in results.load(path).get_benchmarks():
        if bench.get_unit() != UNIT:
            raise UsageError(f"{path} holds timings ({bench.get_name()!r} is in "
                             f"{bench.get_unit()}s); add instruction counts to a file of "
                             "counts, or name a new one with -o")


def check_and_count(usable, workload, program, version, cpu_loops, args, target, suite,
                    width, out, failed):
    """Check ``usable``, count those that pass, saving after each; print the table."""
    print(f"checking {len(usable)} variant(s) first, on {workload.describe()}", file=out,
          flush=True)
    passing = []
    for variant in usable:
        verdict = check.check_variant(variant, workload, timeout=args.check_timeout,
                                      cpu_loops=cpu_loops)
        print(verdict.line(width), file=out, flush=True)
        if verdict.ok:
            passing.append(variant)
    failed += len(usable) - len(passing)
    print(f"counting {len(passing)} variant(s) under valgrind, four processes each",
          file=out, flush=True)
    counted = []

    def attempt(variant):
        try:
            return count_variant(program, variant, workload, cpu_loops)
        except Problem as problem:
            return problem

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        for variant, found in zip(passing, pool.map(attempt, passing)):
            if isinstance(found, Problem):
                label = "left out" if found.left_out else "FAIL"
                failed += not found.left_out
                print(f"{label:8}  {variant.name:{width}}  {found}", file=out, flush=True)
                continue
            counted.append(found)
            suite = results.add(suite, benchmark(found, version, cpu_loops))
            results.save(suite, target)
            print(f"counted   {variant.name:{width}}  {units.number(found.value)} instructions "
                  f"per item, {units.number(found.per_run)} per run", file=out, flush=True)
    except BaseException:
        # Counts run in sessions of their own, out of reach of the terminal's Ctrl-C.
        pool.shutdown(wait=False, cancel_futures=True)
        stop_all()
        raise
    pool.shutdown()
    if not counted:
        print("no variant was counted: no file was written", file=out)
        return 1
    print(file=out)
    print(*table(counted), sep="\n", file=out)
    print(f"\nsaved to {target}", file=out)
    return 1 if failed else 0


def table(counted, markdown=False):
    """Instructions per item and per run, cheapest first, with the ratio to sequential."""
    floor = next((c.value for c in counted if c.variant.name == BASELINE), None)
    header = ("variant", "model", "instructions per item", f"ratio to {BASELINE}",
              "instructions per run (fixed)")
    cells = [(c.variant.name, c.variant.model, units.number(c.value),
              units.times(c.value / floor if floor else None), units.number(c.per_run))
             for c in sorted(counted, key=lambda c: c.value)]
    return layout(header, cells, "llrrr", markdown)
