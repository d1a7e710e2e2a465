"""The workload: the one definition of "the same task" that every variant is given.

Producer ``p`` (counting from 0) sends the items ``p * items + 1`` to ``(p + 1) * items``
in that order, so every item in a run is a distinct positive integer and names its own
producer and position. With one producer the items are ``1..items``, as in the teaching
notebook. Each item may cost work: an I/O wait at its producer before it is put (``io``,
waited in each model's own way by the exhibit) and CPU work at its consumer after it is
taken (``cpu``, done by the harness's sinks, the same busy loop for every model).

The kind of wait (``io_kind``) is a timer by default (``sleep``: the producer sleeps ``io``)
or a socket (``socket``: the producer sends a request over a TCP connection of its own to
the harness's delay server, which answers ``io`` after the request arrived, and reads the
reply; at ``io`` 0 that is a plain loopback round trip). See ``harness.waits``.

``Workload`` is the one schema of a run. Each field is declared once below, with its
command-line option, type, lower bound, help and metadata key; the options of every
command, the options forwarded to child and worker processes, the metadata of every
benchmark and the reading of old results files are all derived from those declarations.
A results file written before a field existed reads with that field's default.
"""

import argparse
import itertools
import math
import re
from dataclasses import dataclass, field, fields

from harness.units import count as _count
from harness.units import exact_duration as format_duration  # still importable from here

DEFAULT_ITEMS = 10_000
DEFAULT_CAPACITY = 10  # the notebook's deque(maxlen=10)
METADATA_PREFIX = "capqueue_"


class WorkloadError(ValueError):
    """A workload parameter is out of range; the message is one sentence for the user."""

    def __init__(self, field, rule):
        super().__init__(f"{field} {rule}")
        self.field, self.rule = field, rule


# What a value of each kind of field is, and how the command line spells it.

def whole_number(text):
    """argparse type: an int, said plainly when it is not one."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None


UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_DURATION = re.compile(r"\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*([^\s0-9.]*)\s*")


def duration(text):
    """argparse type: a duration, ``1ms``, ``50us``, ``2s`` or plain seconds (``0.002``)."""
    match = _DURATION.fullmatch(text)
    example = "a duration such as 1ms, 50us or 0.002 (seconds)"
    if not match:
        raise argparse.ArgumentTypeError(f"expected {example}, not {text!r}")
    number, unit = match.groups()
    if unit not in UNITS and unit != "":
        raise argparse.ArgumentTypeError(
            f"unknown unit {unit!r} in {text!r}; use s, ms, us or ns")
    try:
        return float(number) * UNITS.get(unit, 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {example}, not {text!r}") from None


def choice(*names):
    """argparse type: one of ``names``, said plainly when it is not one of them."""
    def one_of(text):
        if text not in names:
            raise argparse.ArgumentTypeError(
                f"expected {' or '.join(names)}, not {text!r}")
        return text
    one_of.choices = names
    return one_of


def _knob(default, least, metavar, help, parse=whole_number, show=str):
    """Declare a workload field: everything a command, a worker and a results file need.

    ``least`` is the lower bound of a number; a field whose ``parse`` is a ``choice`` takes
    one of its names instead (``least`` None).
    """
    return field(default=default, metadata={
        "least": least, "metavar": metavar, "help": help, "parse": parse, "show": show})


def _is_duration(f):
    return f.metadata["parse"] is duration


def _choices(f):
    """The names a choice field takes, or None for a number."""
    return getattr(f.metadata["parse"], "choices", None)


def _read(f, value):
    """A field's value as a results file holds it, in the field's own type."""
    if _choices(f):
        return str(value)
    return (float if _is_duration(f) else int)(value)


def _spell(value):
    """A field's value as its option's argument, read back exactly by its ``parse``."""
    return value if isinstance(value, str) else repr(value)


@dataclass(frozen=True)
class Workload:
    """Everything that defines one run of the task, checked when it is made."""

    items: int = _knob(DEFAULT_ITEMS, 0, "N", "items each producer sends")
    capacity: int = _knob(DEFAULT_CAPACITY, 1, "K", "most items the queue may hold (the "
                          "notebook's is 10)")
    producers: int = _knob(1, 1, "P", "producer workers")
    consumers: int = _knob(1, 1, "C", "consumer workers")
    io: float = _knob(0.0, 0, "D", "I/O wait at a producer before it puts each item, waited "
                      "in its model's own way (asyncio.sleep, time.sleep in a thread, ...): "
                      "1ms, 50us or seconds", parse=duration, show=format_duration)
    io_kind: str = _knob("sleep", None, "KIND", "the kind of I/O wait: sleep (a timer in the "
                         "model's own way) or socket (a request over a TCP connection of the "
                         "producer's own to the harness's delay server, which replies --io "
                         "later, read in the model's own way; --io 0: a plain round trip)",
                         parse=choice("sleep", "socket"))
    cpu: float = _knob(0.0, 0, "D", "CPU work at a consumer after it takes each item: the "
                       "same pure-Python loop for every model, calibrated to take D here",
                       parse=duration, show=format_duration)

    def __post_init__(self):
        for f in fields(self):
            value, least = getattr(self, f.name), f.metadata["least"]
            if _choices(f):
                if value not in _choices(f):
                    raise WorkloadError(f.name, f"must be {' or '.join(_choices(f))}, not "
                                                f"{value!r}")
                continue
            if _is_duration(f):
                if not isinstance(value, (int, float)) or isinstance(value, bool) \
                        or not math.isfinite(value):
                    raise WorkloadError(f.name, f"must be a finite duration, not {value!r}")
                if value < least:
                    raise WorkloadError(f.name, f"must not be negative, not "
                                                f"{format_duration(value)}")
                object.__setattr__(self, f.name, float(value))
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise WorkloadError(f.name, f"must be a whole number, not {value!r}")
            if value < least:
                raise WorkloadError(f.name, f"must be at least {least}, not {value}")

    @property
    def total(self):
        """How many items the whole run processes."""
        return self.items * self.producers

    @property
    def works(self):
        """Whether items cost any work (an I/O wait or CPU work) besides the hand-off."""
        return bool(self.io or self.cpu or self.sockets)

    @property
    def sockets(self):
        """Whether each item's I/O wait is a round trip over a socket (else a timer)."""
        return self.io_kind == "socket"

    def least_time(self, cores, trip=None):
        """The least time one run can take in any model on ``cores`` cores, in seconds: each
        producer's ``items`` waits in a row, the producers' waits overlapped; the CPU work of
        every item spread over min(consumers, cores); the larger of the two (0 without work).

        With socket waits and the ``RoundTrip`` measured on this machine (``trip``), a wait
        lasts ``io`` plus the server's lateness plus the round trip itself, and a third limit
        joins: the CPU of every item, both ends of its round trip included (the server runs
        on the same cores), spread over all the cores.
        """
        waits = self.items * self.io
        work = self.total * self.cpu / min(self.consumers, cores)
        if not (self.sockets and trip):
            return max(waits, work)
        waits = self.items * (self.io + (trip.late if self.io else 0.0) + trip.wall)
        shared = self.total * (self.cpu + trip.cpu) / cores
        return max(waits, work, shared)

    def ranges(self):
        """One range per producer: the plain sources a timed run iterates."""
        n = self.items
        return [range(p * n + 1, (p + 1) * n + 1) for p in range(self.producers)]

    def owner(self, item):
        """The producer that sends ``item`` and its 0-based position in that producer's run."""
        return divmod(item - 1, self.items)

    def describe(self):
        """A short human description, as the tables print it."""
        text = (f"{_count(self.items, 'item')} x {_count(self.producers, 'producer')} -> "
                f"{_count(self.consumers, 'consumer')}, capacity {self.capacity}")
        work = [f"{name} {format_duration(getattr(self, name))}/item"
                for name in ("io", "cpu") if getattr(self, name)]
        if self.sockets:
            work[:bool(self.io)] = [f"io {format_duration(self.io)}/item over a socket"
                                    if self.io else "a socket round trip/item"]
        return ", ".join([text, *work])

    # Everything below is derived from the field declarations above.

    @classmethod
    def add_options(cls, parser, grid=False, **defaults):
        """Add one option per field to ``parser`` (``defaults`` overrides some defaults).

        With ``grid``, each option takes a comma-separated list of values (``--producers
        1,2,4``) and ``grid_from_args`` makes every combination.
        """
        group = parser.add_argument_group(
            "workload" + (" (each option takes one value or a comma-separated list)"
                          if grid else ""))
        for f in fields(cls):
            default = defaults.get(f.name, f.default)
            shown = f"{default:,}" if isinstance(default, int) else f.metadata["show"](default)
            parse = f.metadata["parse"]
            metavar = "|".join(_choices(f)) if _choices(f) else f.metadata["metavar"]
            if grid:
                parse, default, metavar = _list_of(parse), [default], f"{metavar}[,{metavar}...]"
            group.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, type=parse,
                               default=default, metavar=metavar,
                               help=f"{f.metadata['help']} (default: {shown})")

    @classmethod
    def from_args(cls, args):
        """The workload the parsed options of ``add_options`` describe."""
        return cls(**{f.name: getattr(args, f.name) for f in fields(cls)})

    @classmethod
    def grid_from_args(cls, args):
        """Every workload the lists of ``add_options(grid=True)`` combine, the last field
        changing fastest."""
        names = [f.name for f in fields(cls)]
        return [cls(**dict(zip(names, values)))
                for values in itertools.product(*(getattr(args, name) for name in names))]

    def label(self):
        """A short name for this workload, unique among workloads: its fields that differ
        from their defaults (``items=200 producers=4 io=1ms``), or ``default``."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                shown = f.metadata["show"](value).replace(" ", "") if isinstance(value, float) \
                    else str(value)
                parts.append(f"{f.name}={shown}")
        return " ".join(parts) or "default"

    def as_options(self):
        """The command-line options that rebuild this workload in another process."""
        return [option for f in fields(self)
                for option in (f"--{f.name.replace('_', '-')}", _spell(getattr(self, f.name)))]

    def as_metadata(self):
        """The workload as pyperf metadata entries (prefixed, so they never clash)."""
        return {METADATA_PREFIX + f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_metadata(cls, metadata):
        """Rebuild the workload recorded by ``as_metadata``; missing fields take defaults."""
        values = {}
        for f in fields(cls):
            key = METADATA_PREFIX + f.name
            if key in metadata:
                values[f.name] = _read(f, metadata[key])
        return cls(**values)


@dataclass(frozen=True)
class RoundTrip:
    """What a socket wait costs on this machine besides its ``io``, as the harness measured
    it (``harness.waits``): the figures the ideal of socket waits is made of."""

    wall: float = 0.0  # seconds of a loopback round trip at io 0, the server idle
    cpu: float = 0.0  # CPU seconds per round trip of both ends, a trivial client's and the server's
    late: float = 0.0  # seconds the server's replies come after io (its timers' rounding)

    KEYS = {"wall": "capqueue_round_trip_s", "late": "capqueue_reply_late_s"}
    CPU_KEYS = ("capqueue_round_trip_client_cpu_s", "capqueue_round_trip_server_cpu_s")

    @classmethod
    def from_metadata(cls, runs):
        """The median of each figure over the metadata of ``runs`` (one per timing
        process), or None if they hold none (timer waits, or files from before)."""
        import statistics  # here: a process that only runs variants needs none of it

        found = [m for m in runs if all(k in m for k in [*cls.KEYS.values(), *cls.CPU_KEYS])]
        if not found:
            return None
        return cls(wall=statistics.median(m[cls.KEYS["wall"]] for m in found),
                   cpu=statistics.median(sum(m[k] for k in cls.CPU_KEYS) for m in found),
                   late=statistics.median(m[cls.KEYS["late"]] for m in found))


def _list_of(parse):
    """argparse type: a comma-separated list of what ``parse`` reads."""
    def parse_list(text):
        return [parse(part) for part in text.split(",")]
    return parse_list
