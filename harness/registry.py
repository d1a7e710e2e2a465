"""Finding variants: modules of the ``variants`` package, installed entry points, and files.

A variant is found three ways, with no edit anywhere else: a module dropped into
``variants/``, a module an installed distribution declares in the entry-point group
``capqueue.variants``, or a file named with ``--variant-path``. Each becomes a ``Variant``
whose status says whether it can run: ``ok``; ``unavailable`` when a library it needs is not
installed for this interpreter, or a program it runs (its ``PROGRAMS``) is not on ``PATH``
(the others still run); ``broken`` when it does not import or does not follow the contract
in ``variants/__init__.py``.

A variant that needs a server (a broker) defines ``service()``; ``Variant.ready`` enters it
around the runs of one process, so every caller of ``run`` treats such a variant like any
other.
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
from dataclasses import dataclass, replace
from pathlib import Path

import variants

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
    path: str = ""  # set when it was loaded with --variant-path, so children can load it too
    service: object = None  # its service(), a context manager factory, if it needs a server

    @property
    def ok(self):
        return self.status == "ok"

    @property
    def narrates(self):
        """Whether its ``run`` accepts ``say``, to narrate its control flow in a trace."""
        return "say" in inspect.signature(self.run).parameters

    @contextlib.contextmanager
    def ready(self):
        """Its ``run``, ready to call for as long as the ``with`` block lasts.

        For a variant with a ``service()`` (a server it needs), the service is started on
        entry and stopped on exit, and what it yields (an address) is passed to every call
        as ``service``. Callers enter this once per process, outside any timer, so that a
        figure never includes starting the server.
        """
        if self.service is None:
            yield self.run
            return
        with self.service() as service:
            yield functools.partial(self.run, service=service)


def discover(paths=()):
    """Every variant: the package's modules, installed entry points, then the given files.

    Files named by path must load and follow the contract (a ``VariantError`` otherwise);
    a broken or unavailable module found by discovery is returned with its status instead.
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


def select(names, paths=(), everything=False):
    """The variants a command works on: those named, else the files given, else all.

    With ``everything`` (compare), all variants plus the files given. Unknown names, and
    named variants that cannot run, are errors with a suggestion; unnamed ones that cannot
    run are returned too, so the caller can list them and go on with the others.
    """
    known = discover(paths)
    if everything or not (names or paths):
        return known
    if not names:
        return [v for v in known if v.path]
    by_name = {v.name: v for v in known}
    chosen = []
    for name in names:
        if name not in by_name:
            raise VariantError(f"no variant named {name!r}{_suggestion(name, by_name)}")
        variant = by_name[name]
        if not variant.ok:
            raise VariantError(f"variant {name!r} is {variant.status}: {variant.problem}")
        if variant not in chosen:
            chosen.append(variant)
    return chosen


def load_path(path):
    """The variant in the file at ``path``, or a ``VariantError`` saying what is wrong with it."""
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
        return module

    variant = _load(name, str(path), load)
    if not variant.ok:
        raise VariantError(f"{path} {variant.problem}")
    return replace(variant, path=str(path))


def _import(name):
    return importlib.import_module(f"variants.{name}")


def _origin_of(name):
    return f"variants/{name}.py"


def _load(name, origin, load):
    """Import a variant's module with ``load`` and hold it to the contract."""
    try:
        module = load()
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing and missing not in ("variants", "harness") and not missing.startswith(
                "capqueue_variant_"):
            version = ".".join(map(str, sys.version_info[:2]))
            return Variant(name, origin, status="unavailable",
                           problem=f"needs {missing}, which is not installed for Python {version}")
        return Variant(name, origin, status="broken", problem=f"does not import: {exc}")
    except SyntaxError as exc:
        return Variant(name, origin, status="broken",
                       problem=f"does not import: {exc.msg} at line {exc.lineno}")
    except Exception as exc:
        return Variant(name, origin, status="broken",
                       problem=f"raised {type(exc).__name__} on import: {exc}")
    problem = _contract_problem(module)
    if problem:
        return Variant(name, origin, status="broken",
                       problem=f"does not follow the variant contract: {problem}")
    missing = [program for program in getattr(module, "PROGRAMS", ()) if shutil.which(program) is None]
    if missing:
        return Variant(name, origin, model=module.MODEL, status="unavailable",
                       problem=f"needs the program {missing[0]}, which is not on PATH")
    doc = inspect.getdoc(module)
    return Variant(name, origin, model=module.MODEL, description=doc.splitlines()[0],
                   run=module.run, service=getattr(module, "service", None))


def _contract_problem(module):
    """What the module lacks of the contract in ``variants/__init__.py``, or ''."""
    run = getattr(module, "run", None)
    if not callable(run):
        return "it has no run(sources, sinks, capacity, io) function"
    service = getattr(module, "service", None)
    if service is not None and not callable(service):
        return "its service is not a function (a context manager that starts a server)"
    extra = {"service": None} if service is not None else {}
    try:
        inspect.signature(run).bind([], [], 1, io=0.0, **extra)
    except TypeError:
        if extra:
            return ("its run() does not take (sources, sinks, capacity, io, service): "
                    "service is what its service() yields")
        return ("its run() does not take (sources, sinks, capacity, io): io is the "
                "seconds each producer waits for I/O before each item")
    except ValueError:
        pass  # a builtin without a signature: let it try
    programs = getattr(module, "PROGRAMS", ())
    if not isinstance(programs, (tuple, list)) or not all(isinstance(p, str) for p in programs):
        return "its PROGRAMS is not a tuple of program names"
    model = getattr(module, "MODEL", None)
    if not isinstance(model, str) or not model.strip():
        return "it has no MODEL string naming its concurrency model"
    if not (inspect.getdoc(module) or "").strip():
        return "it has no docstring to describe it"
    return ""


def _suggestion(name, known):
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return " (capqueue list shows them all)"
