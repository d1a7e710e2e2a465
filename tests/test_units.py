"""Every formatter, by example: what each unit reads like, at its edges."""

import pytest

from harness import units


@pytest.mark.parametrize("seconds, text", [
    (36.2e-9, "36.2 ns"), (1.05e-8, "10.5 ns"), (2.539e-6, "2.54 µs"), (107e-6, "107 µs"),
    (1.214e-3, "1.21 ms"), (2539.0, "2,539 s"), (None, "n/a"), (float("nan"), "n/a"),
])
def test_a_measured_time_has_three_significant_figures(seconds, text):
    assert units.duration(seconds) == text


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (1e-3, "1 ms"), (1.25e-3, "1.25 ms"), (50e-6, "50 µs"), (2.0, "2 s"),
    (1e-8, "10 ns"),
])
def test_a_set_duration_reads_as_typed(seconds, text):
    assert units.exact_duration(seconds) == text


def test_plain_figures_shares_changes_ratios_and_memory():
    assert [units.three(v) for v in (2.5, 36.24, 2539.4)] == ["2.50", "36.2", "2,539"]
    assert [units.number(v) for v in (36.24, 2539.4)] == ["36.2", "2,539"]
    assert units.decimal(1234.56, "µs") == "1,234.6 µs"
    assert (units.percent(0.912), units.percent(None)) == ("91%", "n/a")
    assert (units.change(0.15), units.change(-0.02)) == ("+15%", "-2%")
    assert (units.times(3.62), units.times(1234), units.times(None)) == ("3.6x", "1,234.0x",
                                                                         "n/a")
    assert (units.mib(12.34), units.mib(None)) == ("12.3 MiB", "n/a")


def test_counts_of_things():
    assert units.count(1, "item") == "1 item"
    assert units.count(10_000, "item") == "10,000 items"
    assert units.count(3, "process", "processes") == "3 processes"
    assert units.count(1024, "loop", grouped=False) == "1024 loops"


def test_time_left_and_tick_labels():
    assert (units.time_left(45), units.time_left(720)) == ("45 s", "12 min")
    assert [units.tick_count(v) for v in (1, 100, 1000, 20_000, 1e6)] == ["1", "100", "1k",
                                                                          "20k", "1M"]
    assert [units.tick_duration(ns) for ns in (50, 2000, 1e6)] == ["50 ns", "2 µs", "1 ms"]
