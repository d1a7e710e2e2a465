"""The decision guide: for each kind of job, the models the results recommend, by a rule.

Each row of the guide (a ``Job``) names the results that decide it, the figure that matters
for that job (time per item, efficiency against the ideal, CPU per item, ...) and the
variants that are candidates. ``rank`` then applies one rule to every row:

- the figure of each candidate comes with its 95 % interval over pyperf's processes (see
  ``harness.claims``), and two candidates whose intervals overlap are tied;
- **recommended**: the best candidate and every candidate tied with it;
- **runner-up**: the best of the others, and every one tied with it;
- **avoid**: the candidates far worse than the best at every end of their intervals: ten
  times its time or CPU per item, or less than half its efficiency (``AVOID``);
- **undecided**: when the row has a baseline (running the items one after another, the
  ``sequential`` variant) and the recommended figure is tied with it, no model beats doing
  without concurrency on this machine, and the guide says so, with what would decide it.

Nothing in a recommendation is written by hand: the page (``docs/guide.md``) is a generated
block, so a re-run that changes a ranking changes the page, and a stale page fails the docs'
staleness test. What is written by hand is each row's question, why its figure is the one
that matters, and the mechanism its figures are read against; the figures themselves are
filled in from the same results.
"""

import glob
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from harness import claims, results
from harness.registry import BASELINE

# How many times worse than the best a candidate must be, at every end of both intervals, to
# be one to avoid: a tenth of the speed, or half the efficiency (where every model that
# overlaps waits at all is within a factor of two of the best).
AVOID = {"time": 10, "cpu": 10, "efficiency": 2, "memory": 10,
         **{p: 10 for p in claims.LATENCIES}}


@dataclass(frozen=True)
class Job:
    """One row of the guide: a kind of job, and the results and figure that decide it."""

    key: str  # its name in code and tests (the page links its section by its title)
    title: str  # the job, as a reader would name it
    question: str  # what the reader needs to know, in a sentence
    files: tuple  # the results that decide it (relative to the top folder; globs allowed)
    figure: str  # "time" | "efficiency" | "cpu"
    why: str  # why this figure decides the job, and the mechanism its figures show
    where: tuple = ()  # FIELD=VALUE conditions picking the point of a sweep
    candidates: tuple = ()  # variants considered (default: all but the baseline)
    baseline: bool = False  # compare with running without concurrency (undecided if tied)
    decide: str = ""  # what would decide the row if this machine cannot
    section: str = ""  # the page#anchor that explains the figures
    mechanism: tuple = ("cpu", "switches")  # the counts quoted beside the ranking


@dataclass
class Ranking:
    """What the rule made of one job's results."""

    job: Job
    estimates: list  # claims.Estimate of each candidate, best first
    rows: dict  # variant -> report.Row
    recommended: list = field(default_factory=list)
    runner_up: list = field(default_factory=list)
    avoid: list = field(default_factory=list)
    baseline: object = None  # the sequential Estimate, when the job compares with it
    undecided: bool = False
    files: list = field(default_factory=list)  # the files the job's patterns named


def _better(job):
    """Whether a larger figure is better for this job."""
    return job.figure == "efficiency"


def _tied(a, b):
    return claims.overlap(a, b)


def _far_worse(job, best, other):
    factor = AVOID[job.figure]
    if _better(job):
        return other.high * factor < best.low
    return other.low > factor * best.high


def rank(job, suites, files=()):
    """Apply the guide's rule to ``job`` on ``suites`` (the results its files hold)."""
    try:
        chosen = claims.report.where(suites, list(job.where))
    except ValueError as exc:
        raise claims.ClaimError(str(exc)) from None
    found = claims.points(chosen)
    if job.figure in claims.LATENCIES:  # the latency mode's files hold no throughput rows
        from harness import latency
        names = list(dict.fromkeys(r.variant for suite in chosen for r in latency.rows(suite)))
    else:
        names = list(dict.fromkeys(p.row.variant for p in found))
    candidates = [n for n in (job.candidates or names) if n != BASELINE]
    missing = [n for n in candidates if n not in names]
    if missing:
        raise claims.ClaimError(f"guide row {job.key!r}: no {', '.join(missing)} in "
                                f"{', '.join(files)}")
    estimates = [claims.figure_of(found, chosen, name, job.figure) for name in candidates]
    estimates.sort(key=lambda e: e.center, reverse=_better(job))
    ranking = Ranking(job, estimates, {p.row.variant: p.row for p in found}, files=list(files))
    best = estimates[0]
    ranking.recommended = [e for e in estimates if _tied(e, best)]
    others = [e for e in estimates if e not in ranking.recommended]
    if others:
        ranking.runner_up = [e for e in others if _tied(e, others[0])]
    ranking.avoid = [e for e in estimates if _far_worse(job, best, e)
                     and e not in ranking.runner_up]
    if job.baseline and BASELINE in names:
        ranking.baseline = claims.figure_of(found, chosen, BASELINE, job.figure)
        beats = (claims.below(ranking.baseline, best) if _better(job)
                 else claims.below(best, ranking.baseline))
        ranking.undecided = not beats
    return ranking


# ---- the rows ---------------------------------------------------------------------------

STUDY = "results/study-20261127-110720"
WAITERS = "results/waiters-20261203-175259"
LATENCY = "results/latency-20261203-181454"

JOBS = (
    Job(
        key="hand-off",
        title="Pure hand-off in one process",
        question="Items go from producers to consumers in one process and cost nothing "
                 "else: what does each model's hand-off cost?",
        files=("results/compare-20261203-184558.json",),
        figure="time",
        why="With no work per item, the time per item is the model's own hand-off: the "
            "cheapest never leave their one OS thread and switch by resuming a frame, the "
            "dearest wake another thread, loop or process for every few items.",
        section="summary.md#the-table-what-a-hand-off-costs",
    ),
    Job(
        key="few-waits",
        title="A few I/O waits at once",
        question="Four producers each wait 2 ms per item (an API call, a disk read) before "
                 "they put it: who overlaps the waits best?",
        files=("results/io-target-20261203-173912.json",),
        figure="efficiency",
        baseline=True,
        why="Efficiency is the ideal (the four producers' waits overlapped) over the measured "
            "time: a model that cannot overlap waits reaches a quarter. What separates the "
            "ones that can is the CPU each spends per item on the one thread that must also "
            "notice every timer.",
        section="summary.md#who-overlaps-io-waits",
    ),
    Job(
        key="many-waits",
        title="Many concurrent I/O waits",
        question="Ten thousand clients, each waiting 10 ms on its own socket to a server for "
                 "every item (three items each): who keeps the waits overlapped?",
        files=(f"{WAITERS}/socket.json",),
        where=("producers=10000",),
        figure="efficiency",
        why="At this size a model's cost per waiting client decides: starting ten thousand "
            "tasks, greenlets or threads, and then, for every reply, the selector's work and "
            "the switch to the client it wakes, all on two cores shared with the server. A "
            "model that starts a process per client cannot run at all here (its points say "
            "why).",
        section="summary.md#thousands-of-waiting-clients-sockets-memory-and-start-up",
    ),
    Job(
        key="memory-per-waiter",
        title="Memory per waiting client",
        question="What does one more waiting client cost in memory: a task, a greenlet, a "
                 "thread?",
        files=(f"{WAITERS}/socket.json",),
        # processes and redis are left out: their peak is the parent's alone (each client
        # is a process of its own), so their slope does not measure a client
        candidates=("asyncio", "asyncio_uvloop", "trio", "anyio_asyncio", "gevent",
                    "threads"),
        figure="memory",
        why="The slope of each run's peak resident memory against the number of waiting "
            "producers, 1 to 10,000, each with its connection: a coroutine's frame and "
            "task, a greenlet's stack slice, or a thread's stack pages as far as they are "
            "touched, plus its socket.",
        mechanism=(),
        section="summary.md#thousands-of-waiting-clients-sockets-memory-and-start-up",
    ),
    Job(
        key="cpu-gil",
        title="CPU work per item on a GIL build",
        question="Consumers compute 100 µs per item on CPython 3.11 (GIL), two consumers on "
                 "two vCPUs: who spreads the work?",
        files=(f"{STUDY}/consumers-cpu.json",),
        where=("consumers=2",),
        figure="efficiency",
        baseline=True,
        why="With the GIL one thread runs Python at a time, so only separate processes can "
            "use the second core; but they pay a pickled hand-off per item and share the two "
            "vCPUs with their producer.",
        decide="a machine with more cores than this one's two vCPUs (which do 1.6 to 2.1 "
               "times the work of one here), with three or more consumers",
        section="summary.md#who-spreads-cpu-work-over-the-cores",
    ),
    Job(
        key="cpu-free-threaded",
        title="CPU work per item on a free-threaded build",
        question="The same two consumers of 100 µs per item on CPython 3.14.7t, the build "
                 "without the GIL: do threads now spread the work?",
        files=("results/freethreading-20261127-090231/cpu-2-consumers/cpython-3.14.7t.json",),
        figure="efficiency",
        baseline=True,
        why="Without the GIL, threads run Python on both cores at once; processes still pay "
            "their pickled hand-off.",
        section="interpreters.md#the-free-threading-question",
    ),
    Job(
        key="bridges",
        title="Blocking libraries feeding async code",
        question="Producers are threads (a blocking library), consumers are asyncio tasks: "
                 "which bridge costs least per item?",
        files=("results/broker-20261127-090231.json",),
        where=("capacity=10",),
        candidates=("mixed_culsans", "mixed_janus", "mixed_loop"),
        figure="time",
        why="Every item crosses from a thread into the event loop: the bridges differ in how "
            "often that wakes the loop and the waiting thread.",
        section="models/mixed.md",
    ),
    Job(
        key="other-processes",
        title="Consumers in other processes, or on other machines",
        question="Producers and consumers are separate processes, talking through a pipe, a "
                 "broker or a distributed engine's queue: what does a hand-off cost, 1,000 "
                 "items a run at capacity 10, on one machine?",
        files=("results/distributed-20261203-184916.json",),
        where=("capacity=10",),
        candidates=("processes", "redis", "ray_queue"),
        figure="time",
        why="Between processes every item is a system call and a wake-up on each side; "
            "through a broker it is four network round trips, each a system call and a "
            "wake-up of a blocked process; through Ray's queue, a call to an actor for every "
            "put and every get, and the run starts a process per actor, which a 1,000-item "
            "figure carries. On several machines each round trip adds the network's: "
            "models/redis.md and models/ray.md give the arithmetic.",
        section="models/ray.md",
    ),
    Job(
        key="short-runs",
        title="Very short runs",
        question="A run hands over one item and ends: what does starting and stopping the "
                 "model cost?",
        files=("results/scale-20261203-175916/items-1.json",),
        figure="time",
        why="With one item per run the time is all start-up and tear-down: creating threads, "
            "a fresh event loop, a trio run.",
        section="summary.md#size-a-fixed-cost-per-run-and-flat-memory",
    ),
    Job(
        key="tail-latency",
        title="Tail latency of each item",
        question="Four producers wait 1 ms per item, two consumers work 100 µs on each: how "
                 "long does the slowest one item in a hundred wait, from its take at its "
                 "source to its consumer?",
        files=(f"{LATENCY}/io-cpu.json",),
        figure="p99",
        why="An item waits for the queue's room, for a consumer to be free, and for the "
            "scheduler to run that consumer: a loop's turn, trio's randomized batch, or "
            "for threads the GIL's switch interval (5 ms) and the OS's choice of thread.",
        section="summary.md#latency-depth-and-fairness",
    ),
)


# ---- the page ---------------------------------------------------------------------------


def _load(job, root, load):
    files = []
    for pattern in job.files:
        matches = sorted(glob.glob(pattern, root_dir=root))
        if not matches:
            raise claims.ClaimError(f"guide row {job.key!r}: no file matches {pattern}")
        files += matches
    return files, [load(path) for path in files]


def rankings(root, load=None):
    """Every job of the guide, ranked on the results under ``root``."""
    load = load or (lambda path: results.load(root / path))
    out = []
    for job in JOBS:
        files, suites = _load(job, root, load)
        out.append(rank(job, suites, files))
    return out


def anchor(title):
    """The anchor GitHub gives a section headed ``title``: lower case, punctuation dropped,
    spaces to hyphens (each job's section is headed with its title)."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _names(estimates):
    return ", ".join(e.name for e in estimates) or "none"


def _figure_of(estimates):
    return "; ".join(f"{e.name} {e.text(first=i == 0)}" for i, e in enumerate(estimates))


FIGURE_NAMES = {"time": "time per item", "efficiency": "efficiency against the ideal",
                "cpu": "CPU time per item", "memory": "memory per waiting producer",
                **{p: f"{p} latency per item" for p in claims.LATENCIES}}


def _verdict(ranking):
    """The recommended cell: the names, or why the row is undecided."""
    if ranking.undecided:
        return f"undecided here: no model beats {BASELINE} beyond the intervals"
    return _names(ranking.recommended)


def table(rankings_, link):
    """The guide's summary table, one row per job, as Markdown lines."""
    lines = ["| job | recommended | runner-up | avoid | deciding figure (best) |",
             "|---|---|---|---|---|"]
    for r in rankings_:
        best = r.estimates[0]
        lines.append(f"| [{r.job.title}](#{anchor(r.job.title)}) | {_verdict(r)} | "
                     f"{_names(r.runner_up)} | {_names(r.avoid)} | "
                     f"{FIGURE_NAMES[r.job.figure]}: {best.name} {best.value_text()} |")
    return lines


def _mechanism(ranking):
    """The counts beside the ranking: CPU and voluntary switches per item, best and worst
    (none for a job whose figure spans several points, as memory per producer does)."""
    if not ranking.job.mechanism:
        return ""
    shown = [ranking.estimates[0], ranking.estimates[-1]]
    parts = []
    for e in shown:
        row = ranking.rows.get(e.name)  # a latency row has no CPU or switch counts
        if row is None or not row.usage:
            continue
        cpu = claims.quote(row.cpu, None, "duration")
        switches = row.usage["voluntary_switches"]
        parts.append(f"{e.name} uses {cpu} of CPU per item and makes {switches:.2g} voluntary "
                     "context switches per item")
    return ("; ".join(parts) + ".") if parts else ""


def _far(job):
    """The avoid rule of a job's figure, in words."""
    if _better(job):
        return f"under 1/{AVOID[job.figure]} of the best's {FIGURE_NAMES[job.figure]}"
    return f"over {AVOID[job.figure]} times the best's {FIGURE_NAMES[job.figure]}"


def section(ranking, link, made_by):
    """A job's section: the question, the ranking with its figures, why, and the command."""
    job = ranking.job
    figure = FIGURE_NAMES[job.figure]
    sources = ", ".join(f"[`{PurePosixPath(path).name}`]({link(path)})"
                        for path in ranking.files)
    where = f" at {', '.join(c.replace('=', ' ') for c in job.where)}" if job.where else ""
    lines = [f"### {job.title}", "", job.question, ""]
    if ranking.undecided:
        lines += [f"**Undecided on this machine.** The best, {ranking.estimates[0].name} "
                  f"({ranking.estimates[0].text()}), is not told apart from {BASELINE} "
                  f"({ranking.baseline.text(first=False)}): no model beats running the items "
                  "one after another beyond the intervals here."
                  + (f" What would decide it: {job.decide}." if job.decide else ""), ""]
    else:
        lines += [f"**Recommended:** {_names(ranking.recommended)} "
                  f"({figure}: {_figure_of(ranking.recommended)}).", ""]
    lines += [f"**Runner-up:** {_names(ranking.runner_up)}"
              + (f" ({_figure_of(ranking.runner_up)})." if ranking.runner_up else "."), ""]
    lines += [f"**Avoid:** {_names(ranking.avoid)}"
              + (f" ({_figure_of(ranking.avoid)}): {_far(job)}, at every end of the "
                 "intervals." if ranking.avoid else
                 f": no candidate is that far behind ({_far(job)})."),
              ""]
    mechanism = _mechanism(ranking)
    lines += [f"Why: {job.why}" + (f" Measured: {mechanism}" if mechanism else ""), ""]
    lines += [f"From {sources}{where}, made by {made_by(ranking.files[0])}; the figures are "
              f"explained in [{job.section.split('#')[0]}]({link('docs/' + job.section)}).", ""]
    return lines
