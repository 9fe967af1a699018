"""The shared CSV plumbing of ``allora vectors`` (``pyallora.cli.vectors``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyallora.cli.vectors import (
    ColumnClassifier,
    VectorTable,
    VectorTableError,
    build_output_row,
    compute_column_numbers,
    format_bool,
    format_number,
    format_rank,
    get_row_views,
    read_table,
    write_table,
)
from pyallora.core.dec import dec, dec_context


def test_round_trip_keeps_every_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("epoch,time,x_0,flag\n1,2024-09-01 00:00,0.5,true\n2,,1e-05,\n")
    table = read_table(path)
    assert table.header == ("epoch", "time", "x_0", "flag")
    assert table.rows[1] == ("2", "", "1e-05", "")
    write_table(tmp_path / "u.csv", table)
    assert (tmp_path / "u.csv").read_text() == path.read_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("a,b\n1\n", "1 cells but the header has 2"),
        ("a,a\n1,2\n", "appears twice"),
        ("a,b\n", "no data row"),
    ],
)
def test_malformed_tables_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(VectorTableError, match=message):
        read_table(path)


def test_missing_file_is_a_table_error(tmp_path: Path) -> None:
    with pytest.raises(VectorTableError, match="cannot read"):
        read_table(tmp_path / "absent.csv")


def test_classifier_matches_whole_names() -> None:
    classifier = ColumnClassifier(
        output_patterns=(r"forecaster_score_\d+", r"inferer_reward_\d+"),
        input_patterns=(r"forecaster_score_ratio", r"inferer_reward_fraction_\d+", r"epoch"),
    )
    assert classifier.is_output("forecaster_score_3")
    assert not classifier.is_output("forecaster_score_ratio")
    assert not classifier.is_output("inferer_reward_fraction_0")
    assert classifier.output_mask(["epoch", "inferer_reward_1"]) == (False, True)
    with pytest.raises(VectorTableError, match="unknown column 'mystery'"):
        classifier.output_mask(["mystery"])
    # Without input patterns every other column is an INPUT.
    assert ColumnClassifier(output_patterns=(r"y",)).is_input("anything")


def test_formats() -> None:
    with dec_context():
        assert format_number(dec(1) / 3) == "0.33333333333333333"
        assert format_number(dec(3) / 2**20) == "2.86102294921875e-06"
        assert float(format_number(dec(-1234567))) == -1234567
    assert (format_bool(True), format_bool(False)) == ("true", "")
    assert format_rank(3) == "3"


def test_rows_and_output_rows() -> None:
    table = VectorTable(header=("epoch", "a", "b_1", "out"), rows=(("7", "1.5", "", "x"),))
    (row,) = get_row_views(table, "epoch")
    assert row.number("a") == dec("1.5")
    assert row.optional_number("b_1") is None
    assert row.optional_number("absent") is None
    with pytest.raises(VectorTableError, match=r"row 1 \(epoch 7\): column 'b_1' is empty"):
        row.number("b_1")
    with pytest.raises(VectorTableError, match="expected 'true'"):
        row.boolean("a")
    assert compute_column_numbers(("x_2", "x_0", "y_1", "x_1"), r"x_(\d+)") == [0, 1, 2]
    mask = (False, False, False, True)
    assert build_output_row(table.header, mask, table.rows[0], {"out": "9"}) == (
        "7",
        "1.5",
        "",
        "9",
    )
    with pytest.raises(VectorTableError, match="no value was computed"):
        build_output_row(table.header, mask, table.rows[0], {})
