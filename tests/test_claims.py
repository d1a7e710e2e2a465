"""Checked claims: a sentence is written only when the intervals support it, else named."""

import re

import pyperf
import pytest

from conftest import capqueue
from harness import claims, docs
from harness.workload import Workload
from test_report import bench, suite


def decide(spec, *suites):
    return claims.decide(claims.parse(spec.split()), list(suites))


FAST = [[1.0e-6], [1.1e-6], [1.2e-6]]  # mean 1.1 µs, 95 % interval 0.85 to 1.35 µs
NEAR = [[1.2e-6], [1.3e-6], [1.4e-6]]  # overlaps FAST
SLOW = [[5.0e-6], [5.1e-6], [5.2e-6]]  # apart from both


@pytest.fixture
def handoff():
    return suite(bench("a", FAST), bench("b", NEAR), bench("c", SLOW), bench("lone", [[2e-6]]))


def test_a_claim_that_holds_is_written_with_its_figures(handoff):
    assert decide("x.json a < c", handoff) == (
        "a costs less per item than c: 1.1 µs (95 % interval 0.9 to 1.3 µs) against 5.1 µs "
        "(4.9 to 5.3 µs), their intervals apart.")


def test_a_claim_the_other_way_round_does_not_hold(handoff):
    with pytest.raises(claims.Unsupported, match=r"^it is the other way round: a \(1\.1 µs"):
        decide("x.json c < a", handoff)


def test_overlapping_intervals_are_a_tie_not_an_order(handoff):
    with pytest.raises(claims.Unsupported, match="are not told apart: their intervals overlap$"):
        decide("x.json a < b", handoff)
    assert decide("x.json a ~ b", handoff).startswith("a and b are not told apart per item")
    with pytest.raises(claims.Unsupported, match="are told apart"):
        decide("x.json a ~ c", handoff)


def test_a_tie_says_when_an_interval_is_wider_than_its_figure(handoff):
    loose = suite(bench("a", FAST), bench("b", [[0.1e-6], [1.0e-6], [2.5e-6]]))
    assert decide("x.json a ~ b", loose).endswith(
        "overlap. b's interval is wider than the figure itself: this run can hardly tell "
        "anything apart from it.")
    assert "wider" not in decide("x.json a ~ b", handoff)


def test_chains_and_groups_compare_every_neighbour(handoff):
    assert decide("x.json a,b < c", handoff).startswith("a and b each cost less per item than c")
    with pytest.raises(claims.Unsupported, match="a .* and b .* are not told apart"):
        decide("x.json a < b < c", handoff)


def test_a_missing_variant_is_named_with_what_there_is(handoff):
    with pytest.raises(claims.ClaimError, match=r"^no variant 'zz' in the results \(they hold "
                                                r"a, b, c, lone\)$"):
        decide("x.json a < zz", handoff)


def test_a_figure_from_one_process_decides_nothing(handoff):
    with pytest.raises(claims.ClaimError, match="^lone was measured in one process only"):
        decide("x.json a < lone", handoff)


def test_a_variant_at_several_points_must_be_narrowed():
    sweep = suite(bench("a", FAST, Workload(capacity=1)), bench("a", SLOW, Workload(capacity=100)),
                  bench("b", NEAR, Workload(capacity=1)))
    with pytest.raises(claims.ClaimError, match="pick one with --where on capacity$"):
        decide("x.json a < b", sweep)
    assert decide("x.json --where capacity=1 a ~ b", sweep).startswith("a and b are not told")


def test_ratios_hold_only_at_every_end_of_the_intervals(handoff):
    assert "times at the ends of the intervals" in decide("x.json c > 3 x a", handoff)
    with pytest.raises(claims.Unsupported, match=r"^c is 3\.6 to 6\.3 times a"):
        decide("x.json c > 4 x a", handoff)


IO = Workload(items=100, producers=2, io=1e-3)  # ideal: 100 waits of 1 ms per 200 items


def test_efficiency_against_the_ideal_uses_the_interval():
    found = suite(bench("good", [[0.51e-3], [0.52e-3], [0.53e-3]], IO),
                  bench("edge", [[0.50e-3], [0.56e-3], [0.62e-3]], IO))
    assert decide("x.json good within 10 % of ideal", found) == (
        "good reaches 96 % (95 % interval 92 to 101 %) of the ideal, within 10 % of it.")
    with pytest.raises(claims.Unsupported, match="not wholly within 10 % of it$"):
        decide("x.json edge within 10 % of ideal", found)
    with pytest.raises(claims.Unsupported, match="not wholly below 90 %$"):
        decide("x.json edge short of 90 % of ideal", found)


def test_trends_need_the_ends_apart_and_no_step_back():
    sweep = suite(*[bench("p", values, Workload(consumers=c))
                    for c, values in ((1, SLOW), (2, NEAR), (4, FAST))],
                  *[bench("t", values, Workload(consumers=c))
                    for c, values in ((1, FAST), (2, NEAR), (4, FAST))])
    assert decide("x.json p falls with consumers", sweep).startswith(
        "The time per item of p falls as the consumers go from 1 to 4: 5.1 µs")
    with pytest.raises(claims.Unsupported, match="^t does not fall with consumers"):
        decide("x.json t falls with consumers", sweep)
    assert "is not told apart from one point to the next" in decide(
        "x.json t flat with consumers", sweep)
    with pytest.raises(claims.Unsupported, match="^p is not level with consumers"):
        decide("x.json p flat with consumers", sweep)


def test_cpu_time_is_compared_over_the_processes_that_recorded_it():
    found = suite(bench("a", FAST, usage={"user_s": 1e-6, "system_s": 0.0}),
                  bench("b", FAST, usage={"user_s": 3e-6, "system_s": 1e-6}))
    assert decide("x.json --figure cpu a < b", found) == (
        "a uses less CPU time per item than b: 1.00 µs (the same in every run) against 4.00 µs "
        "(the same in every run), their intervals apart.")


def test_the_pages_own_words_are_filled_in_only_when_the_claim_holds(handoff):
    words = ["x.json", "--say", "{a.name} takes {a.value}, a fifth of {c}", "a", "<", "c"]
    assert claims.decide(claims.parse(words), [handoff]) == (
        "a takes 1.1 µs, a fifth of 5.1 µs (95 % interval 4.9 to 5.3 µs)")
    words[2] = "{nobody}"
    with pytest.raises(claims.ClaimError, match=r"names \{nobody\}, which is not a variant"):
        claims.decide(claims.parse(words), [handoff])


def test_the_pages_own_words_can_name_a_variant_on_one_interpreter():
    gil = suite(bench("a", SLOW, capqueue_python="cpython-3.14.7"))
    free = suite(bench("a", FAST, capqueue_python="cpython-3.14.7t"))
    words = ["x.json", "y.json", "--say",
             "{a@cpython-3.14.7t.value} free-threaded, {a@cpython-3.14.7} with the GIL",
             "a@cpython-3.14.7t", "<", "a@cpython-3.14.7"]
    assert claims.decide(claims.parse(words), [gil, free]) == (
        "1.1 µs free-threaded, 5.1 µs (95 % interval 4.9 to 5.3 µs) with the GIL")


@pytest.mark.parametrize("words, message", [
    ("a < b", "a claim names its results files first"),
    ("x.json", "a claim needs a relation after its files"),
    ("x.json a < b > c", "'a < b > c' is not a claim: write"),
    ("x.json a within ten % of ideal", "write 'A within 10 % of ideal'"),
    ("x.json a falls with colour", "'colour' is not a workload field"),
])
def test_a_malformed_claim_says_how_to_write_one(handoff, words, message):
    with pytest.raises(claims.ClaimError, match=re.escape(message)):
        decide(words, handoff)


@pytest.mark.parametrize("value, half, kind, text", [
    (1.4712e-6, 0.055e-6, "duration", "1.47 µs"),  # the half-width's first digit: hundredths
    (1.4712e-6, 0.3e-6, "duration", "1.5 µs"),
    (1.4712e-6, 0.12e-6, "duration", "1.47 µs"),  # a leading 1 keeps one digit more
    (871e-9, None, "duration", "871 ns"),  # no interval: three significant figures
    (0.9283, 0.0055, "share", "92.8 %"),
    (14392.0, 0.0, "count", "14,392"),
])
def test_a_figure_keeps_the_digits_its_interval_allows(value, half, kind, text):
    assert claims.quote(value, half, kind) == text


# ---- in the docs ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A tiny project: a README, one page with a claim, and the results it cites."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "results").mkdir()
    (tmp_path / "README.md").write_text("# p\n")
    suite(bench("a", FAST), bench("c", SLOW)).dump(str(tmp_path / "results" / "r.json"))
    page = tmp_path / "docs" / "page.md"
    page.write_text("# Page\n\nSome prose.\n\n<!-- capqueue: claim results/r.json a < c -->\n"
                    "<!-- end capqueue -->\n")
    return tmp_path


def test_a_claim_block_is_the_sentence_with_its_source(project):
    docs.run(project, out=lambda line: None)
    text = (project / "docs" / "page.md").read_text()
    assert ("a costs less per item than c: 1.1 µs (95 % interval 0.9 to 1.3 µs) against "
            "5.1 µs (4.9 to 5.3 µs), their intervals apart. ([`r.json`](../results/r.json))"
            in text)
    assert docs.run(project, check=True, out=lambda line: None) == []


def test_results_that_no_longer_support_a_claim_fail_naming_page_and_line(project):
    docs.run(project, out=lambda line: None)
    before = (project / "docs" / "page.md").read_text()
    (project / "results" / "r.json").unlink()
    suite(bench("a", SLOW), bench("c", FAST)).dump(str(project / "results" / "r.json"))
    for command in (["docs", "--check"], ["docs"]):
        result = capqueue(*command, cwd=project)
        assert result.returncode == 2
        assert result.stderr.startswith(
            "capqueue: docs/page.md line 5: claim 'a < c' does not hold: it is the other way "
            "round: c (1.1 µs")
        assert "Traceback" not in result.stderr
    assert (project / "docs" / "page.md").read_text() == before  # nothing written


def test_every_failing_claim_is_named_not_only_the_first(project):
    page = project / "docs" / "page.md"
    page.write_text(page.read_text() + "\n<!-- capqueue: claim results/r.json c < a -->\n"
                    "<!-- end capqueue -->\n\n<!-- capqueue: claim results/r.json a ~ c -->\n"
                    "<!-- end capqueue -->\n")
    with pytest.raises(docs.ClaimFailure) as failure:
        docs.run(project, out=lambda line: None)
    lines = str(failure.value).splitlines()
    assert lines[0] == "2 claims are not what the results say:"
    assert [line.split(":")[0] for line in lines[1:]] == ["docs/page.md line 8",
                                                          "docs/page.md line 11"]


def test_a_claim_on_a_file_that_is_not_there_is_named(project):
    page = project / "docs" / "page.md"
    page.write_text(page.read_text().replace("results/r.json", "results/gone.json"))
    with pytest.raises(docs.DocsError, match="^docs/page.md line 5: claim: no file matches "
                                             "results/gone.json$"):
        docs.run(project, out=lambda line: None)



def test_memory_per_waiting_producer_is_the_slope_over_a_producers_sweep():
    def at(variant, producers, peaks):  # one pyperf process per peak, as runs record them
        workload = Workload(producers=producers, io=1e-3)
        runs = [pyperf.Run([1e-3], metadata={
            "name": f"{variant} {workload.label()}", "unit": "second",
            "capqueue_variant": variant, "capqueue_model": variant, "cpu_count": 2,
            **workload.as_metadata(), "capqueue_peak_rss": peak}, collect_metadata=False)
            for peak in peaks]
        return pyperf.Benchmark(runs)

    mib = 2**20
    sweep_ = suite(  # tasks: about 2 KiB each; threads: about 62 KiB each
        at("tasks", 1, [30 * mib, 30 * mib + 1000, 30 * mib - 1000]),
        at("tasks", 1001, [30 * mib + 2_048_000, 30 * mib + 2_050_000, 30 * mib + 2_046_000]),
        at("threads", 1, [30 * mib, 30 * mib + 1000, 30 * mib - 1000]),
        at("threads", 1001, [30 * mib + 64_000_000, 30 * mib + 64_100_000,
                             30 * mib + 63_900_000]))
    assert decide("x.json --figure memory tasks < threads", sweep_) == (
        "tasks needs less memory per waiting producer than threads: 2.000 KiB (95 % interval "
        "1.997 to 2.003 KiB) against 62.50 KiB (62.34 to 62.66 KiB), their intervals apart.")
    with pytest.raises(claims.Unsupported, match="other way round"):
        decide("x.json --figure memory threads < tasks", sweep_)
    one_size = suite(at("tasks", 1, [30 * mib, 31 * mib]))
    with pytest.raises(claims.ClaimError, match="two producer counts or more"):
        decide("x.json --figure memory tasks ~ tasks", one_size)


def test_a_figure_quoted_with_the_interval_of_the_mean_is_the_mean():
    skewed = suite(bench("a", [[1e-6], [1e-6], [4e-6]]), bench("b", [[50e-6], [51e-6], [52e-6]]))
    said = decide("x.json a < b", skewed)  # median 1 µs, mean 2 µs: the mean goes with it
    assert said.startswith("a costs less per item than b: 2 µs (95 % interval")


def test_ratios_are_written_without_e_notation():
    far = suite(bench("a", FAST), bench("z", [[200e-6], [210e-6], [220e-6]]))
    assert "times at the ends of the intervals" in decide("x.json z > 100 x a", far)
    assert "e+" not in decide("x.json z > 100 x a", far)
