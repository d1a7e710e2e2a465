"""The delay server of socket waits: one reply per request, sent ``io`` after the request came.

A program of its own (``python -m harness.delayserver --port N``), which the harness starts
as a service (``harness.services.DelayServer``) in each process that runs variants with
``--io-kind socket``, outside every timer. It is an ``asyncio.Protocol`` on uvloop's event
loop (libuv's epoll loop, in C), falling back to asyncio's own loop where uvloop is not
installed: at 100 connections most of its CPU per round trip is the kernel's loopback path,
not Python (``capqueue delayserver --bench`` measures its capacity; docs/methodology.md
has the figures).

The protocol, per TCP connection. The message of each item is one byte, so that no client
has to frame anything: ``recv(1)`` is the whole reply.

- ``?`` is a request, what a producer sends per item. The server answers ``!`` the
  connection's delay after the request arrived; with no delay, at once.
- ``d<microseconds>\\n`` sets the connection's delay and ``i<number>\\n`` names it (the
  producer's index). The harness sends both when it opens a producer's connection, before
  the timer; the server answers neither. So one server serves every workload of a process.
- ``S``, on a connection of the harness's own after a run, answers one line per named
  connection seen since the last ``S``, open or closed, then ``.``, and forgets them:
  ``<name> <requests> <pending> <early> <reset> <delayed> <waited_ns>``. ``pending``
  counts the requests still unanswered when the client closed (or now, if it has not);
  ``early`` the requests that came while the connection's previous reply was still pending
  (its client did not wait for it); ``reset`` is 1 when the client closed with replies
  unread (the kernel then sends a reset, not a FIN); ``waited_ns`` is the time the ``delayed``
  replies really waited in the server, from arrival to write. Names, not client ports, key
  the counts: loopback reuses a closed connection's port at once.
- ``C`` answers the server's own CPU time so far, ``<nanoseconds>\\n``.
- ``V`` answers who it is: ``capqueue-delayserver <pid> <loop> <pad_ns> <nofile>\\n``.

Capacity. ``capacity()`` (``capqueue delayserver --bench``) measures what the server can
do: a trivial client (an ``asyncio.Protocol`` on uvloop, in another process) keeps one
request in flight on each of N connections at io 0 for a few seconds, and counts round
trips per second and the CPU each side spends per round trip (the server's from its own
``C`` answers).

Timers. libuv's count whole milliseconds, and uvloop starts one from a clock truncated to
the millisecond, so a reply could come up to 1 ms *early*; the server adds ``PAD`` (1 ms)
to every delay on uvloop, so that no reply comes before ``io``. Each connection's replies
then come 0.2 to 1.3 ms after ``io`` on a quiet machine; ``harness.waits`` measures that
lateness at start-up and the ideal counts it.

The server raises its soft limit of open files to the hard one at start (a plain call, no
privilege), stops on SIGTERM or SIGINT, and is killed with the process that started it
(``harness.services``).
"""

import argparse
import asyncio
import os
import resource
import signal
import socket
import sys
import time

from harness.limits import raise_open_files

PAD = 0.001  # seconds added to every delay on uvloop, whose timers round to whole ms
BACKLOG = 4096  # Linux's default somaxconn: 10,000 connections opened in a row never overflow it
IDENTITY = "capqueue-delayserver"


class Connection(asyncio.Protocol):
    """One client's connection: count its requests, answer each one its delay after it came."""

    __slots__ = ("server", "loop", "transport", "delay", "name", "command", "requests",
                 "pending", "early", "reset", "delayed", "waited", "unanswered")

    def __init__(self, server):
        self.server, self.loop = server, server.loop
        self.delay = 0.0
        self.name = self.command = None  # command: a 'd...' or 'i...' being read
        self.requests = self.pending = self.early = self.reset = self.delayed = 0
        self.waited = 0.0
        self.unanswered = None  # requests still pending when the client closed

    def connection_made(self, transport):
        self.transport = transport
        self.server.seen.append(self)

    def data_received(self, data):
        if data == b"?" and self.command is None:  # the one path that matters for speed
            self.request()
            return
        for byte in data:
            if self.command is not None:
                if byte == 10:  # the end of 'd<microseconds>\n' or 'i<number>\n'
                    kind, value = self.command[:1], int(self.command[1:] or b"0")
                    if kind == b"d":
                        self.delay = value / 1e6 + self.server.pad if value else 0.0
                    else:
                        self.name = value
                    self.command = None
                elif 48 <= byte <= 57:
                    self.command += bytes((byte,))
                else:
                    return self.refuse()
            elif byte == 63:  # ?
                self.request()
            elif byte in b"di":
                self.command = bytes((byte,))
            elif byte == 83:  # S
                self.transport.write(self.server.counts(self))
            elif byte == 67:  # C
                self.transport.write(b"%d\n" % time.process_time_ns())
            elif byte == 86:  # V
                self.transport.write(self.server.identity.encode())
            else:
                return self.refuse()
        return None

    def refuse(self):
        """Not our protocol: say so and hang up."""
        self.transport.write(b"E\n")
        self.transport.close()

    def request(self):
        self.requests += 1
        if self.pending:
            self.early += 1
        if not self.delay:
            self.transport.write(b"!")
            return
        self.pending += 1
        self.loop.call_later(self.delay, self.reply, time.perf_counter())

    def reply(self, arrived):
        self.pending -= 1
        self.delayed += 1
        self.waited += time.perf_counter() - arrived
        if not self.transport.is_closing():
            self.transport.write(b"!")

    def connection_lost(self, exc):
        self.unanswered = self.pending
        if exc is not None:  # ECONNRESET: the client closed with our replies unread
            self.reset = 1


class DelayServer:
    """The listening server: its connections since the last ``S``, and who it is."""

    def __init__(self, loop, pad, loop_name):
        self.loop, self.pad = loop, pad
        self.seen = []
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        self.identity = f"{IDENTITY} {os.getpid()} {loop_name} {round(pad * 1e9)} {soft}\n"

    def counts(self, asking):
        """The ``S`` answer: a line per named connection since the last one, then '.'."""
        lines = [b"%d %d %d %d %d %d %d\n" % (
            c.name, c.requests, c.pending if c.unanswered is None else c.unanswered, c.early,
            c.reset, c.delayed, round(c.waited * 1e9)) for c in self.seen if c.name is not None]
        self.seen[:] = [c for c in self.seen if c is asking]
        return b"".join(lines) + b".\n"


class Pinger(asyncio.Protocol):
    """A trivial client's connection: one request in flight, the next sent on each reply."""

    def __init__(self, state):
        self.state, self.sent, self.count = state, 0.0, 0

    def connection_made(self, transport):
        self.transport = transport

    def ask(self):
        self.sent = time.perf_counter()
        self.transport.write(b"?")

    def data_received(self, data):
        now = time.perf_counter()
        if self.state["measuring"]:
            self.state["took"].append(now - self.sent)
            self.count += len(data)
        if self.state["running"]:
            self.sent = now
            self.transport.write(b"?")


def capacity(address, connections, seconds=3.0, warmup=0.5):
    """Round trips per second of the server at ``address`` with ``connections`` clients at
    io 0, one request in flight each, and the CPU per round trip of both sides: a dict."""
    import statistics  # only the measuring side needs it

    run, loop_name = event_loop("best")
    raise_open_files()

    def control(question):
        with socket.create_connection(address) as asking:
            asking.sendall(question)
            return int(asking.makefile("rb").readline())

    async def measure():
        loop = asyncio.get_running_loop()
        state = {"running": True, "measuring": False, "took": []}
        opened = time.perf_counter()
        sockets = []
        for _ in range(connections):
            connection = socket.create_connection(address)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection.sendall(b"d0\n")
            sockets.append(connection)
        opened = time.perf_counter() - opened
        pingers = []
        for connection in sockets:
            _, pinger = await loop.create_connection(lambda: Pinger(state), sock=connection)
            pingers.append(pinger)
        for pinger in pingers:
            pinger.ask()
        await asyncio.sleep(warmup)
        state["measuring"] = True
        server, client, started = control(b"C"), time.process_time(), time.perf_counter()
        await asyncio.sleep(seconds)
        wall = time.perf_counter() - started
        server, client = control(b"C") - server, time.process_time() - client
        state["measuring"] = state["running"] = False
        trips = sum(pinger.count for pinger in pingers)
        for pinger in pingers:
            pinger.transport.close()
        await asyncio.sleep(0.1)
        return {"connections": connections, "seconds": wall, "round_trips": trips,
                "rate": trips / wall, "median_round_trip": statistics.median(state["took"]),
                "server_cpu": server / 1e9 / trips, "client_cpu": client / trips,
                "server_cores": server / 1e9 / wall, "client_cores": client / wall,
                "opening": opened / connections, "client_loop": loop_name}

    return run(measure())


def event_loop(name="best"):
    """(a function that runs a coroutine on the chosen loop, its name with version)."""
    if name != "asyncio":
        try:
            import uvloop
        except ImportError:
            if name == "uvloop":
                raise
        else:
            return uvloop.run, f"uvloop-{uvloop.__version__}"
    return asyncio.run, f"asyncio-{sys.version_info[0]}.{sys.version_info[1]}"


async def serve(port, pad, loop_name, host="127.0.0.1"):
    """Listen on ``host:port`` until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    server = DelayServer(loop, pad, loop_name)
    listening = await loop.create_server(lambda: Connection(server), host, port,
                                         backlog=BACKLOG)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with listening:
        await stop.wait()


def main(argv=None):
    """Serve on the port the harness chose, on uvloop unless told otherwise."""
    parser = argparse.ArgumentParser(prog="python -m harness.delayserver",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=("best", "uvloop", "asyncio"), default="best",
                        help="uvloop where it is installed (best), or the one named")
    parser.add_argument("--pad", type=float, default=None,
                        help=f"seconds added to every delay (default: {PAD:g} on uvloop, "
                             "whose timers count whole milliseconds; 0 on asyncio's loop)")
    args = parser.parse_args(argv)
    raise_open_files()
    run, loop_name = event_loop(args.loop)
    pad = args.pad if args.pad is not None else (PAD if loop_name.startswith("uvloop") else 0.0)
    try:
        run(serve(args.port, pad, loop_name))
    except OSError as exc:  # the port was taken meanwhile: the harness tries another
        print(f"cannot listen on port {args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
