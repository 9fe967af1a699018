"""``allora vectors active-set IN.csv -o OUT.csv``: complete an ``active_set.csv`` table.

The contract is ``../shared/vectors/README.md`` §1, §2 and §5: the seed row is copied back;
every later row is computed by the batch rule of SYNTHESIS.md §16.4
(:func:`~pyallora.synthesis.active_set.compute_batch_selection` and
:func:`~pyallora.synthesis.active_set.compute_batch_update`) from its own INPUT
cells and the ``p_quality_ema`` of the previous row *as computed here*:

* ``p_prev_quality_ema`` is that previous EMA (an OUTPUT, never read from the input);
* the participants are ranked by it (descending, ties to the lower index); the first
  ``n_participants_drawn`` are active; ``quality_cutoff`` is the lowest previous EMA among
  them;
* the metrics of the active participants are read (those of the others are never read),
  ranked, and their ``percentile``/100 quantile is ``quality_percentile``;
* every EMA is updated with ``alpha_quality``: active with its metric, inactive with the
  quantile.

Inactive participants get an empty metric rank; ranks are written as integers and the active
flag as ``true`` or an empty cell. The participants are read from the header
(``p_quality_ema``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyallora.cli.vectors import (
    ColumnClassifier,
    RowView,
    VectorTable,
    VectorTableError,
    add_table_command,
    build_output_row,
    compute_column_numbers,
    format_bool,
    format_number,
    format_rank,
    get_row_views,
)
from pyallora.core.dec import Dec, dec_context
from pyallora.synthesis.active_set import (
    BatchActiveSetEpoch,
    compute_batch_selection,
    compute_batch_update,
)

__all__ = [
    "CLASSIFIER",
    "OUTPUT_PATTERNS",
    "ActiveSetRow",
    "compute_active_set_rows",
    "compute_active_set_table",
    "register",
]

OUTPUT_PATTERNS: tuple[str, ...] = (
    r"quality_cutoff",
    r"quality_percentile",
    r"\d+_prev_quality_ema",
    r"\d+_sort_position_previous_quality_ema",
    r"\d+_sort_position_quality_metrics",
    r"\d+_active",
    r"\d+_quality_ema",
)
"""OUTPUT columns of ``active_set.csv`` (README §2, §16.4)."""

INPUT_PATTERNS: tuple[str, ...] = (
    r"epoch",
    r"n_participants",
    r"n_participants_max",
    r"n_participants_drawn",
    r"percentile",
    r"alpha_quality",
    r"\d+_prev_participated",
    r"\d+_quality_metric",
)
"""INPUT columns (README §2); any other column is an error."""

CLASSIFIER = ColumnClassifier(output_patterns=OUTPUT_PATTERNS, input_patterns=INPUT_PATTERNS)
"""INPUT/OUTPUT classification of the active-set table."""

_PER_PARTICIPANT = (
    "prev_participated",
    "prev_quality_ema",
    "sort_position_previous_quality_ema",
    "sort_position_quality_metrics",
    "active",
    "quality_metric",
    "quality_ema",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActiveSetRow:
    """One computed later row: the engine's result and the text of every OUTPUT cell."""

    previous_emas: tuple[Dec, ...]
    epoch: BatchActiveSetEpoch
    cells: dict[str, str]


def _participants(header: tuple[str, ...]) -> list[int]:
    found = compute_column_numbers(header, r"(\d+)_quality_ema")
    if found != list(range(len(found))):
        raise VectorTableError(f"participants must be numbered 0..n-1, found {found}")
    for p in found:
        for name in _PER_PARTICIPANT:
            if f"{p}_{name}" not in header:
                raise VectorTableError(f"participant {p} has no column {p}_{name!r}")
    return found


def _read_metrics(
    row: RowView, participants: list[int], active: tuple[bool, ...]
) -> list[Dec | None]:
    metrics: list[Dec | None] = []
    for p in participants:
        column = f"{p}_quality_metric"
        if not active[p]:
            metrics.append(None)  # never read (README §2)
            continue
        if row.text(column) == "":
            raise VectorTableError(
                f"row {row.label}: participant {p} is active but column {column!r} is empty"
            )
        metrics.append(row.number(column))
    return metrics


def compute_active_set_rows(table: VectorTable) -> Iterator[ActiveSetRow]:
    """Compute every later row of ``table`` chained from its seed (README §1, §5.2).

    Raises
    ------
    VectorTableError
        A missing or malformed column or cell (naming the row and column), or an active
        participant without a metric.
    """
    participants = _participants(table.header)
    CLASSIFIER.output_mask(table.header)  # rejects unknown columns
    views = get_row_views(table, "epoch")
    with dec_context():
        previous = tuple(views[0].number(f"{p}_quality_ema") for p in participants)
        for row in views[1:]:
            count = row.integer("n_participants")
            if count != len(participants):
                raise VectorTableError(
                    f"row {row.label}: n_participants is {count} but the header has "
                    f"{len(participants)} participants"
                )
            slots = row.integer("n_participants_drawn")
            quantile = row.number("percentile") / 100
            alpha = row.number("alpha_quality")
            # Selection first: it decides whose metrics are read.
            selection = compute_batch_selection(previous, slots)
            metrics = _read_metrics(row, participants, selection.active)
            epoch = compute_batch_update(
                previous, selection, metrics, quantile=quantile, alpha=alpha
            )
            cells: dict[str, str] = {
                "quality_cutoff": (
                    "" if selection.cutoff is None else format_number(selection.cutoff)
                ),
                "quality_percentile": format_number(epoch.quantile),
            }
            for p in participants:
                metric_rank = epoch.metric_ranks[p]
                cells[f"{p}_prev_quality_ema"] = format_number(previous[p])
                cells[f"{p}_sort_position_previous_quality_ema"] = format_rank(
                    selection.previous_ranks[p]
                )
                cells[f"{p}_sort_position_quality_metrics"] = (
                    "" if metric_rank is None else format_rank(metric_rank)
                )
                cells[f"{p}_active"] = format_bool(selection.active[p])
                cells[f"{p}_quality_ema"] = format_number(epoch.emas[p])
            yield ActiveSetRow(previous_emas=previous, epoch=epoch, cells=cells)
            previous = epoch.emas


def compute_active_set_table(table: VectorTable) -> list[tuple[str, ...]]:
    """The completed table: the seed row as given, later rows computed (README §1)."""
    mask = CLASSIFIER.output_mask(table.header)
    out: list[tuple[str, ...]] = [table.rows[0]]
    for cells, computed in zip(table.rows[1:], compute_active_set_rows(table), strict=True):
        out.append(build_output_row(table.header, mask, cells, computed.cells))
    return out


def register(subparsers: Any) -> None:
    """Add ``allora vectors active-set``."""
    add_table_command(
        subparsers,
        name="active-set",
        help_text="complete an active_set.csv table (SYNTHESIS.md §16.4)",
        description=(
            "Read an active_set.csv table whose first row is the seed and write it back with "
            "every OUTPUT cell of the later rows computed, chained from the seed, by the batch "
            "selection rule (vectors README §1, §2, §5). The participants are read from the "
            "header.\n\nexample:\n  allora vectors active-set active_set.csv -o out.csv"
        ),
        compute=compute_active_set_table,
    )
