"""The table of commands: every command reached the same way, and each says when it did nothing."""

import glob
import shutil
import subprocess
import sys

import pyperf
import pytest

from harness import commands

from conftest import ROOT, broken, capqueue

LISTED = [name for name in commands.COMMANDS if commands.load(name).HELP]

# `python -m harness`, with one model library hidden as on an interpreter where it does
# not build (importing it fails), or with the variants folder replaced by another.
HIDING_GEVENT = ("import sys; sys.modules['gevent'] = None; from harness.cli import main; "
                 "sys.exit(main(sys.argv[1:]))")
VARIANTS_FROM = ("import sys, variants; variants.__path__[:] = [sys.argv.pop(1)]; "
                 "from harness.cli import main; sys.exit(main(sys.argv[1:]))")
NEEDS_LIBRARY = '"""Needs a library."""\nimport not_installed_anywhere\n\nMODEL = "test"\n'
PYTHON = f"Python {sys.version_info[0]}.{sys.version_info[1]}"


def python(code, *args):
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_capqueue_help_lists_every_command_but_the_worker():
    result = capqueue("--help")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()
              if line.startswith("    ") and not line.startswith("     ")]
    assert listed == LISTED and "worker" not in listed
    assert {"plot", "containers", "interpreters"} <= set(listed)


@pytest.mark.parametrize("name", LISTED)
def test_every_command_is_reached_as_capqueue_name_and_explains_itself(name):
    result = capqueue(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: capqueue {name} ")
    first_words = " ".join(commands.load(name).DESCRIPTION.split()[:4])
    assert first_words in " ".join(result.stdout.split())


def test_a_command_that_is_not_one_is_refused_in_one_line():
    result = capqueue("lsit")
    assert result.returncode == 2
    assert result.stderr.startswith("capqueue: argument COMMAND: invalid choice: 'lsit' ")
    assert len(result.stderr.splitlines()) == 1


def test_interpreters_has_its_three_actions_and_lists_what_is_there():
    helped = capqueue("interpreters", "--help")
    assert helped.returncode == 0
    actions = helped.stdout.split("  ACTION\n", 1)[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in actions] == ["build", "install", "list"]
    listed = capqueue("interpreters", "list", "3.11.7", "pypy3")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()
            if not line.startswith(" ")] == ["3.11.7", "pypy3"]
    unknown = capqueue("interpreters", "list", "3.99.0")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("capqueue: no interpreter called '3.99.0'; known: 3.10.13, ")


def test_containers_prints_the_table_of_its_committed_results():
    assert "--as-notebook" in capqueue("containers", "--help").stdout
    shown = capqueue("containers", "--report", "results/containers-20261125-100606.json")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "| operation, 10,000 times | list | deque |"
    # the table the notebook-timings page shows, from the same file
    assert "\n".join(lines) in (ROOT / "docs" / "notebook-timings.md").read_text()


def test_plot_redraws_a_figure_of_the_docs_byte_for_byte(tmp_path):
    assert "heatmap" in capqueue("plot", "--help").stdout
    files = sorted(glob.glob("results/study-*/capacity.json", root_dir=ROOT))
    drawn = capqueue("plot", "sweep", *files, "-o", tmp_path / "capacity")
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.split() == [str(tmp_path / "capacity.svg"),
                                    str(tmp_path / "capacity.png")]
    for suffix in (".svg", ".png"):
        assert (tmp_path / f"capacity{suffix}").read_bytes() == \
            (ROOT / "docs" / "plots" / f"capacity{suffix}").read_bytes()


@pytest.fixture(scope="module")
def one_point(tmp_path_factory):
    """A sweep of one point (capacity 1), to be resumed with a second point."""
    out = tmp_path_factory.mktemp("sweep") / "first.json"
    result = capqueue("sweep", "sequential", "--capacity", 1, "--items", 20,
                      "--debug-single-value", "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.parametrize("form", ["-o FILE", "--output FILE", "--output=FILE", "-oFILE"])
def test_a_sweep_resumes_its_file_however_o_is_spelled(tmp_path, one_point, form):
    out = tmp_path / "sweep.json"
    shutil.copy(one_point, out)
    given = form.replace("FILE", str(out)).split()
    result = capqueue("sweep", "sequential", "--capacity", "1,2", "--items", 20,
                      "--debug-single-value", *given)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f", resuming {out}" in result.stdout
    point_1 = result.stdout.index("point 1/2")
    assert result.stdout[point_1:].splitlines()[1] == "  already measured: skipped"
    suite = pyperf.BenchmarkSuite.load(str(out))
    assert {b.get_name(): len(b.get_runs()) for b in suite.get_benchmarks()} == {
        "sequential items=20 capacity=1": 1, "sequential items=20 capacity=2": 1}


@pytest.mark.parametrize("command", ["check gevent", "run gevent", "sweep gevent",
                                     "latency gevent", "instructions gevent", "trace gevent",
                                     "conform gevent"])
def test_a_variant_named_that_cannot_run_is_an_error(command):
    result = python(HIDING_GEVENT, *command.split())
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == (f"capqueue: variant 'gevent' is unavailable: needs gevent, which "
                             f"is not installed for {PYTHON}\n")


@pytest.mark.parametrize("command", ["check", "run", "compare", "sweep", "instructions",
                                     "conform"])
def test_a_variant_file_given_that_cannot_run_is_an_error(tmp_path, command):
    path = tmp_path / "gevent_elsewhere.py"
    shutil.copy(ROOT / "variants" / "gevent.py", path)
    result = python(HIDING_GEVENT, command, "--variant-path", path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == (f"capqueue: variant 'gevent_elsewhere' is unavailable: needs "
                             f"gevent, which is not installed for {PYTHON}\n")


@pytest.mark.parametrize("command, said", [
    ("check", "no variant can run here: nothing was checked"),
    ("run", "no variant can run here: nothing was checked or timed, and no file was written"),
    ("compare", "no variant can run here: nothing was checked or timed, and no file was "
                "written"),
    ("sweep", "no variant can run here: nothing was checked or timed, and no file was "
              "written"),
    ("instructions", "no variant can run here: nothing was checked or counted, and no file "
                     "was written"),
])
def test_a_command_left_with_no_variant_that_can_run_says_so_and_fails(tmp_path, command,
                                                                         said):
    # A variants folder whose one variant needs a library missing here, named by no one:
    # it is skipped, and then nothing is left to do.
    folder = tmp_path / "variants"
    folder.mkdir()
    (folder / "needs_library.py").write_text(NEEDS_LIBRARY)
    if command == "instructions" and not shutil.which("valgrind"):
        pytest.skip("valgrind is not installed")
    out = tmp_path / "out.json"
    options = [] if command == "check" else ["-o", out]
    result = python(VARIANTS_FROM, folder, command, "--items", 10, *options)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["skip", "needs_library"] for line in lines)
    assert lines[-1] == said
    assert not out.exists()


def test_a_matrix_that_timed_nothing_says_so_and_fails(tmp_path):
    result = capqueue("matrix", "loses_an_item", "--variant-path", broken("loses_an_item"),
                      "--items", 20, "--debug-single-value", "-o", tmp_path / "m")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL  loses_an_item" in result.stdout
    assert result.stdout.splitlines()[-1] == ("no interpreter timed anything: no results file "
                                              "was written")
    assert not list((tmp_path / "m").glob("*.json*"))


def test_nothing_that_checks_or_measures_imports_provisioning_or_the_studies():
    code = ("import sys; from harness import cli, commands; "
            "[commands.load(n) for n in ('check', 'run', 'sweep', 'matrix', 'instructions', "
            "'worker', 'report')]; "
            "print(sorted(m for m in sys.modules if m.startswith(('harness.provision', "
            "'harness.studies'))))")
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"
