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
      The items are distinct positive ints, and a variant hands each to a sink as the int
      it took: ``redis``, which gets text back from the server, turns it into an int again
      (``int(item)``). The harness relies on it: the check and the latency mode
      (``capqueue latency``) record each item's events indexed by the item itself, so that
      nothing travels with an item and no exhibit changes for them.
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

``run(..., connections=None)`` (optional: socket waits)
    With ``--io-kind socket`` the harness also passes, by keyword, ``connections``: one
    connected TCP socket per producer, in the order of ``sources`` (None, or nothing at
    all, otherwise: give it that default). Each item's I/O wait is then a round trip over
    the producer's own socket to the harness's delay server, instead of a sleep: send the
    byte ``b"?"`` and read the one-byte reply (``recv(1)``), which the server sends ``io``
    after the request came (at once for ``io`` 0), in the model's own way and in one
    visible line or two. The producer adopts its socket in its model's idiom
    (``asyncio.open_connection(sock=...)``, ``trio.SocketStream``, anyio's
    ``SocketStream.from_socket``, a ``gevent.socket.socket`` given its ``detach()``-ed
    file descriptor, the socket itself in a thread or a forked process) and closes it when
    its source is done; the harness opens the connections before the timer and cleans up
    whatever is left after it. Keep the sleep path as it is, with nothing more per item:
    give the socket wait a producer of its own, or a wrapper of the source chosen once per
    producer. A variant whose ``run`` takes no ``connections`` cannot run socket waits:
    every command says so ("cannot run: ...") instead of running it.

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

``SERVICE`` (optional)
    The name of a service the harness provides, for a variant that needs a server: today
    ``"redis"``, a Redis server, and ``"ray"``, a Ray cluster. The harness starts it once in
    each process that runs the variant (the check's child, each pyperf worker), outside the
    timer, waits until it answers, and stops it when that process is done, even when the
    process is killed; or, when the reader names a server of their own
    (``CAPQUEUE_REDIS_URL``, ``CAPQUEUE_RAY_ADDRESS``), uses that one and starts nothing.
    What the service yields, its address (a ``redis://`` URL; the cluster's, which this
    process has joined already), is passed to every ``run`` as the keyword ``service``;
    ``run`` must leave the server as it found it for the next run. Where the service cannot be had (no ``redis-server`` on ``PATH`` and no
    server of the reader's named), the variant is *unavailable*, with that reason.
    ``harness.services`` says what each service is and records it with every benchmark.

``service()`` (optional, for a server the harness does not provide)
    A context manager that starts the server, yields what ``run`` needs to reach it, and
    stops it on exit; the harness enters it where it would start a ``SERVICE`` and passes
    what it yields as ``service``. It is kept for variants that live elsewhere and need a
    server of their own; an exhibit here names a ``SERVICE`` instead, so that it holds no
    server plumbing. Its server must not outlive the process that started it, even when that
    process is killed (the check kills its child's whole process group, pyperf kills a
    worker alone): ``harness.services`` shows how, and the check reports a server left
    behind as a process the run left running. A variant has a ``SERVICE`` or a
    ``service()``, not both.

``PROGRAMS`` (optional)
    The programs the variant runs itself, as a tuple of names looked up on ``PATH``
    (``("valgrind",)``). Where one is missing the variant is *unavailable*, with that
    reason, and the others still run, as for a library that is not installed.

``PER_PRODUCER`` (optional)
    What the variant starts for each producer that the operating system counts:
    ``"thread"`` (an OS thread), ``"process"`` (a forked process) or ``"interpreter"`` (a
    subinterpreter on a thread of its own). Leave it out for tasks, greenlets and
    generators, which cost the OS nothing each. The harness compares it with this
    machine's limits before it starts a run (``harness.limits``), so that a point past
    them is reported as one that cannot run, with the reason, instead of crashing or
    hanging at the 22,000th thread.

Near twins. A variant that differs from a sibling only in how the model is started (another
event loop, another backend) imports the sibling's workers and writes only its own ``run``:
``asyncio_uvloop`` runs ``asyncio``'s ``main`` on uvloop, ``anyio_trio`` runs
``anyio_asyncio``'s on trio. A variant whose hand-off differs (its queue, its shutdown, its
failure handling) writes its whole hand-off out, even where lines repeat a sibling's
(``mixed_janus`` and ``mixed_culsans`` have the same workers around different queues,
``redis`` repeats the supervision loop of ``processes`` around a broker), because the
hand-off is what a reader compares, and they should see all of it in one file. Exhibits
share nothing else: no helper module, nothing of the harness.

A variant holds no harness plumbing: the harness owns the sources and sinks, and so can
instrument them (see ``harness.instruments``) without touching the exhibit. ``capqueue new
NAME --model MODEL`` writes a skeleton to start from, made from the model's exhibit;
``capqueue conform NAME`` runs the whole contract on it (``docs/extending.md`` spells the
contract out, rule by rule).
"""
