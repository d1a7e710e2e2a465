"""capqueue new: a skeleton per model that passes the whole contract once its line is written."""

import ast
import dataclasses
import re
import subprocess
import sys

import pytest

from harness.options import UsageError
from harness.scaffold import MARK, SKELETONS

from conftest import ROOT, capqueue

MARKED = re.compile(
    rf'^(?P<indent>\s*)raise NotImplementedError\("{MARK}"\)  # e\.g\. (?P<usual>.+)$', re.MULTILINE)


def fill_in(path):
    """Write the marked line the way its comment suggests, as a newcomer would."""
    text = path.read_text()
    [match] = MARKED.finditer(text)
    path.write_text(MARKED.sub(r"\g<indent>\g<usual>", text))
    return match["usual"]


def test_the_study_models_have_skeletons():
    assert {"threads", "asyncio", "trio", "generators"} <= set(SKELETONS)


def code_of(text):
    """A module's text after its docstring."""
    return "\n".join(text.splitlines()[ast.parse(text).body[0].end_lineno:])


@pytest.mark.parametrize("key", SKELETONS)
def test_a_skeleton_is_its_exhibit_but_for_the_marked_line(key):
    # One source: a fix to the exhibit is a fix to its skeleton.
    skeleton = SKELETONS[key]
    text = skeleton.render(f"my_{key}")
    [marked] = MARKED.finditer(text)
    assert marked["usual"] == skeleton.put
    exhibit = (ROOT / "variants" / f"{skeleton.exhibit}.py").read_text()
    assert code_of(MARKED.sub(r"\g<indent>\g<usual>", text)) == code_of(exhibit)


def test_an_exhibit_without_the_named_line_makes_no_skeleton():
    moved = dataclasses.replace(SKELETONS["threads"], put="q.put(item, block=True)")
    with pytest.raises(UsageError, match=r"^the threads skeleton is made from "
                                         r"variants/threads\.py, whose produce\(\) has no "
                                         r"line\(s\) 'q\.put\(item, block=True\)' to leave "
                                         r"out; name its hand-off line in "
                                         r"harness/scaffold\.py$"):
        moved.render("anything")


def test_every_skeleton_conforms_once_its_marked_line_is_filled_in(tmp_path):
    paths = []
    for model in SKELETONS:
        made = capqueue("new", f"my_{model}", "--model", model, "--to", tmp_path)
        assert made.returncode == 0, made.stderr
        path = tmp_path / f"my_{model}.py"
        text = path.read_text()
        line = next(n for n, line in enumerate(text.splitlines(), 1) if MARK in line)
        assert made.stdout.splitlines() == [
            f"wrote {path}: a {model} variant but for its hand-off, line {line}, marked FILL IN",
            "write that line (its comment shows the model's usual way), make the docstring say "
            "what the variant does, then run:",
            f"  capqueue conform --variant-path {path}"]
        for section in ("Hand-off: ", "Back-pressure: ", "Shutdown: ", "Failure: ", "Figures: "):
            assert f"\n\n{section}" in text, (model, section)
        lines = text.splitlines()
        assert lines[line - 3].strip() == "if io:", model  # the guarded wait, just before
        fill_in(path)
        paths += ["--variant-path", path]
    result = capqueue("conform", "--jobs", 2, *paths, timeout=600)
    verdicts = [line for line in result.stdout.splitlines() if line.startswith("verdict:")]
    assert verdicts == [f"verdict: my_{model} conforms: all 26 checks passed"
                        for model in sorted(SKELETONS)], result.stdout
    assert result.returncode == 0


def test_an_unfilled_skeleton_fails_at_its_marked_line(tmp_path):
    capqueue("new", "unfinished", "--model", "asyncio", "--to", tmp_path)
    result = capqueue("check", "--variant-path", tmp_path / "unfinished.py", "--items", 5)
    assert result.returncode == 1
    assert result.stdout.splitlines()[1].endswith(
        "run() raised ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception): "
        "NotImplementedError: FILL IN")


def test_new_writes_into_the_variants_folder_by_default(tmp_path):
    # As if tmp_path were the variants folder: discovery still sees the real ones too.
    code = ("import sys, variants; variants.__path__.insert(0, sys.argv.pop(1)); "
            "from harness.cli import main; sys.exit(main(sys.argv[1:]))")
    made = subprocess.run([sys.executable, "-c", code, str(tmp_path), "new", "fresh", "--model",
                           "generators"], cwd=ROOT, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "fresh.py").is_file()
    assert made.stdout.splitlines()[-1] == "  capqueue conform fresh"
