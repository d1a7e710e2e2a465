"""What this machine lets one run start, and the sentence that says why a point cannot run.

At thousands of producers some models meet a limit of the operating system before they
meet their own cost: a thread per producer runs out of memory maps (each Python thread
takes about three: its stack, its guard page and its share of the allocator's arenas, and
``vm.max_map_count`` caps them per process), a process per producer takes seconds to fork
by the hundred and minutes by the thousand, a socket per producer takes a file descriptor
(``ulimit -n``) and, on loopback, an ephemeral port. Such a point is a result, "cannot
run: <reason>", never a crash, a hang or a gap in a table.

Prediction first. A variant says what it starts per producer (``PER_PRODUCER = "thread"``,
``"process"`` or ``"interpreter"``; see ``variants/__init__.py``); ``cannot_run`` compares
that, for the workload's producers and consumers, with what ``Machine.here()`` reads of this
machine, and returns the reason in one sentence, or None. Nothing is started for such a
point. The consumers are counted as the same kind of worker as the producers, which
overcounts by a handful where they are tasks (``mixed_*``).

The backstop. A limit the prediction did not see (a lower one set by the reader, one this
module does not know) shows up when the check runs the point under its time limit: a run
that raised an error of exhaustion (``RuntimeError: can't start new thread``, ``OSError``
EMFILE, ``BlockingIOError`` from ``fork``, ``MemoryError``) is read by ``ran_out`` as a
point that cannot run, not as a variant that fails.

Two caps are the harness's own, because the machine would allow more at a cost no sweep
should pay: at most ``MAX_PROCESSES`` worker processes in one run (forking 100 takes about
0.6 s here, 1,000 about 20 s, in every run) and as many interpreters. A reader with a
bigger machine raises them, or lowers any cap, with the environment variables
``CAPQUEUE_MAX_PROCESSES``, ``CAPQUEUE_MAX_INTERPRETERS`` and ``CAPQUEUE_MAX_THREADS``.

The soft limit of open files is raised to the hard limit (``raise_open_files``) in every
process that runs a variant, before anything is predicted or started, and both are
recorded with every benchmark (``metadata``).
"""

import os
import resource
from dataclasses import dataclass

from harness.units import count

KINDS = ("thread", "process", "interpreter")  # what a variant may start per producer
MAPS_PER_THREAD = 3  # memory maps one Python thread takes (2.93 measured here)
PIDS_PER_PROCESS = 2  # a multiprocessing child and its queue's feeder thread
FILES_PER_PROCESS = 2  # the parent's end of a child's sentinel pipe, and of its queue
FILES_PER_CONNECTION = 1  # a producer's socket, in the process that runs the variant
FILE_RESERVE = 64  # descriptors the interpreter, pyperf and a run's own pipes need
MAP_RESERVE = 256  # maps a worker may make besides its threads' (libraries, arenas)
PID_RESERVE = 256  # tasks the rest of the machine may start meanwhile
PROCESS_MEMORY = 2 * 2**20  # private memory of one forked worker (1.5 to 1.8 MiB here)
THREAD_MEMORY = 32 * 2**10  # one idle thread's resident stack and its kernel stack
MAX_PROCESSES = 200  # the harness's cap on worker processes per run (see the docstring)
MAX_INTERPRETERS = 200  # and on subinterpreters
PLURALS = {"process": "processes"}
WHY_CAP = {  # why the harness caps what the machine would allow
    "process": "forking one takes milliseconds, and longer as they multiply: 100 took "
               "0.6 s here and 1,000 about 20 s, in every run",
    "interpreter": "creating, entering and closing one takes milliseconds",
}
CAPS = {"thread": "CAPQUEUE_MAX_THREADS", "process": "CAPQUEUE_MAX_PROCESSES",
        "interpreter": "CAPQUEUE_MAX_INTERPRETERS"}

# What a run raises when the machine has no more of something: matched in the check's text.
EXHAUSTION = ("can't start new thread", "Too many open files", "Resource temporarily "
              "unavailable", "Cannot allocate memory", "MemoryError", "No space left on device",
              "Errno 24", "Errno 23", "Errno 11", "Errno 12")


def _read(path, default=None):
    try:
        with open(path) as file:
            return file.read().split()
    except OSError:
        return default


def _number(path):
    found = _read(path)
    return int(found[0]) if found else None


def raise_open_files():
    """Raise this process's soft limit of open files to its hard limit (a plain call, no
    privilege); return (soft, hard) after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def metadata():
    """The limits worth recording with a benchmark: open files, soft and hard."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {"capqueue_open_files_limit": soft, "capqueue_open_files_hard_limit": hard}


@dataclass(frozen=True)
class Machine:
    """This machine's limits on what one run may start, as read when it was made."""

    threads_max: int | None  # /proc/sys/kernel/threads-max
    pid_max: int | None  # /proc/sys/kernel/pid_max: threads and processes take a pid each
    tasks: int  # threads and processes running on the machine now
    max_map_count: int | None  # /proc/sys/vm/max_map_count, per process
    maps: int  # maps of this process, which imports more than a run's process does
    user_tasks: int | None  # RLIMIT_NPROC's soft limit, None where it does not bind (root)
    open_files: int  # RLIMIT_NOFILE, soft, once raised to the hard limit
    ports: int | None  # ephemeral ports, for connections to one address on loopback
    memory: int | None  # MemAvailable, bytes
    caps: dict  # kind -> the cap an environment variable or the harness sets

    @classmethod
    def here(cls):
        """The limits of this machine, now (open files raised to the hard limit first)."""
        loadavg = _read("/proc/loadavg", ["0", "0", "0", "0/0"])
        tasks = int(loadavg[3].partition("/")[2] or 0)
        try:
            with open("/proc/self/maps") as file:
                maps = sum(1 for _ in file)
        except OSError:
            maps = 0
        nproc = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        ports = _read("/proc/sys/net/ipv4/ip_local_port_range")
        memory = None
        for line in (_read_lines("/proc/meminfo") or []):
            if line.startswith("MemAvailable:"):
                memory = int(line.split()[1]) * 1024
        soft, _ = raise_open_files()
        return cls(
            threads_max=_number("/proc/sys/kernel/threads-max"),
            pid_max=_number("/proc/sys/kernel/pid_max"),
            tasks=tasks, max_map_count=_number("/proc/sys/vm/max_map_count"), maps=maps,
            user_tasks=None if os.getuid() == 0 or nproc == resource.RLIM_INFINITY else nproc,
            open_files=soft,
            ports=int(ports[1]) - int(ports[0]) + 1 if ports and len(ports) == 2 else None,
            memory=memory, caps=_caps())

    def room(self, kind):
        """How many workers of ``kind`` one run may start here, and the sentence that says
        what sets it (with a gap for the number asked: see ``cannot_run``)."""
        limits = []
        cap = self.caps.get(kind)
        if cap is not None:
            variable = CAPS[kind]
            own = f"the harness runs at most {_workers(cap, kind)} in one run"
            if os.environ.get(variable):
                own += f" ({variable})"
            elif kind in WHY_CAP:
                own += f" ({WHY_CAP[kind]}; {variable} raises the cap)"
            limits.append((cap, own))
        if kind in ("thread", "interpreter"):
            if self.max_map_count:
                most = (self.max_map_count - self.maps - MAP_RESERVE) // MAPS_PER_THREAD
                limits.append((most, f"they need about {{maps}} memory maps and "
                                     f"vm.max_map_count allows {self.max_map_count:,} per "
                                     f"process (about {most:,} threads)"))
            if self.threads_max:
                most = self.threads_max - self.tasks
                limits.append((most, f"kernel.threads-max allows {self.threads_max:,} threads "
                                     f"on the machine, {self.tasks:,} of which are running"))
            if self.memory:
                most = self.memory // THREAD_MEMORY
                limits.append((most, f"the {_mib(self.memory)} of memory available hold "
                                     f"about {most:,} threads"))
        if kind in ("process", "interpreter") and self.memory:
            most = self.memory // 2 // PROCESS_MEMORY
            limits.append((most, f"at about {_mib(PROCESS_MEMORY)} each they would take over "
                                 f"half the {_mib(self.memory)} of memory available"))
        if kind == "process":
            most = (self.open_files - FILE_RESERVE) // FILES_PER_PROCESS
            limits.append((most, f"the parent holds {FILES_PER_PROCESS} files per child and "
                                 f"may open {self.open_files:,} (ulimit -n)"))
        per_pid = PIDS_PER_PROCESS if kind == "process" else 1
        if self.pid_max:
            most = (self.pid_max - self.tasks - PID_RESERVE) // per_pid
            limits.append((most, f"kernel.pid_max allows {self.pid_max:,} threads and "
                                 f"processes on the machine, {self.tasks:,} of which are "
                                 "running"))
        if self.user_tasks:
            most = (self.user_tasks - self.tasks) // per_pid
            limits.append((most, f"ulimit -u allows {self.user_tasks:,} threads and processes "
                                 "to this user"))
        return min(limits, key=lambda limit: limit[0], default=(None, ""))

    def connections(self):
        """How many connections of one producer each one run may open here, and why."""
        limits = [((self.open_files - FILE_RESERVE) // FILES_PER_CONNECTION,
                   f"each takes a file descriptor and this process may open "
                   f"{self.open_files:,} (ulimit -n, raised to its hard limit)")]
        if self.ports:
            limits.append((self.ports, f"loopback has {self.ports:,} ephemeral ports for "
                                       "connections to one server address"))
        return min(limits, key=lambda limit: limit[0])


def _read_lines(path):
    try:
        with open(path) as file:
            return file.readlines()
    except OSError:
        return None


def _workers(n, kind):
    return count(n, kind, PLURALS.get(kind))


def _mib(size):
    return f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size / 2**20:,.0f} MiB"


def _caps():
    """kind -> the cap set by an environment variable, or the harness's own."""
    caps = {"process": MAX_PROCESSES, "interpreter": MAX_INTERPRETERS}
    for kind, variable in CAPS.items():
        text = os.environ.get(variable, "").strip()
        if text:
            try:
                caps[kind] = max(0, int(text.replace(",", "").replace("_", "")))
            except ValueError:
                pass  # not a number: the harness's own cap stays
    return caps


def workers(variant, workload):
    """(kind, how many) of what ``variant`` starts on ``workload``, or (None, 0)."""
    kind = getattr(variant, "per_producer", None)
    if kind is None:
        return None, 0
    return kind, workload.producers + workload.consumers


def cannot_run(variant, workload, machine=None):
    """Why ``variant`` cannot run ``workload`` on this machine, in one sentence; or None.

    ``machine`` is what ``Machine.here()`` read (read now if not given).
    """
    kind, wanted = workers(variant, workload)
    sockets = getattr(workload, "io_kind", "sleep") == "socket"  # connections: a socket each
    if kind is None and not sockets:
        return None
    machine = machine or Machine.here()
    if kind is not None:
        most, why = machine.room(kind)
        if most is not None and wanted > most:
            why = why.replace("{maps}", f"{wanted * MAPS_PER_THREAD:,}")
            return (f"{_workers(wanted, kind)} ({variant.name} starts one per producer, its "
                    f"consumers counted too) are more than one run may start here: {why}")
    if sockets:
        most, why = machine.connections()
        if workload.producers > most:
            return (f"{count(workload.producers, 'connection')} (one per producer) are more "
                    f"than one run may open here: {why}")
    return None


def ran_out(problem):
    """Why a run that failed with ``problem`` (a check's first problem, in words) cannot run
    here, if the failure is the machine running out of something; else None."""
    if problem and any(sign in problem for sign in EXHAUSTION):
        return f"the machine ran out of a resource in the check: {problem}"
    return None
