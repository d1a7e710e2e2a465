"""Every process a checked run starts, found wherever it went, reported and ended.

A multi-process variant's workers are children of the check process, and a kill of its
process group ends them. But a helper started in a session of its own
(``subprocess.Popen(..., start_new_session=True)``) is out of that group, and a process
whose parent has died is reparented to init, out of the check process's tree. Two nets
catch them:

- the check process makes itself a *child subreaper* (Linux ``prctl``): orphans among its
  descendants are then reparented to it instead of init, so while it lives its descendants
  are every process the run started and has not ended, in whatever session;
- every process of a check carries a marker in its environment (``MARKER``, set by the
  parent to a token of its own and inherited by all it starts), so that once the check
  process is gone the parent can still find what outlived it.

Processes that ``multiprocessing`` starts for itself (its resource tracker, its fork server)
are not the variant's, and are left out: they end with the process that started them.
"""

import ctypes
import os
import sys

import psutil

MARKER = "CAPQUEUE_CHECK"  # the environment variable that marks a check's processes
PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>
SHOWN = 60  # characters of a command line shown in a report


def become_subreaper():
    """Have orphaned descendants reparented to this process (Linux; elsewhere, nothing)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def descendants(pid=None):
    """The live processes below ``pid`` (default: this one), but multiprocessing's own."""
    try:
        found = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in found if _alive(p) and not _infrastructure(p)]


def _infrastructure(process):
    """Whether ``process`` is a helper that multiprocessing starts for itself."""
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return False
    return any(f"from multiprocessing.{helper} import main" in command
               for helper in ("resource_tracker", "forkserver"))


def _alive(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def marked(token, spare=()):
    """The live processes whose environment carries ``MARKER=token``, but those in ``spare``."""
    needle = f"{MARKER}={token}".encode()
    found = []
    for process in psutil.process_iter():
        if process.pid in spare or process.pid == os.getpid():
            continue
        try:
            if needle in _environ(process) and _alive(process):
                found.append(process)
        except (psutil.Error, OSError):
            pass  # gone, or not ours to read
    return found


def _environ(process):
    """The raw environment of ``process`` (Linux's /proc is much cheaper than parsing it)."""
    if os.path.exists("/proc/self/environ"):
        with open(f"/proc/{process.pid}/environ", "rb") as file:
            return file.read()
    return b"\0".join(f"{k}={v}".encode() for k, v in process.environ().items())


def describe(process, check=None):
    """One process as a report names it: its pid, its session if not that of the check
    process (pid ``check``, default this one), and its command, or that it is a fork."""
    try:
        check = psutil.Process(check)
        ours, our_session = check.cmdline(), os.getsid(check.pid)
    except (psutil.Error, OSError):  # the check process has ended: nothing to compare with
        ours = our_session = None
    try:
        command, session = process.cmdline(), os.getsid(process.pid)
    except (psutil.Error, OSError):
        return f"pid {process.pid}"
    if command == ours:
        text = "the check process" if process.pid == check.pid else "a fork of the check process"
    else:
        text = " ".join(command) or process.name()
    if len(text) > SHOWN:
        text = text[:SHOWN - 3] + "..."
    where = " in a session of its own" if our_session not in (None, session) else ""
    return f"pid {process.pid}{where}: {text}"


def end(processes):
    """Kill every process in ``processes`` and wait (briefly) for each to be gone."""
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(processes, timeout=2)
