"""A table as data, rendered last: the same cells as aligned text and as Markdown."""

import pytest

from harness.table import Table, layout, parts, to_markdown, to_text

TABLE = Table.of("example", ["variant", "per item"],
                 [["trio", "1.10 µs"], ["sequential", "36 ns"]], "lr", title="Before.",
                 notes=["After.", "And after."])


def test_text_pads_each_column_to_its_widest_cell_on_its_side():
    assert to_text(TABLE) == ["variant     per item",
                              "trio         1.10 µs",
                              "sequential     36 ns"]


def test_markdown_marks_right_aligned_columns():
    assert to_markdown(TABLE) == ["| variant | per item |", "|---|---:|",
                                  "| trio | 1.10 µs |", "| sequential | 36 ns |"]


def test_parts_are_the_title_the_table_and_each_note():
    assert parts([TABLE], markdown=True) == [["Before."], to_markdown(TABLE), ["After."],
                                             ["And after."]]


def test_choosing_rows_and_columns_keeps_the_rest_as_it_was():
    chosen = TABLE.select(["sequential"]).without(["per item"])
    assert chosen.names == ["variant"] and chosen.keys == ["sequential"]
    assert (chosen.title, chosen.notes) == (TABLE.title, TABLE.notes)
    assert to_markdown(chosen) == ["| variant |", "|---|", "| sequential |"]


def test_a_table_needs_an_alignment_per_column():
    with pytest.raises(ValueError, match=r"^2 columns but 3 alignments$"):
        Table.of("example", ["a", "b"], [], "lrr")


def test_layout_renders_plain_cells():
    assert layout(("a", "b"), [("x", "1")], "lr", markdown=True) == ["| a | b |", "|---|---:|",
                                                                     "| x | 1 |"]
