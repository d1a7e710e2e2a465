"""The command line as a user meets it, through a real subprocess."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyperf
import pytest

from conftest import ROOT, broken, capqueue


def test_capqueue_and_python_m_harness_are_the_same_program():
    script = Path(sys.executable).with_name("capqueue")
    assert script.exists() or shutil.which("capqueue")
    direct = subprocess.run([str(script if script.exists() else "capqueue"), "list"],
                            capture_output=True, text=True, cwd=ROOT)
    assert direct.returncode == 0
    assert direct.stdout == capqueue("list").stdout


def test_an_interpreter_without_the_dependencies_says_what_to_do():
    # -S leaves site-packages out, as with a machine's Python that never ran make setup.
    result = subprocess.run([sys.executable, "-S", "-m", "harness", "--help"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("capqueue: needs pyperf and psutil, which ")
    assert "run `make setup`" in result.stderr and ".venv/bin/capqueue" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_make_setup_builds_only_the_venv():
    result = subprocess.run(["make", "-n", "setup"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "compare" not in result.stdout and "pytest" not in result.stdout


def test_list_names_every_variant_with_model_and_description():
    lines = capqueue("list").stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names[0] == "sequential"
    assert {"generators", "threads", "asyncio", "trio"} <= set(names)
    assert any(line.split()[1] == "trio" and "memory channel" in line for line in lines)


@pytest.mark.parametrize("command", ["list", "check", "conform", "new", "trace", "run",
                                     "compare", "sweep", "report"])
def test_every_command_explains_itself(command):
    result = capqueue(command, "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout and len(result.stdout.splitlines()) > 5


def test_run_and_compare_help_say_what_the_timer_includes():
    for command in ("run", "compare", "sweep"):
        assert "asyncio.run" in capqueue(command, "--help").stdout


def test_check_passes_and_fails_with_one_line_per_variant():
    good = capqueue("check", "sequential", "generators", "--items", 50)
    assert good.returncode == 0, good.stdout + good.stderr
    assert [line.split()[:2] for line in good.stdout.splitlines()[1:]] == [
        ["ok", "sequential"], ["ok", "generators"]]
    bad = capqueue("check", "--variant-path", broken("loses_an_item"), "--items", 50)
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[1].split()[:2] == ["FAIL", "loses_an_item"]
    assert "missing item 17" in bad.stdout


def test_a_missing_library_makes_its_variants_unavailable_and_the_others_run():
    # As on an interpreter where gevent does not build: importing it fails.
    code = ("import sys; sys.modules['gevent'] = None; from harness.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    listed = subprocess.run([sys.executable, "-c", code, "list"], cwd=ROOT,
                            capture_output=True, text=True)
    line = next(line for line in listed.stdout.splitlines() if line.startswith("gevent "))
    assert "unavailable: needs gevent, which is not installed for Python" in line
    checked = subprocess.run([sys.executable, "-c", code, "check", "--items", "20"], cwd=ROOT,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert any(line.split()[:2] == ["skip", "gevent"] for line in lines)
    # all the others, but for variants whose library this Python lacks (interpreters < 3.14)
    assert all(line.startswith(("ok ", "skip ")) for line in lines[1:]), checked.stdout


def test_a_variant_file_whose_library_is_missing_is_unavailable_and_an_error_if_alone(tmp_path):
    path = tmp_path / "needs_library.py"
    path.write_text('"""Needs a library."""\nimport not_installed_anywhere\n')
    listed = capqueue("list", "--variant-path", path)
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith("needs_library"))
    assert line.split(None, 2)[2] == ("unavailable: needs not_installed_anywhere, which is not "
                                      f"installed for Python {sys.version_info[0]}."
                                      f"{sys.version_info[1]}")
    # given alone, the file is what the user asked to check: that it cannot run is an error
    alone = capqueue("check", "--variant-path", path, "--items", 10)
    assert alone.returncode == 2, alone.stdout + alone.stderr
    assert alone.stderr == ("capqueue: variant 'needs_library' is unavailable: needs "
                            "not_installed_anywhere, which is not installed for Python "
                            f"{sys.version_info[0]}.{sys.version_info[1]}\n")
    beside = capqueue("check", "sequential", "--variant-path", path, "--items", 10)
    assert beside.returncode == 0, beside.stdout + beside.stderr
    assert beside.stdout.splitlines()[1].split()[:2] == ["ok", "sequential"]
    named = capqueue("check", "needs_library", "--variant-path", path)
    assert named.returncode == 2
    assert "variant 'needs_library' is unavailable: needs not_installed_anywhere" in named.stderr


def test_help_says_what_variant_path_does_for_each_command():
    said = {command: " ".join(capqueue(command, "--help").stdout.split())
            for command in ("list", "check", "trace", "run", "compare")}
    assert "also list the variant in FILE" in said["list"]
    assert "with no VARIANT named, check only these files' variants" in said["check"]
    assert "to trace it by its file name without .py" in said["trace"]
    assert "with no VARIANT named, time only these files' variants" in said["run"]
    assert "also compare the variant in FILE with all the others" in said["compare"]
    assert "checked process" not in said["list"]


def test_a_broken_module_found_by_discovery_is_listed_and_the_others_run(tmp_path):
    # As if a half-written file had been dropped into variants/.
    (tmp_path / "half_written.py").write_text("def run(sources, sinks capacity):\n")
    code = ("import sys, variants; variants.__path__.append(sys.argv.pop(1)); "
            "from harness.cli import main; sys.exit(main(sys.argv[1:]))")
    checked = subprocess.run([sys.executable, "-c", code, str(tmp_path), "check", "--items",
                              "20"], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    broken_line = next(line for line in lines if "half_written" in line)
    assert broken_line.split()[0] == "FAIL"
    assert "broken: does not import: invalid syntax at line 1" in broken_line
    # all the others, but for variants whose library this Python lacks (interpreters < 3.14)
    assert all(line.startswith(("ok ", "skip ")) for line in lines[1:]
               if line is not broken_line), checked.stdout


def test_a_hanging_variant_does_not_hang_the_harness():
    result = capqueue("check", "--variant-path", broken("hangs"), "--items", 10,
                      "--check-timeout", 1, timeout=30)
    assert result.returncode == 1
    assert "no answer in 1 s" in result.stdout


def test_debug_on_a_hang_prints_the_stacks_of_every_thread_and_process():
    result = capqueue("check", "--variant-path", broken("hangs_in_a_process"), "--items", 20,
                      "--check-timeout", 1, "--debug", timeout=30)
    assert result.returncode == 1
    assert "no answer in 1 s" in result.stdout
    check, fork = result.stderr.split("\n--- stacks of pid ")[1:]
    assert check.split("\n")[0].endswith(": the check process, stopped:")
    assert check.count("hread 0x") == 2  # the main thread and the queue's feeder thread
    assert "hangs_in_a_process.py\", line 31 in run" in check and " in _feed" in check
    assert fork.split("\n")[0].endswith(": a fork of the check process, stopped:")
    assert "hangs_in_a_process.py\", line 14 in consume" in fork


def test_run_writes_a_suite_pyperf_reads(tmp_path):
    out = tmp_path / "run.json"
    result = capqueue("run", "sequential", "generators", "--items", 200,
                      "--debug-single-value", "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    suite = pyperf.BenchmarkSuite.load(str(out))
    assert suite.get_benchmark_names() == ["sequential", "generators"]
    meta = suite.get_benchmark("generators").get_metadata()
    assert meta["capqueue_variant"] == "generators"
    assert (meta["capqueue_items"], meta["capqueue_capacity"]) == (200, 10)
    assert meta["inner_loops"] == 200  # so every value is seconds per item
    for tool in (["stats", out], ["compare_to", out, out]):
        checked = subprocess.run([sys.executable, "-m", "pyperf", *map(str, tool)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    table = capqueue("report", out)
    assert table.returncode == 0
    assert "ratio to sequential" in table.stdout and "generators" in table.stdout


def test_run_appends_to_an_existing_suite(tmp_path):
    out = tmp_path / "run.json"
    for _ in range(2):
        result = capqueue("run", "sequential", "--items", 50, "--debug-single-value",
                          "--append", out)
        assert result.returncode == 0, result.stderr
    assert len(pyperf.BenchmarkSuite.load(str(out)).get_benchmark("sequential").get_runs()) == 2


def test_run_does_not_time_a_variant_that_fails_its_check(tmp_path):
    out = tmp_path / "run.json"
    result = capqueue("run", "sequential", "loses_an_item", "--variant-path",
                      broken("loses_an_item"), "--items", 50, "--debug-single-value", "-o", out)
    assert result.returncode == 1
    assert "FAIL  loses_an_item" in result.stdout
    assert pyperf.BenchmarkSuite.load(str(out)).get_benchmark_names() == ["sequential"]


def test_run_forwards_a_variant_path_to_pyperf_workers(tmp_path):
    out = tmp_path / "run.json"
    path = tmp_path / "elsewhere.py"
    path.write_text(Path(ROOT, "variants", "sequential.py").read_text())
    result = capqueue("run", "--variant-path", path, "--items", 30, "--producers", 2,
                      "--debug-single-value", "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    meta = pyperf.BenchmarkSuite.load(str(out)).get_benchmark("elsewhere").get_metadata()
    assert (meta["capqueue_items"], meta["capqueue_producers"]) == (30, 2)
    # no sequential in this run: the table says why it has no ratios
    assert "No ratio: the file has no sequential benchmark" in result.stdout


def test_report_splits_fixed_and_marginal_costs(tmp_path):
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    for items, out in ((100, small), (5_000, large)):
        result = capqueue("run", "asyncio", "--items", items, "--debug-single-value", "-o", out)
        assert result.returncode == 0, result.stderr
    result = capqueue("report", small, large)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    scale = next(i for i, line in enumerate(lines) if line.startswith("variant"))
    assert "ns/item, items 100" in lines[scale] and "ns/item, items 5,000" in lines[scale]
    split = next(i for i, line in enumerate(lines) if "fixed cost per run" in line)
    assert lines[split + 1].split()[0] == "asyncio"


def test_report_of_a_capacity_sweep_labels_columns_by_capacity(tmp_path):
    files = []
    for capacity in (1, 50):
        out = tmp_path / f"capacity-{capacity}.json"
        result = capqueue("run", "sequential", "generators", "--items", 200, "--capacity",
                          capacity, "--debug-single-value", "-o", out)
        assert result.returncode == 0, result.stderr
        files.append(out)
    lines = capqueue("report", *files).stdout.splitlines()
    header = next(line for line in lines if line.startswith("variant"))
    assert header.index("capacity 1") < header.index("capacity 50")
    assert not any("fixed cost per run" in line for line in lines)  # no sizes to split


def test_report_writes_markdown(tmp_path):
    out = tmp_path / "run.json"
    capqueue("run", "sequential", "--items", 20, "--debug-single-value", "-o", out)
    lines = capqueue("report", out, "--markdown").stdout.splitlines()
    assert ("| variant | model | per item (median) | 95% interval of the mean | mean ± std dev "
            "| ratio to sequential | CPU per item | switches per item (vol. + invol.) "
            "| peak RSS |") in lines
    assert "|---|---|---:|---:|---:|---:|---:|---:|---:|" in lines


def test_saved_json_is_the_only_file_left(tmp_path):
    out = tmp_path / "run.json"
    capqueue("run", "sequential", "--items", 20, "--debug-single-value", "-o", out)
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
    assert json.loads(out.read_text())["benchmarks"]
