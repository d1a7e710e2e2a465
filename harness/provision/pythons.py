"""The interpreters of the matrix: building the missing ones, and installing the study on each.

``capqueue interpreters build`` (what ``make interpreters`` runs) puts every
interpreter the study compares in reach, under ``.interpreters/`` (git ignores it):

- CPython 3.10, 3.11, 3.12, 3.13 as pyenv installed them on these machines (found, not built);
- CPython from Debian's own source packages, each version built twice from the same source
  with the same flags, with the GIL and free-threaded (``--disable-gil``): 3.13.5 (trixie,
  beside pyenv's 3.13.0) and 3.14.7. A newer version joins with ``--source`` and the Debian
  source version, ``build --source 3.15.0-1``, once the mirror serves it;
- PyPy from Debian's ``pypy3`` package, installed with apt.

The source builds use pyenv's flags (``--enable-shared``, the rpath, no PGO, no LTO) so that
a difference between two interpreters is the interpreter's and not the build's. Each build's
configure flags are where every CPython keeps them, ``sysconfig``'s ``CONFIG_ARGS``; where
its source came from (and how long it took) is in ``capqueue-build.json`` beside it.

``capqueue interpreters install`` then makes one venv per interpreter under
``.interpreters/venvs/<name>`` and installs the study's pins there piecewise: the core pins,
the test pins, then each model library alone, then the project itself, so that a library
that does not build on one interpreter (greenlet on a free-threaded 3.13) costs only its own
variants. ``list`` shows what is there, and with ``--imports`` which model libraries import
in each venv and whether the GIL was still off after each import. Both commands skip what is
already done and end with one line for each thing they could not do, and why. The exit status
is 1 only when an interpreter could not be built or given a venv with the core pins; a model
library that does not install on an interpreter is that interpreter's answer, reported.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project's top folder
HOME = ROOT / ".interpreters"
VENVS = HOME / "venvs"
BUILD_INFO = "capqueue-build.json"  # beside each source build, in its prefix
INSTALL_INFO = ".capqueue-install.json"  # in each venv: what installed and what did not

PYENV_VERSIONS = ("3.10.13", "3.11.7", "3.12.1", "3.13.0")
# Debian source package versions the mirror serves (its indexes also list newer ones whose
# files it does not serve: 404); each is built with the GIL and free-threaded.
DEBIAN_SOURCES = ("3.13.5-2+deb13u5", "3.14.7-1")
PYPY_PACKAGES = ("pypy3", "pypy3-venv", "pypy3-dev")  # venv needs ensurepip; C extensions, headers
# Imported one by one, each in a fresh process, by ``list --imports``.
MODEL_MODULES = ("trio", "anyio", "greenlet", "gevent", "uvloop", "concurrent.interpreters")


class BuildError(Exception):
    """One interpreter could not be built or installed; the message says which step and why."""


@dataclass(frozen=True)
class Interpreter:
    """One interpreter of the matrix: its name, where it comes from, and its executable."""

    name: str  # "3.14.7t": the version, and "t" for a free-threaded build
    origin: str  # "pyenv" | "debian-source" | "apt"
    python: Path
    source: str = ""  # the Debian source version of a source build: "3.14.7-1"
    free_threaded: bool = False

    @property
    def prefix(self):
        return self.python.parent.parent

    @property
    def venv(self):
        return VENVS / self.name

    @property
    def present(self):
        return self.python.exists()


def pyenv_interpreter(version):
    """pyenv's build of ``version``, wherever pyenv keeps it."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    minor = ".".join(version.split(".")[:2])
    return Interpreter(version, "pyenv", root / "versions" / version / "bin" / f"python{minor}")


def source_builds(debian_version):
    """The GIL and free-threaded builds of one Debian source version, e.g. "3.14.7-1"."""
    version = upstream(debian_version)
    minor = ".".join(version.split(".")[:2])
    return [Interpreter(version + suffix, "debian-source",
                        HOME / (version + suffix) / "bin" / f"python{minor}{suffix}",
                        debian_version, free_threaded=bool(suffix))
            for suffix in ("", "t")]


def upstream(debian_version):
    """The CPython version of a Debian source version: "3.13.5-2+deb13u5" -> "3.13.5"."""
    if not re.fullmatch(r"3\.\d+\.\d+(?:~?[abrc]+\d+)?-[\w.+~]+", debian_version):
        raise BuildError(f"{debian_version!r} is not a Debian source version of CPython, "
                         "such as 3.14.7-1")
    return debian_version.split("-")[0].replace("~", "")


def pypy():
    """Debian's PyPy, where its package puts it."""
    return Interpreter("pypy3", "apt", Path("/usr/bin/pypy3"))


def known(sources=()):
    """Every interpreter of the matrix, with any source builds found under .interpreters/."""
    found = [pyenv_interpreter(v) for v in PYENV_VERSIONS]
    debian = list(DEBIAN_SOURCES) + [s for s in sources if s not in DEBIAN_SOURCES]
    for info in sorted(HOME.glob(f"*/{BUILD_INFO}")):
        built = json.loads(info.read_text())["debian_source"]
        if built not in debian:
            debian.append(built)
    for debian_version in debian:
        found += source_builds(debian_version)
    return found + [pypy()]


def select(names, sources=()):
    """The interpreters called ``names`` (all when none), or a ``BuildError`` naming the unknown."""
    everything = known(sources)
    if not names:
        return everything
    by_name = {i.name: i for i in everything}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise BuildError(f"no interpreter called {unknown[0]!r}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]


# --- building -------------------------------------------------------------------------

def debian_mirror():
    """The Debian mirror this machine's apt already uses."""
    for path in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        match = re.search(r"^URIs:\s*(\S+)", path.read_text(), re.MULTILINE)
        if match and "security" not in match.group(1):
            return match.group(1).rstrip("/")
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        match = re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", legacy.read_text(), re.MULTILINE)
        if match:
            return match.group(1).rstrip("/")
    raise BuildError("found no Debian mirror in /etc/apt (sources.list.d/*.sources or "
                     "sources.list)")


def fetch_source(debian_version, log):
    """The orig tarball of a Debian source version, checked against its .dsc's SHA-256.

    Fetched by its pool path, not through apt's indexes, because the mirror's indexes list
    newer versions than it serves and drop the older ones it still serves.
    """
    version = upstream(debian_version)
    minor = ".".join(version.split(".")[:2])
    package = f"python{minor}"
    pool = f"{debian_mirror()}/pool/main/p/{package}"
    cache = HOME / "src"
    cache.mkdir(parents=True, exist_ok=True)
    dsc_name = f"{package}_{debian_version.replace(':', '%3a')}.dsc"
    dsc = _download(f"{pool}/{dsc_name}", cache / dsc_name, log)
    checksums = dict(
        (name, digest) for digest, _size, name in
        re.findall(r"^ ([0-9a-f]{64}) (\d+) (\S+)$",
                   dsc.read_text().split("Checksums-Sha256:")[1], re.MULTILINE))
    orig = next((name for name in checksums if ".orig.tar." in name), None)
    if orig is None:
        raise BuildError(f"{dsc_name} names no orig tarball")
    tarball = _download(f"{pool}/{orig}", cache / orig, log)
    digest = _sha256(tarball)
    if digest != checksums[orig]:
        tarball.unlink()
        raise BuildError(f"{orig} has SHA-256 {digest}, but {dsc_name} says {checksums[orig]}")
    return {"dsc": f"{pool}/{dsc_name}", "dsc_sha256": _sha256(dsc),
            "orig": f"{pool}/{orig}", "orig_sha256": digest}, tarball


def _download(url, path, log):
    if path.exists():
        return path
    print(f"  fetching {url}", file=log, flush=True)
    partial = path.with_name(path.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if getattr(error, "code", None) == 404:  # its indexes may list it all the same
            raise BuildError(f"the mirror does not serve {url} (404)") from None
        raise BuildError(f"could not fetch {url}: {error}") from None
    partial.rename(path)
    return path


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def configure_args(interpreter):
    """pyenv's flags for a shared CPython in its own prefix: no PGO, no LTO, the rpath."""
    prefix = interpreter.prefix
    args = [f"--prefix={prefix}", "--enable-shared", f"--libdir={prefix}/lib",
            f"LDFLAGS=-L{prefix}/lib -Wl,-rpath,{prefix}/lib"]
    return args + (["--disable-gil"] if interpreter.free_threaded else [])


def build_cpython(interpreter, jobs):
    """Configure, make and install one source build; its log goes to .interpreters/logs/."""
    logs = HOME / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"build-{interpreter.name}.log"
    with open(log_path, "w") as log:
        provenance, tarball = fetch_source(interpreter.source, log)
        work = HOME / "build" / interpreter.name
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(interpreter.prefix, ignore_errors=True)  # a half-installed earlier try
        work.mkdir(parents=True)
        with tarfile.open(tarball) as tar:
            tar.extractall(work, filter="data")
        (tree,) = work.iterdir()
        steps = {"configure": ["./configure", *configure_args(interpreter)],
                 "make": ["make", f"-j{jobs}"],
                 "install": ["make", "install"]}
        seconds = {}
        for step, command in steps.items():
            started = time.monotonic()
            print(f"$ {' '.join(command)}", file=log, flush=True)
            done = subprocess.run(command, cwd=tree, stdout=log, stderr=subprocess.STDOUT)
            seconds[step] = round(time.monotonic() - started, 1)
            if done.returncode:
                raise BuildError(f"{step} failed (exit {done.returncode}): "
                                 f"{_last_error(log_path)}; see {log_path}")
    shutil.rmtree(work)
    compiler = subprocess.run(["cc", "--version"], capture_output=True, text=True).stdout
    info = {"name": interpreter.name, "debian_source": interpreter.source, **provenance,
            "configure_args": configure_args(interpreter), "make_jobs": jobs,
            "seconds": seconds, "compiler": compiler.splitlines()[0] if compiler else "",
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (interpreter.prefix / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n")
    return info


def _last_error(log_path):
    lines = log_path.read_text(errors="replace").splitlines()
    errors = [line.strip() for line in lines if re.search(r"\berror\b", line, re.IGNORECASE)]
    return (errors or lines or ["no output"])[0][:200]


def install_pypy():
    """Debian's pypy3 and what a venv and C extensions need, with apt."""
    if os.geteuid() != 0:
        raise BuildError(f"installing {' '.join(PYPY_PACKAGES)} with apt needs root; run "
                         f"apt-get install {' '.join(PYPY_PACKAGES)} as root")
    done = subprocess.run(["apt-get", "install", "-y", "-q", *PYPY_PACKAGES],
                          capture_output=True, text=True,
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if done.returncode:
        raise BuildError(f"apt-get install failed: {_last_line(done.stderr or done.stdout)}")


def build(interpreters, jobs):
    """Build or install whatever of ``interpreters`` is missing; the failures, by name."""
    failures = {}
    for interpreter in interpreters:
        if interpreter.present and (interpreter.origin != "debian-source"
                                    or (interpreter.prefix / BUILD_INFO).exists()):
            print(f"{interpreter.name}: already there ({interpreter.python})")
            continue
        started = time.monotonic()
        try:
            if interpreter.origin == "pyenv":
                raise BuildError(f"pyenv has no {interpreter.name} here; "
                                 f"`pyenv install {interpreter.name}` makes it")
            if interpreter.origin == "apt":
                print(f"{interpreter.name}: installing {' '.join(PYPY_PACKAGES)} with apt",
                      flush=True)
                install_pypy()
            else:
                print(f"{interpreter.name}: building from Debian's python source "
                      f"{interpreter.source} with {' '.join(configure_args(interpreter)[1:])}"
                      f" (make -j{jobs})", flush=True)
                build_cpython(interpreter, jobs)
        except BuildError as error:
            failures[interpreter.name] = str(error)
            print(f"{interpreter.name}: FAILED: {error}", flush=True)
            continue
        print(f"{interpreter.name}: done in {time.monotonic() - started:.0f} s "
              f"({interpreter.python})", flush=True)
    return failures


# --- installing the study -------------------------------------------------------------

def pins():
    """The project's exact pins, read from pyproject.toml: core, then each extra's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"core": project["dependencies"], **project["optional-dependencies"]}


def install(interpreter):
    """A venv of the study on ``interpreter``, installed piecewise; one line per failure."""
    pyproject = _sha256(ROOT / "pyproject.toml")
    record = interpreter.venv / INSTALL_INFO
    if record.exists() and json.loads(record.read_text())["pyproject_sha256"] == pyproject:
        return json.loads(record.read_text())["failed"], True
    shutil.rmtree(interpreter.venv, ignore_errors=True)
    VENVS.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([str(interpreter.python), "-m", "venv", str(interpreter.venv)],
                          capture_output=True, text=True)
    if made.returncode:
        raise BuildError(f"venv failed: {_last_line(made.stderr or made.stdout)}")
    groups = pins()
    constraints = interpreter.venv / "constraints.txt"
    constraints.write_text("\n".join(p for group in groups.values() for p in group) + "\n")
    log_path = HOME / "logs" / f"install-{interpreter.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # The core and test pins go in as groups (pyperf is needed for anything at all); each
    # model pin alone, constrained to the project's pins, so one that fails fails alone.
    steps = [("core", groups["core"]), ("test", groups["test"])]
    steps += [(pin.split("==")[0], [pin]) for pin in groups["models"]]
    # "compat" puts the project on sys.path with a plain .pth line; the default editable
    # finder imports pathlib, glob and re at every start of site, which each subinterpreter
    # repeats: about 20 ms more per interpreter created.
    steps.append(("capqueue", ["--no-deps", "--config-settings", "editable_mode=compat",
                               "--editable", str(ROOT)]))
    failed = {}
    print("  pip install:", end="", flush=True)  # each step's name as it ends: it takes minutes
    with open(log_path, "w") as log:
        for step, arguments in steps:
            command = [str(interpreter.venv / "bin" / "python"), "-m", "pip", "install",
                       "--disable-pip-version-check", "-c", str(constraints), *arguments]
            print(f"$ {' '.join(command)}", file=log, flush=True)
            done = subprocess.run(command, capture_output=True, text=True)
            log.write(done.stdout + done.stderr)
            print(f" {step}" + (" (FAILED)" if done.returncode else ""), end="", flush=True)
            if done.returncode:
                failed[step] = pip_reason(done.stdout + done.stderr, arguments)
                if step == "core":
                    break
        print()
        # pip's resolver says only "conflicting dependencies" when a pin's own dependency
        # is the one that cannot install: find out which, now that every step has run.
        python = str(interpreter.venv / "bin" / "python")
        # A library can install and still not import (uvloop built on PyPy lacks a symbol):
        # take it out again, so that its variants are unavailable here rather than broken.
        for module in MODEL_MODULES:
            if module in dict(steps) and module not in failed:
                seen = probe(python, module)
                if "error" in seen:
                    failed[module] = "installs, but does not import: " + re.sub(
                        r"\S*/site-packages/", "", seen["error"])[:200]
                    subprocess.run([python, "-m", "pip", "uninstall", "--yes", module],
                                   stdout=log, stderr=subprocess.STDOUT)
        for step, why in failed.items():
            if "conflicting dependencies" in why:
                requirement = next(p for name, pins_ in steps if name == step for p in pins_)
                failed[step] = diagnose(python, requirement, failed) or why
                print(f"  {interpreter.name}: {step}: {failed[step]}", file=log, flush=True)
    record.write_text(json.dumps({"pyproject_sha256": pyproject, "failed": failed,
                                  "log": str(log_path)}, indent=2) + "\n")
    return failed, False


def diagnose(python, requirement, failed):
    """Why ``requirement`` could not install: its own reason, or the pins it needs that failed.

    Asks pip about the requirement alone (no constraints, nothing installed): first whether
    a distribution of it fits this interpreter, then what it would pull in here (markers
    evaluated for this interpreter), to name the failed pins among those.
    """
    ask = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
           "--disable-pip-version-check", "--report", "-"]
    alone = subprocess.run(ask + ["--no-deps", requirement], capture_output=True, text=True)
    if alone.returncode:
        return pip_reason(alone.stdout + alone.stderr, [requirement])
    pulled = subprocess.run(ask + [requirement], capture_output=True, text=True)
    try:
        needs = {_canonical(item["metadata"]["name"])
                 for item in json.loads(pulled.stdout)["install"]}
    except (ValueError, KeyError):
        return None
    itself = _canonical(re.match(r"[A-Za-z0-9._-]+", requirement).group())
    blocked = [step for step in failed if _canonical(step) in needs - {itself}]
    if blocked:
        return f"needs {' and '.join(blocked)}, which did not install here (its line says why)"
    return None


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_reason(output, requirements=()):
    """The one line of pip's output that says why ``requirements`` (pins) did not install."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for pattern in (r"requires a different Python", r"Ignored the following versions",
                    r"fatal error:", r":\d+:\d+: error:",  # the compiler's first complaint
                    r"^(\w+\.)*\w*(Error|Exception): ",  # a build backend's exception
                    r"No matching distribution", r"^ERROR: "):
        hits = [line for line in lines if re.search(pattern, line)]
        if not hits:
            continue
        line = re.sub(r"\s+", " ", re.sub(r"^ERROR: ", "", hits[0]))
        # "Ignored ...: 0.32.0 Requires-Python >=3.10; ...; 0.35.0 Requires-Python >=3.10"
        for name, _, version in (r.partition("==") for r in requirements if "==" in r):
            pinned = re.search(rf"(?:^|[:;] ){re.escape(version)} Requires-Python ([^;]+)",
                               line)
            if pinned and name.lower() in output.lower():
                return f"{name} {version} requires Python {pinned.group(1).strip()}"
        return line[:240]
    return _last_line(output)


def _last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:240] if lines else "no output"


# --- looking ---------------------------------------------------------------------------

PROBE = """\
import importlib, importlib.metadata, json, sys, warnings
name = sys.argv[1]
gil = getattr(sys, "_is_gil_enabled", None)
before = gil() if gil else True
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    try:
        importlib.import_module(name)
    except BaseException as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        sys.exit()
try:
    version = importlib.metadata.version(name)
except importlib.metadata.PackageNotFoundError:
    version = "standard library"
print(json.dumps({"version": version,
                  "gil_before": before, "gil_after": gil() if gil else True,
                  "warnings": [str(w.message) for w in seen if "GIL" in str(w.message)]}))
"""


def probe(python, module):
    """Import ``module`` alone in a fresh process of ``python``: its version or its error,
    and whether the GIL was enabled before and after (always True on a GIL build)."""
    done = subprocess.run([str(python), "-c", PROBE, module], capture_output=True, text=True,
                          timeout=120)
    if done.returncode or not done.stdout.strip():
        return {"error": _last_line(done.stderr or done.stdout)}
    return json.loads(done.stdout.strip().splitlines()[-1])


def describe(interpreter):
    """One line about an interpreter: its version, build and the state of its venv."""
    if not interpreter.present:
        return f"{interpreter.name:10} missing ({interpreter.python})"
    about = subprocess.run(
        [str(interpreter.python), "-c",
         "import sys, sysconfig; print(sys.version.split()[0], "
         "getattr(sys, '_is_gil_enabled', lambda: True)(), "
         "sysconfig.get_config_var('CONFIG_ARGS') or '')"],
        capture_output=True, text=True).stdout.strip()
    version, gil, flags = (about.split(" ", 2) + ["", "", ""])[:3]
    venv = "no venv"
    record = interpreter.venv / INSTALL_INFO
    if record.exists():
        failed = json.loads(record.read_text())["failed"]
        venv = "venv: " + ("all installed" if not failed
                           else "without " + ", ".join(sorted(failed)))
    gil_text = "GIL" if gil == "True" else "free-threaded"
    return (f"{interpreter.name:10} {version:8} {gil_text:13} {interpreter.origin:13} "
            f"{venv}\n{'':11}{interpreter.python}\n{'':11}flags: {_short_flags(flags)}")


def _short_flags(config_args):
    """CONFIG_ARGS without the paths, which only repeat the prefix."""
    return " ".join(arg for arg in re.findall(r"'([^']*)'", config_args)
                    if not arg.startswith(("--prefix", "--libdir", "CPPFLAGS", "LIBS"))
                    ) or "(none recorded)"


# --- command line ----------------------------------------------------------------------
