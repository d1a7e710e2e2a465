"""Services: what a run needs besides the variant, started, waited for and stopped by the harness.

A service is something a run talks to that is not the variant's own code: today the Redis
server of the ``redis`` variant, and the Ray cluster of ``ray_queue``. A variant names the
one it needs (``SERVICE = "redis"``);
the harness enters the service once in each process that runs the variant (the check's
child, every pyperf worker), outside every timer, and passes what it yields, its address,
to every ``run`` as the keyword ``service``. Whether the variant can run here follows from
the service (``Service.problem``): for Redis, a ``redis-server`` on ``PATH``.

Every service goes through one mechanism, whatever it is:

- **started** by ``Service.running()``, a context manager that yields a ``Running``: the
  address ``run`` is given, and the metadata every benchmark records of it;
- **waited for** until it answers as itself, within ``START_LIMIT`` seconds;
- **recorded**: ``Running.metadata`` says which server answered (its version) and where
  (``private``, or the host and port of the reader's own, never credentials);
- **stopped** when the ``with`` block ends, however it ends (a run that returned or raised,
  an interrupt).

A service may be **given by the reader** instead of started: each service may name an
environment variable (``Service.environ``; ``CAPQUEUE_REDIS_URL`` for Redis). Unset, the
harness starts a private server; set, it uses the one it names, starts nothing, and records
that it did. The variable has to reach every process that runs a variant: the check's child
inherits the whole environment, but a pyperf worker gets only a few variables unless told,
so the session passes ``ENVIRON`` (every such variable) to pyperf's ``inherit_environ``.

``Server`` is the mechanism for a service that is a program: a free port on the loopback
interface, a fresh try on another port when a program takes it first (up to ``ATTEMPTS``),
and a server that never outlives the process that started it. It stays in that process's
group, so the check's kill of its child's group reaches it, and the kernel kills it when
that process dies in any way (``PR_SET_PDEATHSIG``, Linux), a pyperf worker killed alone
with ``SIGKILL`` included. ``Redis`` is such a service. A subclass gives the command line
for a port, the address for a port, and how to ask a server who it is (``identify``).

``DELAY``, the delay server of socket waits (``harness.delayserver``), is a ``Server`` too,
but it belongs to the workload, not to a variant: no variant names it, and whoever builds
the sources of a run with ``--io-kind socket`` enters it, around the same runs (see
``harness.waits``).

- a program the harness runs (a delay server that socket I/O waits talk to): a ``Server``
  subclass, added to ``SERVICES``. A service that belongs to the workload rather than to a
  variant is entered the same way, around the same runs, by whoever builds the sources;
- a service started in-process: a ``Service`` subclass whose ``running()`` starts it and
  stops it in a ``finally``, as ``Ray`` does with ``ray.init`` and ``ray.shutdown``.

A variant may still bring its own ``service()`` context manager, for a server the harness
does not provide (``Own``): it gets the same place in the run (entered once per process,
outside the timer, what it yields passed as ``service``), but keeping its server from
outliving its process is then its own job, and the check reports a server left behind as a
process the run left running.
"""

import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field

START_LIMIT = 10.0  # seconds a service gets to answer
ATTEMPTS = 5  # ports to try: another program may take a free port before the server does
STOP_LIMIT = 5.0  # seconds a server gets to exit on SIGTERM before it is killed
POLL = 0.005  # seconds between two questions to a server that does not answer yet


class ServiceError(Exception):
    """A service could not be had: the message names it and says why."""


class NotYet(Exception):
    """A server that does not answer yet (nothing listens, or it is still starting)."""


class Refused(Exception):
    """A server that answers, but not as the service asked for (another program, a password)."""


@dataclass(frozen=True)
class Running:
    """A service as the runs see it while it runs."""

    address: object  # what ``run`` is passed as ``service``
    metadata: dict = field(default_factory=dict)  # recorded with every benchmark
    # The CPU seconds (user, system) and context switches so far of processes of the service
    # that this process's getrusage cannot see (a callable), or None if it sees them all;
    # the callable returns None when they cannot be counted (see harness.measure).
    usage: object = None


class Service:
    """Something runs need besides the variant, which the harness starts (or is given)."""

    name = "?"
    environ = ""  # the environment variable that names the reader's own, if one may
    inherits = ()  # more variables every process that reaches the reader's own needs

    def given(self):
        """The reader's own (the value of ``environ``), or None: start a private one."""
        return (os.environ.get(self.environ) or None) if self.environ else None

    def problem(self):
        """Why the service cannot be had here, as a phrase ("needs the program ..."), or ''."""
        return ""

    def note(self):
        """What ``capqueue list`` says of it, beside the variant's description."""
        return ""

    @contextlib.contextmanager
    def running(self):
        """The service, running for as long as the ``with`` block lasts."""
        raise NotImplementedError
        yield


@dataclass(frozen=True)
class Own(Service):
    """A variant's own ``service()``: entered in the same place, its guarantees its own."""

    factory: object  # the variant's service(), a context manager factory
    name = "the variant's own service()"

    @contextlib.contextmanager
    def running(self):
        with self.factory() as address:
            yield Running(address)


class Server(Service):
    """A service that is a program listening on a loopback port, one per process."""

    program = "?"  # looked up on PATH

    def command(self, port):
        """The command line that starts a server on ``port``."""
        raise NotImplementedError

    def address(self, port):
        """What ``run`` is given to reach the server on ``port``."""
        raise NotImplementedError

    def identify(self, address):
        """Ask the server at ``address`` who it is: a dict with its ``pid`` and ``version``.

        Raises ``NotYet`` while nothing answers, ``Refused`` when something answers but not
        as this service (another program took the port, the reader's wants a password).
        """
        raise NotImplementedError

    def check_given(self, given):
        """What is wrong with the reader's ``given`` address, as a phrase, or ''."""
        return ""

    def where(self, given):
        """Where the reader's ``given`` server is, for a person: host and port, no credentials."""
        return given

    def problem(self):
        given = self.given()
        if given:
            return self.check_given(given)
        if shutil.which(self.program) is None:
            return (f"needs the program {self.program}, which is not on PATH (or set "
                    f"{self.environ} to use a server of yours)" if self.environ else
                    f"needs the program {self.program}, which is not on PATH")
        return ""

    def note(self):
        given = self.given()
        if given:
            return f"{self.name}: yours at {self.where(given)}, from ${self.environ}"
        if self.environ:
            return f"{self.name}: a private {self.program}, or yours at ${self.environ}"
        return f"{self.name}: a private {self.program}"

    def metadata(self, facts, given=None):
        """What every benchmark records of the server that answered."""
        return {f"capqueue_{self.name}_server": self.where(given) if given else "private",
                f"capqueue_{self.name}_version": str(facts.get("version", "unknown"))}

    @contextlib.contextmanager
    def running(self):
        given = self.given()
        if given:  # the reader's: start nothing, only wait until it answers
            problem = self.check_given(given)
            if problem:
                raise ServiceError(f"{self.name}: {problem}")
            facts = self._wait_for(given, f"{self.name}: the server at {self.where(given)} "
                                          f"(${self.environ})")
            yield Running(given, self.metadata(facts, given))
            return
        said = "no output"
        for _ in range(ATTEMPTS):
            port = free_port()
            with tempfile.TemporaryFile() as log:
                server = subprocess.Popen(self.command(port), stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          preexec_fn=die_with(os.getpid()))
                try:
                    facts = self._wait_for(self.address(port), f"{self.name}: {self.program}",
                                           server)
                    if facts is not None:
                        yield Running(self.address(port), self.metadata(facts))
                        return
                finally:
                    stop(server)
                log.seek(0)
                said = (log.read().decode(errors="replace").strip().splitlines() or [said])[-1]
        raise ServiceError(f"{self.name}: {self.program} did not start after {ATTEMPTS} tries "
                           f"(exit status {server.returncode}): {said}")

    def _wait_for(self, address, what, server=None):
        """The facts of the server at ``address`` once it answers; None if our ``server``
        exited or another program answered in its place (try another port)."""
        deadline = time.monotonic() + START_LIMIT
        why = "nothing answered"
        while server is None or server.poll() is None:
            try:
                facts = self.identify(address)
            except NotYet as exc:
                why = str(exc) or why
            except Refused as exc:
                if server is not None:
                    return None  # someone else's, on the port we chose
                raise ServiceError(f"{what} refused us: {exc}") from None
            else:
                if server is None or facts.get("pid") == server.pid:
                    return facts
                return None  # another server answered on our port
            if time.monotonic() > deadline:
                raise ServiceError(f"{what} did not answer within {START_LIMIT:g} s: {why}")
            time.sleep(POLL)
        return None


class Redis(Server):
    """A Redis server: private on a loopback port (no persistence), or the reader's own."""

    name = "redis"
    program = "redis-server"
    environ = "CAPQUEUE_REDIS_URL"
    SCHEMES = ("redis", "rediss", "unix")

    def command(self, port):
        # Persistence off (no snapshot, no append-only file): the lists live in memory only.
        return ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                "--appendonly", "no"]

    def address(self, port):
        return f"redis://127.0.0.1:{port}/0"

    def check_given(self, given):
        url = urllib.parse.urlsplit(given)
        if url.scheme not in self.SCHEMES:
            return (f"{self.environ} is not a Redis URL: it should start with redis://, "
                    "rediss:// or unix:// (redis://HOST:PORT/DB)")
        try:
            url.port  # noqa: B018 - parsing it is the point
        except ValueError:
            return f"{self.environ} has a port that is not a number from 0 to 65535"
        if url.scheme != "unix" and not url.hostname:
            return f"{self.environ} names no host (redis://HOST:PORT/DB)"
        return ""

    def where(self, given):
        url = urllib.parse.urlsplit(given)
        if url.scheme == "unix":
            return url.path
        host = url.hostname or "?"
        try:
            port = url.port or 6379
        except ValueError:
            port = "?"
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def identify(self, address):
        import redis  # redis-py: the variant needs it anyway, the rest of the harness does not
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = redis.Redis.from_url(address, socket_timeout=1, socket_connect_timeout=1,
                                      retry=Retry(NoBackoff(), 0))
        try:
            info = client.info("server")
        except redis.AuthenticationError as exc:
            raise Refused(exc) from None
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise NotYet(exc) from None
        except redis.RedisError as exc:  # not Redis, or not a Redis that lets us in
            raise Refused(exc) from None
        finally:
            client.close()
        return {"pid": info.get("process_id"), "version": info.get("redis_version", "unknown")}


class Ray(Service):
    """A Ray cluster: a private one on this machine, one per process, or the reader's own.

    The private cluster is what ``ray.init()`` starts on one machine (a GCS server, a
    raylet, their agents, a pool of worker processes), with its dashboard and usage reporting
    off, its logs and sockets in a temporary folder removed on exit, a random access token of
    its own in the environment (Ray turns token authentication on for a new cluster, and
    would otherwise write a token to ``~/.ray``), and every server of it on the loopback
    interface. Ray's servers listen on every interface of the address it picks for the
    node, and it picks the machine's reachable address even when told 127.0.0.1, except
    where it does not support clusters of several machines (macOS, Windows): there it keeps
    a node on loopback. The harness asks for that (``LOOPBACK``), for the private cluster
    only: the reader's cluster must reach this process from other machines.

    ``ray.init`` binds the cluster's main processes to this one, but not the processes its
    raylet starts; a watchdog (``harness.watchdog``) ends those when this process dies in
    any way, and counts their CPU time while it lives (``Running.usage``), which this
    process's ``getrusage`` cannot see. With ``CAPQUEUE_RAY_ADDRESS`` set, this process
    joins the reader's cluster instead and starts nothing; their token must be in the
    environment too (``RAY_AUTH_MODE=token`` and ``RAY_AUTH_TOKEN``), and the CPU time of
    their cluster's processes is not measured.
    """

    name = "ray"
    environ = "CAPQUEUE_RAY_ADDRESS"
    # To join theirs: their token, and for a cluster kept on loopback, Ray's loopback switch
    inherits = ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH",
                "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER")
    MARK = "CAPQUEUE_RAY_SESSION"  # in the environment of every process of a private cluster
    OBJECT_STORE = 128 * 2**20  # bytes: items are small ints, which travel inside the calls
    # For the private cluster's life: Ray's documented opt-out of usage reporting, and Ray's
    # switch for a one-machine node on loopback (its default on macOS and Windows), which
    # the processes it starts read from the environment and this one has read on import.
    PRIVATE = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    LOOPBACK = "ENABLE_RAY_CLUSTER"  # that switch, as ray._private.ray_constants holds it

    def where(self, given):
        """The reader's cluster's host and port (``HOST:PORT`` or ``ray://HOST:PORT``)."""
        return urllib.parse.urlsplit(given if "://" in given else f"ray://{given}").netloc \
            .rpartition("@")[2] or given

    def note(self):
        given = self.given()
        if given:
            return f"ray: yours at {self.where(given)}, from ${self.environ}"
        return (f"ray: a private local cluster, or yours at ${self.environ} (with "
                "RAY_AUTH_MODE=token and RAY_AUTH_TOKEN)")

    @contextlib.contextmanager
    def running(self):
        import ray  # only a process that runs a Ray variant pays for it

        given = self.given()
        if given:  # the reader's: start nothing, only join it, and leave it on exit
            try:
                ray.init(address=given, logging_level="ERROR", log_to_driver=False)
            except Exception as exc:  # noqa: BLE001 - Ray raises several kinds
                raise ServiceError(f"ray: the cluster at {self.where(given)} "
                                   f"(${self.environ}) could not be joined: {exc}") from None
            try:
                yield Running(given, {"capqueue_ray_cluster": self.where(given),
                                      "capqueue_ray_version": ray.__version__,
                                      "capqueue_ray_cpu": "not measured: the cluster is "
                                                          "yours, its processes not ours"},
                              usage=lambda: None)
            finally:
                ray.shutdown()
            return
        folder = tempfile.mkdtemp(prefix="capqueue-ray-")
        mark = secrets.token_hex(16)
        added = {**self.PRIVATE, "RAY_AUTH_TOKEN": secrets.token_hex(32), self.MARK: mark}
        saved = {name: os.environ.get(name) for name in (*added, *self.inherits)}
        for name in self.inherits:  # a reader's settings for their cluster are not for ours
            os.environ.pop(name, None)
        # Given a token and no mode, ray.init turns token authentication on (for this process
        # and the cluster's) and keeps the token in the environment, writing nothing to ~/.ray.
        os.environ.update(added)
        constants = sys.modules["ray._private.ray_constants"]
        clusters = getattr(constants, self.LOOPBACK)
        setattr(constants, self.LOOPBACK, False)
        watchdog = None
        try:
            try:
                ray.init(address="local", num_cpus=os.cpu_count(), include_dashboard=False,
                         object_store_memory=self.OBJECT_STORE, _temp_dir=folder,
                         logging_level="ERROR", log_to_driver=False)
            except Exception as exc:  # noqa: BLE001 - Ray raises several kinds
                raise ServiceError(f"ray: the local cluster did not start: {exc}") from None
            if sys.platform == "linux":
                watchdog = Watchdog(f"{self.MARK}={mark}", folder)
            yield Running(ray.get_runtime_context().gcs_address,
                          {"capqueue_ray_cluster": "private",
                           "capqueue_ray_version": ray.__version__,
                           "capqueue_ray_cpu": "every process of the cluster, sampled"
                                               if watchdog else "not measured"},
                          usage=watchdog.usage if watchdog else lambda: None)
        finally:
            ray.shutdown()
            if watchdog is not None:
                watchdog.stop()
            setattr(constants, self.LOOPBACK, clusters)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            shutil.rmtree(folder, ignore_errors=True)


class Watchdog:
    """The driver's side of ``harness.watchdog``, started once its cluster is up (Linux)."""

    def __init__(self, mark, folder):
        from harness import watchdog

        self.process = subprocess.Popen([sys.executable, "-m", "harness.watchdog", mark, folder],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        named = []  # every process of the cluster, its agents included: all up by now
        for pid in watchdog.below(os.getpid()):
            try:
                if pid != self.process.pid:
                    named.append(f"{pid} {watchdog.started(pid)}\n")
            except (OSError, IndexError):
                pass  # gone meanwhile
        self._say("".join(named))

    def _say(self, text):
        self.process.stdin.write(text.encode())
        self.process.stdin.flush()

    def usage(self):
        """CPU seconds (user, system) and context switches of the cluster's processes so far."""
        self._say("usage\n")
        return tuple(float(word) for word in self.process.stdout.readline().split())

    def stop(self):
        """The cluster is down, so there is nothing left to end: let the watchdog go."""
        try:
            self._say("stop\n")
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()
        self.process.stdout.close()


class DelayServer(Server):
    """The delay server of socket waits, private on a loopback port (``harness.delayserver``).

    Its address is ``(host, port)``. It runs on the interpreter that runs the variants, with
    uvloop where that interpreter has it (its metadata says which loop).
    """

    name = "delay"
    program = sys.executable

    def command(self, port):
        return [sys.executable, "-m", "harness.delayserver", "--port", str(port)]

    def address(self, port):
        return ("127.0.0.1", port)

    def identify(self, address):
        try:
            with socket.create_connection(address, timeout=1) as probe:
                probe.sendall(b"V")
                answer = probe.makefile("rb").readline().decode(errors="replace").split()
        except (ConnectionRefusedError, socket.timeout) as exc:
            raise NotYet(exc) from None
        except OSError as exc:  # reset by another program that took the port
            raise Refused(exc) from None
        if len(answer) != 5 or answer[0] != "capqueue-delayserver":
            raise Refused(f"not capqueue's delay server: {' '.join(answer)[:60]!r}")
        _, pid, loop, pad_ns, _ = answer
        return {"pid": int(pid), "version": f"harness.delayserver on {loop}, every delay "
                                            f"padded {int(pad_ns) / 1e6:g} ms"}


SERVICES = {service.name: service for service in [Redis(), Ray()]}  # the ones a variant may name
DELAY = DelayServer()  # the workload's: socket waits (harness.waits)
# Every variable that names a reader's own service, or that a service needs to reach it:
# each process that runs a variant needs them, so pyperf's workers must inherit them (they
# get only a few variables otherwise).
ENVIRON = tuple(name for service in SERVICES.values()
                for name in (service.environ, *service.inherits) if name)


def free_port():
    """A TCP port on the loopback interface that nothing listens on, as far as we know."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(server):
    """Stop a server we started: SIGTERM, then SIGKILL if it is still there after a while."""
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(STOP_LIMIT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def die_with(parent):
    """What a server's process runs before its program: die when ``parent`` does (Linux)."""
    if sys.platform != "linux":
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up now, not in the child
    pr_set_pdeathsig = 1

    def die_with_parent():
        prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)

    return die_with_parent
