"""``allora vectors active-set`` and SYNTHESIS §16.4 against the simulator table.

The contract is the vectors README §1, §2 and §5. Three ways: the command as a subprocess on
the table with the OUTPUT cells of later rows blanked (chained from the seed); the Python API
chained; and one step at a time. Ranks and booleans must match exactly, empty cells stay
empty, numbers within the README tolerance.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest
from vectors_support import is_within_tolerance, run_command

from pyallora.cli.vectors import VectorTable, read_table, write_table
from pyallora.cli.vectors_active_set import (
    CLASSIFIER,
    OUTPUT_PATTERNS,
    compute_active_set_rows,
    compute_active_set_table,
)

TABLE = "active_set.csv"
EXACT = (
    r"\d+_sort_position_previous_quality_ema",
    r"\d+_sort_position_quality_metrics",
    r"\d+_active",
)


def replace_outputs(table: VectorTable, text: str) -> VectorTable:
    """Every OUTPUT cell of later rows replaced by ``text``."""
    later = [
        tuple(
            text if CLASSIFIER.is_output(column) else cell
            for column, cell in zip(table.header, row, strict=True)
        )
        for row in table.rows[1:]
    ]
    return VectorTable(header=table.header, rows=(table.rows[0], *later))


def group_of(column: str) -> str:
    for pattern in OUTPUT_PATTERNS:
        if re.fullmatch(pattern, column):
            return pattern
    raise AssertionError(f"not an output column: {column}")


def check_table(got: VectorTable, want: VectorTable) -> dict[str, float]:
    """Assert every later row matches; the largest relative error per numeric group."""
    assert got.header == want.header
    assert len(got.rows) == len(want.rows)
    assert got.rows[0] == want.rows[0], "the seed row must be written back unchanged"
    errors: dict[str, float] = {}
    problems: list[str] = []
    for r in range(1, len(want.rows)):
        for column, g, w in zip(want.header, got.rows[r], want.rows[r], strict=True):
            if not CLASSIFIER.is_output(column):
                if g != w:
                    problems.append(f"row {r}: INPUT {column} not copied verbatim")
                continue
            group = group_of(column)
            if group in EXACT or w == "":
                if g != w:
                    problems.append(f"row {r}: {column} got {g!r}, want {w!r}")
                continue
            try:
                value = float(g)
            except ValueError:
                problems.append(f"row {r}: {column} unparsable {g!r}")
                continue
            if not math.isfinite(value):
                problems.append(f"row {r}: {column} not finite {g!r}")
                continue
            expected = float(w)
            err = abs(value - expected)
            errors[group] = max(errors.get(group, 0.0), err / abs(expected) if expected else err)
            if not is_within_tolerance(value, expected):
                problems.append(f"row {r}: {column} got {g}, want {w}")
    assert not problems, "\n".join(problems[:30])
    return errors


def complete(table: VectorTable) -> VectorTable:
    """The Python API's completed table."""
    return VectorTable(header=table.header, rows=tuple(compute_active_set_table(table)))


@pytest.fixture(scope="module")
def table(vectors_dir: Path) -> VectorTable:
    return read_table(vectors_dir / TABLE)


def test_command_completes_the_blanked_table(table: VectorTable, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    blanked = replace_outputs(table, "")
    assert blanked.rows[1] != table.rows[1]
    write_table(source, blanked)
    result = run_command("vectors", "active-set", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    got = read_table(target)
    errors = check_table(got, table)
    numeric = [p for p in OUTPUT_PATTERNS if p not in EXACT]
    assert sorted(errors) == sorted(numeric)
    assert max(errors.values()) < 1e-12
    # Inactive participants really have empty metric ranks, active ones integer ranks.
    index = table.column_index()
    ranks = {got.rows[5][index[f"{p}_sort_position_quality_metrics"]] for p in range(8)}
    assert ranks == {"", "0", "1", "2", "3", "4"}


def test_command_ignores_garbage_in_output_cells(table: VectorTable, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write_table(source, replace_outputs(table, "7"))
    result = run_command("vectors", "active-set", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    check_table(read_table(target), table)


def test_metrics_of_inactive_participants_are_never_read(table: VectorTable) -> None:
    index = table.column_index()
    blanked = replace_outputs(table, "")
    rows = [blanked.rows[0]]
    for row, original in zip(blanked.rows[1:], table.rows[1:], strict=True):
        cells = list(row)
        for p in range(8):
            if original[index[f"{p}_active"]] != "true":
                cells[index[f"{p}_quality_metric"]] = "not-a-number"
        rows.append(tuple(cells))
    garbled = VectorTable(header=table.header, rows=tuple(rows))
    got = complete(garbled)
    # Inputs are copied verbatim, so compare against the table with the same garbage.
    want_rows = [table.rows[0]]
    for row, original in zip(garbled.rows[1:], table.rows[1:], strict=True):
        want_rows.append(
            tuple(
                g if not CLASSIFIER.is_output(c) else o
                for c, g, o in zip(table.header, row, original, strict=True)
            )
        )
    check_table(got, VectorTable(header=table.header, rows=tuple(want_rows)))


def test_python_api_chained(table: VectorTable) -> None:
    blanked = replace_outputs(table, "")
    check_table(complete(blanked), table)
    rows = list(compute_active_set_rows(blanked))
    assert len(rows) == len(table.rows) - 1
    for previous, current in itertools.pairwise(rows):
        assert current.previous_emas == previous.epoch.emas
    assert all(sum(r.epoch.selection.active) == 5 for r in rows)


def test_one_step_at_a_time(table: VectorTable) -> None:
    for r in range(1, len(table.rows)):
        pair = VectorTable(header=table.header, rows=(table.rows[r - 1], table.rows[r]))
        check_table(complete(replace_outputs(pair, "")), pair)


def test_help() -> None:
    result = run_command("vectors", "active-set", "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout


def test_active_participant_without_metric_fails(table: VectorTable, tmp_path: Path) -> None:
    index = table.column_index()
    row = list(replace_outputs(table, "").rows[1])
    active = [p for p in range(8) if table.rows[1][index[f"{p}_active"]] == "true"]
    row[index[f"{active[0]}_quality_metric"]] = ""
    source = tmp_path / "in.csv"
    write_table(source, VectorTable(header=table.header, rows=(table.rows[0], tuple(row))))
    result = run_command("vectors", "active-set", str(source), "-o", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert f"{active[0]}_quality_metric" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_column_fails_cleanly(table: VectorTable, tmp_path: Path) -> None:
    header = (*table.header, "surprise")
    rows = tuple((*row, "1") for row in table.rows[:2])
    source = tmp_path / "in.csv"
    write_table(source, VectorTable(header=header, rows=rows))
    result = run_command("vectors", "active-set", str(source), "-o", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "surprise" in result.stderr
