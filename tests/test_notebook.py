"""The generators variant keeps the notebook's design: trace reproduces its narration exactly."""

import contextlib
import io
from collections import deque
from pathlib import Path

import pytest

from conftest import capqueue

IN_21 = Path(__file__).parent / "data" / "notebook_in21.txt"


def notebook_transcript(items, capacity):
    """What the notebook's own code (In [20], copied verbatim) prints for these values."""

    def produce_elements(dq, n):
        for i in range(1, n):
            dq.appendleft(i)
            if len(dq) == dq.maxlen:
                print('queue full - yielding control')
                yield

    def consume_elements(dq):
        while True:
            while len(dq) > 0:
                print('processing ', dq.pop())
            print('queue empty - yielding control')
            yield

    def coordinator():
        dq = deque(maxlen=capacity)
        producer = produce_elements(dq, items + 1)
        consumer = consume_elements(dq)
        while True:
            try:
                print('producing...')
                next(producer)
            except StopIteration:
                # producer finished
                break
            finally:
                print('consuming...')
                next(consumer)

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        coordinator()
    return out.getvalue()


def test_trace_is_the_notebook_in_21_byte_for_byte():
    result = capqueue("trace", "generators", "--items", 35, "--capacity", 10)
    assert result.returncode == 0, result.stderr
    assert result.stdout == IN_21.read_text()


def test_trace_defaults_to_the_notebook_run():
    assert capqueue("trace", "generators").stdout == IN_21.read_text()


def test_oracle_matches_the_recorded_notebook_output():
    assert notebook_transcript(35, 10) == IN_21.read_text()


@pytest.mark.parametrize("items, capacity", [(30, 10), (0, 10), (1, 1), (7, 3), (5, 100),
                                             (100, 7)])
def test_trace_matches_the_notebook_code_for_other_values(items, capacity):
    result = capqueue("trace", "generators", "--items", items, "--capacity", capacity)
    assert result.stdout == notebook_transcript(items, capacity)


def test_trace_of_a_variant_that_does_not_narrate_shows_sources_and_sinks():
    result = capqueue("trace", "threads", "--items", 3, "--capacity", 1)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(lines) == sorted([f"producer 0 takes item {i}" for i in (1, 2, 3)]
                                   + [f"processing  {i}" for i in (1, 2, 3)])
    assert lines.index("producer 0 takes item 1") < lines.index("processing  1")


def test_trace_names_consumers_when_there_are_several():
    result = capqueue("trace", "trio", "--items", 2, "--consumers", 2)
    assert {line.split(" processing")[0] for line in result.stdout.splitlines()
            if "processing" in line} <= {"consumer 0", "consumer 1"}
