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


def test_groups_not_told_apart_share_a_value_so_a_chain_is_split():
    intervals = {"a": (1, 2), "b": (1.5, 3), "c": (2.9, 4), "d": (10, 11), "e": None,
                 "f": (10.5, 12), "g": (11, 13)}
    groups = stats.overlapping(list(intervals), intervals.get)
    # c overlaps b but not a: a ≈ b and b ≈ c, never a ≈ c; d, f and g all hold 11
    assert groups == [["a", "b"], ["b", "c"], ["d", "f", "g"]]


def test_a_group_holds_every_interval_through_one_value():
    intervals = {"wide": (0, 100), "x": (1, 2), "y": (3, 4), "z": (50, 60)}
    assert stats.overlapping(list(intervals), intervals.get) == [
        ["wide", "x"], ["wide", "y"], ["wide", "z"]]


def test_the_split_of_two_sizes_carries_their_intervals():
    # per item 1002 ± 10 at n = 1 and 3 ± 0.1 at n = 1000
    fixed, marginal = stats.interval_of_fit((1, (992.0, 1012.0)), (1000, (2.9, 3.1)))
    assert marginal == pytest.approx(((2900 - 1012) / 999, (3100 - 992) / 999))
    assert fixed == pytest.approx((1000 * (992 - 3.1) / 999, 1000 * (1012 - 2.9) / 999))
    assert stats.interval_of_fit((1, None), (1000, (2.9, 3.1))) is None


def test_two_sizes_give_the_fixed_and_the_marginal_cost():
    # a run of n items takes 1000 + 2 n: per item, 1002 at n = 1 and 3 at n = 1000
    fixed, marginal = stats.fixed_and_marginal((1, 1002.0), (1000, 3.0))
    assert fixed == pytest.approx(1000) and marginal == pytest.approx(2)
