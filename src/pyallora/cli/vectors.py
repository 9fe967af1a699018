"""``allora vectors``: complete a simulator table the way ``../shared/vectors/README.md`` §1 says.

Each table kind is a sub-command contributed by its own module (:data:`TABLE_MODULES`), which
defines ``register(subparsers)`` and usually calls :func:`add_table_command`. Modules that are
not installed yet are skipped (``allora vectors --help`` lists what is available).

This module is the shared plumbing of those sub-commands:

* :func:`read_table` / :func:`write_table`: the CSV format of the README (one header line, LF
  line endings, no quoting; every row as long as the header);
* :class:`ColumnClassifier`: INPUT/OUTPUT classification by the README's whole-name regular
  expressions (§2);
* :class:`RowView`: typed reads of one row's cells (numbers as Dec, booleans, ranks), with
  errors naming the row and column;
* :func:`format_number`, :func:`format_bool`, :func:`format_rank`: the README's output format
  (numbers with 17 significant digits through :func:`pyallora.core.dec.to_text17`, booleans as
  ``true`` or an empty cell, ranks as integers);
* :func:`build_output_row`: INPUT cells copied verbatim, OUTPUT cells from the computed values;
* :func:`add_table_command`: the ``NAME IN.csv -o OUT.csv`` sub-command with its exit status
  (0 on success; on error one line on stderr and status 1, via ``allora``'s main).

A table module only writes ``compute(table) -> rows``.
"""

from __future__ import annotations

import argparse
import importlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyallora.core.dec import Dec, dec, dec_context, is_finite, to_text17
from pyallora.core.errors import InvalidDecError, PyAlloraError

TABLE_MODULES: tuple[str, ...] = (
    "pyallora.cli.vectors_synthesis",
    "pyallora.cli.vectors_tokenomics",
    "pyallora.cli.vectors_active_set",
)
"""Modules contributing one ``allora vectors KIND`` sub-command each (skipped when absent)."""

TRUE_TEXT = "true"
"""How a true boolean is written; false is an empty cell."""


class VectorTableError(PyAlloraError):
    """A vectors table cannot be read, is malformed, or cannot be written."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VectorTable:
    """A table as text: the header and every data row, cells exactly as in the file."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def column_index(self) -> dict[str, int]:
        """Column name → position."""
        return {name: i for i, name in enumerate(self.header)}


# ---------------------------------------------------------------------------------------------
# Reading and writing


def read_table(path: Path) -> VectorTable:
    """Read a table in the README's CSV format.

    Raises
    ------
    VectorTableError
        When the file cannot be read, has no header, repeats a column, has a row whose length
        differs from the header's, or has no data row.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VectorTableError(f"cannot read table {path}: {exc}") from exc
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0]:
        raise VectorTableError(f"{path}: empty file (expected a header line)")
    header = tuple(lines[0].split(","))
    seen: set[str] = set()
    for name in header:
        if not name:
            raise VectorTableError(f"{path}: empty column name in the header")
        if name in seen:
            raise VectorTableError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)
    rows: list[tuple[str, ...]] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = tuple(line.split(","))
        if len(cells) != len(header):
            raise VectorTableError(
                f"{path}:{number}: {len(cells)} cells but the header has {len(header)} columns"
            )
        rows.append(cells)
    if not rows:
        raise VectorTableError(f"{path}: no data row (the first data row is the seed)")
    return VectorTable(header=header, rows=tuple(rows))


def write_table(path: Path, table: VectorTable) -> None:
    """Write ``table`` in the README's format (LF line endings, no quoting).

    Raises
    ------
    VectorTableError
        When a cell contains a comma or a line break, or the file cannot be written.
    """
    lines = [",".join(table.header)]
    for row in table.rows:
        for cell in row:
            if "," in cell or "\n" in cell or "\r" in cell:
                raise VectorTableError(f"cannot write a cell containing ',' or a newline: {cell!r}")
        lines.append(",".join(row))
    try:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise VectorTableError(f"cannot write table {path}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Classification


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnClassifier:
    """INPUT/OUTPUT classification by whole-name regular expressions (README §2).

    A column is an OUTPUT when it matches one of ``output_patterns``. When ``input_patterns``
    is given, every other column must match one of them (an unknown column is an error);
    otherwise every other column is an INPUT.
    """

    output_patterns: tuple[str, ...]
    input_patterns: tuple[str, ...] | None = None

    def is_output(self, column: str) -> bool:
        """True when ``column`` is an OUTPUT column."""
        return any(re.fullmatch(pattern, column) for pattern in self.output_patterns)

    def is_input(self, column: str) -> bool:
        """True when ``column`` is an INPUT column (known, not an OUTPUT)."""
        if self.is_output(column):
            return False
        if self.input_patterns is None:
            return True
        return any(re.fullmatch(pattern, column) for pattern in self.input_patterns)

    def output_mask(self, header: Sequence[str]) -> tuple[bool, ...]:
        """One flag per column, True for OUTPUT columns.

        Raises
        ------
        VectorTableError
            When ``input_patterns`` is set and a column matches neither list.
        """
        mask: list[bool] = []
        for column in header:
            out = self.is_output(column)
            if not out and not self.is_input(column):
                raise VectorTableError(f"unknown column {column!r} (neither INPUT nor OUTPUT)")
            mask.append(out)
        return tuple(mask)


# ---------------------------------------------------------------------------------------------
# Cells


def format_number(value: Dec) -> str:
    """A computed number: at least 17 significant digits, never NaN or infinite.

    Raises
    ------
    VectorTableError
        For a non-finite value.
    """
    if not is_finite(value):
        raise VectorTableError(f"computed a non-finite number: {value}")
    return to_text17(value)


def format_bool(value: bool) -> str:
    """``true`` or an empty cell."""
    return TRUE_TEXT if value else ""


def format_rank(value: int) -> str:
    """A rank written as an integer (``0``, ``1``, ...)."""
    return str(int(value))


def parse_number(text: str, *, column: str, row_label: str) -> Dec:
    """Parse a number cell as a Dec (plain decimal text, exponent allowed).

    Raises
    ------
    VectorTableError
        For an empty or unparsable cell, naming the row and the column.
    """
    if text == "":
        raise VectorTableError(f"row {row_label}: column {column!r} is empty (a number is needed)")
    try:
        with dec_context():
            return dec(text)
    except InvalidDecError as exc:
        raise VectorTableError(f"row {row_label}: column {column!r}: {exc}") from exc


def parse_bool(text: str, *, column: str, row_label: str) -> bool:
    """``true`` → True, empty → False (README: booleans are ``true`` or an empty cell).

    Raises
    ------
    VectorTableError
        For anything else.
    """
    if text == TRUE_TEXT:
        return True
    if text == "":
        return False
    raise VectorTableError(
        f"row {row_label}: column {column!r}: expected 'true' or an empty cell, got {text!r}"
    )


def parse_rank(text: str, *, column: str, row_label: str) -> int:
    """Parse an integer cell (ranks, counts, ids).

    Raises
    ------
    VectorTableError
        When the cell is not an integer.
    """
    stripped = text[1:] if text.startswith("-") else text
    if not stripped.isdigit():
        raise VectorTableError(
            f"row {row_label}: column {column!r}: expected an integer, got {text!r}"
        )
    return int(text)


@dataclass(frozen=True, slots=True)
class RowView:
    """Read access to one data row by column name, with errors naming the row and column."""

    table: VectorTable
    index: Mapping[str, int]
    cells: tuple[str, ...]
    label: str

    def has(self, column: str) -> bool:
        """True when the header has ``column``."""
        return column in self.index

    def text(self, column: str) -> str:
        """The raw cell text.

        Raises
        ------
        VectorTableError
            When the header has no such column.
        """
        position = self.index.get(column)
        if position is None:
            raise VectorTableError(f"the table has no column {column!r}")
        return self.cells[position]

    def number(self, column: str) -> Dec:
        """The cell as a Dec (must be non-empty and finite)."""
        return parse_number(self.text(column), column=column, row_label=self.label)

    def optional_number(self, column: str) -> Dec | None:
        """The cell as a Dec, or None when the cell is empty or the column is absent."""
        if not self.has(column):
            return None
        text = self.text(column)
        if text == "":
            return None
        return parse_number(text, column=column, row_label=self.label)

    def boolean(self, column: str) -> bool:
        """The cell as a boolean (``true`` or empty)."""
        return parse_bool(self.text(column), column=column, row_label=self.label)

    def integer(self, column: str) -> int:
        """The cell as an integer."""
        return parse_rank(self.text(column), column=column, row_label=self.label)


def get_row_views(table: VectorTable, label_column: str | None = None) -> list[RowView]:
    """A :class:`RowView` per data row; rows are labelled by ``label_column`` when present."""
    index = table.column_index()
    views: list[RowView] = []
    for number, cells in enumerate(table.rows):
        label = f"{number + 1}"
        if label_column is not None and label_column in index:
            label = f"{number + 1} ({label_column} {cells[index[label_column]]})"
        views.append(RowView(table, index, cells, label))
    return views


def compute_column_numbers(header: Sequence[str], pattern: str) -> list[int]:
    """The sorted integers captured by the single group of ``pattern`` over the header.

    Used to infer participant counts from the header (e.g. ``inference_(\\d+)``).
    """
    found: set[int] = set()
    for column in header:
        match = re.fullmatch(pattern, column)
        if match is not None:
            found.add(int(match.group(1)))
    return sorted(found)


def build_output_row(
    header: Sequence[str],
    output_mask: Sequence[bool],
    input_cells: Sequence[str],
    computed: Mapping[str, str],
) -> tuple[str, ...]:
    """One output row: INPUT cells copied verbatim, OUTPUT cells from ``computed``.

    A conditional input (README §2) is passed in ``computed`` with its input text.

    Raises
    ------
    VectorTableError
        When an OUTPUT column has no computed value (a bug in the table module, reported rather
        than written as a silently empty cell).
    """
    cells: list[str] = []
    for column, is_out, given in zip(header, output_mask, input_cells, strict=True):
        if not is_out:
            cells.append(given)
            continue
        if column not in computed:
            raise VectorTableError(f"no value was computed for OUTPUT column {column!r}")
        cells.append(computed[column])
    return tuple(cells)


# ---------------------------------------------------------------------------------------------
# Sub-commands

TableCompute = Callable[[VectorTable], Iterable[Sequence[str]]]
"""What a table module provides: the completed rows (seed first) of a parsed input table."""


def run_table_command(input_path: Path, output_path: Path, compute: TableCompute) -> int:
    """Read ``input_path``, complete it with ``compute``, write ``output_path``; return 0.

    Errors are :class:`~pyallora.core.errors.PyAlloraError`; ``allora``'s main prints them on
    stderr and exits with status 1.
    """
    table = read_table(input_path)
    rows = tuple(tuple(row) for row in compute(table))
    if len(rows) != len(table.rows):
        raise VectorTableError(f"computed {len(rows)} rows for a table of {len(table.rows)}")
    for row in rows:
        if len(row) != len(table.header):
            raise VectorTableError("a computed row does not match the header")
    write_table(output_path, VectorTable(header=table.header, rows=rows))
    return 0


def add_table_command(
    subparsers: Any,
    *,
    name: str,
    help_text: str,
    description: str,
    compute: TableCompute,
) -> argparse.ArgumentParser:
    """Register ``allora vectors NAME IN.csv -o OUT.csv`` running ``compute``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help_text,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="IN.csv", type=Path, help="table to complete")
    parser.add_argument(
        "-o", "--output", metavar="OUT.csv", type=Path, required=True, help="completed table"
    )

    def run(args: argparse.Namespace) -> int:
        return run_table_command(args.input, args.output, compute)

    parser.set_defaults(func=run)
    return parser


def register(subparsers: Any) -> None:
    """Add ``allora vectors`` and one sub-command per available table module."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "vectors",
        help="complete the research simulator's test-vector tables",
        description=(
            "Read a simulator table (../shared/vectors/README.md) whose first row is the seed "
            "and compute every OUTPUT cell of the later rows, chained from the seed."
        ),
    )
    parser.set_defaults(group_parser=parser)
    sub = parser.add_subparsers(title="tables", metavar="TABLE")
    for module_name in TABLE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only the table module itself may be missing (not yet written); a missing import
            # inside it is a real error.
            if exc.name == module_name:
                continue
            raise
        module.register(sub)
