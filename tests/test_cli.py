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


def test_list_names_every_variant_with_model_and_description():
    lines = capqueue("list").stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names[0] == "sequential"
    assert {"generators", "threads", "asyncio", "trio"} <= set(names)
    assert any(line.split()[1] == "trio" and "memory channel" in line for line in lines)


@pytest.mark.parametrize("command", ["list", "check", "trace", "run", "compare", "report"])
def test_every_command_explains_itself(command):
    result = capqueue(command, "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout and len(result.stdout.splitlines()) > 5


def test_run_and_compare_help_say_what_the_timer_includes():
    for command in ("run", "compare"):
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
    assert "| variant | model | ns per item (mean ± std dev) | ratio to sequential | peak RSS |" in lines
    assert "|---|---|---:|---:|---:|" in lines


def test_saved_json_is_the_only_file_left(tmp_path):
    out = tmp_path / "run.json"
    capqueue("run", "sequential", "--items", 20, "--debug-single-value", "-o", out)
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
    assert json.loads(out.read_text())["benchmarks"]
