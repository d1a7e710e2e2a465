"""Generated blocks in README.md and docs/: every table, plot and quoted file, from results/.

A page marks where a generated block goes with two HTML comments, each alone on its line;
the first names what to generate, as a kind and its arguments:

    <!-- capqueue: report results/compare-20261203-184558.json -->
    ... everything here is the generator's, rewritten on every run ...
    <!-- end capqueue -->

``capqueue docs`` (``make docs``) rewrites every block of ``README.md``, ``results/README.md``
and ``docs/**.md`` from the committed ``results/`` and ``variants/``, and leaves the prose
around them untouched; each block ends with an italic line giving the command that made it,
so a reader can rerun it. ``capqueue docs --check`` writes nothing and lists the blocks whose
text, or whose plot files, differ from what regeneration gives (exit status 1).

The kinds (``FILE`` is relative to the project's top folder and may be a glob pattern):

``report FILE... [--where FIELD=VALUE] [--variants V,...] [--drop COLUMN] [--only sweep|split]``
    the Markdown table ``capqueue report FILE... --markdown`` prints, from the same
    tables of ``harness.report``; optionally one point of a sweep (``--where``, as the
    command takes it), only some variants' rows, without a column (repeatable), or, for
    several files, only the sweep or only the fixed/marginal split. Rows and columns are
    chosen on the tables as data, before they are rendered.
``plot KIND FILE... -o STEM [--variants V,...]``
    a plot from ``harness.plot`` (``capqueue plot``), written as STEM.svg and
    STEM.png; the block embeds the SVG.
``quote FILE``
    a file quoted whole in a fenced block: an exhibit's source, or a text output kept in
    ``results/`` (its command comes from ``results/manifest.toml``).
``containers FILE``
    the list-versus-deque table of ``capqueue containers --report FILE``.
``pages`` / ``results``
    every page of the docs with its title; every file in ``results/`` with the command
    that made it, from ``results/manifest.toml``.
"""

import argparse
import functools
import glob
import hashlib
import os
import re
import shlex
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from harness import claims, report, results, table

OPEN = re.compile(r"<!-- capqueue: (?P<spec>.*\S) -->")
END = "<!-- end capqueue -->"
FENCE = re.compile(r"^(`{3,}|~{3,})")
MANIFEST = "results/manifest.toml"


class DocsError(Exception):
    """A page's block cannot be generated; the message names the page, the line and why."""


class ClaimFailure(DocsError):
    """A claim block the results do not support (or that cannot be checked as written)."""


@dataclass(frozen=True)
class Block:
    """One generated block of a page: where its markers are, and what it asks for."""

    page: str  # relative to the top folder, e.g. "docs/summary.md"
    line: int  # 1-based line of the opening marker
    spec: str  # what the marker names: "report results/compare-....json"
    start: int  # index of the opening marker line
    end: int  # index of the closing marker line

    def __str__(self):
        return f"{self.page} line {self.line}: block '{self.spec}'"


@dataclass
class Rendered:
    """A block's new text, and the files (plots) it writes beside the page."""

    lines: list
    files: dict = field(default_factory=dict)  # path from the top folder -> its bytes


def pages(root):
    """Every page that may hold generated blocks, relative to ``root``, in reading order."""
    docs = sorted((p.relative_to(root) for p in (root / "docs").rglob("*.md")),
                  key=lambda p: (len(p.parts), p))  # docs/ itself first, then its folders
    found = ["README.md", *(p.as_posix() for p in docs), "results/README.md"]
    return [page for page in found if (root / page).is_file()]


def parse(page, text):
    """The blocks of ``page``; a malformed marker is a DocsError naming the page and line."""
    blocks, opened, fence = [], None, None
    for index, line in enumerate(text.splitlines()):
        where = f"{page} line {index + 1}"
        stripped = line.strip()
        if opened is None:  # markers shown inside code fences are examples, not blocks
            found = FENCE.match(stripped)
            if fence and found and stripped.startswith(fence) and not stripped[len(fence):]:
                fence = None
            elif not fence and found:
                fence = found.group(1)
            if fence:
                continue
        if stripped == END:
            if opened is None:
                raise DocsError(f"{where}: '{END}' closes no block")
            blocks.append(Block(page, opened[0] + 1, opened[1], opened[0], index))
            opened = None
        elif stripped.startswith("<!-- capqueue"):
            marker = OPEN.fullmatch(stripped)
            if marker is None:
                raise DocsError(f"{where}: a block marker is one line, "
                                f"'<!-- capqueue: KIND ARGUMENTS -->', not {stripped!r}")
            if opened is not None:
                raise DocsError(f"{page} line {opened[0] + 1}: block '{opened[1]}' has no "
                                f"'{END}' before the next block, at line {index + 1}")
            opened = (index, marker["spec"])
    if opened is not None:
        raise DocsError(f"{page} line {opened[0] + 1}: block '{opened[1]}' has no '{END}'")
    return blocks


def regenerate(root, page, text, scratch, failures=None):
    """``text`` with every block rewritten; returns (new text, stale blocks, files to write).

    A claim block the results do not support is left as it was and its reason appended to
    ``failures`` (a list), or raised when no list is given.
    """
    own = failures is None
    failures = [] if own else failures
    lines = text.splitlines()
    out, stale, files, done = [], [], {}, 0
    for block in parse(page, text):
        try:
            rendered = render(root, block, scratch)
        except ClaimFailure as failure:  # every failing claim is named, not only the first
            failures.append(str(failure))
            rendered = Rendered(lines[block.start + 1:block.end])
        new = [lines[block.start], *rendered.lines, lines[block.end]]
        changed = lines[block.start:block.end + 1] != new
        for path, data in rendered.files.items():
            target = root / path
            changed |= not target.is_file() or target.read_bytes() != data
            files[path] = data
        if changed:
            stale.append(block)
        out += lines[done:block.start] + new
        done = block.end + 1
    out += lines[done:]
    if own and failures:
        raise ClaimFailure(failures[0])
    return "\n".join(out) + ("\n" if text.endswith("\n") or not text else ""), stale, files


def run(root=".", check=False, out=print, only=()):
    """Regenerate (or, with ``check``, only compare) every page, or the pages ``only`` names
    (paths from the top folder); return the stale blocks."""
    root = Path(root)
    if not (root / "README.md").is_file() or not (root / "docs").is_dir():
        raise DocsError(f"no README.md and docs/ in {root.resolve()}; run capqueue docs from "
                        "the project's top folder")
    every = list(pages(root))
    unknown = [page for page in only if PurePosixPath(page).as_posix() not in every]
    if unknown:
        raise DocsError(f"{unknown[0]} is not a page with generated blocks (the pages are "
                        "README.md, results/README.md and docs/**/*.md)")
    chosen = [page for page in every if not only or page in
              {PurePosixPath(p).as_posix() for p in only}]
    stale_blocks, writes, failures = [], {}, []
    with tempfile.TemporaryDirectory(prefix="capqueue-docs-") as scratch:
        for page in chosen:
            text = (root / page).read_text()
            new, stale, files = regenerate(root, page, text, Path(scratch), failures)
            stale_blocks += stale
            writes.update(files)
            writes[page] = new.encode()
    if failures:  # nothing is written while a page says what its results do not support
        raise ClaimFailure("\n".join(failures) if len(failures) == 1 else
                           f"{len(failures)} claims are not what the results say:\n"
                           + "\n".join(failures))
    if not check:  # only once every page has been generated: an error leaves all as it was
        for path, data in writes.items():
            target = root / path
            if not target.is_file() or target.read_bytes() != data:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    for block in stale_blocks:
        out(f"{'stale' if check else 'rewrote'}: {block}")
    if check and stale_blocks:
        out(f"{len(stale_blocks)} block(s) differ from what results/ and variants/ give; "
            "run `capqueue docs` (make docs) and commit the result")
    elif not stale_blocks:
        out("every generated block is up to date")
    return stale_blocks


# ---- the kinds of block -------------------------------------------------------------------


class _Arguments(argparse.ArgumentParser):
    """A block's argument parser: its errors become a DocsError for the caller to place."""

    def error(self, message):
        raise DocsError(message)


def _parser(kind):
    parser = _Arguments(prog=kind, add_help=False)
    if kind in ("report", "plot"):
        if kind == "plot":
            parser.add_argument("plot")
        parser.add_argument("files", nargs="+")
        parser.add_argument("--variants", type=lambda text: text.split(","))
    if kind == "report":
        parser.add_argument("--drop", action="append", default=[])
        parser.add_argument("--only", choices=("sweep", "split", "memory", "startup"))
        parser.add_argument("--where", action="append", default=[])
    if kind == "plot":
        parser.add_argument("-o", dest="stem", required=True)
    if kind in ("quote", "containers"):
        parser.add_argument("file")
    if kind == "claim":
        parser.add_argument("words", nargs=argparse.REMAINDER)
    return parser


def render(root, block, scratch):
    """The lines between ``block``'s markers (and its plot files), generated afresh."""
    try:
        words = shlex.split(block.spec)
    except ValueError as exc:
        raise DocsError(f"{block.page} line {block.line}: {exc} in '{block.spec}'") from None
    kind, arguments = words[0], words[1:]
    if kind not in KINDS:
        raise DocsError(f"{block.page} line {block.line}: unknown block kind {kind!r}; the "
                        f"kinds are {', '.join(KINDS)}")
    context = _Context(root, block, scratch)
    try:
        args = _parser(kind).parse_args(arguments)
        rendered = KINDS[kind](context, args)
    except (claims.ClaimError, claims.Unsupported) as exc:
        what = "does not hold" if isinstance(exc, claims.Unsupported) else "cannot be checked"
        raise ClaimFailure(f"{block.page} line {block.line}: claim "
                           f"'{' '.join(args.words[len(_claim_files(args.words)):])}' {what}: "
                           f"{exc}") from None
    except (DocsError, results.ResultsError) as exc:
        raise DocsError(f"{block.page} line {block.line}: {kind}: {exc}") from None
    if not isinstance(rendered, Rendered):
        rendered = Rendered(rendered)
    return rendered


@dataclass
class _Context:
    root: Path
    block: Block
    scratch: Path

    def files(self, patterns):
        """The files that ``patterns`` (relative to the top folder) name, globs expanded."""
        found = []
        for pattern in patterns:
            matches = sorted(glob.glob(pattern, root_dir=self.root))
            if not matches:
                raise DocsError(f"no file matches {pattern}")
            found += matches
        return found

    def link(self, path):
        """``path`` (relative to the top folder) as a link from the block's page."""
        here = PurePosixPath(self.block.page).parent
        return PurePosixPath(os.path.relpath(path, here or ".")).as_posix()

    def load(self, path):
        file = self.root / path
        return _load(file, file.stat().st_mtime_ns if file.exists() else 0)


@functools.lru_cache(maxsize=64)
def _load(path, mtime):  # the modification time, so that a rewritten file is read again
    """A results file, read once per run of the docs (many blocks cite the same file)."""
    return results.load(path)


def _report(context, args):
    files = context.files(args.files)
    try:
        suites = report.where([context.load(path) for path in files], args.where)
    except ValueError as exc:
        raise DocsError(str(exc)) from None
    notes = []
    single = len(report.points(suites, files)) == 1
    if single and args.only:
        raise DocsError("--only chooses between the tables of several files; this is one")
    if single:
        notes += [f"Workload: {w.describe()}." for w in report.workloads(suites[0])]
    found = report.tables(suites, sources=files, only=args.only)
    if args.only == "split" and not found:
        raise DocsError("no variant was measured at two item counts, so there is no split")
    notes.append(f"Measured: {report.describe_machine(suites[0])}.")
    dropped = sum(t.names.count(name) for t in found for name in args.drop)
    try:  # rows and columns are chosen on the tables, before they are rendered
        found = [(t.select(args.variants) if args.variants else t).without(args.drop)
                 for t in found]
    except ValueError as exc:  # a column to drop that a table lacks
        raise DocsError(str(exc)) from None
    for wanted in args.variants or []:
        if not any(wanted in t.keys for t in found):
            raise DocsError(f"no variant {wanted!r} in the report of {' '.join(args.files)}")
    # the files as typed, glob patterns included: the reader's shell expands them the same way
    command = (f"capqueue report {' '.join(args.files)}"
               + "".join(f" --where {condition}" for condition in args.where) + " --markdown")
    chosen = []
    if args.only:
        chosen.append(f"its {args.only} table")
    if args.variants:
        chosen.append(f"the row{'s' * (len(args.variants) > 1)} of {_and(args.variants)}")
    if args.drop:
        chosen.append(f"without the {_and(args.drop)} column{'s' * (dropped > 1)}")
    caption = f"Generated by `{command}`" + (f": {', '.join(chosen)}" if chosen else "") + "."
    lines = []
    for part in table.parts(found, markdown=True):
        lines += ["", *part]
    return ["", *lines[1:], "", f"*{caption} {' '.join(notes)}*", ""]


def _and(names):
    """a, b and c."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# Drawing is the slow part of a run: a plot of the same files' contents is drawn once per
# process, whichever page or copy of the project asks for it.
_DRAWN = {}


def _plot(context, args):
    from harness import plot  # matplotlib, only when a page has a plot

    if args.plot not in plot.PLOTS:
        raise DocsError(f"no plot {args.plot!r}; harness.plot draws {', '.join(plot.PLOTS)}")
    files = context.files(args.files)
    key = (args.plot, tuple(args.variants or ()),
           *(hashlib.sha256((context.root / path).read_bytes()).digest() for path in files))
    if key not in _DRAWN:
        suites = [context.load(path) for path in files]
        scratch = context.scratch / f"{context.block.page}-{context.block.line}".replace("/", "_")
        written = plot.PLOTS[args.plot](suites, scratch / "plot", args.variants)
        _DRAWN[key] = {path.suffix: path.read_bytes() for path in written}
    outputs = {f"{args.stem}{suffix}": data for suffix, data in _DRAWN[key].items()}
    svg, png = f"{args.stem}.svg", f"{args.stem}.png"
    command = (f"capqueue plot {args.plot} {' '.join(args.files)} "
               f"-o {args.stem}" + (f" --variants {','.join(args.variants)}"
                                    if args.variants else ""))
    alt = f"{args.plot} plot: time per item of each variant, from {' '.join(args.files)}"
    lines = ["", f"![{alt}]({context.link(svg)})", "",
             f"*Plotted by `{command}`, which writes [the SVG]({context.link(svg)}) shown here "
             f"and [a PNG]({context.link(png)}) beside it.*", ""]
    return Rendered(lines, outputs)


def _quote(context, args):
    [path] = context.files([args.file])
    text = (context.root / path).read_text()
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    language = {".py": "python", ".toml": "toml"}.get(Path(path).suffix, "text")
    made = ""
    if PurePosixPath(path).parts[0] == "results":
        made = f", made by {_made_by(context, path)}"
    return ["", f"{fence}{language}", *text.rstrip("\n").splitlines(), fence, "",
            f"*Quoted by `capqueue docs` from [`{path}`]({context.link(path)}){made}.*", ""]


def _containers(context, args):
    import pyperf

    from harness.studies import containers

    [path] = context.files([args.file])
    try:
        suite = pyperf.BenchmarkSuite.load(str(context.root / path))
        table = containers.table(suite)
    except Exception as exc:  # a file that is not the containers suite
        raise DocsError(f"{path} is not a results file of capqueue containers ({exc})") from None
    return ["", *table, "",
            f"*Generated by `capqueue containers --report {path}`.*", ""]


def _pages(context, args):
    lines = [""]
    for page in pages(context.root):
        if page == context.block.page:
            continue
        title = next((line[2:].strip() for line in (context.root / page).read_text()
                      .splitlines() if line.startswith("# ")), page)
        lines.append(f"- [{title}]({context.link(page)}) (`{page}`)")
    return [*lines, "", "*Listed by `capqueue docs`: every page under docs/, and the "
            "READMEs.*", ""]


def manifest(root):
    """Each results file (relative to the top folder) -> (command that made it, what it is).

    Every file in results/ must match an entry of results/manifest.toml, and every entry a
    file: a results file whose command is unknown cannot be cited.
    """
    path = root / MANIFEST
    try:
        entries = tomllib.loads(path.read_text())["file"]
    except FileNotFoundError:
        raise DocsError(f"no {MANIFEST}: it says which command made each results file") from None
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise DocsError(f"{MANIFEST} is not a list of [[file]] entries ({exc})") from None
    listed = {}
    for entry in entries:
        matches = sorted(glob.glob(f"results/{entry['path']}", root_dir=root))
        if not matches:
            raise DocsError(f"{MANIFEST} lists {entry['path']}, which matches no file in "
                            "results/")
        for match in matches:
            listed.setdefault(Path(match).as_posix(), (_how(entry), entry["what"]))
    kept = {"results/README.md", MANIFEST}
    for file in sorted((root / "results").rglob("*")):
        name = file.relative_to(root).as_posix()
        if file.is_file() and name not in kept and name not in listed and \
                not file.name.startswith("."):
            raise DocsError(f"{name} is in no entry of {MANIFEST}; add the command that made it")
    return listed


def _how(entry):
    """An entry's command in code, or ``how`` (Markdown, for a recipe a page spells out)."""
    if ("command" in entry) == ("how" in entry):
        raise DocsError(f"{MANIFEST}: the entry of {entry['path']} needs one of command and "
                        "how")
    return f"`{entry['command']}`" if "command" in entry else entry["how"]


def _made_by(context, path):
    listed = manifest(context.root)
    if path not in listed:
        raise DocsError(f"{path} is in no entry of {MANIFEST}; add the command that made it")
    return listed[path][0]


def _results(context, args):
    lines = ["", "| file | made by | what it is |", "|---|---|---|"]
    for path, (command, what) in manifest(context.root).items():
        shown = PurePosixPath(path).relative_to("results")
        cells = (f"[`{shown}`]({context.link(path)})", command, what)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return [*lines, "", f"*Generated by `capqueue docs` from `{MANIFEST}`.*", ""]


def _claim_files(words):
    """The leading words of a claim that name its results files."""
    return claims.parse(words).files if words else ()


def _claim(context, args):
    claim = claims.parse(args.words)
    files = context.files(claim.files)
    sentence = claims.decide(claim, [context.load(path) for path in files])
    where = "".join(f", {condition.replace('=', ' ')}" for condition in claim.where)
    sources = ", ".join(f"[`{PurePosixPath(path).name}`{where}]({context.link(path)})"
                        for path in files)
    return ["", f"{sentence} ({sources})", ""]


def _guide(context, args):
    from harness import guide

    try:
        ranked = guide.rankings(context.root, context.load)
    except (claims.ClaimError, claims.Unsupported) as exc:
        raise DocsError(str(exc)) from None
    lines = ["", *guide.table(ranked, context.link), ""]
    for ranking in ranked:
        lines += guide.section(ranking, context.link, lambda path: _made_by(context, path))
    return [*lines, "*Ranked by `capqueue docs` with the rule of `harness/guide.py`, from the "
            "results each row names.*", ""]


KINDS = {"claim": _claim, "guide": _guide, "report": _report, "plot": _plot, "quote": _quote, "containers": _containers,
         "pages": _pages, "results": _results}

