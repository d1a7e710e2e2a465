"""The matrix: the same benchmarks on several interpreters, one file each, then one table."""

import sys

import pyperf

from harness import report
from harness.measure import python_name
from harness.workload import Workload

from conftest import capqueue
from test_report import bench, suite


def test_a_matrix_of_this_interpreter_alone_goes_through_to_its_report(tmp_path):
    out = tmp_path / "matrix"
    result = capqueue("matrix", "sequential", "generators", "--items", 100,
                      "--debug-single-value", "-o", out)
    assert result.returncode == 0, result.stdout + result.stderr
    name = python_name()
    assert f"[1/1] {name} ({sys.executable})" in result.stdout
    assert f"[{name}] ok    generators" in result.stdout  # progress names the interpreter
    saved = pyperf.BenchmarkSuite.load(str(out / f"{name}.json"))
    assert sorted(saved.get_benchmark_names()) == ["generators", "sequential"]
    meta = saved.get_benchmark("generators").get_metadata()
    assert meta["capqueue_python"] == name and "capqueue_python_build" in meta
    assert "generators  " in (out / f"{name}.txt").read_text()  # its capqueue list
    # run again on the same folder: the interpreter already measured is skipped
    again = capqueue("matrix", "sequential", "--items", 100, "--debug-single-value", "-o", out)
    assert f"[{name}] already measured in {out / (name + '.json')}: skipped" in again.stdout
    # a run cut short left only its partial file: it is measured again, whole
    (out / f"{name}.json").rename(out / f"{name}.json.partial")
    redone = capqueue("matrix", "sequential", "--items", 100, "--debug-single-value", "-o", out)
    assert f"[{name}] {out / (name + '.json.partial')} is a run cut short: measured again" in (
        redone.stdout)
    assert not (out / f"{name}.json.partial").exists()
    redone_suite = pyperf.BenchmarkSuite.load(str(out / f"{name}.json"))
    assert redone_suite.get_benchmark_names() == ["sequential"]


def test_interpreters_that_cannot_run_the_study_are_refused_in_one_sentence(tmp_path):
    missing = capqueue("matrix", "--python", tmp_path / "python9", "-o", tmp_path / "m")
    assert missing.returncode == 2
    assert missing.stderr == f"capqueue: --python {tmp_path / 'python9'}: no such interpreter\n"
    bare = tmp_path / "bare"
    bare.write_text("#!/bin/sh\nexit 1\n")
    bare.chmod(0o755)
    refused = capqueue("matrix", "--python", bare, "-o", tmp_path / "m")
    assert refused.returncode == 2
    assert refused.stderr == (f"capqueue: --python {bare} cannot import pyperf and capqueue's "
                              "harness; install the study into it first (make interpreters)\n")


def test_the_report_of_several_interpreters_is_variants_against_interpreters():
    def measured(python, seq, trio):
        return suite(bench("sequential", [[seq]], capqueue_python=python),
                     bench("trio", [[trio]], capqueue_python=python))
    files = [measured("cpython-3.14.7t", 2e-8, 6e-6), measured("cpython-3.11.7", 4e-8, 1e-5),
             measured("pypy-3.9.16", 1e-8, 4e-6)]
    assert report.interpreters(files) == ["cpython-3.11.7", "cpython-3.14.7t", "pypy-3.9.16"]
    parts = report.render(files)
    times, ratios, change = parts[1], parts[3], parts[5]
    assert times[0].split() == ["variant", "cpython-3.11.7", "cpython-3.14.7t", "pypy-3.9.16"]
    assert ratios[2].split() == ["trio", "250.0x", "300.0x", "400.0x"]
    assert parts[4] == ["Change in time per item against cpython-3.11.7:"]
    assert change[2].split() == ["trio", "+0%", "-40%", "-60%"]


def test_with_work_the_matrix_shows_each_interpreters_efficiency():
    work = Workload(items=100, consumers=2, cpu=1e-4)
    files = [suite(bench("threads", [[e]], work, capqueue_python=p))
             for p, e in (("cpython-3.14.7", 1e-4), ("cpython-3.14.7t", 5e-5))]
    parts = report.render(files)
    assert parts[2] == ["Efficiency against the ideal (100 x 100 µs of CPU work over 2 of the "
                        "consumers and cores):"]
    assert parts[3][1].split() == ["threads", "50%", "100%"]
