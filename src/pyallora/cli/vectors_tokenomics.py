"""``allora vectors tokenomics IN.csv -o OUT.csv``: complete a ``tokenomics.csv`` table.

The contract is ``../shared/vectors/README.md`` §1, §2 and §4: the seed row is copied back;
every later row (month i) is computed from its own INPUT cells and row i − 1 *as computed
here*, with the simulator profile of the emission schedule (SYNTHESIS.md §15.3,
:data:`~pyallora.synthesis.emission.SIMULATOR_EMISSION_PARAMS`) and of topic weights (§14,
:data:`~pyallora.synthesis.topic_weights.SIMULATOR_TOPIC_WEIGHT_PARAMS`).

Per later row i (README §4.2):

* the vesting unlocks of month i (the ``*_tokens_emission`` of the three vesting buckets);
* N_circ, N_staked from row i − 1's INPUT bookkeeping plus the unlocks, T_eco = row i − 1's
  computed ``ecosystem_tokens_total``; the rates, the emission and its 25 % / 75 % split; e_i
  is ê_i in month 1 and an EMA of row i − 1's computed e_i afterwards;
* per sampled topic slot t: the weight, an EMA of the previous weight of the **same topic id**
  (topics move between slots), the target weight in its first month, or — when the id was not
  sampled in row i − 1 and the topic is older than a month — the row's own weight cell, a
  conditional INPUT copied unchanged (README §2); the topic reward
  ``topics_rewards``·w_t/``all_topic_weight_sum``.

The number of topic slots is read from the header (``topic_id_t``).
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
    format_number,
    get_row_views,
)
from pyallora.core.dec import Dec, dec_context
from pyallora.core.ids import TopicId
from pyallora.synthesis.emission import (
    SIMULATOR_EMISSION_PARAMS,
    SimulatorEmissionParams,
    SimulatorMonthState,
    compute_simulator_month,
)
from pyallora.synthesis.topic_weights import (
    SIMULATOR_TOPIC_WEIGHT_PARAMS,
    TopicRewardRequest,
    TopicWeightParams,
    compute_topic_rewards,
    compute_topic_weight,
)

__all__ = [
    "CLASSIFIER",
    "OUTPUT_PATTERNS",
    "TokenomicsRow",
    "compute_tokenomics_rows",
    "compute_tokenomics_table",
    "register",
]

OUTPUT_PATTERNS: tuple[str, ...] = (
    # §15 emission schedule
    r"ehat_target_i",
    r"ehat_max_i",
    r"ehat_i",
    r"e_i",
    r"ecosystem_tokens_emission",
    r"ecosystem_tokens_total",
    r"(investors_preseed|investors_seed|team)_tokens_emission",
    r"validator_rewards",
    r"topics_rewards",
    # §14 topic weights and rewards
    r"topic_weights_\d+",
    r"topic_rewards_\d+",
)
"""OUTPUT columns of ``tokenomics.csv`` (README §2); every other column is an INPUT."""

CLASSIFIER = ColumnClassifier(output_patterns=OUTPUT_PATTERNS)
"""INPUT/OUTPUT classification of the tokenomics table."""

_FIRST_MONTH = 1
"""The month after genesis, in which e_i = ê_i (README §4.2)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenomicsRow:
    """One computed later row: its month, the state carried to the next row, OUTPUT texts."""

    month: int
    emission_per_staked_token: Dec
    """e_i, the next month's previous EMA."""
    ecosystem_total: Dec
    """``ecosystem_tokens_total``, the next month's T_eco."""
    topic_weights: dict[int, Dec]
    """Weight per sampled topic id (the next month's previous weights)."""
    cells: dict[str, str]
    """Text of every OUTPUT cell (conditional inputs: the row's own text)."""


def _topic_slots(header: tuple[str, ...]) -> list[int]:
    slots = compute_column_numbers(header, r"topic_id_(\d+)")
    for t in slots:
        for column in (
            f"topic_months_live_{t}",
            f"topic_total_stake_{t}",
            f"topic_total_fee_revenue_{t}",
            f"topic_weights_{t}",
            f"topic_rewards_{t}",
        ):
            if column not in header:
                raise VectorTableError(f"topic slot {t} has no column {column!r}")
    return slots


def _read_sampled_weights(row: RowView, slots: list[int]) -> dict[int, Dec]:
    weights: dict[int, Dec] = {}
    for t in slots:
        weight = row.optional_number(f"topic_weights_{t}")
        if weight is not None:
            weights[row.integer(f"topic_id_{t}")] = weight
    return weights


def compute_tokenomics_rows(
    table: VectorTable,
    emission_params: SimulatorEmissionParams = SIMULATOR_EMISSION_PARAMS,
    weight_params: TopicWeightParams = SIMULATOR_TOPIC_WEIGHT_PARAMS,
) -> Iterator[TokenomicsRow]:
    """Compute every later row of ``table`` chained from its seed (README §1, §4.2).

    Yields one :class:`TokenomicsRow` per later row, in order.

    Raises
    ------
    VectorTableError
        A missing column or an unreadable INPUT cell (naming the row and column).
    pyallora.core.errors.PyAlloraError
        Inputs the emission schedule rejects (e.g. no staked tokens).
    """
    slots = _topic_slots(table.header)
    views = get_row_views(table, "epoch")
    with dec_context():
        seed = views[0]
        previous_row = seed
        previous_e: Dec = seed.number("e_i")
        ecosystem_total: Dec = seed.number("ecosystem_tokens_total")
        weights = _read_sampled_weights(seed, slots)
        for row in views[1:]:
            month = row.integer("epoch")
            schedule = compute_simulator_month(
                SimulatorMonthState(
                    month=month,
                    circulating=previous_row.number("network_tokens_circulating"),
                    staked=previous_row.number("network_tokens_staked"),
                    ecosystem_total=ecosystem_total,
                    previous_emission_per_staked_token=(
                        None if month == _FIRST_MONTH else previous_e
                    ),
                ),
                emission_params,
            )
            cells = {
                "ehat_target_i": format_number(schedule.target),
                "ehat_max_i": format_number(schedule.cap),
                "ehat_i": format_number(schedule.capped),
                "e_i": format_number(schedule.emission_per_staked_token),
                "ecosystem_tokens_emission": format_number(schedule.emission),
                "ecosystem_tokens_total": format_number(schedule.ecosystem_total),
                "investors_preseed_tokens_emission": format_number(
                    schedule.investors_preseed_unlock
                ),
                "investors_seed_tokens_emission": format_number(schedule.investors_seed_unlock),
                "team_tokens_emission": format_number(schedule.team_unlock),
                "validator_rewards": format_number(schedule.validator_rewards),
                "topics_rewards": format_number(schedule.topics_rewards),
            }
            total_weight = row.number("all_topic_weight_sum")
            new_weights: dict[int, Dec] = {}
            for t in slots:
                topic = row.integer(f"topic_id_{t}")
                first_month = row.integer(f"topic_months_live_{t}") == 1
                if first_month or topic in weights:
                    weight = compute_topic_weight(
                        stake=row.number(f"topic_total_stake_{t}"),
                        fee_revenue=row.number(f"topic_total_fee_revenue_{t}"),
                        epoch_length=1,
                        previous_weight=None if first_month else weights[topic],
                        params=weight_params,
                    )
                    cells[f"topic_weights_{t}"] = format_number(weight)
                else:
                    # Conditional input (README §2): the topic existed before but was not
                    # sampled in the previous row, so its previous weight is unknown.
                    weight = row.number(f"topic_weights_{t}")
                    cells[f"topic_weights_{t}"] = row.text(f"topic_weights_{t}")
                new_weights[topic] = weight
                (reward,) = compute_topic_rewards(
                    [TopicRewardRequest(topic_id=TopicId(topic), weight=weight, epoch_length=1)],
                    total_weight=total_weight,
                    block_emission=schedule.topics_rewards,
                    treasury=None,
                )
                cells[f"topic_rewards_{t}"] = format_number(reward)
            yield TokenomicsRow(
                month=month,
                emission_per_staked_token=schedule.emission_per_staked_token,
                ecosystem_total=schedule.ecosystem_total,
                topic_weights=new_weights,
                cells=cells,
            )
            previous_row = row
            previous_e = schedule.emission_per_staked_token
            ecosystem_total = schedule.ecosystem_total
            weights = new_weights


def compute_tokenomics_table(table: VectorTable) -> list[tuple[str, ...]]:
    """The completed table: the seed row as given, later rows computed (README §1)."""
    mask = CLASSIFIER.output_mask(table.header)
    out: list[tuple[str, ...]] = [table.rows[0]]
    for cells, computed in zip(table.rows[1:], compute_tokenomics_rows(table), strict=True):
        out.append(build_output_row(table.header, mask, cells, computed.cells))
    return out


def register(subparsers: Any) -> None:
    """Add ``allora vectors tokenomics``."""
    add_table_command(
        subparsers,
        name="tokenomics",
        help_text="complete a tokenomics.csv table (SYNTHESIS.md §14-§15)",
        description=(
            "Read a tokenomics.csv table whose first row is the seed (month 0 or any later "
            "month) and write it back with every OUTPUT cell of the later rows computed, "
            "chained from the seed, with the simulator's emission and topic-weight profile "
            "(vectors README §1, §2, §4). The number of topic slots is read from the header."
            "\n\nexample:\n  allora vectors tokenomics tokenomics.csv -o out.csv"
        ),
        compute=compute_tokenomics_table,
    )
