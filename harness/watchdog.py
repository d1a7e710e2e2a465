"""The watchdog of a private Ray cluster: counts its processes' CPU time, ends them if the driver dies.

Ray binds the main processes of a cluster it starts to the process that called ``ray.init``
(the *driver*; ``PR_SET_PDEATHSIG``), but not those its raylet starts: after a ``SIGKILL``
of the driver (pyperf ends an interrupted worker that way) the raylet's agents live on for
seconds to a minute, and its workers, which run the actors, for about two seconds, still
calling their sinks. The harness starts this program beside every private cluster
(``harness.services.Ray``) as ``python -m harness.watchdog MARK FOLDER``, its standard input
a pipe from the driver, and tells it the pid and start time of every process of the new
cluster. Then:

- when the pipe reaches its end without a ``stop`` line first, the driver has gone, however
  it went (the kernel closes a dying process's files): the watchdog kills every process it
  was told of (if it is still the same process: same pid, same start time), and every
  process whose environment carries ``MARK`` (the workers, started later, inherit it from the
  driver), then removes the cluster's ``FOLDER`` of logs and sockets;
- ``stop`` says the driver shut its cluster down itself: the watchdog leaves at once;
- ``usage`` asks for the CPU time and context switches the cluster's processes have used so
  far, which the driver's ``getrusage`` cannot see (the workers are the raylet's children,
  and the raylet ignores ``SIGCHLD``, so the kernel discards their usage when they end). From
  the first such question on, the watchdog samples the processes below the driver every
  ``SAMPLE`` seconds, keeping each one's last figures, and answers with the totals over
  every process it has seen: one line, ``user system voluntary involuntary``. What a process
  did after its last sample, at most ``SAMPLE`` seconds of it, is lost when it ends.

It ignores ``SIGINT``: a Ctrl-C is the driver's to handle, and the watchdog's work starts
only once the driver is gone. Linux only (``/proc``); elsewhere the harness starts none.
"""

import os
import select
import shutil
import signal
import sys
import time

SAMPLE = 0.02  # seconds between two samples of the cluster's processes, once asked
RESCAN = 0.2  # seconds between two looks for new processes below the driver (all of /proc)
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def main(argv=None):
    """Watch the cluster whose processes the driver names on standard input."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    mark, folder = argv or sys.argv[1:3]
    driver = os.getppid()
    known = {}  # pid -> start time, as the driver named them
    seen = {}  # (pid, start time) -> [user, system, voluntary, involuntary], last sampled
    sampling, tree, looked = False, [], 0.0
    lines = Lines(sys.stdin.fileno())
    while True:
        ready, _, _ = select.select([lines.fd], [], [], SAMPLE if sampling else None)
        if sampling:
            if time.monotonic() - looked > RESCAN:
                tree, looked = below(driver), time.monotonic()
            sample(tree, seen)
        if not ready:
            continue
        for line in lines.read():
            if line is None:  # the driver has gone without saying stop
                end(known, mark.encode(), folder)
                return 0
            words = line.split()
            if words == ["stop"]:
                return 0
            if words == ["usage"]:
                sampling, tree, looked = True, below(driver), time.monotonic()
                sample(tree, seen)
                totals = [sum(figures[i] for figures in seen.values()) for i in range(4)]
                os.write(sys.stdout.fileno(), (" ".join(map(repr, totals)) + "\n").encode())
            elif len(words) == 2:
                known[int(words[0])] = words[1]


class Lines:
    """The lines of a pipe as they come, without blocking; None once it has ended."""

    def __init__(self, fd):
        self.fd, self.rest = fd, b""

    def read(self):
        data = os.read(self.fd, 65536)
        if not data:
            return [*(self.rest.decode().splitlines()), None]
        *lines, self.rest = (self.rest + data).split(b"\n")
        return [line.decode() for line in lines]


def stat(pid):
    """The fields of ``/proc/PID/stat`` after the command's name (field 3 on)."""
    with open(f"/proc/{pid}/stat", "rb") as file:
        return file.read().rsplit(b")", 1)[1].split()


def started(pid):
    """When process ``pid`` started, in clock ticks since boot, as text."""
    return stat(pid)[19].decode()


def below(root):
    """Every live process under ``root`` (its children, theirs, ...), but this one."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                children.setdefault(int(stat(name)[1]), []).append(int(name))
            except (OSError, IndexError):
                pass  # gone meanwhile
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child != os.getpid():
                found.append(child)
                todo.append(child)
    return found


def sample(pids, seen):
    """Record the CPU seconds and context switches each process has used since it started."""
    for pid in pids:
        try:
            fields = stat(pid)
            with open(f"/proc/{pid}/status", "rb") as file:
                status = dict(line.split(b":", 1) for line in file if b":" in line)
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile: its last sample stands
        seen[(pid, fields[19])] = [int(fields[11]) / TICKS, int(fields[12]) / TICKS,
                                   int(status[b"voluntary_ctxt_switches"]),
                                   int(status[b"nonvoluntary_ctxt_switches"])]


def end(known, mark, folder):
    """Kill the cluster's processes (those named, if still the same, and those marked)."""
    doomed = set()
    for pid, start in known.items():
        try:
            if started(pid) == start:
                doomed.add(pid)
        except (OSError, IndexError):
            pass
    needle = b"\0" + mark + b"\0"
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                with open(f"/proc/{name}/environ", "rb") as env:
                    if needle in b"\0" + env.read():
                        doomed.add(int(name))
            except OSError:
                pass
    for pid in doomed:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
