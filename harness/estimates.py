"""Estimates: a figure with its 95 % interval, quoted as a reader should see it.

What a checked claim (``harness.claims``), the decision guide (``harness.guide``) and the
latency tables (``harness.latency``) compare: a centre, the 95 % interval of the mean over
pyperf's processes, and the kind of quantity, which says how it is written.
"""

from dataclasses import dataclass

from harness.units import quote


class ClaimError(Exception):
    """A claim that cannot be checked as written (bad form, unknown variant, no interval)."""



@dataclass(frozen=True)
class Estimate:
    """One variant's figure at one point: its centre and the 95 % interval of its mean."""

    name: str  # as the claim names it
    center: float
    low: float | None
    high: float | None
    kind: str  # "duration" (seconds), "share" (0..1), "count", "bytes"

    def text(self, first=True):
        """The figure and its interval, at the digits the interval allows: '1.47 µs (95 %
        interval 1.43 to 1.54 µs)', or without the words '95 % interval' after the first."""
        if self.low is None:
            return self.value_text()
        if self.low == self.high:  # counts that repeat exactly
            return f"{self.value_text()} (the same in every run)"
        label = "95 % interval " if first else ""
        return f"{self.value_text()} ({label}{self.interval_text()})"

    def value_text(self):
        return quote(self.center, self._half(), self.kind, like=self.center)

    def interval_text(self):
        if self.low is None:
            return "n/a"
        half = self._half()
        low = quote(self.low, half, self.kind, like=self.center, unit=False)
        return f"{low} to {quote(self.high, half, self.kind, like=self.center)}"

    def _half(self):
        return None if self.low is None else (self.high - self.low) / 2

    @property
    def wide(self):
        """Whether the interval is wider than the figure: its half-width exceeds the centre."""
        return self.low is not None and self._half() > abs(self.center)
