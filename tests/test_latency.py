"""The latency mode: stamps that survive every model, the arithmetic of its figures, and what
its tables and plots show (behaviour only: no figure is asserted to be fast or slow)."""

import pytest

from harness import claims, latency, plot, registry, report, results, stamps
from harness.workload import Workload

from conftest import RAY, broken, capqueue

# What each model may show in flight beyond the capacity (the depth seen counts an item a
# consumer has taken from the queue and not yet handed to its sink). One thread, and a get
# that leaves the item in the queue until the consumer runs and sinks it with no switch in
# between: nothing. Everything else may hold one item per consumer: consumers that run in
# parallel (threads, processes, a broker), or a send that hands an item straight to a
# waiting receiver (trio's and anyio's memory channels).
NONE_IN_FLIGHT = {"sequential", "generators", "greenlet", "asyncio", "asyncio on uvloop",
                  "gevent"}
SHAPE = Workload(items=30, capacity=2, producers=2, consumers=2)


@pytest.mark.xdist_group("ray")
def test_one_small_run_of_every_variant_stamps_each_model_and_shows_it(tmp_path, request):
    # One run for all of it: every variant that can run here, and one that starves a
    # consumer on purpose, at a small size, one process each, no warm-up. ray_queue runs on
    # the suite's shared cluster.
    names = [v.name for v in registry.discover() if v.ok] + ["starves_a_consumer"]
    if RAY.ok:
        request.getfixturevalue("on_ray_cluster")
    path = tmp_path / "every.json"
    done = capqueue("latency", *names, "--variant-path", broken("starves_a_consumer"),
                    *SHAPE.as_options(), "-p", 1, "-w", 0, "-o", path)
    assert done.returncode == 0, done.stdout + done.stderr
    suite = results.load(path)

    # The stamps survive every model (processes and redis included: one clock for every
    # process), and each model's depth stays within what it may hold in flight.
    found = {row.variant: row for row in latency.rows(suite)}
    assert sorted(found) == sorted(names)
    for row in found.values():
        assert sum(row.consumers()[0]) == SHAPE.total  # every item, once: checked from stamps
        allowed = 0 if row.model in NONE_IN_FLIGHT else SHAPE.consumers
        assert max(row.per_process("depth_max")) <= SHAPE.capacity + allowed, row.variant

    # A consumer starved on purpose shows as unfair; trio's shares evenly.
    row = found["starves_a_consumer"]
    assert row.consumers() == [[SHAPE.total, 0]]
    assert row.ratios() == [float("inf")] and row.cvs() == [1.0] and row.starved()
    assert not found["trio"].starved() and found["trio"].cvs() == [0.0]
    fairness = next(t for t in latency.tables([suite]) if t.kind == "fairness")
    assert fairness.cell("starves_a_consumer", "busiest / least busy") == "∞"
    unfair = next(note for note in fairness.notes if note.startswith("Unfair"))
    assert "starves_a_consumer" in unfair and "trio" not in unfair
    assert "Unfair: in every process, one consumer processed no item at all" in done.stdout

    # Read as latency, never as times per item; a percentile as the claims' Estimate.
    assert report.rows(suite) == []
    assert [t.kind for t in report.tables([suite])] == ["latency", "depth", "fairness"]
    figure = latency.estimate([suite], "threads", "p99")
    assert figure.center == found["threads"].median("latency p99")
    assert figure.kind == "duration" and figure.low is None  # one process: no interval
    claim = claims.parse(["every.json", "--figure", "p99", "trio", "<", "redis"])
    with pytest.raises(claims.ClaimError, match="^trio was measured in one process only"):
        claims.decide(claim, [suite])  # a claim on a percentile reads these same figures

    # Each of its plots draws, byte-stable.
    two = ["threads", "starves_a_consumer"]
    for kind in ("latency", "depth", "fill", "consumers"):
        written = plot.PLOTS[kind]([suite], tmp_path / kind, two)
        assert [p.suffix for p in written] == [".svg", ".png"]
    again = plot.PLOTS["fill"]([suite], tmp_path / "again", two)
    assert again[0].read_bytes() == (tmp_path / "fill.svg").read_bytes()


def test_percentiles_are_nearest_rank_on_a_known_array():
    values = list(range(1, 1001))
    assert [stamps.percentile(values, share) for _, share in stamps.PERCENTILES] == [
        500, 900, 990, 999]
    assert stamps.percentile([7], 0.999) == 7
    assert stamps.percentile(list(range(1, 11)), 0.99) == 10
    assert stamps.percentile(list(range(1, 11)), 0.5) == 5
    counts = stamps.read_histogram(stamps.histogram([1000, 1000, 10_000, 100_000]))
    assert counts == {60: 2, 80: 1, 100: 1}  # 20 buckets a decade of nanoseconds
    points = stamps.cdf([counts, {60: 4}])
    assert [share for _, share in points] == [0.75, 0.875, 1.0]


def stamped(workload, order):
    """Stamps of a hand-made run: ``order`` is a list of (consumer, item) sink calls, each
    a tick after every producer took its items one tick apart, in turn."""
    produced = [0] * workload.total
    clock = 1
    for item in range(1, workload.total + 1):
        produced[item - 1] = clock
        clock += 1
    exhausted = [clock] * workload.producers
    logs = [([], [], 0) for _ in range(workload.consumers)]
    for consumer, item in order:
        clock += 1
        items, times, count = logs[consumer]
        logs[consumer] = (items + [item], times + [clock], count + 1)
    return produced, exhausted, logs


def test_the_stamps_alone_prove_the_task_and_name_what_broke_it():
    w = Workload(items=3, capacity=10, producers=2, consumers=2)
    fine = [(0, 1), (1, 4), (0, 2), (1, 5), (0, 3), (1, 6)]
    figures = stamps.analyse(w, *stamped(w, fine))
    assert figures.problems == [] and figures.per_consumer == [3, 3]
    assert figures.latency["max"] > figures.latency["p50"] > 0
    broken_runs = {
        "duplicate item 2: processed a second time, by consumer 1": fine[:3] + [(1, 2)] + fine[3:],
        "item 1 after item 2 at consumer 0: producer 0's order was not kept":
            [(0, 2), (0, 1)] + fine[1:2] + fine[3:],
        "missing item 6 (producer 1's item 3): no consumer processed it": fine[:-1],
        "consumer 1 processed item 7, which no source produced": fine + [(1, 7)],
    }
    for problem, order in broken_runs.items():
        assert problem in stamps.analyse(w, *stamped(w, order)).problems
    produced, exhausted, logs = stamped(w, fine)
    produced[0] = logs[0][1][0] + 1  # taken after it was processed
    assert stamps.analyse(w, produced, exhausted, logs).problems == [
        "consumer 0 processed item 1 before producer 0 took it from its source"]


def test_a_queue_seen_deeper_than_its_capacity_and_the_consumers_hands_fails():
    w = Workload(items=8, capacity=2, producers=1, consumers=1)
    ordered = [(0, item) for item in range(1, 9)]
    # every take first, every sink call after: 7 puts known done before the first sink call
    assert stamps.analyse(w, *stamped(w, ordered)).problems == [
        "queue depth seen 8 > capacity 2 + 1 item(s) in the consumers' hands"]
