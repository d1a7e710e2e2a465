"""Check before timing: run a variant once in a child process and judge what it did.

``check_variant`` starts ``harness.checkrun`` under a time limit, with a fresh ledger file,
and turns the evidence into a ``Verdict``: ok, or the problems found, first one first. The
rules, each proven to fail on a deliberately broken variant in ``tests/``:

- every item is processed exactly once: no loss, no duplicate, nothing no source produced;
- each consumer sees each producer's items in the producer's order;
- no item is processed before its producer took it from its source (the hand-off is real);
- the queue's depth never exceeds the capacity (a lower bound, see ``harness.instruments``);
- ``run`` returns, within the time limit, without raising, and with nothing still running:
  no event after it returned, no thread, process or suspended greenlet left behind (a
  process in any session, even one whose parent has died: see ``harness.leftovers``);
- a point past this machine's limits (``harness.limits``) is not run: its verdict says it
  cannot run, and why; nor is one whose run ran out of threads, files, processes or
  memory, which is a limit the prediction did not see, not a fault of the variant;
- with ``--io``, each producer really waits: on average at least ``WAIT_SHARE`` of the wait
  between two items it takes (the ledger times every take; a model's timers may fire a
  little early, so the rule catches a missing wait, not an imprecise one). A wait shorter
  than ``WAIT_RESOLUTION`` is within the check's own cost per item: the verdict says it
  was not proven;
- with ``--io-kind socket``, each producer really asks: the delay server's count of its
  requests equals the items it took, each request came after the reply to the one before,
  and it read every reply (``harness.waits``). That holds at any ``--io``, 0 included.

A variant that cannot run the workload (``Variant.cannot_run``: socket waits without a
``connections`` parameter, or more workers or connections than this machine allows) is not
started: its verdict says why, and is not a failure.

With an injected failure the rules change: the injected error must come out of ``run``
(alone, or inside an ``ExceptionGroup``) within ``SHUTDOWN_LIMIT`` seconds, and nothing may
be left running. Items after the failure may be missing, and the depth bound is checked
only up to the failure (a consumer shutting down may drop items unprocessed, which the
ledger cannot tell from items still queued). Errors that other workers raised because of
the failure (a producer finding the channel closed) are allowed, and shown as a note.

The time limit counts from the moment the variant's service (a server, a cluster) is ready
in the child, since starting one is not the run's doing; the start itself gets
``SERVICE_LIMIT``. With the default limit (no ``--check-timeout``), a run that is still
making progress when the limit passes is not a hang: it is given time for as long as
something happens in the ledger (an item taken, put or processed) at least every
``STALL`` seconds, however slow its hand-off (a remote call per item, a broker on another
machine). A limit given on the command line is a hard one.

A check that has to be stopped (a hang) first has every Python process of the run print
the stacks of all its threads, for ``--debug`` to show where it was stuck.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import psutil

from harness import instruments as ins
from harness import leftovers, limits
from harness.instruments import Ledger
from harness.units import count
from harness.units import exact_duration as format_duration

SHUTDOWN_LIMIT = 2.0  # seconds from the injected failure to run() returning
SERVICE_LIMIT = 120.0  # seconds a check's child gets to have its service ready
STALL = 20.0  # seconds without an event in the ledger: a run past the default limit is hung
READY = "CAPQUEUE_READY"  # names the file a check's child creates once its service is ready
POLL = 0.05  # seconds between looks at a running check
DUMP_WAIT = 0.2  # seconds a stuck process is given to print its stacks
WAIT_SHARE = 0.9  # of --io, the least mean time between a producer's takes
# Below this the rule cannot tell a wait from the check's own cost per item (a few locked
# writes to the ledger, tens of microseconds with the hand-off): such waits are not proven.
WAIT_RESOLUTION = 50e-6


def time_limit(workload):
    """The default limit for one check run: 20 s, plus 200 µs per item for big workloads
    (subinterpreters that poll their queue take about 1 ms an item at capacity 10), plus
    twice the work of every item done one after another (the slowest a model can be)."""
    return 20.0 + workload.total * (200e-6 + 2 * (workload.io + workload.cpu))


@dataclass
class Verdict:
    """What a check concluded about one variant on one workload."""

    variant: str
    problems: list = field(default_factory=list)
    seconds: float = 0.0
    processed: int = 0
    processed_after: int = 0  # items processed after the injected failure
    shutdown_seconds: float | None = None
    notes: list = field(default_factory=list)  # worth knowing, not failures
    debug: str = ""  # tracebacks and the child's stderr, shown with --debug
    cannot_run: str | None = None  # why this machine cannot run the point, in a sentence
    producer_memory: list = field(default_factory=list)  # private bytes of each producer
    # that ran in a process of its own, when its source ran out

    @property
    def ok(self):
        return not self.problems and self.cannot_run is None

    def detail(self):
        """What the check proved, or its first problem (and how many more there are)."""
        if self.cannot_run is not None:
            return f"cannot run: {self.cannot_run}"
        if self.ok and self.shutdown_seconds is not None:
            plural = "" if self.processed_after == 1 else "s"
            detail = (f"the failure came out of run(), nothing left running; shut down in "
                      f"{self.shutdown_seconds * 1000:.0f} ms, {self.processed_after:,} "
                      f"item{plural} processed meanwhile")
        elif self.ok:
            plural = "" if self.processed == 1 else "s"
            detail = f"{self.processed:,} item{plural} processed, {self.seconds:.2f} s"
        if self.ok:
            return detail + "".join(f"; {note}" for note in self.notes)
        extra = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"{self.problems[0]}{extra}"

    @property
    def label(self):
        """'ok', 'FAIL', or 'skip' for a variant that cannot run the workload."""
        return "skip" if self.cannot_run is not None else "ok" if self.ok else "FAIL"

    def line(self, width=18):
        """One line for the user: the variant and its first problem, or what it proved."""
        return f"{self.label:5} {self.variant:{width}}  {self.detail()}"


def check_variant(variant, workload, *, timeout=None, failure=None, python=None, cpu_loops=0):
    """Run ``variant`` once on ``workload`` in a child process and return its ``Verdict``.

    ``failure`` is None or (``"sink"`` | ``"source"``, item): where to inject an error.
    ``python`` is the interpreter to check it with (the one to be timed), by default ours.
    ``cpu_loops`` is the calibrated count of the CPU work per item (``workload.cpu``).
    """
    reason = variant.cannot_run(workload)
    if reason:
        return Verdict(variant.name, cannot_run=reason)  # predicted: nothing is started
    progress = None if timeout is not None else lambda: ledger.head[ins.SEQ]
    timeout = time_limit(workload) if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="capqueue-check-") as tmp:
        ledger_path, report_path = Path(tmp, "ledger"), Path(tmp, "report.json")
        Ledger.create(ledger_path, workload)
        ledger = Ledger(ledger_path, workload)  # read-only here: the child records into it
        command = [python or sys.executable, "-m", "harness.checkrun", "check", variant.name,
                   "--ledger", str(ledger_path), "--report", str(report_path),
                   *workload.as_options(), "--cpu-loops", str(cpu_loops)]
        if variant.path:
            command += ["--variant-path", variant.path]
        if failure:
            command += ["--fail-in", failure[0], "--fail-at", str(failure[1])]
        try:
            ended = _run_child(command, timeout, lambda: _stuck_after_failure(ledger), progress)
            status, stderr, strays = ended.status, ended.stderr, ended.strays
            report = json.loads(report_path.read_text()) if report_path.exists() else None
            verdict = _judge(variant.name, workload, ledger, report, status, stderr, ended,
                             failure)
            if strays and status is not None:
                verdict.problems.append(
                    f"{len(strays)} process(es) the run started outlived the check process, "
                    f"which the check ended: {'; '.join(strays)}")
            verdict.producer_memory = ledger.producer_memory()
            if failure is None:  # the backstop: a limit the prediction did not see
                verdict.cannot_run = next(filter(None, map(limits.ran_out, verdict.problems)),
                                          None)
            return verdict
        finally:
            ledger.close()


def _stuck_after_failure(ledger):
    """Whether the injected failure happened long enough ago that waiting on is pointless."""
    injected = ledger.head[ins.INJECTED_NS]
    return bool(injected) and time.monotonic_ns() - injected > (SHUTDOWN_LIMIT + 1) * 1e9


class Ended(NamedTuple):
    """How a check's child ended: what ``_run_child`` saw."""

    status: int | None  # its exit status, or None if it had to be stopped
    stderr: str
    strays: list  # the processes of the run found outside its process group, described
    ready: bool  # whether its service got ready (always, for a variant without one)
    limit: float  # the seconds it was given once ready: the timeout, or more for progress


def _run_child(command, timeout, give_up=lambda: False, progress=None):
    """Run a child in its own process group until it exits, ``timeout`` passes or ``give_up()``.

    The ``timeout`` starts once the child's service is ready (it creates the file that
    ``READY`` names then; the start gets ``SERVICE_LIMIT``). Given ``progress`` (a count
    that grows as the run does something), a run still progressing at its ``timeout`` gets
    ``STALL`` seconds more from each change. Returns an ``Ended``. Everything the run started
    is killed on the way out, in whatever session it went, so that nothing outlives the
    check; a child that has to be stopped first prints its stacks (see ``_dump_stacks``).
    """
    token = secrets.token_hex(8)
    with tempfile.TemporaryDirectory(prefix="capqueue-child-") as tmp, \
            tempfile.TemporaryFile() as stderr:
        ready_file = Path(tmp, "ready")
        env = {**os.environ, leftovers.MARKER: token, READY: str(ready_file)}
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=stderr, start_new_session=True, env=env)
        started = time.monotonic()
        ready = None  # when the service was seen ready
        deadline = started + SERVICE_LIMIT
        count, changed = (progress(), started) if progress else (None, started)
        status = None
        strays = []
        try:
            while not give_up():
                now = time.monotonic()
                if ready is None and ready_file.exists():
                    ready, deadline = now, now + timeout
                if progress and count != (count := progress()):
                    changed = now
                if now >= deadline:
                    if ready is None or not progress or now - changed >= STALL:
                        break
                    deadline = changed + STALL
                try:
                    status = child.wait(min(POLL, max(deadline - now, 0)))
                    break
                except subprocess.TimeoutExpired:
                    pass
            if status is None:
                _dump_stacks(child, stderr.fileno())
        finally:
            strays = _end_everything(child, token)
        stderr.seek(0)
        return Ended(status, stderr.read().decode(errors="replace"), strays,
                     ready is not None or status is not None, deadline - (ready or started))


def _end_everything(child, token):
    """Kill the child, all it started, and anything carrying its marker; describe what was
    found outside its process group (there, only a process that escaped the group kill)."""
    below = leftovers.descendants(child.pid)  # orphans too: the child is their subreaper
    outside = [p for p in below if _group_of(p) != child.pid]
    described = [leftovers.describe(p, child.pid) for p in outside]
    kill_group(child)
    marked = [p for p in leftovers.marked(token) if _group_of(p) != child.pid
              and p not in outside]
    described += [leftovers.describe(p, child.pid) for p in marked]
    leftovers.end(below + marked)
    return described


def _group_of(process):
    try:
        return os.getpgid(process.pid)
    except OSError:
        return None


def kill_group(child):
    """Kill a child started in a session of its own, and everything in its process group;
    wait for it."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()


def _dump_stacks(child, fd):
    """Have the stuck child and each process below it print the stacks of all its threads.

    The check process registered ``faulthandler`` on SIGUSR1, and the processes it forked
    inherited that; the others (not Python, or started afresh) are only named. Everything
    goes to the child's stderr, one process after another, each under a heading.
    """
    try:
        processes = [psutil.Process(child.pid), *leftovers.descendants(child.pid)]
    except psutil.Error:  # it has just ended
        return
    for process in processes:
        heading = leftovers.describe(process, child.pid)
        if _catches(process, signal.SIGUSR1):
            os.write(fd, f"\n--- stacks of {heading}, stopped:\n".encode())
            try:
                process.send_signal(signal.SIGUSR1)
            except psutil.Error:
                continue
            time.sleep(DUMP_WAIT)
        else:
            os.write(fd, f"\n--- {heading}, stopped (it cannot print its stacks)\n".encode())


def _catches(process, signum):
    """Whether ``process`` has a handler for ``signum`` (Linux says; elsewhere, the child only)."""
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    except OSError:
        pass
    try:
        return process.ppid() == os.getpid()
    except psutil.Error:  # gone meanwhile: processes come and go in a run (Ray's workers)
        return False


def _judge(name, workload, ledger, report, status, stderr, ended, failure):
    head = ledger.head
    verdict = Verdict(name, processed=head[ins.SINKS], debug=stderr,
                      processed_after=head[ins.SINKS] - head[ins.INJECTED_SINKS])
    problems = verdict.problems
    if status is None and head[ins.INJECTED_NS]:
        place, item = failure
        problems.append(f"did not shut down: still running {SHUTDOWN_LIMIT + 1:g} s after the "
                        f"failure injected in a {place} at item {item}")
    elif status is None and not ended.ready:
        problems.append(f"its service was not ready after {SERVICE_LIMIT:g} s, so the run "
                        "never started")
    elif status is None:
        problems.append(f"no answer in {round(ended.limit, 2):g} s: hung after "
                        f"{head[ins.SINKS]:,} of {workload.total:,} items were processed")
    elif report is None:
        last = stderr.strip().splitlines()[-1:] or ["no message"]
        problems.append(f"the check process died (exit status {status}): {last[0]}")
    if head[ins.PROBLEM]:
        problems.append(_describe_problem(head, workload))
    if report is not None:
        verdict.seconds = report["seconds"]
        verdict.shutdown_seconds = report["shutdown_seconds"]
        problems.extend(_judge_ending(report, failure, verdict))
    if not problems and failure is None and report is not None and workload.sockets:
        problems.extend(_missed_round_trips(ledger, workload, report["sockets"]))
    if not problems and failure is None and workload.io:
        problems.extend(_missing_waits(ledger, workload))
        if workload.io < WAIT_RESOLUTION and not workload.sockets:
            verdict.notes.append(f"waits under {format_duration(WAIT_RESOLUTION)} are not "
                                 "proven: the check's own cost per item is of that order")
    if not problems and failure is None:
        missing = ledger.first_missing()
        if missing is not None:
            producer, index = workload.owner(missing)
            problems.append(f"missing item {missing} (producer {producer}'s item {index + 1}): "
                            "no consumer processed it")
    return verdict


def _missing_waits(ledger, workload):
    """Producers that took their items faster than their I/O waits allow."""
    problems = []
    for producer in range(workload.producers):
        waited = ledger.mean_wait(producer)
        if waited is not None and waited < WAIT_SHARE * workload.io:
            problems.append(f"producer {producer} took an item every {format_duration(waited)} "
                            f"on average, less than its I/O wait of "
                            f"{format_duration(workload.io)}: the wait is missing")
    return problems


def _missed_round_trips(ledger, workload, sockets):
    """Producers whose round trips to the delay server do not match the items they took.

    ``sockets`` is what the check process learnt after the run: the server's count for each
    producer's connection (``waits.Count``'s fields, in order) and the bytes of replies
    left unread in the connections the run did not close.
    """
    problems = []
    for producer, (requests, pending, early, reset, *_) in enumerate(sockets["counts"]):
        took = ledger.takes[producer]
        unread = sockets["unread"].get(str(producer), 0)
        if requests != took:
            rule = "its socket wait is missing" if requests < took else "one per item is the rule"
            problems.append(f"producer {producer} sent the delay server "
                            f"{count(requests, 'request')} for the {count(took, 'item')} it "
                            f"took: {rule}")
        elif early:
            problems.append(f"producer {producer} sent {early:,} of its "
                            f"{count(requests, 'request')} before the reply to the previous "
                            "one came: it did not wait for its replies")
        elif pending or reset or unread:
            left = (f"{pending:,} of its {count(requests, 'request')} unanswered" if pending
                    else f"{unread:,} of its {count(requests, 'reply', 'replies')} unread"
                    if unread else "replies unread")
            problems.append(f"producer {producer} left {left} when its connection closed: it "
                            "did not wait for its replies")
    return problems


def _judge_ending(report, failure, verdict):
    """Problems with how ``run`` ended: its error, its shutdown time, what it left running."""
    problems = []
    if report["returned"]:
        problems.append(f"run() returned {report['returned']} without running it: run must do "
                        "the whole job before it returns")
    error = report["error"]
    if error:
        verdict.debug = error["traceback"] + verdict.debug
    if error and error["injected"] and error["others"]:
        verdict.notes.append(f"also raised {', '.join(error['others'])}")
    if failure is None and error:
        problems.append(f"run() raised {error['text']}")
    elif failure is not None:
        place, item = failure
        if not error:
            problems.append(f"the failure injected in a {place} at item {item} did not come "
                            "out of run(): it returned normally")
        elif not error["injected"]:
            problems.append(f"the failure injected in a {place} at item {item} did not come "
                            f"out of run(), which raised {error['text']} instead")
        elif verdict.shutdown_seconds is not None and verdict.shutdown_seconds > SHUTDOWN_LIMIT:
            problems.append(f"shutdown took {verdict.shutdown_seconds:.1f} s after the failure "
                            f"(limit {SHUTDOWN_LIMIT:g} s)")
    if report["threads_left"]:
        problems.append(f"run() returned with {len(report['threads_left'])} thread(s) still "
                        f"running: {', '.join(report['threads_left'])}")
    if report["processes_left"]:
        problems.append(f"run() returned with {len(report['processes_left'])} child "
                        f"process(es) still running, which the check ended: "
                        f"{'; '.join(report['processes_left'])}")
    if report["greenlets_left"]:
        problems.append(f"run() returned with {len(report['greenlets_left'])} greenlet(s) "
                        "still suspended, never ended")
    return problems


def _describe_problem(head, workload):
    """The ledger's first problem as a sentence."""
    kind, item = head[ins.PROBLEM], head[ins.P_ITEM]
    consumer, producer, other = head[ins.P_CONSUMER], head[ins.P_PRODUCER], head[ins.P_OTHER]
    if kind == ins.OVER_CAPACITY:
        when = (f"when producer {producer} took item {item}" if item
                else f"when producer {producer} finished")
        return (f"queue depth reached at least {other} > capacity {workload.capacity} "
                f"({when})")
    if kind == ins.UNKNOWN_ITEM:
        what = f"item {item}" if item >= 0 else "a value that is not an item"
        return f"consumer {consumer} processed {what}, which no source produced"
    if kind == ins.NOT_TAKEN:
        return (f"consumer {consumer} processed item {item} before producer {producer} took "
                "it from its source")
    if kind == ins.DUPLICATE:
        return f"duplicate item {item}: processed a second time, by consumer {consumer}"
    if kind == ins.REORDERED:
        return (f"item {item} after item {other} at consumer {consumer}: "
                f"producer {producer}'s order was not kept")
    if kind == ins.AFTER_RETURN:
        who = f"consumer {consumer}" if consumer >= 0 else f"producer {producer}"
        return f"{who} was still working after run() returned (item {item})"
    return f"unknown problem code {kind}"


def check_many(variants, workload, *, out=sys.stdout, **options):
    """Check each variant in turn (``options`` as for ``check_variant``), printing its line."""
    verdicts = []
    width = max((len(v.name) for v in variants), default=0)
    for variant in variants:
        verdicts.append(check_variant(variant, workload, **options))
        print(verdicts[-1].line(width), file=out, flush=True)
    return verdicts


def trace_variant(variant, workload, *, timeout=None, cpu_loops=0):
    """Run ``variant`` once with printing instruments, its output going straight to ours.

    Returns the child's exit status, or None if it had to be stopped at the time limit.
    """
    timeout = time_limit(workload) if timeout is None else timeout
    command = [sys.executable, "-u", "-m", "harness.checkrun", "trace", variant.name,
               *workload.as_options(), "--cpu-loops", str(cpu_loops)]
    if variant.path:
        command += ["--variant-path", variant.path]
    sys.stdout.flush()
    token = secrets.token_hex(8)
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True,
                             env={**os.environ, leftovers.MARKER: token})
    try:
        return child.wait(timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        _end_everything(child, token)
