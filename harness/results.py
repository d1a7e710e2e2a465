"""Results files: pyperf BenchmarkSuite JSON, read with clear errors and written whole or not at all.

A point that cannot run on this machine (``harness.limits``) is a result too, and is kept
in the same file, so that a sweep resumes past it and the tables and plots show it: under
a key of the JSON of its own, ``capqueue_cannot_run``, a list of entries, each the metadata
a benchmark of that point would carry (``name``, ``capqueue_variant``, the workload) and the
reason (``capqueue_cannot_run``). pyperf reads such a file and passes the key over, so
``python -m pyperf compare_to``, ``stats`` and ``hist`` see the timed benchmarks as ever.
In memory the entries ride on the suite (``cannot_run(suite)``); a file whose every point
so far cannot run holds no benchmark at all, which pyperf cannot read, and loads as an
``Unmeasured`` suite, which the tables read like any other.
"""

import io
import json
import os
import tempfile
import time
from pathlib import Path

import pyperf

RESULTS_DIR = Path("results")
CANNOT_RUN = "capqueue_cannot_run"  # the JSON key of the points that cannot run, and the
# metadata key of each entry's reason
_ENTRIES = "_capqueue_cannot_run"  # where a loaded suite keeps them


class Unmeasured:
    """The suite of a results file that holds only points that cannot run: no benchmark."""

    def __init__(self, entries=()):
        setattr(self, _ENTRIES, list(entries))

    def get_benchmarks(self):
        return []

    def get_metadata(self):
        """What every entry has in common (the machine, the interpreter), as pyperf gives
        a suite's metadata."""
        entries = cannot_run(self)
        if not entries:
            return {}
        return {key: value for key, value in entries[0].items()
                if key != "name" and all(entry.get(key) == value for entry in entries)}

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


def cannot_run(suite):
    """The entries of the points that cannot run in ``suite`` (or None): metadata dicts."""
    return list(getattr(suite, _ENTRIES, ())) if suite is not None else []


def add_cannot_run(suite, entry):
    """``suite`` (None for a new file) with a point that cannot run added: ``entry`` is its
    metadata, with its ``name`` and its ``capqueue_cannot_run`` reason."""
    if suite is None:
        suite = Unmeasured()
    kept = [e for e in cannot_run(suite) if e.get("name") != entry.get("name")]
    setattr(suite, _ENTRIES, kept + [dict(entry)])
    return suite


class ResultsError(Exception):
    """A results file cannot be read or written; the message names the file and the fault."""


def load(path):
    """The pyperf suite in ``path``, checked to be one that capqueue wrote."""
    file = Path(path)
    if not file.is_file():
        raise ResultsError(f"no results file at {path}")
    text = file.read_text(errors="replace")
    if not text.strip():
        raise ResultsError(f"{path} is empty, not a pyperf results file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path} is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise ResultsError(f"{path} is JSON but not a pyperf results file (no benchmarks list)")
    entries = data.get(CANNOT_RUN) or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "capqueue_variant" in e
                                                and CANNOT_RUN in e for e in entries):
        raise ResultsError(f"{path} has a {CANNOT_RUN} key that is not a list of points "
                           "that cannot run")
    if not data["benchmarks"] and entries:
        return Unmeasured(entries)
    try:
        suite = pyperf.BenchmarkSuite.load(str(file))
    except Exception as exc:
        raise ResultsError(f"{path} is not a valid pyperf results file ({exc})") from None
    if not any("capqueue_variant" in b.get_metadata() for b in suite.get_benchmarks()):
        raise ResultsError(f"{path} holds no capqueue benchmarks (none has capqueue_variant "
                           "metadata)")
    setattr(suite, _ENTRIES, entries)
    return suite


def add(suite, bench):
    """``suite`` with the runs of ``bench`` added (joining a benchmark of the same name).

    The suite gets a copy: ``bench`` itself may be kept and added to elsewhere.
    """
    copy = pyperf.Benchmark(bench.get_runs())
    if suite is None or isinstance(suite, Unmeasured):
        made = pyperf.BenchmarkSuite([copy])
        setattr(made, _ENTRIES, cannot_run(suite))
        return made
    suite.add_runs(copy)
    return suite


def merge(bench, more):
    """A new Benchmark with the runs of ``bench`` (or None) and of ``more``, of one name."""
    return pyperf.Benchmark((bench.get_runs() if bench else []) + more.get_runs())


def renamed(bench, name):
    """``bench`` under another name: the name lives in each of its runs' metadata."""
    if bench.get_name() == name:
        return bench
    return pyperf.Benchmark([
        pyperf.Run(run.values, warmups=run.warmups, collect_metadata=False,
                   metadata={**run.get_metadata(), "name": name})
        for run in bench.get_runs()])


def with_metadata(bench, extra):
    """``bench`` with ``extra`` added to the metadata of each of its runs."""
    return pyperf.Benchmark([
        pyperf.Run(run.values, warmups=run.warmups, collect_metadata=False,
                   metadata={**run.get_metadata(), **extra})
        for run in bench.get_runs()])


def loops_of(bench):
    """The loop count pyperf used for the values of ``bench`` (0 if it has no values)."""
    for run in bench.get_runs():
        if run.values:
            return run.get_metadata()["loops"]
    return 0


def save(suite, path):
    """Write ``suite`` to ``path`` atomically.

    The JSON goes to a temporary file in the same directory, then replaces ``path`` in one
    rename, so an interruption leaves either the previous file or the new one, never half.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    os.close(handle)
    try:
        entries = cannot_run(suite)
        if isinstance(suite, Unmeasured):
            data = {"version": "1.0", "benchmarks": [], CANNOT_RUN: entries}
            Path(temporary).write_text(_compact(data))
        elif entries:
            text = io.StringIO()
            suite.dump(text)
            data = json.loads(text.getvalue())
            data[CANNOT_RUN] = entries
            Path(temporary).write_text(_compact(data))
        else:
            suite.dump(temporary, replace=True)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _compact(data):
    """JSON as pyperf writes it: sorted keys, no spaces, a final newline."""
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def default_path(command):
    """Where ``command`` saves when no file is named: results/<command>-<UTC time>.json."""
    return RESULTS_DIR / f"{command}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.json"


def refuse_existing(output):
    """Refuse to overwrite a results file (pyperf's own rule), in our words."""
    if output and Path(output).exists():
        raise ResultsError(f"{output} already exists; name a new file, or add to it with "
                           "--append")


def check_target(output, append, workload, names):
    """Refuse a results file that would be overwritten or mixed with another workload.

    Returns the suite already in ``append`` (or None), for the new benchmarks to join.
    """
    refuse_existing(output)
    if not append or not Path(append).exists():
        return None
    suite = load(append)
    wanted = workload.as_metadata()
    for bench in suite.get_benchmarks():
        recorded = {k: bench.get_metadata().get(k) for k in wanted}
        if bench.get_name() in names and recorded != wanted:
            raise ResultsError(f"{append} already has {bench.get_name()!r} measured on another "
                               "workload; append to a file of the same workload")
    return suite
