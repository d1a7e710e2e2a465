"""The workload defines the task once: item numbering, sources, and its own validation."""

import pytest

from harness.workload import Workload, WorkloadError


def test_one_producer_sends_the_notebook_items():
    assert list(Workload(items=35).ranges()[0]) == list(range(1, 36))


def test_items_are_distinct_across_producers_and_name_their_owner():
    workload = Workload(items=4, producers=3)
    ranges = workload.ranges()
    everything = [item for r in ranges for item in r]
    assert everything == list(range(1, 13))
    assert [workload.owner(item) for item in ranges[2]] == [(2, 0), (2, 1), (2, 2), (2, 3)]


@pytest.mark.parametrize("field, value, message", [
    ("items", -1, "items must be at least 0, not -1"),
    ("capacity", 0, "capacity must be at least 1, not 0"),
    ("producers", 0, "producers must be at least 1, not 0"),
    ("consumers", -3, "consumers must be at least 1, not -3"),
    ("items", "10", "items must be a whole number, not '10'"),
    ("capacity", 2.5, "capacity must be a whole number, not 2.5"),
    ("producers", True, "producers must be a whole number, not True"),
])
def test_bad_values_are_refused_with_one_sentence(field, value, message):
    with pytest.raises(WorkloadError) as caught:
        Workload(**{field: value})
    assert str(caught.value) == message
    assert caught.value.field == field


def test_metadata_round_trip():
    workload = Workload(items=7, capacity=3, producers=2, consumers=5)
    assert Workload.from_metadata(workload.as_metadata()) == workload


def test_command_line_options_name_every_field():
    workload = Workload(items=7, capacity=3, producers=2, consumers=5)
    assert workload.as_options() == ["--items", "7", "--capacity", "3", "--producers", "2",
                                     "--consumers", "5"]
