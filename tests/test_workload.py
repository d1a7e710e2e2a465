"""The workload defines the task once: item numbering, sources, and its own validation."""

import argparse

import pytest

from harness.workload import Workload, WorkloadError, duration


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
    workload = Workload(items=7, capacity=3, producers=2, consumers=5, io=0.001, cpu=5e-5)
    assert Workload.from_metadata(workload.as_metadata()) == workload


def test_results_written_before_a_field_existed_read_with_its_default():
    old = {"capqueue_items": 10000, "capqueue_capacity": 10, "capqueue_producers": 1,
           "capqueue_consumers": 1}
    assert Workload.from_metadata(old) == Workload()


def test_durations_survive_metadata_exactly():
    # Not truncated to whole numbers, as every value once was.
    workload = Workload.from_metadata({"capqueue_io": 0.0015, "capqueue_cpu": "2e-05"})
    assert (workload.io, workload.cpu) == (0.0015, 2e-05)


def test_command_line_options_name_every_field():
    workload = Workload(items=7, capacity=3, producers=2, consumers=5, io=0.001)
    assert workload.as_options() == ["--items", "7", "--capacity", "3", "--producers", "2",
                                     "--consumers", "5", "--io", "0.001", "--io-kind", "sleep",
                                     "--cpu", "0.0"]


@pytest.mark.parametrize("kind", ["sleep", "socket"])
def test_options_rebuild_the_same_workload(kind):
    parser = argparse.ArgumentParser()
    Workload.add_options(parser)
    workload = Workload(items=3, capacity=1, producers=4, consumers=2, io=1.5e-3, io_kind=kind,
                        cpu=7e-6)
    assert Workload.from_args(parser.parse_args(workload.as_options())) == workload


def test_the_kind_of_wait_is_a_timer_unless_told_otherwise():
    assert Workload().io_kind == "sleep" and not Workload().sockets
    old = {"capqueue_items": 10000, "capqueue_io": 0.001}  # a file from before the field
    assert Workload.from_metadata(old).io_kind == "sleep"
    socket = Workload(io=0.1, io_kind="socket")
    assert Workload.from_metadata(socket.as_metadata()) == socket
    assert socket.as_metadata()["capqueue_io_kind"] == "socket"


def test_the_kind_of_wait_shows_in_names_and_descriptions():
    assert Workload(io=0.1, io_kind="socket").label() == "io=100ms io_kind=socket"
    assert Workload(io=0.1, io_kind="socket").describe().endswith(", io 100 ms/item over a socket")
    assert Workload(io_kind="socket").describe().endswith(", a socket round trip/item")
    assert Workload(io_kind="socket").works  # a round trip is work even at io 0


def test_a_sweep_goes_over_kinds_of_wait():
    parser = argparse.ArgumentParser()
    Workload.add_options(parser, grid=True)
    grid = Workload.grid_from_args(parser.parse_args(["--io", "1ms", "--io-kind", "sleep,socket"]))
    assert [w.io_kind for w in grid] == ["sleep", "socket"]


def test_an_unknown_kind_of_wait_is_refused_with_one_sentence():
    with pytest.raises(WorkloadError, match=r"^io_kind must be sleep or socket, not 'tcp'$"):
        Workload(io_kind="tcp")
    parser = argparse.ArgumentParser()
    Workload.add_options(parser)
    [option] = [a for a in parser._actions if a.dest == "io_kind"]
    with pytest.raises(argparse.ArgumentTypeError,
                       match=r"^expected sleep or socket, not 'nonsense'$"):
        option.type("nonsense")


@pytest.mark.parametrize("text, seconds", [
    ("1ms", 1e-3), ("50us", 50e-6), ("50µs", 50e-6), ("2s", 2.0), ("0.002", 0.002),
    ("1e-3", 1e-3), ("250 ns", 250e-9), ("0", 0.0), ("1.5ms", 1.5e-3)])
def test_durations_parse_with_or_without_a_unit(text, seconds):
    assert duration(text) == pytest.approx(seconds, rel=1e-12)


@pytest.mark.parametrize("text, message", [
    ("1min", "unknown unit 'min' in '1min'; use s, ms, us or ns"),
    ("fast", "expected a duration such as 1ms, 50us or 0.002 (seconds), not 'fast'"),
    ("1..2", "expected a duration such as 1ms, 50us or 0.002 (seconds), not '1..2'"),
    ("", "expected a duration such as 1ms, 50us or 0.002 (seconds), not ''")])
def test_bad_durations_are_refused_with_one_sentence(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("field, value, message", [
    ("io", -0.001, "io must not be negative, not -1 ms"),
    ("cpu", float("inf"), "cpu must be a finite duration, not inf"),
    ("io", "1ms", "io must be a finite duration, not '1ms'"),
])
def test_bad_work_is_refused_with_one_sentence(field, value, message):
    with pytest.raises(WorkloadError) as caught:
        Workload(**{field: value})
    assert str(caught.value) == message


def test_the_description_names_the_work_only_when_there_is_some():
    assert "io" not in Workload().describe()
    assert Workload(producers=4, io=0.002, cpu=1e-4).describe() == (
        "10,000 items x 4 producers -> 1 consumer, capacity 10, io 2 ms/item, cpu 100 µs/item")


@pytest.mark.parametrize("workload, cores, least", [
    (Workload(), 2, 0.0),  # no work: no bound but the hand-off itself
    # 4 producers of 200 items, each waiting 2 ms an item, overlapped: 200 waits in a row
    (Workload(items=200, producers=4, io=0.002), 2, 200 * 0.002),
    # 1,000 items of 100 µs of CPU work, over min(4 consumers, 2 cores)
    (Workload(items=1000, consumers=4, cpu=100e-6), 2, 1000 * 100e-6 / 2),
    (Workload(items=1000, consumers=4, cpu=100e-6), 8, 1000 * 100e-6 / 4),
    # both kinds of work: the larger limit wins
    (Workload(items=100, producers=2, io=1e-3, cpu=1e-3), 2, 200 * 1e-3),
])
def test_the_least_time_of_a_run_is_its_larger_limit(workload, cores, least):
    assert workload.least_time(cores) == pytest.approx(least)
