"""``allora vectors synthesis`` and the engine against the simulator table (vectors README §1–§3).

Three ways: the command as a subprocess on the table with the OUTPUT cells of later rows
blanked (chained from the seed); the Python API chained; and one step at a time, each later
row computed from the previous row of the table as its seed.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import pytest
from vectors_support import is_within_tolerance, run_command

from pyallora.cli.vectors import VectorTable, get_row_views, read_table, write_table
from pyallora.cli.vectors_synthesis import (
    CLASSIFIER,
    OUTPUT_PATTERNS,
    compute_output_values,
    compute_table_rows,
    get_table_shape,
)
from pyallora.core.dec import to_text

TABLE = "synthesis_epochs.csv"
SAMPLES = 10


def is_conditional_input(column: str, rows_after_seed: int, shape_w: int, shape_f: int) -> bool:
    """README §2: worker fractions of a later row r are inputs while (r + 1)·N < 10."""
    if re.fullmatch(r"inferer_reward_fraction_\d+", column):
        return (rows_after_seed + 1) * shape_w < SAMPLES
    if re.fullmatch(r"forecaster_reward_fraction_\d+", column):
        return (rows_after_seed + 1) * shape_f < SAMPLES
    return False


def blank_outputs(table: VectorTable) -> VectorTable:
    """The table with every OUTPUT cell of later rows emptied, conditional inputs kept."""
    shape = get_table_shape(table.header)
    rows = [table.rows[0]]
    for r, row in enumerate(table.rows[1:], start=1):
        rows.append(
            tuple(
                cell
                if not CLASSIFIER.is_output(column)
                or is_conditional_input(column, r, shape.inferers, shape.forecasters)
                else ""
                for column, cell in zip(table.header, row, strict=True)
            )
        )
    return VectorTable(header=table.header, rows=tuple(rows))


def group_of(column: str) -> str:
    for pattern in OUTPUT_PATTERNS:
        if re.fullmatch(pattern, column):
            return pattern
    raise AssertionError(f"not an output column: {column}")


def compare_cell(column: str, got: str, want: str, errors: dict[str, float]) -> str | None:
    """None when ``got`` matches ``want`` within the README tolerance, else a message."""
    if want == "":
        return None if got == "" else f"{column}: expected empty, got {got!r}"
    if got == "":
        return f"{column}: empty, expected {want}"
    try:
        g = float(got)
    except ValueError:
        return f"{column}: unparsable {got!r}"
    if not math.isfinite(g):
        return f"{column}: not finite {got!r}"
    w = float(want)
    err = abs(g - w)
    group = group_of(column)
    errors[group] = max(errors.get(group, 0.0), err / abs(w) if w else err)
    if not is_within_tolerance(g, w):
        return f"{column}: got {got}, want {want} (|diff| {err:.3g})"
    return None


def check_table(got: VectorTable, want: VectorTable, first_row: int = 1) -> dict[str, float]:
    """Assert every later row matches; return the largest relative error per output group."""
    assert got.header == want.header
    assert len(got.rows) == len(want.rows)
    assert got.rows[0] == want.rows[0], "the seed row must be written back unchanged"
    errors: dict[str, float] = {}
    problems: list[str] = []
    for r in range(first_row, len(want.rows)):
        for column, g, w in zip(want.header, got.rows[r], want.rows[r], strict=True):
            if not CLASSIFIER.is_output(column):
                if g != w:
                    problems.append(f"row {r} INPUT {column} not copied verbatim")
                continue
            message = compare_cell(column, g, w, errors)
            if message is not None:
                problems.append(f"row {r}: {message}")
    assert not problems, "\n".join(problems[:30])
    return errors


@pytest.fixture(scope="module")
def table(vectors_dir: Path) -> VectorTable:
    return read_table(vectors_dir / TABLE)


def test_command_completes_the_blanked_table(table: VectorTable, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    target = tmp_path / "out.csv"
    blanked = blank_outputs(table)
    # The blanked table really lost its later OUTPUT cells (so nothing can be copied through).
    assert blanked.rows[1] != table.rows[1]
    write_table(source, blanked)
    result = run_command("vectors", "synthesis", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    got = read_table(target)
    errors = check_table(got, table)
    assert len(errors) == len(OUTPUT_PATTERNS)  # every output group was compared
    # The outputs of later rows really were recomputed (not blank, not the input's).
    assert got.rows[2] != blanked.rows[2]


def test_command_ignores_garbage_in_output_cells(table: VectorTable, tmp_path: Path) -> None:
    """OUTPUT cells of later rows may hold anything: the command never reads them."""
    shape = get_table_shape(table.header)
    rows = [table.rows[0]]
    for r, row in enumerate(table.rows[1:], start=1):
        rows.append(
            tuple(
                "9999"
                if CLASSIFIER.is_output(column)
                and not is_conditional_input(column, r, shape.inferers, shape.forecasters)
                else cell
                for column, cell in zip(table.header, row, strict=True)
            )
        )
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write_table(source, VectorTable(header=table.header, rows=tuple(rows)))
    result = run_command("vectors", "synthesis", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    check_table(read_table(target), table)


def test_python_api_chained(table: VectorTable) -> None:
    rows = list(compute_table_rows(blank_outputs(table)))
    completed = [table.rows[0]]
    mask = [CLASSIFIER.is_output(c) for c in table.header]
    for cells, computed in zip(table.rows[1:], rows, strict=True):
        completed.append(
            tuple(
                computed.cells[c] if out else cell
                for c, out, cell in zip(table.header, mask, cells, strict=True)
            )
        )
    check_table(VectorTable(header=table.header, rows=tuple(completed)), table)
    # Every written number is the engine's exact value cut to 17 significant digits.
    shape = get_table_shape(table.header)
    for computed in rows:
        values = compute_output_values(
            shape, computed.network, computed.outcome, computed.inputs.topic_reward
        )
        for column, cell in computed.cells.items():
            value = values[column]
            if value is None or column not in values or cell == "":
                assert cell == "" or value is None or is_conditional_input(column, 1, 5, 3)
                continue
            if value == 0:
                assert cell == "0"
                continue
            digits = cell.lower().split("e")[0].lstrip("-").replace(".", "").strip("0")
            assert len(digits) <= 17, (column, cell)
            exact = Decimal(to_text(value))
            assert abs(Decimal(cell) - exact) <= abs(exact) * Decimal("1e-16"), (column, cell)


def test_one_step_at_a_time(table: VectorTable) -> None:
    """Each later row from the previous row of the table (its state read from the table)."""
    views = get_row_views(table)
    assert len(views) >= 2
    for r in range(1, len(table.rows)):
        pair = VectorTable(header=table.header, rows=(table.rows[r - 1], table.rows[r]))
        blanked = blank_outputs(pair)
        (computed,) = list(compute_table_rows(blanked))
        completed = tuple(
            computed.cells.get(column, cell) if CLASSIFIER.is_output(column) else cell
            for column, cell in zip(table.header, blanked.rows[1], strict=True)
        )
        check_table(VectorTable(header=table.header, rows=(pair.rows[0], completed)), pair)


def test_every_subcommand_has_help() -> None:
    for args in (("vectors", "--help"), ("vectors", "synthesis", "--help")):
        result = run_command(*args)
        assert result.returncode == 0
        assert "usage:" in result.stdout


def test_missing_input_file_fails_cleanly(tmp_path: Path) -> None:
    result = run_command("vectors", "synthesis", str(tmp_path / "nope.csv"), "-o", "x.csv")
    assert result.returncode != 0
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_table_fails_cleanly(table: VectorTable, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    lines = [",".join(table.header), ",".join(table.rows[0]), ",".join(table.rows[1][:-1])]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_command("vectors", "synthesis", str(source), "-o", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "cells but the header has" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_unparsable_input_cell_names_row_and_column(table: VectorTable, tmp_path: Path) -> None:
    index = table.header.index("inference_2")
    row = list(table.rows[1])
    row[index] = "nan"
    source = tmp_path / "bad.csv"
    write_table(source, VectorTable(header=table.header, rows=(table.rows[0], tuple(row))))
    result = run_command("vectors", "synthesis", str(source), "-o", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "inference_2" in result.stderr
