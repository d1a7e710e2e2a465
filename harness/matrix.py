"""The matrix: the same benchmarks on several interpreters, one results file for each.

``capqueue matrix trio asyncio threads --python python3.12 --python .../python3.14t -o DIR``
runs ``python -m harness run`` under each interpreter in turn, so that each one checks and
times with its own build of every library, and each pyperf worker imports only the
variant it times (on a free-threaded build, another model's library could turn the GIL
back on). Each interpreter writes ``DIR/<name>.json`` (``cpython-3.14.7t.json``) and
``DIR/<name>.txt``, its ``capqueue list``: which variants it can run, and why not the
others (a library that does not build or import there). ``capqueue report DIR/*.json``
then shows the variants against the interpreters.

An interpreter whose file is already in DIR is skipped, so an interrupted matrix resumes
where it stopped. A run writes ``DIR/<name>.json.partial`` and renames it only once the run
has ended by itself, so a run cut short (Ctrl-C, a killed session) is done again whole,
never taken for finished.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from harness.options import UsageError

IDENTIFY = "import pyperf, harness.measure as m; print(m.python_name())"


def identify(python):
    """The study's name for ``python`` ('cpython-3.14.7t'); a UsageError if it cannot run
    the study (not found, or without pyperf and the harness)."""
    if not (shutil.which(python) or Path(python).is_file()):
        raise UsageError(f"--python {python}: no such interpreter")
    try:
        found = subprocess.run([python, "-c", IDENTIFY], capture_output=True, text=True,
                               timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--python {python} does not run ({exc})") from None
    if found.returncode:
        raise UsageError(f"--python {python} cannot import pyperf and capqueue's harness; "
                         "install the study into it first (make interpreters)")
    return found.stdout.strip()


def run_matrix(pythons, forwarded, directory, out=sys.stdout):
    """Run ``capqueue run FORWARDED`` under each interpreter into ``directory``; return the
    exit status (130 if interrupted, 1 if any interpreter's run failed)."""
    names = [identify(python) for python in pythons]
    if len(set(names)) < len(names):
        raise UsageError("--python names the same interpreter twice: "
                         + ", ".join(sorted({n for n in names if names.count(n) > 1})))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    status = 0
    for number, (python, name) in enumerate(zip(pythons, names), 1):
        target = directory / f"{name}.json"
        print(f"[{number}/{len(names)}] {name} ({python})", file=out, flush=True)
        listing = subprocess.run([python, "-m", "harness", "list"], capture_output=True,
                                 text=True)
        (directory / f"{name}.txt").write_text(listing.stdout)
        if target.exists():
            print(f"[{name}] already measured in {target}: skipped", file=out, flush=True)
            continue
        partial = target.with_name(target.name + ".partial")
        if partial.exists():
            print(f"[{name}] {partial} is a run cut short: measured again", file=out,
                  flush=True)
            partial.unlink()
        # The child is in our process group: Ctrl-C reaches it too, and it saves what it
        # timed; we wait for it to finish doing so before we stop.
        child = subprocess.Popen([python, "-m", "harness", "run", *forwarded, "-o",
                                  str(partial)], stdout=subprocess.PIPE, text=True)
        try:
            for line in child.stdout:
                print(f"[{name}] {line}", end="", file=out, flush=True)
            code = child.wait()
        except KeyboardInterrupt:
            child.wait()
            code = 130
        if code == 2:
            raise UsageError(f"capqueue run refused the options under {name}; see above")
        if code == 130:
            return 130
        if partial.exists():  # ended by itself (1: some variant failed its check)
            partial.rename(target)
        status = status or (1 if code else 0)
    return status
