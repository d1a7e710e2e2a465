"""A table as data, and its two renderings: aligned text for a terminal, Markdown for a page.

``harness.report`` builds every table it shows as a ``Table``: named columns with their
alignment, rows each keyed by the variant they describe, the sentence that introduces the
table and the notes that go with it. Whoever shows a table chooses its rows and columns on
the data (``select``, ``without``) and renders last, here, so that a terminal and a page
always show the same cells.
"""

from dataclasses import dataclass, replace


class Note(str):
    """A note that is about one column: it goes when that column is dropped (``without``)."""

    def __new__(cls, text, column):
        note = super().__new__(cls, text)
        note.column = column
        return note


@dataclass(frozen=True)
class Column:
    """A column: its header, and how its cells align ("l" left, "r" right)."""

    name: str
    align: str = "r"


@dataclass(frozen=True)
class TableRow:
    """A row: what it describes (a variant's name), and its cells, one text per column."""

    key: str
    cells: tuple


@dataclass(frozen=True)
class Table:
    """A table: its columns, its rows, the sentence before it and the notes after it."""

    kind: str  # which of report's tables: "comparison", "sweep", "crossover", "split", ...
    columns: tuple  # of Column
    rows: tuple  # of TableRow
    title: str | None = None  # a sentence that introduces the table
    notes: tuple = ()  # sentences a reader needs to read it

    @classmethod
    def of(cls, kind, header, cells, align, title=None, notes=()):
        """A table from its headers, its rows of cells (each keyed by its first cell) and
        one alignment letter per column ("llrr")."""
        if len(header) != len(align):
            raise ValueError(f"{len(header)} columns but {len(align)} alignments")
        return cls(kind, tuple(Column(name, a) for name, a in zip(header, align)),
                   tuple(TableRow(row[0], tuple(row)) for row in cells), title, tuple(notes))

    @property
    def names(self):
        """The columns' headers, in order."""
        return [column.name for column in self.columns]

    @property
    def keys(self):
        """The rows' keys (the variants), in order."""
        return [row.key for row in self.rows]

    def cell(self, key, name):
        """The text of row ``key`` in the (first) column named ``name``."""
        index = self.names.index(name)
        return next(row.cells[index] for row in self.rows if row.key == key)

    def select(self, keys):
        """This table with only the rows whose key is in ``keys``, in the table's order."""
        return replace(self, rows=tuple(row for row in self.rows if row.key in keys))

    def without(self, names):
        """This table without every column named in ``names`` (a sweep repeats its column
        names once per point: all of them go); a name no column has is a ValueError."""
        for name in names:
            if name not in self.names:
                raise ValueError(f"no column {name!r} to drop; the columns are "
                                 f"{', '.join(self.names)}")
        keep = [i for i, name in enumerate(self.names) if name not in names]
        return replace(self, columns=tuple(self.columns[i] for i in keep),
                       rows=tuple(replace(row, cells=tuple(row.cells[i] for i in keep))
                                  for row in self.rows),
                       notes=tuple(note for note in self.notes
                                   if getattr(note, "column", None) not in names))


def to_text(table):
    """The table as lines of text, each column padded to its widest cell."""
    header = table.names
    cells = [row.cells for row in table.rows]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    fmt = "  ".join(f"{{:{'<' if c.align == 'l' else '>'}{w}}}"
                    for c, w in zip(table.columns, widths))
    return [fmt.format(*header), *(fmt.format(*row) for row in cells)]


def to_markdown(table):
    """The table as lines of a Markdown table."""
    rule = "|" + "|".join("---:" if c.align == "r" else "---" for c in table.columns) + "|"
    return ["| " + " | ".join(table.names) + " |", rule,
            *("| " + " | ".join(row.cells) + " |" for row in table.rows)]


def lines(table, markdown=False):
    """The table's own lines, as aligned text or as Markdown."""
    return to_markdown(table) if markdown else to_text(table)


def parts(tables, markdown=False):
    """What a command prints of ``tables``, as parts, each a list of lines: for each table
    its title, its lines, then each of its notes."""
    out = []
    for table in tables:
        if table.title:
            out.append([table.title])
        out.append(lines(table, markdown))
        out += [[note] for note in table.notes]
    return out


def layout(header, cells, align, markdown=False):
    """Lines of a table given as headers, rows of cells and alignments ("llrr")."""
    return lines(Table.of("", header, cells, align), markdown)
