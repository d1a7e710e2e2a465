"""Finding variants: modules of the ``variants`` package, installed entry points, and files.

A variant is found three ways, with no edit anywhere else: a module dropped into
``variants/``, a module an installed distribution declares in the entry-point group
``capqueue.variants``, or a file named with ``--variant-path``. Each becomes a ``Variant``
whose status says whether it can run: ``ok``; ``unavailable`` when a library it needs is not
installed for this interpreter, a program it runs (its ``PROGRAMS``) is not on ``PATH``, or
the service it names cannot be had (its ``SERVICE``: see ``harness.services``) (the others
still run); ``broken`` when it does not import or does not follow the contract
in ``variants/__init__.py``. The contract is checked on the module before anything runs, so
that a slip (an ``async def run``, a ``run`` that is a generator, a parameter the harness
never passes) gets a sentence of its own instead of a puzzling check failure.

A variant that needs a server (a broker) names it (``SERVICE = "redis"``), or brings its
own ``service()``; ``Variant.ready`` starts it around the runs of one process, so every
caller of ``run`` treats such a variant like any other.
"""

import contextlib
import difflib
import functools
import importlib
import importlib.metadata
import importlib.util
import inspect
import pkgutil
import shutil
import sys
import traceback
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import variants
from harness import services
from harness.limits import KINDS

BASELINE = "sequential"
ENTRY_POINT_GROUP = "capqueue.variants"


class VariantError(Exception):
    """A variant asked for cannot be used; the message says which one and why."""


@dataclass(frozen=True)
class Variant:
    """One exhibit, as found: what it is, where it came from, and whether it can run."""

    name: str
    origin: str  # the file it was read from, or the entry point that names it
    model: str = "?"
    description: str = ""
    run: object = None
    status: str = "ok"  # "ok" | "unavailable" | "broken"
    problem: str = ""  # why it is not ok, as a phrase: "needs trio, which is not installed"
    newer_python: bool = False  # unavailable for want of a newer Python, which no install fixes
    path: str = ""  # set when it was loaded with --variant-path, so children can load it too
    service: object = None  # the services.Service it needs (a server), if any
    per_producer: str | None = None  # what it starts per producer: "thread", "process", ...
    error: BaseException | None = field(default=None, compare=False, repr=False)  # on import

    @property
    def ok(self):
        return self.status == "ok"

    @property
    def narrates(self):
        """Whether its ``run`` accepts ``say``, to narrate its control flow in a trace."""
        return "say" in inspect.signature(self.run).parameters

    @property
    def takes_connections(self):
        """Whether its ``run`` accepts ``connections``, and so can wait on sockets."""
        try:
            parameters = inspect.signature(self.run).parameters.values()
        except (TypeError, ValueError):  # a builtin without a signature: it cannot say
            return False
        return any(p.name == "connections" or p.kind is p.VAR_KEYWORD for p in parameters)

    def cannot_run(self, workload):
        """Why it cannot run ``workload`` here, as a phrase ("cannot run: <phrase>"), or '':
        socket waits for a run() that takes no connections, or more workers or connections
        than this machine allows (``harness.limits``)."""
        if workload.sockets and not self.takes_connections:
            return ("its run() takes no connections, so it cannot wait on sockets (socket "
                    "waits need run(..., connections=None))")
        # Imported here: a process that only runs variants (capqueue instructions counts
        # whole processes) imports exactly what it did before the limits existed.
        from harness import limits

        return limits.cannot_run(self, workload) or ""

    @property
    def note(self):
        """What ``capqueue list`` says beside its description: the service it uses, and how
        to give it one of the reader's own ('' for a variant that needs none)."""
        return self.service.note() if self.ok and self.service is not None else ""

    @contextlib.contextmanager
    def ready(self):
        """Its ``run``, ready to call for as long as the ``with`` block lasts (a ``Ready``).

        For a variant that needs a service (a server), the service is started on entry, or
        the reader's own is reached, and stopped on exit; what it yields (an address) is
        passed to every call as ``service``. Callers enter this once per process, outside
        any timer, so that a figure never includes starting the server.
        """
        if self.service is None:
            yield Ready(self.run)
            return
        with self.service.running() as running:
            yield Ready(functools.partial(self.run, service=running.address),
                        running.metadata, running.usage)


@dataclass(frozen=True)
class Ready:
    """A variant ready to run in this process: its ``run``, and what to record of its service."""

    run: object  # the variant's run, with what its service yields bound as ``service``
    metadata: dict = field(default_factory=dict)  # of the service, for every benchmark
    usage: object = None  # the service's count of what its processes used (services.Running)


def discover(paths=()):
    """Every variant: the package's modules, installed entry points, then the given files.

    Files named by path must load and follow the contract (a ``VariantError`` otherwise);
    a broken module found by discovery, and an unavailable one found either way (a library
    it needs is missing), is returned with its status instead.
    """
    found = {}
    for module in pkgutil.iter_modules(variants.__path__):
        if not module.name.startswith("_"):
            name = module.name
            found[name] = _load(name, _origin_of(name), lambda n=name: _import(n))
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name not in found:
            found[entry.name] = _load(entry.name, f"entry point {entry.value}", entry.load)
    for path in paths:
        variant = load_path(path)
        if variant.name in found:
            raise VariantError(
                f"{path} would be variant {variant.name!r}, but {found[variant.name].origin} "
                "already is; rename the file")
        found[variant.name] = variant
    return sorted(found.values(), key=lambda v: (v.name != BASELINE, v.name))


def find(name, paths=()):
    """The one variant called ``name``, loading nothing else (for child processes)."""
    for path in paths:
        if Path(path).stem == name:
            return load_path(path)
    if importlib.util.find_spec(f"variants.{name}") is not None:
        return _load(name, _origin_of(name), lambda: _import(name))
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP, name=name):
        return _load(name, f"entry point {entry.value}", entry.load)
    raise VariantError(f"no variant named {name!r}")


def select(names, paths=(), everything=False, keep_unavailable=False, workloads=()):
    """The variants a command works on: those named, else the files given, else all.

    With ``everything`` (compare), all variants plus the files given. A variant the user
    asked for, by its name or by its file, must be able to run here: an unknown name (with a
    suggestion), or a variant asked for that is unavailable or broken, or that cannot run
    any of the ``workloads`` the command is given (``Variant.cannot_run``), is a
    ``VariantError`` saying why. Variants no one asked for (the default, all) that cannot
    run are returned too, so the caller can list them and go on with the others. With
    ``keep_unavailable``, so is a variant asked for whose library or program is missing, for
    a caller with a rule of its own (the pytest plugin skips it, or on CI fails it).
    """
    known = discover(paths)
    if not (names or paths):
        return known
    by_name = {v.name: v for v in known}
    asked = dict.fromkeys(names or [v.name for v in known if v.path])
    for name in asked:
        variant = by_name.get(name)
        if variant is None:
            raise VariantError(f"no variant named {name!r}{_suggestion(name, by_name)}")
        if not (variant.ok or keep_unavailable and variant.status == "unavailable"):
            raise VariantError(f"variant {name!r} is {variant.status}: {variant.problem}")
        reasons = [variant.cannot_run(w) for w in workloads] if variant.ok else []
        if reasons and all(reasons):
            what = "this workload" if len(reasons) == 1 else "any of these workloads"
            raise VariantError(f"variant {name!r} cannot run {what}: {reasons[0]}")
    return known if everything else [by_name[name] for name in asked]


def load_path(path):
    """The variant in the file at ``path``, or a ``VariantError`` saying what is wrong with it.

    A file that needs a library not installed here is returned as ``unavailable``, like a
    module of the package: the other variants can still run.
    """
    file = Path(path)
    if not file.is_file():
        raise VariantError(f"no variant file at {path}")
    if file.suffix != ".py":
        raise VariantError(f"{path} is not a Python file (.py)")
    name = file.stem
    if not name.isidentifier():
        raise VariantError(f"{path}: {name!r} cannot be a variant name (use letters, digits, _)")

    def load():
        spec = importlib.util.spec_from_file_location(f"capqueue_variant_{name}", file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # so that worker processes can unpickle its functions
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[spec.name]
            raise
        if "ray" in sys.modules:
            # Ray's workers are fresh interpreters, which cannot import a file loaded by path:
            # its functions and classes travel by value instead of by name.
            sys.modules["ray"].cloudpickle.register_pickle_by_value(module)
        return module

    variant = _load(name, str(path), load)
    if variant.status == "broken":
        raise VariantError(f"{path} {variant.problem}") from variant.error
    return replace(variant, path=str(path))


def error_text(error):
    """A variant's own error as ``--debug`` shows it: for a SyntaxError, the line with its
    caret; otherwise the traceback from the variant's own code on (no harness frames)."""
    if isinstance(error, SyntaxError):
        return "".join(traceback.format_exception_only(error))
    tb = error.__traceback__
    here = str(Path(__file__).parent)
    while tb is not None and tb.tb_next is not None and (
            tb.tb_frame.f_code.co_filename.startswith(("<frozen", here))):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def _import(name):
    return importlib.import_module(f"variants.{name}")


def _origin_of(name):
    return f"variants/{name}.py"


def _load(name, origin, load):
    """Import a variant's module with ``load`` and hold it to the contract."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = load()
        for warning in caught:  # said again, except the GIL's: see _gil_turned_on
            if not _gil_turned_on(warning):
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        version = ".".join(map(str, sys.version_info[:2]))
        if missing in sys.stdlib_module_names:  # a module of a newer Python
            return Variant(name, origin, status="unavailable", error=exc, newer_python=True,
                           problem=f"needs {exc.name}, which Python {version} does not have")
        if missing and missing not in ("variants", "harness") and not missing.startswith(
                "capqueue_variant_"):
            return Variant(name, origin, status="unavailable", error=exc,
                           problem=f"needs {missing}, which is not installed for Python {version}")
        return Variant(name, origin, status="broken", problem=f"does not import: {exc}",
                       error=exc)
    except SyntaxError as exc:
        return Variant(name, origin, status="broken", error=exc,
                       problem=f"does not import: {exc.msg} at line {exc.lineno}")
    except Exception as exc:
        return Variant(name, origin, status="broken", error=exc,
                       problem=f"raised {type(exc).__name__} on import: {exc}")
    problem = _contract_problem(module)
    if problem:
        return Variant(name, origin, status="broken",
                       problem=f"does not follow the variant contract: {problem}")
    missing = [program for program in getattr(module, "PROGRAMS", ()) if shutil.which(program) is None]
    if missing:
        return Variant(name, origin, model=module.MODEL, status="unavailable",
                       problem=f"needs the program {missing[0]}, which is not on PATH")
    service = _service_of(module)
    if service is not None and service.problem():
        return Variant(name, origin, model=module.MODEL, status="unavailable",
                       problem=service.problem())
    doc = inspect.getdoc(module)
    return Variant(name, origin, model=module.MODEL, description=doc.splitlines()[0],
                   run=module.run, service=service,
                   per_producer=getattr(module, "PER_PRODUCER", None))


def _service_of(module):
    """The service a module (that follows the contract) needs: the one its ``SERVICE``
    names, one made of its own ``service()``, or None."""
    if getattr(module, "SERVICE", None) is not None:
        return services.SERVICES[module.SERVICE]
    if getattr(module, "service", None) is not None:
        return services.Own(module.service)
    return None


def _gil_turned_on(warning):
    """Whether a warning is a free-threaded build saying an import turned the GIL on.

    Listing variants imports them all, gevent's included, and the warning would reach the
    user's terminal on every command; the process that times a variant imports only that
    one and records whether the GIL was on (``capqueue_gil_enabled``), and
    ``capqueue interpreters list --imports`` says which library does it.
    """
    return issubclass(warning.category, RuntimeWarning) and \
        "global interpreter lock" in str(warning.message)


def _contract_problem(module):
    """What the module lacks of the contract in ``variants/__init__.py``, or ''."""
    run = getattr(module, "run", None)
    if not callable(run):
        return "it has no run(sources, sinks, capacity, io) function"
    named = getattr(module, "SERVICE", None)
    service = getattr(module, "service", None)
    if named is not None and (not isinstance(named, str) or named not in services.SERVICES):
        known = ", ".join(repr(name) for name in services.SERVICES)
        return (f"its SERVICE {named!r} is not a service the harness provides ({known}); "
                "a server of its own needs a service() instead")
    if named is not None and service is not None:
        return "it has both a SERVICE and a service(): name the harness's, or bring its own"
    if service is not None and not callable(service):
        return "its service is not a function (a context manager that starts a server)"
    problem = _run_problem(run, served=named is not None or service is not None)
    if problem:
        return problem
    programs = getattr(module, "PROGRAMS", ())
    if not isinstance(programs, (tuple, list)) or not all(isinstance(p, str) for p in programs):
        return "its PROGRAMS is not a tuple of program names"
    per_producer = getattr(module, "PER_PRODUCER", None)
    if per_producer is not None and per_producer not in KINDS:
        return (f"its PER_PRODUCER {per_producer!r} is not one of "
                f"{', '.join(repr(kind) for kind in KINDS)} (or leave it out: nothing per "
                "producer that the operating system counts)")
    model = getattr(module, "MODEL", None)
    if not isinstance(model, str) or not model.strip():
        return "it has no MODEL string naming its concurrency model"
    if not (inspect.getdoc(module) or "").strip():
        return "it has no docstring to describe it"
    return ""


def _run_problem(run, served=False):
    """What is wrong with ``run`` itself (its kind, its parameters), or ''. A ``served``
    variant (one with a ``SERVICE`` or a ``service()``) is also passed ``service`` by
    keyword."""
    if inspect.isasyncgenfunction(run):
        return ("its run() is an async generator function (async def with yield): run must be "
                "a plain def that does the whole job before it returns")
    if inspect.iscoroutinefunction(run):
        return ("its run() is an async def, so calling it only makes a coroutine: run must be "
                "a plain def that runs its event loop itself, e.g. asyncio.run(main(...))")
    if inspect.isgeneratorfunction(run):
        return ("its run() is a generator function (it contains yield), so calling it runs "
                "nothing: move the yields into the workers and let run drive them to the end")
    try:
        signature = inspect.signature(run)
    except (TypeError, ValueError):
        return ""  # a builtin without a signature: let it try
    connections = signature.parameters.get("connections")
    if connections is not None and connections.kind is connections.POSITIONAL_ONLY:
        return ("its run() takes connections only by position, but the harness passes it by "
                "keyword for socket waits: run(sources, sinks, capacity, io=SECONDS, "
                "connections=[...])")
    passed = {"io": 0.0, **({"service": None} if served else {})}
    try:
        signature.bind([], [], 1, **passed)
    except TypeError:
        pass
    else:
        return ""
    call = f"run(sources, sinks, capacity, io=SECONDS{', service=...' if served else ''})"
    parameters = signature.parameters
    for name in passed:
        if name in parameters and parameters[name].kind is inspect.Parameter.POSITIONAL_ONLY:
            return f"its run() takes {name} only by position, but the harness calls {call}"
    known = list(parameters)[:4]
    extra = [p.name for p in parameters.values()
             if p.default is inspect.Parameter.empty and p.name not in known + list(passed)
             and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if "say" in extra:
        return ("its run() requires say, which the harness passes only to trace a run: give "
                "it a default, say=None")
    if "connections" in extra:
        return ("its run() requires connections, which the harness passes only for socket "
                "waits (--io-kind socket): give it a default, connections=None")
    if extra and len(known) == 4 and "io" in parameters:
        return (f"its run() requires {extra[0]!r}, which the harness never passes: it calls "
                f"{call}")
    if served:
        return ("its run() does not take (sources, sinks, capacity, io, service): service is "
                "the address of the server its SERVICE (or service()) gives")
    return ("its run() does not take (sources, sinks, capacity, io): io is the seconds each "
            "producer waits for I/O before each item")


def _suggestion(name, known):
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return " (capqueue list shows them all)"
