"""Checked claims: comparative sentences the docs print only when the results support them.

A page states a comparison as a generated block instead of prose:

    <!-- capqueue: claim results/compare-20261127-085732.json asyncio < threads -->

``capqueue docs`` reads the results, decides the claim on the 95 % intervals over pyperf's
processes (the unit of evidence on this machine, see ``harness.report``), and writes the
sentence with the figures that decide it, each quoted with only the digits its interval
allows. A claim the results do not support is not written: ``capqueue docs`` stops and names
the page, the line and why (the intervals overlap, the order is the other way round), and
the docs' staleness test fails the same way, so a re-run that moves a figure can never leave
a sentence behind that it no longer supports.

The forms, where A and B are variants (``a,b`` is a group, each of which must satisfy the
relation; ``name@cpython-3.14.7t`` picks one interpreter among several files):

``A < B [< C ...]`` and ``A > B``
    A's figure lies below (above) B's, their intervals apart; a chain compares neighbours.
``A ~ B [~ C ...]``
    not told apart: every pair's intervals overlap.
``A < N x B`` and ``A > N x B``
    the ratio of the two figures is below (above) N at every end of their intervals.
``A within P % of ideal`` and ``A short of P % of ideal``
    A's efficiency against the ideal (``harness.report``) is at least 100 - P % at the low
    end of its interval; or below P % at its high end (``short of 90 % of ideal``).
``A falls with FIELD``, ``A rises with FIELD``, ``A flat with FIELD``
    across the points of a sweep of FIELD: the last point's interval lies below (above) the
    first's and no step goes the other way beyond its intervals; or every point's interval
    shares a common value (flat).

Options, before the relation: ``--where FIELD=VALUE`` (one point of a sweep, as ``capqueue
report`` takes it), ``--figure time|cpu|efficiency|instructions|memory|p50|...`` (what is
compared; default time per item, or instructions for files of ``capqueue instructions``;
``memory`` is the memory of one more waiting producer, the slope of the runs' peak RSS over
a sweep of ``--producers``; the percentiles are those of ``capqueue latency``), and ``--say TEMPLATE``
to word the sentence yourself, with ``{A}`` (a variant's figure and its interval), ``{A.value}``,
``{A.interval}``, ``{A.name}`` and ``{ideal}`` filled in from the data. The template is written
only when the relation holds, so the words must say no more than the relation does.
"""

import argparse
import statistics
from dataclasses import dataclass, replace

from harness import report, stats
from harness.estimates import ClaimError, Estimate
from harness.units import quote
from harness.workload import Workload

LATENCIES = ("p50", "p90", "p99", "p99.9", "max")  # of files made by capqueue latency
FIGURES = ("time", "cpu", "efficiency", "instructions", "memory", *LATENCIES)
RELATIONS = ("<", ">", "~")
TRENDS = ("falls", "rises", "flat")


class Unsupported(Exception):
    """A well-formed claim that the results do not support; the message says why."""


def _needs_interval(estimate):
    if estimate.low is None:
        raise ClaimError(f"{estimate.name} was measured in one process only, so its figure "
                         "has no interval and decides no claim; measure it in more processes, "
                         "or name two runs of it")


def below(a, b):
    """Whether ``a`` lies below ``b`` beyond both intervals."""
    _needs_interval(a), _needs_interval(b)
    return a.high < b.low


def overlap(a, b):
    """Whether the intervals of ``a`` and ``b`` overlap: the two are not told apart."""
    _needs_interval(a), _needs_interval(b)
    return a.low <= b.high and b.low <= a.high


# ---- reading the results ------------------------------------------------------------------

NOUNS = {"time": "per item", "cpu": "of CPU time per item",
         "instructions": "instructions per item", "efficiency": "of the ideal",
         "memory": "in memory per waiting producer",
         **{p: f"in {p} latency" for p in LATENCIES}}
PLURAL = {"costs": "cost", "uses": "use", "executes": "execute", "reaches": "reach",
          "keeps": "keep", "shows": "show", "needs": "need"}
# How a sentence says that A's figure is below B's (and above), for each figure.
LESS = {"time": ("costs less per item than", "costs more per item than"),
        "cpu": ("uses less CPU time per item than", "uses more CPU time per item than"),
        "instructions": ("executes fewer instructions per item than",
                         "executes more instructions per item than"),
        "efficiency": ("reaches less of the ideal than", "reaches more of the ideal than"),
        "memory": ("needs less memory per waiting producer than",
                   "needs more memory per waiting producer than"),
        **{p: (f"keeps a lower {p} latency than", f"shows a higher {p} latency than")
           for p in LATENCIES}}


@dataclass(frozen=True)
class Point:
    """One variant at one point of the results, its processes pooled across the files."""

    row: object  # report.Row, with the process means of every file that holds the point
    cpu_per_process: tuple  # CPU seconds per item, one per process that recorded it


def _cpu_per_process(suite):
    """(variant, workload) -> CPU seconds per item of each process, from the runs' metadata."""
    found = {}
    for bench in suite.get_benchmarks():
        meta = bench.get_metadata()
        if "capqueue_variant" not in meta:
            continue
        values = []
        for run in bench.get_runs():
            used = run.get_metadata() if run.values else {}
            if "capqueue_user_s" in used and "capqueue_system_s" in used:
                values.append(used["capqueue_user_s"] + used["capqueue_system_s"])
        found[meta["capqueue_variant"], Workload.from_metadata(meta)] = tuple(values)
    return found


def points(suites):
    """Every (variant, interpreter, workload) of the suites. Several files holding the same
    one (two runs of a workload, two counts of its instructions) pool their processes."""
    pooled = {}
    for suite in suites:
        cpu = _cpu_per_process(suite)
        for row in report.rows(suite):
            key = (row.variant, row.python, row.workload)
            more = cpu.get((row.variant, row.workload), ())
            if key in pooled:
                old = pooled[key]
                row = replace(old.row, process_means=old.row.process_means + row.process_means,
                              values=old.row.values + row.values)
                more = old.cpu_per_process + more
            pooled[key] = Point(row, more)
    return list(pooled.values())


def _interval(values):
    """Mean, and the 95 % interval of the mean, of per-process values (None with one)."""
    low, high = stats.interval(values) or (None, None)
    return statistics.fmean(values), low, high


def estimate(point, figure, name):
    """The Estimate of ``figure`` for one point."""
    row = point.row
    low, high = row.interval or (None, None)
    # The centre quoted with an interval of the mean is the mean (the tables' median is
    # the mean's neighbour, and may lie outside that interval); with one process, its value.
    center = row.median if low is None else row.mean
    if figure in ("time", "instructions"):
        if (row.unit == "integer") != (figure == "instructions"):
            held = "instruction counts" if row.unit == "integer" else "times"
            raise ClaimError(f"{name}: the results hold {held}, not {figure}")
        kind = "count" if row.unit == "integer" else "duration"
        return Estimate(name, center, None if low is None else max(low, 0.0), high, kind)
    if figure == "efficiency":
        if not row.workload.works or row.unit != "second":
            raise ClaimError(f"{name}: efficiency needs a timed workload with work per item "
                             "(--io or --cpu)")
        ideal = row.ideal
        return Estimate(name, ideal / center, None if low is None else ideal / high,
                        None if low is None else ideal / max(low, 1e-15), "share")
    if figure == "cpu":
        if not point.cpu_per_process:
            raise ClaimError(f"{name}: the results have no CPU time recorded")
        mean, low, high = _interval(point.cpu_per_process)
        return Estimate(name, mean, None if low is None else max(low, 0.0), high, "duration")
    raise ClaimError(f"unknown figure {figure!r}; the figures are {', '.join(FIGURES)}")


def _matching(found, name):
    """The points of variant ``name`` (``threads@cpython-3.14.7t``: on that interpreter)."""
    variant, _, python = name.partition("@")
    matching = [p for p in found if p.row.variant == variant
                and (not python or p.row.python == python)]
    if not matching:
        known = sorted({p.row.variant for p in found})
        raise ClaimError(f"no variant {name!r} in the results (they hold {', '.join(known)})")
    return matching


def find(found, name, figure, *, field=None):
    """The Estimate of variant ``name`` (``threads@cpython-3.14.7t`` names an interpreter
    too); with ``field``, the (value, Estimate) pairs along that field of a sweep."""
    variant, _, python = name.partition("@")
    matching = _matching(found, name)
    if field is not None:
        matching.sort(key=lambda p: getattr(p.row.workload, field))
        values = [getattr(p.row.workload, field) for p in matching]
        if len(set(values)) != len(values):
            raise ClaimError(f"{name} is at several points with the same {field}; narrow them "
                             "with --where")
        return [(value, estimate(p, figure, name)) for value, p in zip(values, matching)]
    if len(matching) > 1:
        fields_ = report.varying([p.row.workload for p in matching])
        pythons = sorted({p.row.python for p in matching})
        hint = (f"--where on {', '.join(fields_)}" if fields_
                else f"{variant}@PYTHON, one of {', '.join(pythons)}")
        raise ClaimError(f"{name} is at {len(matching)} points of the results; pick one with "
                         f"{hint}")
    return estimate(matching[0], figure, name)


# ---- the claim ----------------------------------------------------------------------------


class _Arguments(argparse.ArgumentParser):
    def error(self, message):
        raise ClaimError(message)


def _parser():
    parser = _Arguments(prog="claim", add_help=False)
    parser.add_argument("--where", action="append", default=[])
    parser.add_argument("--figure", choices=FIGURES)
    parser.add_argument("--say")
    return parser


@dataclass(frozen=True)
class Claim:
    """A claim as a page writes it: its files, its point, its figure and its relation."""

    files: tuple
    where: tuple
    figure: str | None
    say: str | None
    words: tuple  # the relation, word by word

    def __str__(self):
        return " ".join(self.words)


def parse(words):
    """A Claim from the words after ``claim``: files, then options, then the relation."""
    rest = list(words)
    files = []
    while rest and not rest[0].startswith("-") and (rest[0].endswith(".json") or "*" in rest[0]):
        files.append(rest.pop(0))
    if not files:
        raise ClaimError("a claim names its results files first (results/....json)")
    options = []
    while rest and rest[0].startswith("--"):
        options, rest = options + rest[:2], rest[2:]
    args = _parser().parse_args(options)
    if not rest:
        raise ClaimError("a claim needs a relation after its files, such as 'asyncio < threads'")
    return Claim(tuple(files), tuple(args.where), args.figure, args.say, tuple(rest))


FORMS = ("write 'A < B' or 'A > B' (chained: 'A < B < C'), 'A ~ B', 'A < 3 x B', "
         "'A within 10 % of ideal', 'A short of 90 % of ideal' or 'A falls with FIELD'")


def decide(claim, suites):
    """The sentence ``claim`` gives on ``suites``; ``Unsupported`` if the data says otherwise."""
    try:
        suites = report.where(suites, list(claim.where))
    except ValueError as exc:
        raise ClaimError(str(exc)) from None
    found = points(suites)
    figure = claim.figure or ("instructions" if found and found[0].row.unit == "integer"
                              else "time")
    words = list(claim.words)
    if figure in LATENCIES and (words[1:2] in (["within"], ["short"]) or "with" in words):
        raise ClaimError(f"'{claim}': a latency percentile is compared between variants "
                         "(A < B, A ~ B, A < N x B), not against the ideal or along a sweep")
    if len(words) == 4 and words[1] in TRENDS and words[2] == "with":
        return _trend(claim, found, figure, words[0], words[1], words[3])
    if len(words) >= 4 and words[1] in ("within", "short") and words[-1] == "ideal":
        return _against_ideal(claim, found, words)
    if len(words) == 5 and words[1] in ("<", ">") and words[3] == "x":
        return _ratio(claim, found, suites, figure, words)
    relations = words[1::2]
    if len(words) < 3 or len(words) % 2 == 0 or len(set(relations)) != 1 \
            or relations[0] not in RELATIONS:
        raise ClaimError(f"'{claim}' is not a claim: {FORMS}")
    groups = [[figure_of(found, suites, name, figure) for name in side.split(",") if name]
              for side in words[0::2]]
    if relations[0] == "~":
        return _tie(claim, groups, figure)
    return _order(claim, groups, relations[0], figure)


def figure_of(found, suites, name, figure):
    """A variant's Estimate of ``figure``: from the rows, or for a latency percentile from
    the latency benchmarks of ``capqueue latency`` (``harness.latency``)."""
    if figure in LATENCIES:
        from harness import latency  # its tables and plots only when a claim needs them
        return latency.estimate(suites, name, figure)
    if figure == "memory":
        return memory_of(found, name)
    return find(found, name, figure)


def memory_of(found, name):
    """The memory of one more waiting producer for ``name``, over a sweep of producers: the
    least-squares slope of every pyperf process's peak RSS against the producers, with its
    95 % interval (``stats.slope``, as ``capqueue report --only memory`` prints it)."""
    matching = _matching(found, name)
    samples = [(p.row.workload.producers, peak) for p in matching for peak in p.row.peaks]
    if len({x for x, _ in samples}) < 2:
        raise ClaimError(f"{name}: memory per waiting producer needs each run's peak RSS at "
                         "two producer counts or more (a sweep of --producers)")
    slope, half = stats.slope(samples)
    if half is None:
        return Estimate(name, slope, None, None, "bytes")
    return Estimate(name, slope, slope - half, slope + half, "bytes")


def _names(estimates):
    names = [e.name for e in estimates]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _figures(estimates, joiner=" and "):
    """'1.47 µs (95 % interval 1.43 to 1.54 µs) and 6.6 µs (6.2 to 6.8 µs)'."""
    texts = [e.text(first=i == 0) for i, e in enumerate(estimates)]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])}{joiner}{texts[-1]}"


def _tie(claim, groups, figure):
    everyone = [e for group in groups for e in group]
    for i, a in enumerate(everyone):
        for b in everyone[i + 1:]:
            if not overlap(a, b):
                low, high = sorted((a, b), key=lambda e: e.center)
                raise Unsupported(f"{low.name} ({low.text()}) and {high.name} ({high.text()}) "
                                  "are told apart: their intervals do not overlap")
    wide = [e for e in everyone if e.wide]
    caveat = (f" {_names(wide)}'s interval{'s are' if len(wide) > 1 else ' is'} wider than "
              "the figure itself: this run can hardly tell anything apart from "
              f"{'them' if len(wide) > 1 else 'it'}." if wide else "")
    return _say(claim, everyone) or (
        f"{_names(everyone)} are not told apart {NOUNS[figure]}: {_figures(everyone)} "
        f"overlap.{caveat}")


def _order(claim, groups, relation, figure):
    for left, right in zip(groups, groups[1:]):
        for a in left:
            for b in right:
                lower, upper = (a, b) if relation == "<" else (b, a)
                if not below(lower, upper):
                    if overlap(lower, upper):
                        raise Unsupported(f"{lower.name} ({lower.text()}) and {upper.name} "
                                          f"({upper.text()}) are not told apart: their "
                                          "intervals overlap")
                    raise Unsupported(f"it is the other way round: {upper.name} "
                                      f"({upper.text()}) lies below {lower.name} "
                                      f"({lower.text()})")
    everyone = [e for group in groups for e in group]
    said = _say(claim, everyone)
    if said:
        return said
    phrase = LESS[figure][relation == ">"]
    head = groups[0]
    verb, _, rest = phrase.partition(" ")
    if len(head) > 1:  # "each cost", "each use", "each execute", "each reach"
        verb = "each " + PLURAL[verb]
    text = f"{_names(head)} {verb} {rest} {_names(groups[1])}"
    comparative = next(w for w in rest.split()
                       if w in ("less", "more", "fewer", "lower", "higher"))
    for before, group in zip(groups[1:], groups[2:]):
        text += f", and {_names(before)} {comparative} than {_names(group)}"
    joiner = " against " if len(everyone) == 2 else " and "
    return f"{text}: {_figures(everyone, joiner)}, their intervals apart."


def _ratio(claim, found, suites, figure, words):
    a, relation, number, _, b = words
    try:
        factor = float(number)
    except ValueError:
        raise ClaimError(f"'{claim}': {number!r} is not a number") from None
    ea, eb = figure_of(found, suites, a, figure), figure_of(found, suites, b, figure)
    _needs_interval(ea), _needs_interval(eb)
    low, high = ea.low / max(eb.high, 1e-300), ea.high / max(eb.low, 1e-300)
    if not (high < factor if relation == "<" else low > factor):
        raise Unsupported(f"{a} is {_times(low)} to {_times(high)} times {b} at the ends of "
                          f"their intervals, not {'under' if relation == '<' else 'over'} "
                          f"{number} times")
    return _say(claim, [ea, eb]) or (
        f"{a} costs {'less' if relation == '<' else 'more'} than {number} times what {b} "
        f"costs {NOUNS[figure]}: {_figures([ea, eb], ' against ')}, {_times(low)} to {_times(high)} "
        "times at the ends of the intervals.")


def _times(ratio):
    """A ratio to two significant figures, never in e-notation: '1.3', '120', '12,000'."""
    return f"{float(f'{ratio:.2g}'):,g}"


def _against_ideal(claim, found, words):
    name, kind, *middle = words[:-1]
    middle = [w for w in middle if w not in ("of", "%")]
    try:
        share = float("".join(middle).rstrip("%")) / 100
    except ValueError:
        raise ClaimError(f"'{claim}': write 'A within 10 % of ideal' or 'A short of 90 % of "
                         "ideal'") from None
    estimates = [find(found, n, "efficiency") for n in name.split(",") if n]
    for e in estimates:
        _needs_interval(e)
        if kind == "within" and not e.low >= 1 - share:
            raise Unsupported(f"{e.name} reaches {e.text()} of the ideal: its interval is not "
                              f"wholly within {_percent(share)} of it")
        if kind == "short" and not e.high < share:
            raise Unsupported(f"{e.name} reaches {e.text()} of the ideal: its interval is not "
                              f"wholly below {_percent(share)}")
    said = _say(claim, estimates)
    if said:
        return said
    what = f"within {_percent(share)} of it" if kind == "within" else f"short of {_percent(share)}"
    verb = "reaches" if len(estimates) == 1 else "each reach"
    return f"{_names(estimates)} {verb} {_figures(estimates)} of the ideal, {what}."


def _trend(claim, found, figure, name, trend, field):
    if field not in Workload.__dataclass_fields__:
        raise ClaimError(f"'{claim}': {field!r} is not a workload field "
                         f"({', '.join(Workload.__dataclass_fields__)})")
    series = find(found, name, figure, field=field)
    if len(series) < 2:
        raise ClaimError(f"'{claim}': {name} is at one {field} only; a trend needs a sweep")
    estimates = [e for _, e in series]
    along = ", ".join(f"{e.text(first=i == 0)} at {_value(v)}"
                      for i, (v, e) in enumerate(series))
    if trend == "flat":
        if max(e.low for e in estimates) > min(e.high for e in estimates):
            raise Unsupported(f"{name} is not level with {field}: its intervals share no value "
                              f"({along})")
    else:
        falls = trend == "falls"
        ends = below(estimates[-1], estimates[0]) if falls else below(estimates[0],
                                                                      estimates[-1])
        back = any(below(a, b) if falls else below(b, a)
                   for a, b in zip(estimates, estimates[1:]))
        if not ends or back:
            raise Unsupported(f"{name} does not {trend[:-1]} with {field} beyond its "
                              f"intervals ({along})")
    said = _say(claim, estimates)
    if said:
        return said
    what = {"time": "time per item", "cpu": "CPU time per item", "efficiency": "efficiency",
            "instructions": "instruction count per item"}[figure]
    verb = {"falls": "falls", "rises": "rises",
            "flat": "is not told apart from one point to the next"}[trend]
    goes = "go" if field.endswith("s") else "goes"  # the producers go, the capacity goes
    return (f"The {what} of {name} {verb} as the {field} {goes} from {_value(series[0][0])} "
            f"to {_value(series[-1][0])}: {along}.")


def _percent(share):
    return f"{share * 100:g} %"


def _value(value):
    return report.format_duration(value) if isinstance(value, float) else f"{value:,}"


class _Quoted:
    """A variant's figure as a ``--say`` template sees it: ``{a}`` is the figure with its
    interval, ``{a.value}``, ``{a.interval}`` and ``{a.name}`` its parts."""

    def __init__(self, estimate):
        self.value, self.interval = estimate.value_text(), estimate.interval_text()
        self.name, self._text = estimate.name, estimate.text()

    def __format__(self, spec):
        return format(self._text, spec)


class _Fill(dict):
    """The names a ``--say`` template may use: the variants of the claim."""

    def __init__(self, estimates):
        super().__init__({e.name: _Quoted(e) for e in estimates})

    def __missing__(self, key):
        raise ClaimError(f"the template names {{{key}}}, which is not a variant of the claim "
                         f"({', '.join(k for k in self if not k.startswith('@'))})")


def _say(claim, estimates):
    """The page's own wording of a claim that holds, with its figures filled in; or None."""
    if not claim.say:
        return None
    template, fill = claim.say, _Fill(estimates)
    # A name with an interpreter (threads@cpython-3.14.7t) holds dots, which str.format
    # would read as attributes: the template names it by a key of its own instead.
    for i, name in enumerate(sorted((n for n in list(fill) if "." in n), key=len, reverse=True)):
        fill[f"@{i}"] = fill[name]
        for end in ("}", ".", "!", ":"):
            template = template.replace("{" + name + end, "{@%d%s" % (i, end))
    try:
        return template.format_map(fill)
    except AttributeError as exc:
        raise ClaimError(f"the template {claim.say!r} names a part a variant does not have "
                         "(its parts are value, interval and name)") from exc
    except (ValueError, IndexError) as exc:
        raise ClaimError(f"the template {claim.say!r} is not a format string ({exc})") from None


def check(words, suites):
    """Parse and decide a claim: (Claim, sentence). Raises ClaimError or Unsupported."""
    claim = parse(words)
    return claim, decide(claim, suites)
