"""The exhibits share only what the contract lets them share (``variants/__init__.py``).

A near twin that differs from a sibling only in how the model is started imports the
sibling's workers and writes only its ``run``; every other exhibit writes its whole hand-off
out. None imports the harness, or holds a server's plumbing: the harness starts services.
"""

import ast
from pathlib import Path

import pytest

import variants

FOLDER = Path(variants.__path__[0])
EXHIBITS = sorted(p for p in FOLDER.glob("*.py") if not p.name.startswith("_"))


def imports(tree):
    """(module, names) for every ``import`` and ``from ... import`` at the top of ``tree``."""
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from ((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module, tuple(alias.name for alias in node.names)


@pytest.mark.parametrize("path", EXHIBITS, ids=lambda p: p.stem)
def test_an_exhibit_imports_a_sibling_only_to_start_its_workers_another_way(path):
    tree = ast.parse(path.read_text())
    siblings = [(module, names) for module, names in imports(tree)
                if module.startswith("variants.")]
    functions = [node.name for node in tree.body
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not siblings:
        return
    assert functions == ["run"], (
        f"{path.name} imports {siblings} but writes {functions}: a near twin writes only its "
        "run; one whose hand-off differs writes its whole hand-off out and imports no sibling")
    for module, names in siblings:
        sibling = ast.parse((FOLDER / f"{module.split('.')[1]}.py").read_text())
        workers = {node.name for node in sibling.body
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert set(names) <= workers - {"run"}, f"{path.name} takes more than workers: {names}"


@pytest.mark.parametrize("path", EXHIBITS, ids=lambda p: p.stem)
def test_an_exhibit_holds_no_harness_and_no_server_plumbing(path):
    modules = {module.partition(".")[0] for module, _ in imports(ast.parse(path.read_text()))}
    assert not modules & {"harness", "subprocess", "socket", "ctypes", "signal"}, path.name
