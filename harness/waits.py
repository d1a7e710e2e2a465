"""The I/O waits of a workload, as the harness provides them to each run.

With ``--io-kind sleep`` (the default) there is nothing to provide: a producer sleeps
``io`` in its model's own way, and ``run`` is called as it always was.

With ``--io-kind socket`` each item's wait is a round trip to the delay server
(``harness.delayserver``): the producer sends ``?`` over a TCP connection of its own and
reads the ``!`` that the server sends ``io`` after the request came. ``provided(workload)``
enters the server (``services.DELAY``) once in the process that runs the variant (the
check's child, each pyperf worker), outside every timer, and yields a ``Waits``. For each
run:

1. before the timer, ``open()`` connects one socket per producer and tells the server its
   delay and its producer's number, so that the server counts requests per producer; ``run``
   gets them as ``connections`` (in the order of ``sources``);
2. each producer adopts its socket and closes it when its source is done, in its model's
   idiom (so every model pays the same close inside the timer, and none leaves a socket to
   the garbage collector: asyncio's transports, anyio's streams and gevent's sockets close
   what they adopted when they are collected);
3. after the timer, ``close()`` closes whatever the run left open (a no-op for a socket the
   producer closed), noting replies that no one read, and ``counts()`` asks the server what
   each producer did.

Connections are opened by the harness, not by the exhibits, because connecting costs
several round trips (``capqueue delayserver --bench`` shows how many) and is the same for
every model; what a model does with a connected socket is what the study compares.

File descriptors. A process needs one per connection and the server one per client; the
harness raises the soft limit to the hard one (``raise_open_files``, no privilege needed),
records it (``capqueue_nofile_limit``), and a workload needing more than the hard limit
cannot run (``room``).

``measure()`` takes, once per timing process and outside every timer, the figures the ideal
of socket waits is made of (``Workload.least_time``): the loopback round trip with an idle
server, the CPU both ends spend per round trip with a trivial blocking client, and how much
later than ``io`` the server really replies (libuv's timers count whole milliseconds).
"""

import contextlib
import resource
import socket
import statistics
import time
from dataclasses import dataclass

from harness import services
from harness.limits import FILE_RESERVE, raise_open_files

SETTLE = 0.05  # seconds for the server to see every connection's end before it is asked
WARMUP_TRIPS, TRIPS = 100, 1_000  # round trips of the probe at one connection
CPU_TRIPS = 3_000  # round trips of the probe for the CPU per round trip
CPU_CONNECTIONS = 100  # at most: as many connections as producers, up to this many
LATE_SECONDS = 0.2  # the probe of the server's lateness takes about this long
LATE_PROBE = 0.02  # longer delays are probed at a delay this long, with the same sub-ms part


class TooManyConnections(OSError):
    """This process may not open the connections of a run (its limit of open files)."""


@dataclass(frozen=True)
class Count:
    """What the delay server saw of one producer's connection during a run."""

    requests: int = 0  # requests it received
    pending: int = 0  # requests still unanswered when the connection closed
    early: int = 0  # requests that came before the reply to the previous one was sent
    reset: int = 0  # 1 if the client closed with replies unread
    delayed: int = 0  # replies sent after a delay
    waited: float = 0.0  # seconds the delayed replies waited in the server, in all



def room(workload, limit=None):
    """Why this process cannot open the connections of ``workload``, as a phrase, or ''.

    ``limit`` is the most open files a process may have (by default the hard limit, to
    which the harness raises the soft one).
    """
    if not workload.sockets:
        return ""
    limit = limit or resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    needed = workload.producers + FILE_RESERVE
    if needed <= limit:
        return ""
    return (f"{workload.producers:,} connections need about {needed:,} open files, more than "
            f"a process may have here ({limit:,}: ulimit -Hn)")


class Waits:
    """The waits of one workload in this process: what each run is given, what it did."""

    def __init__(self, workload, address=None, metadata=None):
        self.workload = workload
        self.address = address  # the delay server's (host, port), for socket waits
        self.metadata = dict(metadata or {})  # of the server, for every benchmark
        self.unread = {}  # producer -> bytes of replies left unread at the last close()
        if workload.sockets:
            self.metadata["capqueue_nofile_limit"] = raise_open_files()[0]

    def open(self):
        """The keyword arguments of the next ``run``, made before the timer: {} for timer
        waits, else ``connections``, one connected socket per producer."""
        if self.address is None:
            return {}
        problem = room(self.workload, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        if problem:
            raise TooManyConnections(problem)
        io_us = round(self.workload.io * 1e6)
        connections = []
        try:
            for producer in range(self.workload.producers):
                connection = self._connect()
                connection.sendall(b"d%d\ni%d\n" % (io_us, producer))
                connections.append(connection)
        except BaseException:
            for connection in connections:
                connection.close()
            raise
        return {"connections": connections}

    def close(self, given):
        """After the timer: close what the run left open, noting replies no one read."""
        self.unread = {}
        for producer, connection in enumerate(given.get("connections", ())):
            if connection.fileno() == -1:
                continue  # closed (or taken over) by its producer, as it should be
            with contextlib.suppress(OSError):
                connection.setblocking(False)
                left = len(connection.recv(1 << 16, socket.MSG_PEEK))
                if left:
                    self.unread[producer] = left
            connection.close()

    def counts(self, settle=False):
        """What the server saw of each producer since the last call: {producer: Count}.

        With ``settle``, first give the server a moment to see the end of every connection
        (a reset comes apart from the data): the check needs that, the timed runs do not.
        """
        if settle:
            time.sleep(SETTLE)
        lines = self._ask(b"S", lambda data: data.endswith(b".\n")).splitlines()[:-1]
        found = {}
        for line in lines:
            name, requests, pending, early, reset, delayed, waited_ns = map(int, line.split())
            found[name] = Count(requests, pending, early, reset, delayed, waited_ns / 1e9)
        return found

    def server_cpu(self):
        """The delay server's CPU time so far, in seconds."""
        return int(self._ask(b"C", lambda data: data.endswith(b"\n"))) / 1e9

    def measure(self):
        """The figures of the ideal, as run metadata: taken outside every timer (see the
        module docstring); {} for timer waits."""
        if self.address is None:
            return {}
        trip = self._round_trip()
        client, server = self._cpu_per_round_trip()
        return {"capqueue_round_trip_s": trip, "capqueue_round_trip_client_cpu_s": client,
                "capqueue_round_trip_server_cpu_s": server,
                "capqueue_reply_late_s": self._lateness()}

    # The probes of measure(), each on connections of its own, none named but the last.

    def _connect(self):
        connection = socket.create_connection(self.address)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _ask(self, question, complete):
        with self._connect() as control:
            control.sendall(question)
            data = b""
            while not complete(data):
                chunk = control.recv(1 << 16)
                if not chunk:
                    raise ConnectionError(f"the delay server hung up on {question!r}")
                data += chunk
        return data

    def _round_trip(self):
        """The median wall time of one round trip at io 0, alone on one connection."""
        took = []
        with self._connect() as connection:
            for _ in range(WARMUP_TRIPS + TRIPS):
                started = time.perf_counter()
                connection.sendall(b"?")
                connection.recv(1)
                took.append(time.perf_counter() - started)
        return statistics.median(took[WARMUP_TRIPS:])

    def _cpu_per_round_trip(self):
        """CPU seconds per round trip of a trivial blocking client and of the server, with as
        many connections as producers (up to CPU_CONNECTIONS), one request in flight each."""
        width = min(self.workload.producers, CPU_CONNECTIONS)
        rounds = max(CPU_TRIPS // width, 10)
        connections = [self._connect() for _ in range(width)]
        try:
            server, client = self.server_cpu(), time.thread_time()
            for _ in range(rounds):
                for connection in connections:
                    connection.sendall(b"?")
                for connection in connections:
                    connection.recv(1)
            client, server = time.thread_time() - client, self.server_cpu() - server
        finally:
            for connection in connections:
                connection.close()
        return client / (rounds * width), server / (rounds * width)

    def _lateness(self):
        """How much later than asked the server replies, on average, at a delay like io's.

        Long delays are probed at LATE_PROBE plus io's part below a millisecond, which is
        what decides how libuv rounds a timer, so that the probe stays short.
        """
        io = self.workload.io
        if not io:
            return 0.0
        probe = io if io <= LATE_PROBE else LATE_PROBE + io % 0.001
        asked_us = round(probe * 1e6)
        self.counts()  # forget what came before
        with self._connect() as connection:
            connection.sendall(b"d%d\ni0\n" % asked_us)
            for _ in range(max(3, min(20, int(LATE_SECONDS / probe)))):
                connection.sendall(b"?")
                connection.recv(1)
        [count] = self.counts().values()
        return max(count.waited / count.delayed - asked_us / 1e6, 0.0)


@contextlib.contextmanager
def provided(workload):
    """The waits of ``workload`` in this process, for as long as the ``with`` block lasts:
    for socket waits the delay server runs meanwhile (started here, stopped on the way out,
    however the block ends)."""
    if not workload.sockets:
        yield Waits(workload)
        return
    with services.DELAY.running() as running:
        yield Waits(workload, running.address, running.metadata)
