"""The statistics of the tables: Student's t, the interval of a mean, overlaps, the split."""

import pytest

from harness import stats


def test_t_quantiles():
    assert stats.t95(1) == 12.706 and stats.t95(30) == 2.042
    assert stats.t95(200) == pytest.approx(1.972, abs=0.001)


def test_the_interval_of_a_mean_is_students():
    # mean 2, sd 1, n 3: t(0.975, 2) = 4.303, half-width 4.303 / sqrt(3)
    assert stats.interval([1.0, 2.0, 3.0]) == pytest.approx((2 - 4.303 / 3 ** 0.5,
                                                             2 + 4.303 / 3 ** 0.5))
    assert stats.interval([5.0]) is None and stats.stdev([5.0]) is None


def test_neighbours_whose_intervals_overlap_are_grouped():
    intervals = {"a": (1, 2), "b": (1.5, 3), "c": (2.9, 4), "d": (10, 11), "e": None,
                 "f": (10.5, 12), "g": (11, 13)}
    groups = stats.overlapping(list(intervals), intervals.get)
    # c overlaps b (not a): the chain holds; e has no interval, so it breaks d from f
    assert groups == [["a", "b", "c"], ["f", "g"]]


def test_two_sizes_give_the_fixed_and_the_marginal_cost():
    # a run of n items takes 1000 + 2 n: per item, 1002 at n = 1 and 3 at n = 1000
    fixed, marginal = stats.fixed_and_marginal((1, 1002.0), (1000, 3.0))
    assert fixed == pytest.approx(1000) and marginal == pytest.approx(2)
