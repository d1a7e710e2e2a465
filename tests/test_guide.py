"""The decision guide's rule: ties inside intervals, the runner-up, what to avoid, undecided rows."""

import pytest

from harness import claims, guide
from test_report import bench, suite
from harness.workload import Workload

IO = Workload(items=100, producers=2, io=1e-3)  # ideal 0.5 ms per item


def job(**changes):
    fields = dict(key="k", title="A job", question="Which?", files=("x.json",), figure="time",
                  why="Because.")
    return guide.Job(**{**fields, **changes})


def times(center):
    return [[center * 0.98], [center], [center * 1.02]]


def names(estimates):
    return [e.name for e in estimates]


def test_the_best_and_everyone_tied_with_it_are_recommended():
    ranked = guide.rank(job(), [suite(bench("a", times(1e-6)), bench("b", times(1.01e-6)),
                                      bench("c", times(3e-6)), bench("d", times(3.02e-6)),
                                      bench("e", times(40e-6)))])
    assert names(ranked.recommended) == ["a", "b"]
    assert names(ranked.runner_up) == ["c", "d"]
    assert names(ranked.avoid) == ["e"]  # over ten times a's time at both ends
    assert not ranked.undecided


def test_for_efficiency_higher_is_better_and_half_the_best_is_to_avoid():
    ranked = guide.rank(job(figure="efficiency"), [suite(
        bench("overlaps", times(0.52e-3), IO), bench("blocks", times(1.0e-3), IO),
        bench("serial", times(2.1e-3), IO))])
    assert names(ranked.recommended) == ["overlaps"]
    assert names(ranked.runner_up) == ["blocks"]
    assert names(ranked.avoid) == ["serial"]


def test_a_row_whose_best_is_tied_with_running_in_sequence_is_undecided():
    ranked = guide.rank(job(figure="efficiency", baseline=True), [suite(
        bench("sequential", [[1.0e-3], [1.1e-3], [1.2e-3]], IO),
        bench("processes", [[0.9e-3], [1.05e-3], [1.15e-3]], IO))])
    assert ranked.undecided
    assert names(ranked.recommended) == ["processes"]  # the baseline is never a candidate
    decided = guide.rank(job(figure="efficiency", baseline=True), [suite(
        bench("sequential", times(1e-3), IO), bench("threads", times(0.55e-3), IO))])
    assert not decided.undecided


def test_a_named_candidate_missing_from_the_results_is_an_error():
    with pytest.raises(claims.ClaimError, match=r"^guide row 'k': no redis in x\.json$"):
        guide.rank(job(candidates=("processes", "redis")),
                   [suite(bench("processes", times(1e-5)))], files=("x.json",))


def test_the_rows_point_of_a_sweep_is_chosen_with_where():
    sweep = suite(bench("a", times(1e-6), Workload(capacity=1)),
                  bench("b", times(2e-6), Workload(capacity=1)),
                  bench("a", times(9e-6), Workload(capacity=10)),
                  bench("b", times(2e-6), Workload(capacity=10)))
    assert names(guide.rank(job(where=("capacity=1",)), [sweep]).recommended) == ["a"]
    assert names(guide.rank(job(where=("capacity=10",)), [sweep]).recommended) == ["b"]


def test_the_section_says_undecided_and_what_would_decide_it():
    ranked = guide.rank(job(figure="efficiency", baseline=True, decide="more cores",
                            section="summary.md#x"), [suite(
        bench("sequential", [[1.0e-3], [1.1e-3], [1.2e-3]], IO),
        bench("processes", [[0.9e-3], [1.05e-3], [1.15e-3]], IO))], files=("results/x.json",))
    text = "\n".join(guide.section(ranked, lambda path: path, lambda path: "`make study`"))
    assert "**Undecided on this machine.**" in text
    assert "What would decide it: more cores." in text
    assert "**Recommended:**" not in text


def test_every_row_of_the_guide_names_results_that_exist():
    from conftest import ROOT

    for ranked in guide.rankings(ROOT):
        assert ranked.files and ranked.estimates
