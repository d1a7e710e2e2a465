"""``capqueue interpreters build|install|list``: the interpreters of the matrix, and the
study installed on each (``harness.provision.pythons`` does the work)."""

import os
import re

from harness.options import Parser, UsageError
from harness.provision import pythons

NAME = "interpreters"
HELP = "build the matrix's interpreters, install the study on each, list them"
DESCRIPTION = (pythons.__doc__.split("\n\n")[0] + " Under .interpreters/ (git ignores it): "
               "build (or install with apt) the interpreters that are missing; install "
               "the study into a venv on each, one model library at a time; list what is "
               "there. Each skips what is already done and ends with one line for each thing "
               "it could not do, and why. What `make interpreters` runs (build, then "
               "install); capqueue matrix then measures on them, given each venv's python "
               "with --python.")
ACTIONS = {"build": "build or install the interpreters that are missing",
           "install": "install the study into a venv on each interpreter",
           "list": "show each interpreter, its build flags and its venv"}


def arguments(parser):
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION",
                                    parser_class=Parser)
    for name, text in ACTIONS.items():
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("names", nargs="*", metavar="NAME",
                            help="interpreters by name (3.12.1, 3.14.7t, pypy3; default all)")
        action.add_argument("--source", action="append", default=[], metavar="VERSION",
                            help="also a CPython from this Debian source version "
                                 "(e.g. 3.15.0-1), with the GIL and free-threaded")
        action.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    actions.choices["build"].add_argument("-j", "--jobs", type=int, default=os.cpu_count(),
                                          help="make's parallel jobs (default: all cores)")
    actions.choices["list"].add_argument(
        "--imports", action="store_true",
        help="also import each model library alone in each venv, and say whether the GIL "
             "was still off after it")


def run(args):
    try:
        interpreters = pythons.select(args.names, args.source)
    except pythons.BuildError as error:  # an unknown name, or a malformed --source
        raise UsageError(str(error)) from None
    if args.action == "list":
        for interpreter in interpreters:
            show(interpreter, args.imports)
        return 0
    if args.action == "build":
        failures, missing = pythons.build(interpreters, args.jobs), {}
    else:
        failures, missing = install(interpreters)
    if missing:
        print("\nNot installed (the variants that need them are unavailable there):")
        for name, why in missing.items():
            print(f"  {name}: {why}")
    if failures:
        print(f"\nCould not {args.action}:")
        for name, why in failures.items():
            print(f"  {name}: {why}")
        return 1
    return 0


def install(interpreters):
    """Install the study on each interpreter; return what failed and what is missing where.

    A model library that does not install is that interpreter's answer, not a failure of
    the command: its variants show as unavailable there. Without the core pins (pyperf)
    nothing runs there at all: that is a failure.
    """
    failures, missing = {}, {}
    for interpreter in interpreters:
        if not interpreter.present:
            failures[interpreter.name] = "not there; `make interpreters` builds it"
            continue
        print(f"{interpreter.name}: installing the study into {interpreter.venv}", flush=True)
        try:
            failed, skipped = pythons.install(interpreter)
        except pythons.BuildError as error:
            failures[interpreter.name] = str(error)
            continue
        if skipped:
            print("  already installed" + (f", without {', '.join(failed)}" if failed else ""))
        for step, why in failed.items():
            print(f"  {step} did not install: {why}")
        if "core" in failed:
            failures[interpreter.name] = f"the core pins did not install: {failed['core']}"
        missing.update({f"{interpreter.name} {step}": why for step, why in failed.items()
                        if step != "core"})
    return failures, missing


def show(interpreter, imports):
    """One interpreter as ``list`` shows it; with ``imports``, each model library in its venv."""
    print(pythons.describe(interpreter))
    python = interpreter.venv / "bin" / "python"
    if not (imports and python.exists()):
        return
    for module in pythons.MODEL_MODULES:
        seen = pythons.probe(python, module)
        if "error" in seen:
            print(f"{'':11}import {module}: {seen['error']}")
            continue
        gil = "" if seen["gil_before"] else \
            "; GIL " + ("re-enabled" if seen["gil_after"] else "still off")
        gil += "".join(f" by {m}" for w in seen["warnings"][:1]
                       for m in re.findall(r"load module '([^']+)'", w))
        print(f"{'':11}import {module}: {seen['version']}{gil}")
