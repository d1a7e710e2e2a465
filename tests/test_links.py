"""Every link in README.md, results/README.md and docs/ resolves: its file, and its anchor."""

import re

import pytest

from conftest import ROOT
from harness import docs

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def prose(text):
    """The lines of a page outside fenced code blocks, with inline code blanked."""
    fence = None
    for line in text.splitlines():
        found = FENCE.match(line)
        if found and (fence is None or found.group(1).startswith(fence)):
            fence = None if fence else found.group(1)
            continue
        if fence is None:
            yield re.sub(r"`+[^`]*`+", "``", line)


def slug(heading):
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading: its text
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page):
    """Every anchor a page offers, duplicates numbered as GitHub numbers them."""
    seen, found = {}, set()
    for line in prose(page.read_text()):
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            base = slug(heading.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links():
    for page in docs.pages(ROOT):
        for number, line in enumerate(prose((ROOT / page).read_text()), 1):
            for target in LINK.findall(line):
                if not re.match(r"^[a-z]+:", target):  # http:, https:, mailto: are the web's
                    yield page, target


@pytest.mark.parametrize("page, target", sorted(set(links())))
def test_the_link_resolves(page, target):
    path, _, anchor = target.partition("#")
    file = (ROOT / page).parent / path if path else ROOT / page
    assert file.exists(), f"{page}: {target} names no file"
    if anchor:
        assert file.suffix == ".md", f"{page}: {target} has an anchor into a file that is not a page"
        assert anchor in anchors(file), (f"{page}: {target}: no heading of {path or page} makes "
                                         f"the anchor #{anchor}")


def test_the_slug_rule_is_githubs():
    assert slug("The table: what a hand-off costs") == "the-table-what-a-hand-off-costs"
    assert slug("Who overlaps I/O waits") == "who-overlaps-io-waits"
    assert slug("`capqueue run` and `compare`") == "capqueue-run-and-compare"
