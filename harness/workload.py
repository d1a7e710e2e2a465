"""The workload: the one definition of "the same task" that every variant is given.

Producer ``p`` (counting from 0) sends the items ``p * items + 1`` to ``(p + 1) * items``
in that order, so every item in a run is a distinct positive integer and names its own
producer and position. With one producer the items are ``1..items``, as in the teaching
notebook.
"""

from dataclasses import asdict, dataclass

DEFAULT_ITEMS = 10_000
DEFAULT_CAPACITY = 10  # the notebook's deque(maxlen=10)


class WorkloadError(ValueError):
    """A workload parameter is out of range; the message is one sentence for the user."""

    def __init__(self, field, rule):
        super().__init__(f"{field} {rule}")
        self.field, self.rule = field, rule


@dataclass(frozen=True)
class Workload:
    """Everything that defines one run of the task, checked when it is made."""

    items: int = DEFAULT_ITEMS  # per producer
    capacity: int = DEFAULT_CAPACITY
    producers: int = 1
    consumers: int = 1

    def __post_init__(self):
        for name, least in (("items", 0), ("capacity", 1), ("producers", 1), ("consumers", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise WorkloadError(name, f"must be a whole number, not {value!r}")
            if value < least:
                raise WorkloadError(name, f"must be at least {least}, not {value}")

    @property
    def total(self):
        """How many items the whole run processes."""
        return self.items * self.producers

    def ranges(self):
        """One range per producer: the plain sources a timed run iterates."""
        n = self.items
        return [range(p * n + 1, (p + 1) * n + 1) for p in range(self.producers)]

    def owner(self, item):
        """The producer that sends ``item`` and its 0-based position in that producer's run."""
        return divmod(item - 1, self.items)

    def describe(self):
        """A short human description, as the tables print it."""
        return (f"{_count(self.items, 'item')} x {_count(self.producers, 'producer')} -> "
                f"{_count(self.consumers, 'consumer')}, capacity {self.capacity}")

    def as_options(self):
        """The command-line options that rebuild this workload in another process."""
        return [option for key, value in asdict(self).items()
                for option in (f"--{key}", str(value))]

    def as_metadata(self):
        """The workload as pyperf metadata entries (prefixed, so they never clash)."""
        return {f"capqueue_{key}": value for key, value in asdict(self).items()}

    @classmethod
    def from_metadata(cls, metadata):
        """Rebuild the workload recorded by ``as_metadata``."""
        return cls(**{key: int(metadata[f"capqueue_{key}"]) for key in asdict(cls())})


def _count(number, noun):
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
