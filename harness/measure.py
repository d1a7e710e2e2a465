"""The measuring session: check every benchmark first, then time it with pyperf.

pyperf runs every benchmark in fresh worker processes (warm-ups, calibrated loops, several
values each). A worker re-runs this program as ``python -m harness worker ...`` with the
options of its one benchmark (variant, workload, CPU work) forwarded by ``Session``, so a
worker imports only the variant it times: on a free-threaded build, importing another
model's library (gevent) could turn the GIL back on for the whole process. Everything the
session and the worker ask of pyperf's Runner goes through ``harness.pyperf_runner``.

Interleaving. On a shared machine most of the variance is *between* processes: one worker
runs 1.5-2x slower than the next for its whole life, and whole phases of the host come and
go. So a session may split each benchmark's processes into rounds and run a slice of every
benchmark per round (a slice of each, then the next slice of each), so that a slow phase
falls on all of them alike instead of on whichever was being timed then. A benchmark's
slices are joined into one pyperf benchmark; the loop count found by pyperf's calibration
in the first slice is kept for the others.

What the timer includes. Each timed loop hands the whole workload to ``run()`` and measures
that call, so a figure includes the model's own start-up and tear-down (creating and
joining threads, ``asyncio.run``'s new event loop, ``trio.run``), spread over the items of
one run. That is deliberate: it is what a program pays to use the model for this job, and
leaving it out would flatter the models with the most expensive start-up. The per-run cost
fades as the number of items grows; ``capqueue report`` given runs at several item counts
splits the two (``make scale`` makes such runs). The timer excludes making the sources
(``range`` objects) and the sinks, and starting a server a variant needs (its service,
such as the ``redis`` variant's redis-server, see ``harness.services``): that is started
once per worker process, before pyperf times anything, as a deployed broker is already
running, and every benchmark records which server answered. With socket waits the delay
server is started the same way, and each run's connections are opened before its timer
starts and cleaned up after it stops (``harness.waits``); closing its socket is each
producer's own business, inside the timer.

Beside wall time, every timed run records the resources it used (``getrusage`` of the
worker and of its waited-for children, so every thread and child process of the run):
CPU time, user and system, and context switches, voluntary and involuntary, per item.
They reach the results through a pyperf hook (``UsageHook``) as metadata of each run. A
service whose processes do the run's work out of ``getrusage``'s sight (a Ray cluster's
workers, which no process of ours waits for) counts them itself (``Running.usage``, read
before and after each timed call, outside the timer); where it cannot (the reader's own
cluster), no CPU time or switches are recorded, and tables show them as not measured.
They reach the results through a pyperf hook (``UsageHook``) as metadata of each run.

Memory, per run. pyperf's own ``mem_max_rss`` is the worker's ``ru_maxrss``, the peak of its
whole life; and on Linux a process started by vfork and exec (as pyperf starts its workers)
begins with its parent's peak, so that figure is the capqueue parent's (some 47 MiB for
every model) unless the run itself goes higher. So each timed run is measured on its own,
outside the timer and outside the CPU count: the worker's resident memory just before it
(``VmRSS``), then ``5`` written to ``/proc/self/clear_refs``, which resets the worker's
high-water mark to that (Linux 4.0 and later, no privilege), and the mark just after
(``VmHWM``): the peak of the process that ran the workload, during the run. The largest
over a pyperf run's values is ``capqueue_peak_rss``, and the worker's resident memory
before its first run (its imports, the variant, pyperf) is ``capqueue_base_rss``, both in
bytes. For a variant whose workers are processes of their own (its ``PER_PRODUCER`` is
``"process"``), the peak is its parent's alone: each child's memory is its own, and
shared with the parent page by page until written, so no single figure of one process
says it. What one more producer process costs is measured in the check instead, which is
not timed: each forked producer, when its source runs out, reads its own private memory
(the pages it no longer shares, ``/proc/self/smaps_rollup``), and the median over the
producers goes with the benchmark as ``capqueue_producer_private_rss`` (the consumers'
processes are not counted).

Start-up, per run. The sources of a timed run note when their producer first takes from
them (``harness.instruments.TimedSource``, nothing per item), so the seconds from calling
``run()`` to the last producer's first take (``capqueue_startup_s``) and to the median
producer's (``capqueue_startup_median_s``) are the time a model takes to start its P
producers, means over a pyperf run's values. For a model that runs its producers one after
another (no scheduler) the last one starts when the others are done: the median says so.
Where a run's waits are on sockets, the seconds its connections took to open (outside the
timer) belong in ``capqueue_connect_s`` (``report.CONNECT``), per run, beside these: the
tables show them with the start-up.
"""

import importlib.metadata
import os
import platform
import resource
import signal
import socket
import statistics
import struct
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, replace

from harness import check, limits, results, services, units, waits
from harness.instruments import calibrate, first_takes, loops_for, timed_sinks, timed_sources
from harness.options import UsageError
from harness.pyperf_runner import Runner
from harness.registry import find
from harness.workload import Workload, whole_number

CHECK_ITEMS = 100_000  # run and compare check the timed workload's shape at most this big
# A benchmark whose one run takes long is timed with these settings, unless the command
# line sets them: such a run is long enough for the timer alone, and a warm-up or many
# values would cost minutes (see Session.settings).
LONG_RUN_SETTINGS = {"processes": 3, "values": 1, "warmups": 0, "loops": 1}
LONG_RUN = 0.1  # seconds of work per run, by the workload's own bound: pyperf's min_time
LONG_CHECK = 1.0  # seconds a checked run took (it is slower than a timed one)
# compare checks, but leaves out of its table, a benchmark whose checked run took this long
# (scaled to the timed size): 3 processes of one such run each would take minutes
# (ray_queue's actors are a process each, and each pyperf process starts a cluster).
VERY_LONG_CHECK = 10.0
HOOK = "capqueue"  # the name of UsageHook in the entry-point group pyperf.hook

TIMER_NOTE = ("Each timed loop runs the whole workload through run(): the figures include "
              "starting the model's runtime (creating threads, asyncio.run, trio.run), spread "
              "over the items of one run.")

# What each timed run used, per item, as run metadata: key -> index into _usage()'s tuple.
USAGE_KEYS = ("capqueue_user_s", "capqueue_system_s", "capqueue_voluntary_switches",
              "capqueue_involuntary_switches")


# The worker side: what runs inside a pyperf worker process.

_used = [0.0] * len(USAGE_KEYS)  # this worker's totals since the hook last reset them
_used_items = [0]
_service_usage = [None]  # the service's Running.usage, for processes getrusage cannot see
_server_used = [0.0]  # CPU seconds of the delay server during the timed runs (socket waits)
SERVER_KEY = "capqueue_delay_server_cpu_s"  # that, per item, as run metadata
_peak = [0]  # the largest VmHWM of a timed run since the hook last reset it, bytes
_base = [0]  # VmRSS before this worker's first timed run, bytes (0 until then)
_startups = []  # (last, median) first take of each timed run since the hook's reset


def _usage():
    """CPU seconds (user, system) and context switches of this process and its children,
    and of the service's processes that it counts itself; None if it cannot count them."""
    own, children = (resource.getrusage(who)
                     for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    used = (own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime,
            own.ru_nvcsw + children.ru_nvcsw, own.ru_nivcsw + children.ru_nivcsw)
    if _service_usage[0] is None:
        return used
    more = _service_usage[0]()
    return None if more is None else tuple(a + b for a, b in zip(used, more))


def _memory(field):
    """A field of this process's /proc status in bytes (VmRSS, VmHWM); 0 off Linux."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak():
    """Reset this process's high-water mark of resident memory to what it holds now."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass  # not Linux 4.0 or later: the mark is then the process's peak so far


def time_variant(loops, run, workload, cpu_loops, provided=None):
    """pyperf time function: run the workload ``loops`` times; return the seconds in ``run``.

    ``provided`` is the workload's waits (``harness.waits``): for socket waits, each run's
    connections are made before its timer starts and cleaned up after it stops.
    """
    timer = time.perf_counter
    capacity, consumers, io = workload.capacity, workload.consumers, workload.io
    final_items = {r[-1] for r in workload.ranges() if r}
    total = 0.0
    for _ in range(loops):
        sources, stamps = timed_sources(workload)
        sinks, lasts = timed_sinks(consumers, cpu_loops)
        given = provided.open() if provided else {}  # {} for timer waits
        server = provided.server_cpu() if given else 0.0
        resident = _memory(b"VmRSS:")
        _base[0] = _base[0] or resident
        _reset_peak()
        before = _usage()
        started = timer()
        run(sources, sinks, capacity, io=io, **given)
        total += timer() - started
        after = _usage()
        _peak[0] = max(_peak[0], _memory(b"VmHWM:"))
        _startups.append(first_takes(stamps, started))
        if before is not None and after is not None:
            for index, (a, b) in enumerate(zip(before, after)):
                _used[index] += b - a
            _used_items[0] += workload.total
        if given:
            _after_socket_run(provided, given, workload, server)
        # With one consumer its last item is some producer's final item: a cheap guard, out
        # of the timer, that the timed run did finish the job (the check proved the rest).
        # A consumer in another process appends to its own copy of the deque, not to ours.
        if consumers == 1 and lasts[0] and lasts[0][0] not in final_items:
            raise RuntimeError(f"timed run ended on {list(lasts[0])}, not on a final item")
    return total


def _after_socket_run(provided, given, workload, server):
    """After a timed run with socket waits, out of its timer: clean up its connections, add
    the delay server's CPU to the totals, and check (cheaply) that every item asked."""
    _server_used[0] += provided.server_cpu() - server
    provided.close(given)
    asked = sum(count.requests for count in provided.counts().values())
    if asked != workload.total:
        raise RuntimeError(f"timed run asked the delay server {asked:,} times for "
                           f"{workload.total:,} items")


class UsageHook:
    """pyperf hook: put what the timed runs used, per item, into the run's metadata.

    pyperf makes a new hook for each series of values (warm-ups, then values), so the
    totals restart with it and the values' series, the last, is what the run keeps.
    """

    def __init__(self):
        _used[:] = [0.0] * len(USAGE_KEYS)
        _used_items[0] = 0
        _server_used[0] = 0.0
        _peak[0] = 0
        _startups.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def teardown(self, metadata):
        if _used_items[0]:
            for key, used in zip(USAGE_KEYS, _used):
                metadata[key] = used / _used_items[0]
            if _server_used[0]:
                metadata[SERVER_KEY] = _server_used[0] / _used_items[0]
        if _peak[0]:
            metadata["capqueue_peak_rss"] = _peak[0]
            metadata["capqueue_base_rss"] = _base[0]
        recorded = [taken for taken in _startups if taken[0] is not None]
        if recorded and len(recorded) == len(_startups):
            metadata["capqueue_startup_s"] = sum(last for last, _ in recorded) / len(recorded)
            metadata["capqueue_startup_median_s"] = (sum(median for _, median in recorded)
                                                     / len(recorded))


def worker_arguments(parser):
    """The options a worker gets from ``Session`` (``capqueue worker``); return its Runner."""
    parser.add_argument("--task-name", required=True)
    parser.add_argument("--variant", required=True)
    parser.add_argument("--variant-path", action="append", default=[])
    parser.add_argument("--cpu-loops", type=int, default=0)
    parser.add_argument("--spin-rate", type=float, default=0.0)
    Workload.add_options(parser)
    return Runner(parser, "worker")


def worker_main(args):
    """Time one benchmark inside a pyperf worker: the one ``args`` name, with the Runner
    that parsed them (``args.runner``)."""
    variant = find(args.variant, args.variant_path)
    workload = Workload.from_args(args)
    limits.raise_open_files()  # as the check did: the same limits for the same run
    # The servers start here, outside the timer: the variant's, and for socket waits the
    # delay server, whose costs the ideal needs are measured once it runs.
    with variant.ready() as ready, waits.provided(workload) as provided:
        _service_usage[0] = ready.usage
        args.runner.bench_worker_task(
            args.task_name, time_variant, ready.run, workload, args.cpu_loops,
            provided if workload.sockets else None, inner_loops=workload.total,
            metadata={**metadata(variant, workload, args.cpu_loops, args.spin_rate),
                      **ready.metadata, **provided.metadata, **provided.measure()})
    return 0


def metadata(variant, workload, cpu_loops, spin_rate):
    """What each benchmark carries besides its values: enough to know what was measured."""
    meta = {
        "capqueue_variant": variant.name,
        "capqueue_model": variant.model,
        "capqueue_description": variant.description,
        "capqueue_checked_items": checked_workload(workload).items,
        "capqueue_timer": TIMER_NOTE,
        "capqueue_libraries": libraries(),
        **workload.as_metadata(),
        **limits.metadata(),
    }
    if variant.per_producer:
        meta["capqueue_per_producer"] = variant.per_producer
    meta["capqueue_models_imported"] = " ".join(imported_models()) or "none"
    meta["capqueue_python"] = python_name()
    meta["capqueue_python_build"] = sysconfig.get_config_var("CONFIG_ARGS") or "unknown"
    if workload.cpu:
        meta.update(capqueue_cpu_loops=cpu_loops, capqueue_spin_rate=spin_rate)
    gil = getattr(sys, "_is_gil_enabled", None)
    if gil is not None:  # a free-threaded build: is the GIL really off, now the variant is in?
        meta["capqueue_gil_enabled"] = int(gil())
    return meta


def cannot_run_entry(task, reason, python=None):
    """What a results file keeps of a task this machine cannot run (see
    ``harness.results``): what its benchmark's metadata would say of the variant, the
    workload and the machine, and the reason (``capqueue_cannot_run``)."""
    variant = task.variant
    entry = {
        "name": task.name,
        "capqueue_variant": variant.name,
        "capqueue_model": variant.model,
        "capqueue_description": variant.description,
        **task.workload.as_metadata(),
        results.CANNOT_RUN: reason,
        "capqueue_python": python_name(),
        "python_implementation": sys.implementation.name,
        "python_version": f"{platform.python_version()} ({struct.calcsize('P') * 8}-bit)",
        "hostname": socket.gethostname(),
        "cpu_count": os.cpu_count() or 1,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        **limits.metadata(),
    }
    if variant.per_producer:
        entry["capqueue_per_producer"] = variant.per_producer
    if python and python != sys.executable:  # the interpreter that would have run it
        del entry["python_version"]
        asked = subprocess.run([python, "-c", "from harness.measure import python_name; "
                                "print(python_name())"], capture_output=True, text=True)
        entry["capqueue_python"] = asked.stdout.strip() or "?"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    entry["cpu_model_name"] = line.partition(":")[2].strip()
                    break
    except OSError:
        pass
    return entry


def python_name():
    """This interpreter as the study names it: 'cpython-3.11.7', 'cpython-3.14.7t' (the t
    for a free-threaded build), 'pypy-3.9.16'."""
    threaded = "t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    return (f"{sys.implementation.name}-{'.'.join(map(str, sys.version_info[:3]))}"
            f"{threaded}")


def imported_models():
    """The model libraries capqueue pins (its ``models`` extra) that this process imported:
    a worker should hold only its own variant's."""
    try:
        wanted = importlib.metadata.requires("capqueue") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    names = [r.split(";")[0].split("==")[0].strip().lower().replace("-", "_")
             for r in wanted if 'extra == "models"' in r]
    return sorted(name for name in names if name in sys.modules)


def libraries():
    """The versions of the libraries capqueue pins, as installed here: 'trio==0.35.0 ...'."""
    try:
        wanted = importlib.metadata.requires("capqueue") or []
    except importlib.metadata.PackageNotFoundError:
        return "capqueue is not installed"
    found = []
    for requirement in wanted:
        if 'extra == "test"' in requirement:
            continue  # the test tools play no part in a figure
        name = requirement.split(";")[0].split("==")[0].strip()
        try:
            found.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return " ".join(sorted(set(found), key=str.lower))


def checked_workload(workload):
    """The workload the check runs before timing: the same shape, at most CHECK_ITEMS big.

    A check records every event, so at millions of items it would cost far more than the
    timing; correctness does not depend on the count beyond a point, the time limit does.
    """
    return replace(workload, items=min(workload.items, CHECK_ITEMS))


# The parent side: the session that checks, then times.

@dataclass(frozen=True)
class Task:
    """One benchmark to measure: a variant on a workload, named uniquely in its file."""

    name: str
    variant: object  # a registry.Variant
    workload: Workload


class Session:
    """Check, then time a list of tasks with this process's one pyperf Runner, in rounds.

    The Runner adds pyperf's options to ``parser`` (which must already hold ours, including
    ``add_measure_options``); ``parse_args`` then reads both. ``rounds`` splits each task's
    worker processes into slices, timed one slice of every task per round (see the module
    docstring).
    """

    def __init__(self, parser, **defaults):
        self._forward = []  # the options of the benchmark being timed, for pyperf's workers
        self._loops = {}  # task name -> loops found by pyperf's calibration in its first slice
        self._checked = {}  # task name -> seconds its checked run took
        self.cannot_run = {}  # task name -> its entry (cannot_run_entry): why it cannot run
        self._producer_memory = {}  # task name -> median private bytes of a producer process
        # Workers start as ``python -m harness worker`` plus the options in _forward.
        self.runner = Runner(parser, "worker", forward=lambda: self._forward, **defaults)
        self.rounds, self.timeout, self.spin_rate, self.out = 1, None, None, sys.stdout

    def parse_args(self, argv):
        """Parse ``argv`` with our options and pyperf's; refuse what cannot work here.

        The values returned carry this session (``args.session``). The session saves the
        results itself, after every slice: pyperf is given no -o or --append, and the
        command decides what an existing file means (refused, added to, resumed).
        """
        args = self.runner.parse_args(argv, own_files=True, quiet=True, hooks=(HOOK,),
                                      inherit=services.ENVIRON)
        if self.python != sys.executable and not self.runner.is_worker:
            try:
                ready = subprocess.run([self.python, "-c", "import pyperf, harness.cli"],
                                       capture_output=True).returncode == 0
            except OSError:  # no such file, or not a program
                ready = False
            if not ready:
                raise UsageError(f"--python {self.python} cannot import pyperf and capqueue's "
                                 "harness; install capqueue into that interpreter first")
        self.rounds, self.timeout = args.rounds, args.check_timeout
        args.session = self
        return args

    @property
    def explicit(self):
        """The pyperf settings the command line gave (all of them with --fast and such)."""
        return self.runner.explicit

    @property
    def python(self):
        """The interpreter the workers (and the checks) run: pyperf's --python."""
        return self.runner.python

    def cpu_loops(self, workload):
        """The calibrated iterations of CPU work per item for ``workload`` (0 without)."""
        if not workload.cpu:
            return 0
        if not self.spin_rate:
            print(f"calibrating the CPU work on {self.python} ...", file=self.out, flush=True)
            self.spin_rate = calibrate(self.python)
        return loops_for(workload.cpu, self.spin_rate)

    def check(self, tasks):
        """Check each task's variant on its workload (at most CHECK_ITEMS big), one line
        each; return the tasks that pass.

        A task this machine cannot run (predicted from its limits, or seen in its check:
        ``harness.limits``) is neither a pass nor a failure: what to record of it is kept in
        ``cannot_run`` (``cannot_run_entry``), for the command to save with its results.
        """
        passing = []
        width = max((len(t.variant.name) for t in tasks), default=0)
        for task in tasks:
            workload = checked_workload(task.workload)
            reason = task.variant.cannot_run(task.workload)  # at the timed size
            verdict = check.Verdict(task.variant.name, cannot_run=reason) if reason else \
                check.check_variant(task.variant, workload, timeout=self.timeout,
                                    python=self.python, cpu_loops=self.cpu_loops(workload))
            print(verdict.line(width), file=self.out, flush=True)
            if verdict.cannot_run is not None:
                self.cannot_run[task.name] = cannot_run_entry(task, verdict.cannot_run,
                                                              self.python)
                continue
            self._checked[task.name] = verdict.seconds * task.workload.items / max(
                workload.items, 1)
            if verdict.producer_memory:  # its producers are processes: what each one holds
                self._producer_memory[task.name] = int(statistics.median(
                    verdict.producer_memory))
            if verdict.ok:
                passing.append(task)
        return passing

    def long_runs(self, task):
        """Whether one run of ``task`` is long: by the least its work can take in any model,
        or by how long its check took, scaled to the timed size."""
        w = task.workload
        least = w.least_time(os.cpu_count() or 1)
        return least >= LONG_RUN or self.checked_seconds(task) >= LONG_CHECK

    def checked_seconds(self, task):
        """How long ``task``'s checked run took, scaled to the timed size (0 if unchecked)."""
        return self._checked.get(task.name, 0.0)

    def settings(self, task=None):
        """pyperf's settings for ``task``: the command's, or for a task whose runs are long,
        ``LONG_RUN_SETTINGS`` where the command line did not set them."""
        chosen = self.runner.settings()
        if task is not None and self.long_runs(task):
            chosen.update({key: value for key, value in LONG_RUN_SETTINGS.items()
                           if key not in self.explicit})
        return chosen

    def slices(self, task):
        """How many worker processes each round gives ``task``: as even as can be."""
        processes = self.settings(task)["processes"]
        rounds = min(self.rounds, processes)
        return [processes // rounds + (r < processes % rounds) for r in range(rounds)]

    def time(self, tasks, save, progress=None):
        """Time every task in rounds, ``save`` each slice, return the finished benchmarks."""
        plans = {task.name: self.slices(task) for task in tasks}
        rounds = max((len(p) for p in plans.values()), default=0)
        done = {}
        for number in range(rounds):
            for task in tasks:
                if number < len(plans[task.name]):
                    bench = self._slice(task, number, plans[task.name][number])
                    done[task.name] = results.merge(done.get(task.name), bench)
                    save(bench)
                    if progress:
                        progress(task, number + 1, len(plans[task.name]), done[task.name])
        return [done[task.name] for task in tasks if task.name in done]

    def _slice(self, task, number, processes):
        """Time ``processes`` workers of ``task``; return their runs as one Benchmark."""
        chosen = self.settings(task)
        chosen["processes"] = processes
        chosen["loops"] = self._loops.get(task.name, chosen["loops"])
        # pyperf refuses a benchmark name twice in one Runner: later slices get their own,
        # and their runs are renamed once they are back.
        name = f"{task.name} #{number + 1}" if number else task.name
        self._forward = [
            "--task-name", name, "--variant", task.variant.name, *task.workload.as_options(),
            "--cpu-loops", str(self.cpu_loops(task.workload)),
            "--spin-rate", repr(self.spin_rate or 0.0),
            *(["--variant-path", task.variant.path] if task.variant.path else [])]
        # silent: pyperf's own result line; ours says more
        bench = self.runner.bench(name, time_variant, settings=chosen, silent=True)
        bench = results.renamed(bench, task.name)
        self._loops.setdefault(task.name, results.loops_of(bench))
        if task.name in self._producer_memory:
            bench = results.with_metadata(bench, {
                "capqueue_producer_private_rss": self._producer_memory[task.name]})
        return bench


def add_measure_options(parser):
    """The options every measuring command adds to pyperf's."""
    parser.add_argument("--rounds", type=whole_number, default=1, metavar="R",
                        help="split each benchmark's worker processes into R slices and "
                             "time one slice of every benchmark per round, so that a slow "
                             "phase of the machine falls on all of them alike (default: 1)")


def interruptible(command, target, body):
    """Run ``body()`` and return its status; on Ctrl-C say what was kept and return 130.

    pyperf turns a KeyboardInterrupt in its manager into ``sys.exit(1)``, so a flag set by
    our own SIGINT handler tells an interruption from a real exit.
    """
    interrupted = False

    def on_interrupt(signum, frame):
        nonlocal interrupted
        interrupted = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        return body()
    except (KeyboardInterrupt, SystemExit):
        if not interrupted:
            raise
        print(f"\ncapqueue {command}: interrupted; {kept(target)}", file=sys.stderr)
        return 130
    except RuntimeError as exc:  # a pyperf worker failed, though the check had passed
        print(f"capqueue {command}: timing failed ({exc}); {kept(target)}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, previous)


def kept(target):
    """What an interrupted command left in ``target``, as a phrase."""
    try:
        suite = results.load(target)
    except results.ResultsError:
        return "no benchmark had finished, so nothing was saved"
    runs = sum(len(b.get_runs()) for b in suite.get_benchmarks())
    return (f"the {len(suite.get_benchmarks())} benchmark(s) timed so far ({runs} pyperf "
            f"runs) are saved in {target}")


def progress_line(tasks, out=sys.stdout):
    """A ``Session.time`` progress callback: one line per slice, with the time left."""
    started = time.monotonic()
    state = {"done": 0}

    def progress(task, number, rounds, bench):
        state["done"] += 1
        total = len(tasks) * rounds
        elapsed = time.monotonic() - started
        left = elapsed / state["done"] * (total - state["done"])
        where = f", round {number}/{rounds}" if rounds > 1 else ""
        print(f"[{state['done']}/{total}] {task.name}{where}: {bench.mean() * 1e9:,.0f} ns "
              f"per item so far ({len(bench.get_values())} values); about {left:.0f} s left",
              file=out, flush=True)

    return progress


def format_settings(settings, rounds):
    """pyperf's settings as a reader wants them: '10 processes x 3 values, 1 warm-up, ...'."""
    loops, warmups = settings["loops"], settings["warmups"] or 0
    text = (f"{_count(settings['processes'], 'process', 'processes')} x "
            f"{_count(settings['values'], 'value')}, "
            f"{_count(warmups, 'warm-up') if warmups else 'no warm-up'}, "
            + (f"{_count(loops, 'loop')} per value" if loops else "loops calibrated by pyperf"))
    if rounds > 1:
        text += f", in {rounds} interleaved rounds"
    return text


def _count(number, noun, plural=None):
    return units.count(number, noun, plural, grouped=False)
