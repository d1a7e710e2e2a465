"""Numbers as a reader wants them: every formatter of times, counts and shares, in one place.

Tables, plots, progress lines and messages all format through here, so that a time reads
the same wherever it is printed. Two forms of a duration exist on purpose: a measured time
(``duration``: three significant figures, enough for a figure whose spread is a few per
cent) and a duration a person set or typed (``exact_duration``: up to four, so that
``--io 1.25ms`` reads back as ``1.25 ms``).
"""

import math


def duration(seconds):
    """A measured time as a reader wants it: '36.2 ns', '10.5 µs', '1.21 ms', 'n/a'."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return three(seconds / scale) + f" {unit}"
    return three(seconds / 1e-9) + " ns"


def exact_duration(seconds):
    """A duration as people write it, to four significant figures: '1 ms', '50 µs', '0 s'."""
    if seconds == 0:
        return "0 s"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(seconds) >= scale:
            return f"{seconds / scale:.4g} {unit}"
    return f"{seconds / 1e-9:.4g} ns"


def three(value):
    """Three significant figures, thousands separated: 36.2, 107, 2,539."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value >= 10 else f"{value:.2f}"


def number(value):
    """A plain figure whose unit is said elsewhere (ns in a header, instructions): whole
    and thousands separated from 100 up, one decimal below: 2,539, 107, 36.2."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def decimal(value, unit):
    """A figure in a fixed unit, to one decimal, thousands separated: '1,234.5 µs'."""
    return f"{value:,.1f} {unit}"


def percent(value):
    """A share: 0.912 -> '91%'; None -> 'n/a'."""
    return "n/a" if value is None else f"{value:.0%}"


def change(value):
    """A relative change, signed: 0.15 -> '+15%', -0.02 -> '-2%'."""
    return f"{value:+.0%}"


def times(value):
    """A ratio: 3.62 -> '3.6x', 1234 -> '1,234.0x'; None -> 'n/a'."""
    return "n/a" if value is None else f"{value:,.1f}x"


def mib(value):
    """Mebibytes (already divided by 2**20), to one decimal: '12.3 MiB'; None -> 'n/a'."""
    return "n/a" if value is None else f"{value:.1f} MiB"


def count(n, noun, plural=None, grouped=True):
    """A number of things: '1 item', '10,000 items', '3 processes' (``plural`` where adding
    an s is wrong). ``grouped=False`` leaves out the thousands separator, as pyperf's
    settings have always been printed ('1024 loops')."""
    shown = f"{n:,}" if grouped else f"{n}"
    return f"{shown} {noun if n == 1 else plural or noun + 's'}"


def time_left(seconds):
    """An estimate of time left, as coarse as it is: '45 s', '12 min'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def tick_count(value):
    """An axis tick of a count: 1, 10, 100, 1k, 10k, 1M (short, for ticks a decade apart)."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def tick_duration(ns):
    """An axis tick of a time given in nanoseconds, in the unit that suits it: 50 ns, 2 µs,
    1 ms."""
    for size, unit in ((1e6, "ms"), (1e3, "µs")):
        if ns >= size:
            return f"{ns / size:g} {unit}"
    return f"{ns:g} ns"


# A figure with the digits its interval allows (the prose of claims, the split table).

DURATION_UNITS = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))


def _places(value, half):
    """Decimal places to keep of ``value`` given its interval's half-width ``half``: down to
    the half-width's first significant digit, one more when that digit is 1 (1.47 ± 0.12
    reads 1.47, 1.47 ± 0.3 reads 1.5, 999 ± 50 reads 1,000: negative places round to tens);
    with no interval, three significant figures."""
    if half is None or half <= 0:
        return 0 if value == 0 else max(0, 2 - math.floor(math.log10(abs(value))))
    first = math.floor(math.log10(half))
    return -first + (1 if half / 10 ** first < 2 else 0)


def _fixed(value, places):
    """``value`` with ``places`` decimals, thousands separated; negative places round to
    tens, hundreds, ..."""
    if places < 0:
        return f"{round(value, places):,.0f}"
    return f"{value:,.{places}f}"


def quote(value, half, kind, like=None, unit=True):
    """``value`` as a reader should see it, given the interval half-width ``half`` (None:
    no interval); a duration in the unit that suits ``like`` (default: the value itself)."""
    if kind == "share":
        places = _places(value * 100, None if half is None else half * 100)
        return _fixed(value * 100, places) + (" %" if unit else "")
    if kind == "bytes":  # memory, in KiB or MiB
        scale, name = (2**20, "MiB") if abs(like if like is not None else value) >= 2**20 \
            else (2**10, "KiB")
        places = _places(value / scale, None if half is None else half / scale)
        return _fixed(value / scale, places) + (f" {name}" if unit else "")
    if kind == "count":  # a whole number of instructions reads best without decimals
        places = _places(value, half)
        return _fixed(value, min(places, 0) if abs(value) >= 100 else places)
    magnitude = abs(like if like is not None else value)
    name, scale = next(((n, s) for n, s in DURATION_UNITS if magnitude >= s),
                       DURATION_UNITS[-1])
    places = _places(value / scale, None if half is None else half / scale)
    return _fixed(value / scale, places) + (f" {name}" if unit else "")
