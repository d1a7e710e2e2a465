"""The instruments: the calibrated CPU work, and the sinks that do it."""

import sys
from collections import deque

import pytest

from harness.instruments import WorkingSink, calibrate, loops_for, spin, spin_rate, timed_sinks


@pytest.mark.parametrize("loops", [0, 1, 10, 12_345])
def test_spin_does_exactly_its_iterations(loops):
    # Its result depends on every iteration, so no iteration can be skipped or added.
    assert spin(loops) == sum(range(loops))


def test_the_same_count_is_the_same_work_every_time():
    calls = []

    def count(frame, event, arg):
        if event == "line" and frame.f_code is spin.__code__:
            calls.append(frame.f_lineno)
        return count

    sys.settrace(lambda frame, event, arg: count if frame.f_code is spin.__code__ else None)
    try:
        spin(300)
        first = list(calls)
        calls.clear()
        spin(300)
    finally:
        sys.settrace(None)
    assert calls == first and len(first) > 600  # the same lines, the same number of times


@pytest.mark.parametrize("seconds, rate, loops", [
    (0.0, 1e7, 0), (100e-6, 1e7, 1000), (1e-9, 1e7, 1), (50e-6, 3.3e7, 1650)])
def test_loops_for_a_duration(seconds, rate, loops):
    assert loops_for(seconds, rate) == loops


def test_rates_are_measured_in_fresh_processes():
    assert spin_rate(seconds=0.002, repeats=2) > 0
    assert calibrate() > 0


def test_a_timed_sink_without_work_is_the_bare_append():
    sinks, lasts = timed_sinks(2)
    assert all(type(sink).__name__ == "builtin_function_or_method" for sink in sinks)
    sinks[1](7)
    assert list(lasts[1]) == [7]


def test_a_timed_sink_with_work_spins_then_keeps_the_item(monkeypatch):
    done = []
    monkeypatch.setattr("harness.instruments.spin", done.append)
    sinks, lasts = timed_sinks(1, loops=250)
    sinks[0](42)
    assert done == [250] and list(lasts[0]) == [42]


def test_a_working_sink_can_cross_to_another_process():
    import pickle
    sink = pickle.loads(pickle.dumps(WorkingSink(5, deque(maxlen=1).append)))
    assert sink.loops == 5


def test_the_ledger_lock_excludes_other_open_files_of_the_ledger(tmp_path):
    # What subinterpreters and processes rely on: two ledgers on one file, in one process,
    # each with its own open file, exclude each other.
    import fcntl
    import pickle

    from harness.instruments import Ledger
    from harness.workload import Workload

    workload = Workload(items=3)
    Ledger.create(tmp_path / "ledger", workload)
    first = Ledger(tmp_path / "ledger", workload)
    second = pickle.loads(pickle.dumps(first))  # as another interpreter gets it
    with first.lock():
        with pytest.raises(BlockingIOError):
            fcntl.flock(second._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    fcntl.flock(second._file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    fcntl.flock(second._file, fcntl.LOCK_UN)
    first.took(0, 1)
    assert second.takes[0] == 1  # and both see the same counters
    first.close()
    second.close()
