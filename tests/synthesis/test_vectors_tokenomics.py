"""``allora vectors tokenomics`` and SYNTHESIS §14/§15 against the simulator table.

The contract is the vectors README §1, §2 and §4.

Three ways: the command as a subprocess on the table with the OUTPUT cells of later rows
blanked (chained from the seed); the Python API chained; and one step at a time, each later
row computed from the previous row of the table as its seed.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from vectors_support import is_within_tolerance, run_command

from pyallora.cli.vectors import VectorTable, read_table, write_table
from pyallora.cli.vectors_tokenomics import (
    CLASSIFIER,
    OUTPUT_PATTERNS,
    compute_tokenomics_rows,
    compute_tokenomics_table,
)

TABLE = "tokenomics.csv"


def conditional_inputs(table: VectorTable) -> set[tuple[int, str]]:
    """(row, column) of the conditional inputs (README §2): ``topic_weights_t`` of a topic
    that was not sampled in the previous row and is older than one month."""
    index = table.column_index()
    slots = sorted(
        int(m.group(1)) for c in table.header if (m := re.fullmatch(r"topic_id_(\d+)", c))
    )
    found: set[tuple[int, str]] = set()
    for r in range(1, len(table.rows)):
        row, previous = table.rows[r], table.rows[r - 1]
        previous_ids = {previous[index[f"topic_id_{t}"]] for t in slots}
        for t in slots:
            topic = row[index[f"topic_id_{t}"]]
            if topic not in previous_ids and row[index[f"topic_months_live_{t}"]] != "1":
                found.add((r, f"topic_weights_{t}"))
    return found


def replace_outputs(table: VectorTable, text: str) -> VectorTable:
    """Every OUTPUT cell of later rows replaced by ``text``, conditional inputs kept."""
    keep = conditional_inputs(table)
    rows = [table.rows[0]]
    for r, row in enumerate(table.rows[1:], start=1):
        rows.append(
            tuple(
                text if CLASSIFIER.is_output(column) and (r, column) not in keep else cell
                for column, cell in zip(table.header, row, strict=True)
            )
        )
    return VectorTable(header=table.header, rows=tuple(rows))


def group_of(column: str) -> str:
    for pattern in OUTPUT_PATTERNS:
        if re.fullmatch(pattern, column):
            return pattern
    raise AssertionError(f"not an output column: {column}")


def check_table(got: VectorTable, want: VectorTable) -> dict[str, float]:
    """Assert every later row matches (README tolerance); the largest relative error per group."""
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
            if w == "":
                if g != "":
                    problems.append(f"row {r}: {column} should be empty, got {g!r}")
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
            group = group_of(column)
            errors[group] = max(errors.get(group, 0.0), err / abs(expected) if expected else err)
            if not is_within_tolerance(value, expected):
                problems.append(f"row {r}: {column} got {g}, want {w}")
    assert not problems, "\n".join(problems[:30])
    return errors


def complete(table: VectorTable) -> VectorTable:
    """The Python API's completed table."""
    return VectorTable(header=table.header, rows=tuple(compute_tokenomics_table(table)))


@pytest.fixture(scope="module")
def table(vectors_dir: Path) -> VectorTable:
    return read_table(vectors_dir / TABLE)


def test_conditional_inputs_are_the_documented_ones(table: VectorTable) -> None:
    months = {table.rows[r][0]: column for r, column in conditional_inputs(table)}
    assert months == {"20": "topic_weights_2", "36": "topic_weights_2"}


def test_command_completes_the_blanked_table(table: VectorTable, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    blanked = replace_outputs(table, "")
    assert blanked.rows[1] != table.rows[1]
    write_table(source, blanked)
    result = run_command("vectors", "tokenomics", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    errors = check_table(read_table(target), table)
    assert sorted(errors) == sorted(OUTPUT_PATTERNS)  # every output group was compared
    assert max(errors.values()) < 1e-12


def test_command_ignores_garbage_in_output_cells(table: VectorTable, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write_table(source, replace_outputs(table, "-1e300"))
    result = run_command("vectors", "tokenomics", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    check_table(read_table(target), table)


def test_python_api_chained(table: VectorTable) -> None:
    blanked = replace_outputs(table, "")
    check_table(complete(blanked), table)
    computed = list(compute_tokenomics_rows(blanked))
    assert [c.month for c in computed] == list(range(1, len(table.rows)))
    # The state carried to the next month is what the next month's cells were computed from.
    assert computed[-1].topic_weights.keys() == {2, 4, 5}


def test_one_step_at_a_time(table: VectorTable) -> None:
    """Each later month from the previous row of the table (its state read from the table)."""
    for r in range(1, len(table.rows)):
        pair = VectorTable(header=table.header, rows=(table.rows[r - 1], table.rows[r]))
        check_table(complete(replace_outputs(pair, "")), pair)


def test_seed_in_the_middle_of_the_schedule(table: VectorTable) -> None:
    """A table that starts at month 30 (not genesis) is chained from that seed."""
    tail = VectorTable(header=table.header, rows=table.rows[30:])
    check_table(complete(replace_outputs(tail, "")), tail)


def test_help() -> None:
    result = run_command("vectors", "tokenomics", "--help")
    assert result.returncode == 0
    assert "usage:" in result.stdout


def test_missing_column_fails_cleanly(table: VectorTable, tmp_path: Path) -> None:
    drop = table.header.index("topic_total_stake_1")
    header = tuple(c for i, c in enumerate(table.header) if i != drop)
    rows = tuple(tuple(c for i, c in enumerate(row) if i != drop) for row in table.rows[:3])
    source = tmp_path / "bad.csv"
    write_table(source, VectorTable(header=header, rows=rows))
    result = run_command("vectors", "tokenomics", str(source), "-o", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "topic_total_stake_1" in result.stderr
    assert "Traceback" not in result.stderr


def test_unparsable_input_cell_names_row_and_column(table: VectorTable, tmp_path: Path) -> None:
    index = table.header.index("network_tokens_staked")
    row = list(table.rows[1])
    row[index] = "lots"
    source = tmp_path / "bad.csv"
    rows = (table.rows[0], tuple(row), table.rows[2])
    write_table(source, VectorTable(header=table.header, rows=rows))
    result = run_command("vectors", "tokenomics", str(source), "-o", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "network_tokens_staked" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_conditional_input_is_an_error(table: VectorTable, tmp_path: Path) -> None:
    """Month 20's slot-2 weight cannot be computed: blanking it too must fail, not guess."""
    blanked = replace_outputs(table, "")
    rows = list(blanked.rows[:21])
    index = table.header.index("topic_weights_2")
    row = list(rows[20])
    row[index] = ""
    rows[20] = tuple(row)
    source = tmp_path / "in.csv"
    write_table(source, VectorTable(header=table.header, rows=tuple(rows)))
    result = run_command("vectors", "tokenomics", str(source), "-o", str(tmp_path / "o.csv"))
    assert result.returncode != 0
    assert "topic_weights_2" in result.stderr
