"""capqueue instructions: counts under valgrind, saved as pyperf JSON of unit 'integer'.

A Python process takes seconds under valgrind, so the counting tests use tiny workloads
and one variant each, and one count (a module fixture) serves several tests. Nothing here
compares figures between variants: the tests prove the path, the file and the refusals.
"""

import os
import shutil
import subprocess
import sys

import pyperf
import pytest

from conftest import ROOT, capqueue
from harness import instructions
from harness.instructions import Counts, Problem, benchmark, parse_log
from harness.registry import Variant, find
from harness.workload import Workload

needs_valgrind = pytest.mark.skipif(
    shutil.which("valgrind") is None,
    reason="valgrind is not installed (make test installs it where it can: apt-get as root)")

ITEMS = 300

# One pytest worker runs this module, so that its module fixture counts once (under
# valgrind, seconds), not once per worker.
pytestmark = pytest.mark.xdist_group("instructions")


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    """One count of the sequential variant on a tiny workload: (CompletedProcess, file)."""
    out = tmp_path_factory.mktemp("instructions") / "counts.json"
    return capqueue("instructions", "sequential", "--items", ITEMS, "-o", out), out


@needs_valgrind
def test_counts_instructions_per_item_into_pyperf_json(counted):
    result, out = counted
    assert result.returncode == 0, result.stdout + result.stderr
    assert "counted   sequential" in result.stdout
    [bench] = pyperf.BenchmarkSuite.load(str(out)).get_benchmarks()
    assert bench.get_name() == "sequential"
    assert bench.get_unit() == "integer"
    meta = bench.get_metadata()
    base, empty, full, again = (meta[f"capqueue_instructions_{k}"]
                                for k in ("base", "empty", "full", "base_again"))
    assert base < empty < full
    assert abs(again - base) <= 0.001 * (full - empty)
    assert bench.get_values() == (round((full - empty) / ITEMS, 1),)
    assert meta["capqueue_fixed_instructions"] == empty - base
    assert Workload.from_metadata(meta) == Workload(items=ITEMS)
    assert meta["capqueue_variant"] == "sequential" and meta["capqueue_model"] == "sequential"
    assert meta["capqueue_hash_seed"] == 0
    assert meta["capqueue_valgrind"].startswith("valgrind-")
    assert "pyperf==" in meta["capqueue_libraries"]
    assert meta["python_version"] and meta["python_executable"]
    assert "mem_max_rss" not in meta  # the harness's own, not the counted runs'


@needs_valgrind
def test_counts_work_with_pyperf_and_capqueue_report(counted):
    _, out = counted
    compared = subprocess.run([sys.executable, "-m", "pyperf", "compare_to", out, out],
                              capture_output=True, text=True)
    assert compared.returncode == 0, compared.stderr
    shown = subprocess.run([sys.executable, "-m", "pyperf", "show", out],
                           capture_output=True, text=True)
    assert shown.returncode == 0 and shown.stdout.strip()
    reported = capqueue("report", out)
    assert reported.returncode == 0, reported.stderr
    header = next(line for line in reported.stdout.splitlines() if line.startswith("variant"))
    assert "instructions per item" in header
    row = next(line for line in reported.stdout.splitlines() if line.startswith("sequential"))
    assert " s " not in row and "ns" not in row  # a count, not a duration


@needs_valgrind
def test_variants_that_start_a_thread_or_a_process_are_left_out_with_the_reason(tmp_path):
    out = tmp_path / "counts.json"
    result = capqueue("instructions", "threads", "processes", "--items", 20, "-j", 2, "-o", out)
    assert result.returncode == 1, result.stdout + result.stderr
    left_out = {line.split()[2]: line for line in result.stdout.splitlines()
                if line.startswith("left out")}
    assert "it starts an OS thread besides the main one" in left_out["threads"]
    assert "it starts another process (valgrind saw process" in left_out["processes"]
    assert "no variant was counted: no file was written" in result.stdout
    assert not out.exists()


def test_help_says_what_is_left_out_and_what_instructions_miss():
    text = " ".join(capqueue("instructions", "--help").stdout.split())
    assert "one OS thread" in text and "does not see the kernel" in text
    assert "cache misses, system calls or waits" in text
    assert "PYTHONHASHSEED" in text


def test_without_valgrind_the_command_says_so_in_one_sentence(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # nothing to run there
    result = subprocess.run([sys.executable, "-m", "harness", "instructions", "sequential"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == ("capqueue: valgrind is not installed, and counting instructions "
                             "needs it: install it (apt-get install valgrind, or make valgrind "
                             "as root)\n")


def timings_file(path):
    """A results file of timings (unit second), as capqueue run writes them."""
    run = pyperf.Run([1e-7], metadata={"name": "sequential", "capqueue_variant": "sequential",
                                       **Workload().as_metadata()}, collect_metadata=False)
    pyperf.BenchmarkSuite([pyperf.Benchmark([run])]).dump(str(path))
    return path


@pytest.mark.parametrize("args, said", [
    ("--items 0", "--items must be at least 1 to count anything per item, not 0"),
    ("--jobs 0", "--jobs must be at least 1, not 0"),
    ("-o {tmp}/a.json --append {tmp}/b.json", "give -o FILE or --append FILE, not both"),
    ("-o {timings}", "{timings} already exists; name a new file, or add to it with --append"),
    ("--append {timings}", "{timings} holds timings ('sequential' is in seconds); add "
     "instruction counts to a file of counts, or name a new one with -o"),
    ("threadz", "no variant named 'threadz'; did you mean 'threads'?"),
])
def test_bad_input_is_one_sentence_and_status_2(tmp_path, args, said):
    places = {"tmp": tmp_path, "timings": timings_file(tmp_path / "timings.json")}
    result = capqueue("instructions", *args.format(**places).split())
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == f"capqueue: {said.format(**places)}\n"


def test_a_refused_second_thread_is_a_reason_not_a_count():
    log = "==1== Command: python\nUse --max-threads=INT to specify a larger number of threads"
    with pytest.raises(Problem, match="^it starts an OS thread besides the main one$") as info:
        parse_log(log, status=1)
    assert info.value.left_out
    assert parse_log("==7== \n==7== I   refs:      310,117,903\n") == 310_117_903
    with pytest.raises(Problem, match=r"^failed under valgrind \(exit status 1\)$") as info:
        parse_log("==7== I   refs:      310,117,903\n", status=1)
    assert not info.value.left_out


def test_the_fixed_and_marginal_costs_come_from_the_three_counts():
    workload = Workload(items=100, producers=2)
    counts = Counts(find("sequential"), workload, base=1_000, empty=1_500, full=81_500,
                    again=1_000)
    assert counts.per_run == 500
    assert counts.per_item == 400  # 80,000 instructions over 200 items
    bench = benchmark(counts, "valgrind-3.19.0")
    assert bench.get_values() == (400.0,)
    assert bench.get_metadata()["capqueue_fixed_instructions"] == 500


@pytest.mark.parametrize("script, moved", [
    ([1_000, 1_500, 81_500, 1_000], False),  # the base did not move
    ([1_000, 1_500, 81_500, 1_080], False),  # by 0.1 % of the run at most: jitter
    ([1_000, 1_500, 81_500, 21_000, 1_000, 1_500, 81_500, 1_000], False),  # once: redone
    ([1_000, 1_500, 81_500, 21_000, 1_000, 1_500, 81_500, 21_000], True),  # twice: refused
])
def test_a_count_whose_base_moved_meanwhile_is_redone_then_refused(monkeypatch, script, moved):
    counts = iter(script)
    monkeypatch.setattr(instructions, "count", lambda *args, **kwargs: next(counts))
    workload = Workload(items=100, producers=2)
    if moved:
        with pytest.raises(Problem, match="^its base process counted 1,000 then 21,000 "
                                          "instructions, twice more apart than its run "
                                          "allows: something it reads changed meanwhile"):
            instructions.count_variant("valgrind", find("sequential"), workload)
    else:
        found = instructions.count_variant("valgrind", find("sequential"), workload)
        assert (found.per_item, found.per_run) == (400, 500)
    assert next(counts, None) is None  # every count the script planned was taken


def test_a_variant_served_by_another_process_is_left_out_before_counting():
    served = Variant("brokered", "brokered.py", run=lambda *a, **k: None,
                     service=lambda: None)
    with pytest.raises(instructions.Problem, match="through a server in another process") as info:
        instructions.count_variant("valgrind-never-called", served, Workload(items=10))
    assert info.value.left_out
