"""Alternative to ray_queue: many items per remote call, with put_nowait_batch and get_nowait_batch.

Ray's queue costs a remote call per ``put`` and per ``get``. Its batch calls move a whole
list in one call, but they never wait: ``put_nowait_batch`` raises ``Full`` unless every
item fits, and ``get_nowait_batch(n)`` raises ``Empty`` unless ``n`` items are there. So the
bounded buffer is built as in ``redis_pipelined``, from two of Ray's queues, unbounded:
``slots`` starts with ``capacity`` free-slot tokens, ``items`` starts empty.

- a producer waits for one free slot (a blocking ``get``), then takes every other free slot
  there is (``qsize``, then ``get_nowait_batch``; another producer may take some meanwhile,
  and then it takes what is left), takes one item from its source per slot it holds, and
  puts them all with one ``put_nowait_batch``: every item has a slot, so the batch fits;
- a consumer waits for one item, takes every other item there is the same way, processes
  them, then gives their slots back with one ``put_nowait_batch``.

Every item a worker holds has a slot, and a slot is given back only once its item is
processed, so the queue plus what the workers hold never exceeds the capacity. Shutdown:
one end-of-stream marker, passed along: a consumer that takes it puts it back for the
next one. Failure as in ``ray_queue``, whose actors' options, countdown and ``stop`` this
file shares. A batch costs about four calls a side whatever its size, so at capacity 1,
where a batch is one item, this costs more than ``ray_queue``, and it costs less once the
queue has room for large batches (``docs/models/ray.md`` decides both on the intervals).
"""

import itertools
import time

import ray
from ray.util.queue import Empty, Queue

from variants.ray_queue import ACTOR, Countdown, place, stop

MODEL = "ray"
SERVICE = "ray"
SLOT, DONE = "slot", "done"  # never an item: items are ints


def take(queue):
    """Wait for one entry of ``queue``, then take every other one there is."""
    taken = [queue.get()]
    waiting = queue.qsize()
    while waiting:
        try:
            return taken + queue.get_nowait_batch(waiting)
        except Empty:  # another worker took some meanwhile: take what is left
            waiting = queue.qsize()
    return taken


@ray.remote(**ACTOR, max_task_retries=0)
class Producer:
    """Holds free slots, fills each with an item, puts them all in one call."""

    def run(self, items, slots, source, io, countdown):
        source = iter(source)
        while True:
            held = take(slots)
            batch = []
            for item in itertools.islice(source, len(held)):  # one item per slot held
                if io:
                    time.sleep(io)
                batch.append(item)
            if batch:
                items.put_nowait_batch(batch)
            if len(batch) < len(held):  # the source ran out: give back what is unused
                slots.put_nowait_batch([SLOT] * (len(held) - len(batch)))
                if ray.get(countdown.finished.remote()):
                    items.put(DONE)
                return


@ray.remote(**ACTOR, max_task_retries=0)
class Consumer:
    """Takes every item there is, processes them, gives their slots back in one call."""

    def run(self, items, slots, sink):
        while True:
            batch = take(items)
            done = DONE in batch
            if done:
                batch.remove(DONE)
                items.put(DONE)  # for the next consumer
            for item in batch:
                sink(item)
            if batch:  # processed: their slots are free again
                slots.put_nowait_batch([SLOT] * len(batch))
            if done:
                return


def run(sources, sinks, capacity, io, service):
    """Fill the slots, start an actor per worker, wait for them, kill everyone on a failure."""
    items, slots = Queue(actor_options=ACTOR), Queue(actor_options=ACTOR)
    slots.put_nowait_batch([SLOT] * capacity)
    countdown = Countdown.remote(len(sources))
    producers = [Producer.remote() for _ in sources]
    consumers = [Consumer.remote() for _ in sinks]
    actors = [items.actor, slots.actor, countdown, *producers, *consumers]
    places = [actor.__ray_call__.remote(place) for actor in actors]
    running = [p.run.remote(items, slots, source, io, countdown)
               for p, source in zip(producers, sources)]
    running += [c.run.remote(items, slots, sink) for c, sink in zip(consumers, sinks)]
    try:
        while running:
            [done], running = ray.wait(running, num_returns=1)
            try:
                ray.get(done)
            except ray.exceptions.RayTaskError as error:
                raise error.cause from None
    finally:
        stop(actors, places)
