"""The generated docs: never stale, rewritten the same way twice, and clear about bad markers."""

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, capqueue
from harness import docs
from harness.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The project's pages, results and exhibits, copied where a test may edit them."""
    top = tmp_path_factory.mktemp("project")
    for name in ("README.md", "docs", "results", "variants"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, top / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, top / name)
    return top


def test_committed_docs_are_what_the_results_give():
    """The staleness test: regenerate every block (plots too) and compare, writing nothing."""
    stale = docs.run(ROOT, check=True, out=lambda line: None)
    assert not stale, "stale generated blocks (run `make docs` and commit):\n" + "\n".join(
        map(str, stale))


def test_an_edited_table_is_stale_and_named_by_page_and_block(copy, monkeypatch, capsys):
    page = copy / "README.md"
    text = page.read_text()
    # the sequential row of the compare table, its third cell (the figure) changed
    block = text.index("<!-- capqueue: report results/compare-")
    row = text.index("| sequential | sequential | ", block)
    row_end = text.index("\n", row)
    cells = text[row:row_end].split(" | ")
    cells[2] = "999 ns"
    edited = text[:row] + " | ".join(cells) + text[row_end:]
    assert edited != text
    page.write_text(edited)
    monkeypatch.chdir(copy)
    try:
        status = main(["docs", "--check", "README.md"])  # in this process, one page: speed
        line = 1 + edited[:edited.index("<!-- capqueue: report results/compare-")].count("\n")
        printed = capsys.readouterr().out
        assert status == 1
        spec = text[block + len("<!-- capqueue: "):text.index(" -->", block)]
        assert f"stale: README.md line {line}: block '{spec}'" in printed
        assert printed.count("stale:") == 1  # only the edited block
        assert page.read_text() == edited  # --check writes nothing
    finally:
        page.write_text(text)


def test_regenerating_restores_an_edited_block_and_leaves_the_prose(copy):
    page = copy / "docs" / "models" / "trio.md"
    text = page.read_text()
    edited = text.replace("The capacity hardly matters", "The capacity hardly MATTERS")
    edited = re.sub(r"\| trio \| [\d,]+ \|", "| trio | 1 |", edited, count=1)
    page.write_text(edited)
    try:
        stale = docs.run(copy, out=lambda line: None)
        assert [(b.page, b.spec.split()[0]) for b in stale] == [("docs/models/trio.md", "report")]
        assert page.read_text() == text.replace("hardly matters", "hardly MATTERS")
    finally:
        page.write_text(text)


def test_regeneration_is_idempotent(copy):
    """Running it twice changes nothing: the second run finds every block up to date."""
    page = copy / "docs" / "models" / "greenlet.md"
    text = page.read_text()
    # emptied blocks are filled on the first run, then left alone
    page.write_text(re.sub(r"(<!-- capqueue: .* -->\n).*?(<!-- end capqueue -->)", r"\1\2",
                           text, flags=re.S))
    try:
        assert docs.run(copy, out=lambda line: None)
        first = {p: (copy / p).read_bytes() for p in docs.pages(copy)}
        assert page.read_text() == text
        assert docs.run(copy, out=lambda line: None) == []
        assert {p: (copy / p).read_bytes() for p in docs.pages(copy)} == first
    finally:
        page.write_text(text)


def test_every_plot_block_has_its_svg_and_png_and_embeds_the_svg():
    plots = 0
    for page in docs.pages(ROOT):
        text = (ROOT / page).read_text()
        lines = text.splitlines()
        for block in docs.parse(page, text):
            if block.spec.split()[0] != "plot":
                continue
            plots += 1
            stem = block.spec.split(" -o ")[1].split()[0]
            for suffix in (".svg", ".png"):
                assert (ROOT / f"{stem}{suffix}").is_file(), f"{block}: no {stem}{suffix}"
            svg = (ROOT / f"{stem}.svg").read_text()
            assert "<dc:date>" not in svg and "Matplotlib v" not in svg  # nothing that churns
            body = "\n".join(lines[block.start:block.end])
            assert f"{Path(stem).name}.svg)" in body
    assert plots >= 2


def test_a_missing_plot_file_makes_its_block_stale(copy):
    png = copy / "docs" / "plots" / "capacity.png"
    kept = png.read_bytes()
    png.unlink()
    try:
        stale = docs.run(copy, check=True, out=lambda line: None)
        assert [b.spec.split()[0] for b in stale] == ["plot"]
        assert "docs/plots/capacity" in stale[0].spec
    finally:
        png.write_bytes(kept)


def test_every_model_page_quotes_its_exhibits():
    for page in sorted((ROOT / "docs" / "models").glob("*.md")):
        text = page.read_text()
        exhibits = set(re.findall(r"\(\.\./\.\./(variants/\w+\.py)\)", text.split("\n## ")[0]))
        quoted = {b.spec.split()[1] for b in docs.parse(page.name, text)
                  if b.spec.startswith("quote ")}
        assert exhibits and exhibits <= quoted, page.name


def test_every_results_file_has_the_command_that_made_it():
    listed = docs.manifest(ROOT)
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "results").rglob("*")
             if p.is_file() and p.name not in ("README.md", "manifest.toml")}
    assert set(listed) == files


def test_a_results_file_missing_from_the_manifest_is_refused(copy):
    extra = copy / "results" / "mystery.json"
    shutil.copy2(copy / "results" / "compare-20261203-184558.json", extra)
    try:
        result = capqueue("docs", "--check", cwd=copy)
        assert result.returncode == 2
        assert result.stderr.strip().endswith("results/mystery.json is in no entry of "
                                              "results/manifest.toml; add the command that "
                                              "made it")
    finally:
        extra.unlink()


@pytest.mark.parametrize("page, message", [
    ("intro\n<!-- capqueue: report results/x.json -->\ntable\n",
     "docs/p.md line 2: block 'report results/x.json' has no '<!-- end capqueue -->'"),
    ("intro\n\n<!-- end capqueue -->\n",
     "docs/p.md line 3: '<!-- end capqueue -->' closes no block"),
    ("<!-- capqueue: quote a.py -->\n<!-- capqueue: quote b.py -->\n<!-- end capqueue -->\n",
     "docs/p.md line 1: block 'quote a.py' has no '<!-- end capqueue -->' before the next "
     "block, at line 2"),
    ("text\n<!-- capqueue report results/x.json -->\n<!-- end capqueue -->\n",
     "docs/p.md line 2: a block marker is one line, '<!-- capqueue: KIND ARGUMENTS -->', not "
     "'<!-- capqueue report results/x.json -->'"),
])
def test_a_malformed_marker_is_one_line_naming_page_and_line(page, message):
    with pytest.raises(docs.DocsError, match=f"^{re.escape(message)}$"):
        docs.parse("docs/p.md", page)


def test_markers_inside_code_fences_are_examples_not_blocks():
    page = "text\n```markdown\n<!-- capqueue: report x.json -->\n```\nmore\n"
    assert docs.parse("docs/p.md", page) == []


@pytest.mark.parametrize("spec, message", [
    ("tabel results/x.json", "unknown block kind 'tabel'; the kinds are claim, guide, report, "
                             "plot, quote, containers, pages, results"),
    ("report results/nothing-*.json", "report: no file matches results/nothing-*.json"),
    ("report results/compare-20261203-184558.json --variants nobody",
     "report: no variant 'nobody' in the report of results/compare-20261203-184558.json"),
    ("report results/compare-20261203-184558.json --drop colour",
     "report: no column 'colour' to drop; the columns are variant, model, per item (median), "
     "95% interval of the mean, mean ± std dev, ratio to sequential, CPU per item, switches "
     "per item (vol. + invol.), peak RSS"),
    ("report results/compare-20261203-184558.json --colour", "report: unrecognized "
                                                            "arguments: --colour"),
    ("quote variants/nothing.py", "quote: no file matches variants/nothing.py"),
])
def test_a_block_that_cannot_be_generated_names_page_and_line(spec, message):
    text = f"# t\n\n<!-- capqueue: {spec} -->\n<!-- end capqueue -->\n"
    with pytest.raises(docs.DocsError, match=f"^{re.escape('docs/p.md line 3: ' + message)}$"):
        docs.regenerate(ROOT, "docs/p.md", text, ROOT / "unused")


def test_the_cli_reports_a_malformed_page_in_one_line(copy):
    page = copy / "docs" / "methodology.md"
    text = page.read_text()
    page.write_text(text + "\n<!-- capqueue: pages -->\n")
    try:
        result = capqueue("docs", cwd=copy)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith("capqueue: docs/methodology.md line ")
        assert page.read_text() == text + "\n<!-- capqueue: pages -->\n"  # nothing written
    finally:
        page.write_text(text)


def test_a_report_block_is_the_table_the_cli_prints():
    text = ("<!-- capqueue: report results/compare-20261203-184558.json -->\n"
            "<!-- end capqueue -->\n")
    block = docs.regenerate(ROOT, "README.md", text, ROOT / "unused")[0]
    printed = capqueue("report", "results/compare-20261203-184558.json", "--markdown").stdout
    table = [line for line in printed.splitlines() if line.startswith("|")]
    assert "\n".join(table) in block
    assert ("*Generated by `capqueue report results/compare-20261203-184558.json --markdown`."
            in block)


def test_a_report_block_keeps_the_rows_and_columns_it_names():
    text = ('<!-- capqueue: report results/compare-20261203-184558.json --variants trio,asyncio '
            '--drop "peak RSS" --drop "CPU per item" -->\n<!-- end capqueue -->\n')
    block = docs.regenerate(ROOT, "README.md", text, ROOT / "unused")[0].splitlines()
    table = [line for line in block if line.startswith("|")]
    assert table[0] == ("| variant | model | per item (median) | 95% interval of the mean | "
                        "mean ± std dev | ratio to sequential | switches per item (vol. + "
                        "invol.) |")
    assert table[1] == "|---|---|---:|---:|---:|---:|---:|"
    assert sorted(line.split(" | ")[0] for line in table[2:]) == ["| asyncio", "| trio"]
    assert all(line.count(" | ") == 6 for line in table[2:])
    assert any(line.startswith("*Generated by `capqueue report results/compare-20261203-184558"
                               ".json --markdown`: the rows of trio and asyncio, without the "
                               "peak RSS and CPU per item columns.") for line in block)


def test_docs_explains_itself():
    result = capqueue("docs", "--help")
    assert result.returncode == 0
    assert "--check" in result.stdout and "<!-- capqueue: KIND" in result.stdout


def test_a_sweep_plot_of_files_that_vary_nothing_is_refused_in_one_line(tmp_path, capsys):
    status = main(["plot", "sweep", str(ROOT / "results" / "compare-20261203-184558.json"),
                   "-o", str(tmp_path / "p")])
    assert status == 2
    assert capsys.readouterr().err == ("capqueue: this plot needs results that differ in "
                                       "exactly one workload parameter, not 0\n")
    assert not list(tmp_path.iterdir())


def test_docs_of_a_page_that_is_not_one_is_one_sentence_and_exit_2():
    result = capqueue("docs", "--check", "docs/nowhere.md")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "capqueue: docs/nowhere.md is not a page with generated blocks (the pages are "
        "README.md, results/README.md and docs/**/*.md)")
