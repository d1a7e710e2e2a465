"""Alternative to redis: several items per round trip, and one round trip per batch on each side.

The lesson a broker teaches: per-item round trips are the cost to design away. The buffer
is the same (a list of free-slot tokens, a list of items, the same private server), but
no worker waits for the server once per item:

- a consumer takes every item there is, up to ``capacity``, in one ``BLMPOP`` (Redis 7),
  processes them, and gives their slots back in the same round trip as its next pop (a
  pipeline: two commands written together, both replies read together);
- a producer takes every free slot there is in one ``BLMPOP``, takes one item from its
  source per slot it holds, and pushes them all with one ``RPUSH``, pipelined with its next
  pop of free slots. Every item a producer holds has a slot, so the list plus what the
  workers hold never exceeds the capacity, and the check's depth bound still holds.

Shutdown and failure pass one marker along instead of one per worker: a worker that pops
``DONE`` (or ``STOP``) puts it back at the head of its list for the next one, and leaves.
With batches a consumer could otherwise swallow the markers meant for the others.

At capacity 1 a batch is one item, and only the pipelining is left (two round trips per
item instead of four), which the timing does not tell from the exhibit. With room in the
queue, batches grow with it, and it is much cheaper (``docs/models/redis.md``).
"""

import itertools
import multiprocessing
import pickle
import time
from multiprocessing.connection import wait

import redis

# The same lists and markers as the exhibit.
from variants.redis import DONE, ERRORS, GRACE, ITEMS, PRODUCING, SLOT, SLOTS, STOP

MODEL = "redis"
SERVICE = "redis"  # the same server as the exhibit's

context = multiprocessing.get_context("fork")


def produce(url, source, io, capacity):
    """Hold free slots, fill each with an item, push them all in one round trip."""
    broker = redis.Redis.from_url(url)
    items = iter(source)
    try:
        held = broker.blmpop(0, 1, SLOTS, direction="LEFT", count=capacity)[1]
        while STOP not in held:
            batch = []
            for item in itertools.islice(items, len(held)):  # one item per slot held
                if io:
                    time.sleep(io)
                batch.append(item)
            with broker.pipeline(transaction=False) as pipe:
                if batch:
                    pipe.rpush(ITEMS, *batch)
                if len(batch) < len(held):  # the source ran out: give back what is unused
                    pipe.rpush(SLOTS, *[SLOT] * (len(held) - len(batch)))
                    pipe.decr(PRODUCING)
                    if pipe.execute()[-1] == 0:  # the last producer ends the stream
                        broker.rpush(ITEMS, DONE)
                    return
                pipe.blmpop(0, 1, SLOTS, direction="LEFT", count=capacity)
                held = pipe.execute()[-1][1]
        broker.lpush(SLOTS, STOP)  # leave the marker for the next producer
    except BaseException as exc:
        broker.rpush(ERRORS, pickle.dumps(exc))
        raise SystemExit(1) from None


def consume(url, sink, capacity):
    """Take every item there is, process them, give their slots back with the next pop."""
    broker = redis.Redis.from_url(url)
    processed = 0  # items whose slots are not given back yet
    try:
        while True:
            with broker.pipeline(transaction=False) as pipe:
                if processed:
                    pipe.rpush(SLOTS, *[SLOT] * processed)
                pipe.blmpop(0, 1, ITEMS, direction="LEFT", count=capacity)
                batch = pipe.execute()[-1][1]
            processed = 0
            for item in batch:
                if item in (DONE, STOP):
                    broker.lpush(ITEMS, item)  # leave the marker for the next consumer
                    return
                sink(int(item))
                processed += 1
    except BaseException as exc:
        broker.rpush(ERRORS, pickle.dumps(exc))
        raise SystemExit(1) from None


def run(sources, sinks, capacity, io, service):
    broker = redis.Redis.from_url(service)
    broker.delete(ITEMS, SLOTS, PRODUCING, ERRORS)
    broker.rpush(SLOTS, *[SLOT] * capacity)
    broker.set(PRODUCING, len(sources))
    workers = [context.Process(target=produce, args=(service, source, io, capacity))
               for source in sources]
    workers += [context.Process(target=consume, args=(service, sink, capacity))
                for sink in sinks]
    for worker in workers:
        worker.start()
    try:
        running = list(workers)
        while running:
            wait([worker.sentinel for worker in running])
            for worker in [w for w in running if w.exitcode is not None]:
                running.remove(worker)
                if worker.exitcode:
                    pickled = broker.lpop(ERRORS)
                    if pickled is None:
                        raise RuntimeError(f"{worker.name} died with exit code "
                                           f"{worker.exitcode}")
                    raise pickle.loads(pickled)
    finally:
        if any(worker.is_alive() for worker in workers):
            try:
                broker.lpush(ITEMS, STOP)
                broker.lpush(SLOTS, STOP)
            except redis.RedisError:
                pass  # no broker: terminate() below
        for worker in workers:
            worker.join(GRACE)
            if worker.exitcode is None:
                worker.terminate()
                worker.join()
        broker.close()
