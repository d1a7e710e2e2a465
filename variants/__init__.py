"""The exhibits: one module per way of writing the capped-queue producer/consumer.

Every module in this package is a variant, found by name with no other edit (modules whose
name starts with an underscore are skipped). A variant is a plain module with:

``MODEL``
    The concurrency model it belongs to, as a short string ("threads", "asyncio", ...).
    Several variants may share a model; the tables group and label them by it.

a docstring
    Its first line is the one-line description ``capqueue list`` prints. The rest says how
    the model expresses the hand-off, back-pressure (a full queue), shutdown and failure.

``run(sources, sinks, capacity, io)``
    Does the whole job and returns when every item is processed.

    - ``sources`` is a list of iterables, one per producer. Each is iterated once; a
      producer takes its next item only after it has put the previous one in the queue.
    - ``sinks`` is a list of callables, one per consumer. A consumer calls its sink once
      for every item it takes from the queue, in the order it took them.
    - ``capacity`` is the most items the queue may hold at once (at least 1).
    - ``io`` is the I/O wait of every item, in seconds (0: none). After taking an item
      from its source and before putting it in the queue, a producer waits ``io`` the way
      its model waits for I/O, in one visible line: ``await asyncio.sleep(io)``,
      ``await trio.sleep(io)``, ``gevent.sleep(io)``, ``time.sleep(io)`` in a thread or a
      process. A model with no scheduler can only block (``time.sleep``), and so waits
      for one producer at a time. Guard it with ``if io:``, so that a run with no wait
      does not even yield.

    The harness always passes ``io`` by keyword. CPU work per item (``--cpu``) needs
    nothing from a variant: it happens inside the sinks.

    Sources and sinks are picklable, so a variant may hand them to worker processes when
    it starts them. If a source or a sink raises, ``run`` stops its other workers and
    raises that error (alone or inside an ``ExceptionGroup``). Shutdown (sentinels,
    closing a channel, cancelling) is the variant's own business, in its model's idiom.

    A variant may also accept a keyword ``say``: ``capqueue trace`` then passes
    ``print`` and the variant narrates its control flow (who runs, who waits), as the
    teaching notebook's generators do. Timed runs pass nothing.

    ``run`` is a plain function (not ``async def``, not a generator): the harness calls it
    and waits for it to return, with nothing left running (no thread, task, greenlet or
    process, in any session).

``service()`` (optional)
    For a variant that needs a server of its own (a broker): a context manager that starts
    it, yields what ``run`` needs to reach it (an address), and stops it on exit. The
    harness enters it once in each process that runs the variant (the check's child, each
    pyperf worker), outside the timer, and passes what it yields to every ``run`` as the
    keyword ``service``; ``run`` must leave the server as it found it for the next run.
    The server must not outlive the process that started it, even when that process is
    killed: the check kills its child's whole process group, pyperf kills a worker alone.

``PROGRAMS`` (optional)
    The programs the variant runs, as a tuple of names looked up on ``PATH``
    (``("redis-server",)``). Where one is missing the variant is *unavailable*, with that
    reason, and the others still run, as for a library that is not installed.

A variant holds no harness plumbing: the harness owns the sources and sinks, and so can
instrument them (see ``harness.instruments``) without touching the exhibit. ``capqueue new
NAME --model MODEL`` writes a skeleton to start from; ``capqueue conform NAME`` runs the
whole contract on it (``docs/extending.md`` spells the contract out, rule by rule).
"""
