"""Results files: pyperf BenchmarkSuite JSON, read with clear errors and written whole or not at all."""

import json
import os
import tempfile
import time
from pathlib import Path

import pyperf

RESULTS_DIR = Path("results")


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
    try:
        suite = pyperf.BenchmarkSuite.load(str(file))
    except Exception as exc:
        raise ResultsError(f"{path} is not a valid pyperf results file ({exc})") from None
    if not any("capqueue_variant" in b.get_metadata() for b in suite.get_benchmarks()):
        raise ResultsError(f"{path} holds no capqueue benchmarks (none has capqueue_variant "
                           "metadata)")
    return suite


def add(suite, bench):
    """``suite`` with the runs of ``bench`` added (joining a benchmark of the same name).

    The suite gets a copy: ``bench`` itself may be kept and added to elsewhere.
    """
    copy = pyperf.Benchmark(bench.get_runs())
    if suite is None:
        return pyperf.BenchmarkSuite([copy])
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
        suite.dump(temporary, replace=True)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
