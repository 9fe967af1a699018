"""``allora vectors synthesis IN.csv -o OUT.csv``: complete a ``synthesis_epochs.csv`` table.

The contract is ``../shared/vectors/README.md`` §1–§3: the seed row is copied back; every later
row's OUTPUT cells are computed by the engine (:mod:`pyallora.synthesis.epoch`) from its own
INPUT cells and the state of the previous row *as computed here*, with the simulator profile
(:data:`~pyallora.synthesis.params.SIMULATOR_PARAMS`). The numbers of inferers W, forecasters
F and reputers R are read from the header (``inference_j``, ``forecasted_loss_k_for_j``,
``reputer_stake_m``), so larger tables work too.

Participants get ids that sort in index order (:func:`get_inferer_id` etc.), so that the
engine's "sorted order" (§12.1 sample window) is the table's worker order. Worker numbers
0..W−1 are the inferers and W..W+F−1 the forecasters (README §3.1).

The seed's state: the regrets, listening coefficients, smoothed fractions, score ratio and
scores of the seed row and its ``network_loss`` as L_{i−1}. The table carries no topic initial
regret and no inclusion counts; every participant has stored regrets, so neither is read
(README §4 note of SYNTHESIS.md): the seed's initial regret is computed by §9.3 from its
network regrets (every worker counted as experienced, with an inclusion count equal to the
seed's epoch number), which also keeps the "all inferers new" bootstrap (§17) off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from pyallora.synthesis.epoch import (
    GivenFractions,
    compute_epoch_outcome,
    compute_network_inferences,
)
from pyallora.synthesis.params import SIMULATOR_PARAMS, SynthesisParams
from pyallora.synthesis.regrets import compute_initial_regret
from pyallora.synthesis.types import (
    COMBINED,
    FORECASTER,
    INFERER,
    NAIVE,
    ONE_IN_FORECASTER,
    ONE_OUT_FORECASTER,
    ONE_OUT_INFERER,
    ONE_OUT_INFERER_FORECASTER,
    BundleKey,
    EpochOutcome,
    Forecast,
    ForecastElement,
    Inference,
    NetworkInferences,
    PairKey,
    RegretState,
    ReputerReport,
    SynthesisState,
    ValueBundle,
)

INPUT_PATTERNS: tuple[str, ...] = (
    r"epoch",
    r"target",
    r"inference_\d+",
    r"forecasted_loss_\d+_for_\d+",
    r"reputer_stake_\d+",
    r"reputer_\d+_loss_.+",
    r"topic_rewards",
)
"""INPUT columns of ``synthesis_epochs.csv`` (README §2)."""

OUTPUT_PATTERNS: tuple[str, ...] = (
    r"forecasted_regret_\d+_inferer_\d+",
    r"forecast_implied_inference_\d+(_oneout_\d+)?",
    r"network_inference",
    r"network_naive_inference",
    r"network_inference_oneout_\d+",
    r"network_naive_inference_onein_\d+",
    r"network_inference_errorbar_\d+",
    r"network_loss(_oneout_\d+)?",
    r"network_naive_loss(_onein_\d+)?",
    r"inference_loss_\d+",
    r"forecast_implied_inference_loss_\d+(_oneout_\d+)?",
    r"(naive_)?inference_regret_worker_\d+(_oneout_\d+|_onein_\d+)?",
    r"inferer_score_\d+",
    r"forecaster_score_\d+",
    r"reputer_score_\d+",
    r"reputer_listening_coefficient_\d+",
    r"reputer_adjusted_stake_\d+",
    r"(inferer|forecaster|reputer)_reward_fraction_\d+",
    r"(inferer|forecaster|reputer)_reward_fraction_smooth_\d+",
    r"(inferers|forecasters|reputers)_entropy",
    r"forecaster_task_score",
    r"forecaster_score_ratio",
    r"forecasters_utility",
    r"(inferers|forecasters|reputers)_reward_fraction",
    r"(inferer|forecaster|reputer)_reward_\d+",
)
"""OUTPUT columns of ``synthesis_epochs.csv`` (README §2)."""

CLASSIFIER = ColumnClassifier(output_patterns=OUTPUT_PATTERNS, input_patterns=INPUT_PATTERNS)
"""The table's INPUT/OUTPUT classification."""


def get_inferer_id(j: int) -> str:
    """Participant id of inferer j (ids sort in index order)."""
    return f"inferer{j:06d}"


def get_forecaster_id(k: int) -> str:
    """Participant id of forecaster k."""
    return f"forecaster{k:06d}"


def get_reputer_id(m: int) -> str:
    """Participant id of reputer m."""
    return f"reputer{m:06d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TableShape:
    """W, F, R of a table and the bundle key of every ``reputer_m_loss_*`` column."""

    inferers: int
    forecasters: int
    reputers: int
    loss_columns: tuple[tuple[str, int, BundleKey], ...]
    """(column, reputer m, bundle key) for every reputer loss column."""

    def worker_id(self, x: int) -> tuple[str, str]:
        """(role, id) of worker x: 0..W−1 inferers, W..W+F−1 forecasters."""
        if x < self.inferers:
            return INFERER, get_inferer_id(x)
        return FORECASTER, get_forecaster_id(x - self.inferers)


def _check_contiguous(numbers: Sequence[int], what: str) -> int:
    if list(numbers) != list(range(len(numbers))):
        raise VectorTableError(f"{what} columns are not numbered 0..n-1: {list(numbers)}")
    return len(numbers)


def _loss_entry_key(entry: str, shape_w: int, shape_f: int) -> BundleKey | None:
    patterns: tuple[tuple[str, Callable[[re.Match[str]], BundleKey | None]], ...] = (
        (r"network_inference", lambda m: (COMBINED,)),
        (r"naive_network_inference", lambda m: (NAIVE,)),
        (r"inference_(\d+)", lambda m: (INFERER, get_inferer_id(int(m.group(1))))),
        (
            r"forecast_implied_inference_(\d+)",
            lambda m: (FORECASTER, get_forecaster_id(int(m.group(1)))),
        ),
        (
            r"forecast_implied_inference_(\d+)_oneout_(\d+)",
            lambda m: (
                ONE_OUT_INFERER_FORECASTER,
                get_forecaster_id(int(m.group(1))),
                get_inferer_id(int(m.group(2))),
            ),
        ),
        (
            r"network_inference_oneout_(\d+)",
            lambda m: (
                (ONE_OUT_INFERER, get_inferer_id(int(m.group(1))))
                if int(m.group(1)) < shape_w
                else (ONE_OUT_FORECASTER, get_forecaster_id(int(m.group(1)) - shape_w))
            ),
        ),
        (
            r"naive_network_inference_onein_(\d+)",
            lambda m: (ONE_IN_FORECASTER, get_forecaster_id(int(m.group(1)))),
        ),
    )
    for pattern, build in patterns:
        match = re.fullmatch(pattern, entry)
        if match is not None:
            return build(match)
    return None


def get_table_shape(header: Sequence[str]) -> TableShape:
    """W, F, R and the loss-column layout of a synthesis table, from its header.

    Raises
    ------
    VectorTableError
        For missing or non-contiguous participant columns or an unknown loss entry.
    """
    w = _check_contiguous(compute_column_numbers(header, r"inference_(\d+)"), "inference_j")
    f = _check_contiguous(
        compute_column_numbers(header, r"forecasted_loss_(\d+)_for_\d+"), "forecasted_loss_k"
    )
    r = _check_contiguous(compute_column_numbers(header, r"reputer_stake_(\d+)"), "reputer_stake")
    if w == 0 or r == 0:
        raise VectorTableError("the table needs inference_j and reputer_stake_m columns")
    loss_columns: list[tuple[str, int, BundleKey]] = []
    for column in header:
        match = re.fullmatch(r"reputer_(\d+)_loss_(.+)", column)
        if match is None:
            continue
        key = _loss_entry_key(match.group(2), w, f)
        if key is None:
            raise VectorTableError(f"unknown loss entry in column {column!r}")
        loss_columns.append((column, int(match.group(1)), key))
    return TableShape(inferers=w, forecasters=f, reputers=r, loss_columns=tuple(loss_columns))


# ---------------------------------------------------------------------------------------------
# Reading a row


def _optional(row: RowView, column: str) -> Dec | None:
    return row.optional_number(column)


def read_regrets(row: RowView, shape: TableShape) -> RegretState:
    """Every regret column of a row as a :class:`RegretState` (README §3.1–3.2)."""
    w, f = shape.inferers, shape.forecasters
    total = w + f
    inferer: dict[str, Dec] = {}
    forecaster: dict[str, Dec] = {}
    naive: dict[str, Dec] = {}
    families: dict[str, dict[PairKey, Dec]] = {
        "ii": {},
        "if": {},
        "fi": {},
        "ff": {},
        "oi": {},
    }
    one_in_self: dict[str, Dec] = {}

    def put(target: dict[Any, Dec], key: Any, column: str) -> None:
        value = _optional(row, column)
        if value is not None:
            target[key] = value

    for x in range(total):
        role, x_id = shape.worker_id(x)
        put(inferer if role == INFERER else forecaster, x_id, f"inference_regret_worker_{x}")
        for withheld in range(total):
            held_role, held_id = shape.worker_id(withheld)
            family = ("i" if held_role == INFERER else "f") + ("i" if role == INFERER else "f")
            put(families[family], (held_id, x_id), f"inference_regret_worker_{x}_oneout_{withheld}")
    for j in range(w):
        put(naive, get_inferer_id(j), f"naive_inference_regret_worker_{j}")
    for k in range(f):
        k_id = get_forecaster_id(k)
        for j in range(w):
            put(families["oi"], (k_id, get_inferer_id(j)), f"inference_regret_worker_{j}_onein_{k}")
        put(one_in_self, k_id, f"inference_regret_worker_{w}_onein_{k}")
    return RegretState(
        inferer=inferer,
        forecaster=forecaster,
        naive_inferer=naive,
        one_out_inferer_inferer=families["ii"],
        one_out_inferer_forecaster=families["if"],
        one_out_forecaster_inferer=families["fi"],
        one_out_forecaster_forecaster=families["ff"],
        one_in_forecaster_inferer=families["oi"],
        one_in_forecaster_self=one_in_self,
    )


def _read_map(
    row: RowView, count: int, column: Callable[[int], str], ids: Callable[[int], str]
) -> dict[str, Dec]:
    out: dict[str, Dec] = {}
    for index in range(count):
        value = _optional(row, column(index))
        if value is not None:
            out[ids(index)] = value
    return out


def read_seed_state(row: RowView, shape: TableShape, params: SynthesisParams) -> SynthesisState:
    """The state a seed row stands for (module docstring)."""
    w, f, r = shape.inferers, shape.forecasters, shape.reputers
    regrets = read_regrets(row, shape)
    network_regrets = [*regrets.inferer.values(), *regrets.forecaster.values()]
    initial_regret = compute_initial_regret(
        network_regrets,
        quantile=params.initial_regret_quantile,
        p_norm=params.p_norm,
        c_norm=params.c_norm,
        p_norm_safe_div=params.p_norm_safe_div,
        epsilon=params.epsilon,
    )
    epoch_text = row.text("epoch") if row.has("epoch") else ""
    inclusions = int(epoch_text) if epoch_text.isdigit() else 0
    inferer_scores = _read_map(row, w, lambda j: f"inferer_score_{j}", get_inferer_id)
    forecaster_scores = _read_map(row, f, lambda k: f"forecaster_score_{k}", get_forecaster_id)
    return SynthesisState(
        previous_network_loss=row.number("network_loss"),
        regrets=regrets,
        initial_regret=initial_regret,
        inferer_inclusions={get_inferer_id(j): inclusions for j in range(w)},
        forecaster_inclusions={get_forecaster_id(k): inclusions for k in range(f)},
        listening_coefficients=_read_map(
            row, r, lambda m: f"reputer_listening_coefficient_{m}", get_reputer_id
        ),
        inferer_smoothed_fractions=_read_map(
            row, w, lambda j: f"inferer_reward_fraction_smooth_{j}", get_inferer_id
        ),
        forecaster_smoothed_fractions=_read_map(
            row, f, lambda k: f"forecaster_reward_fraction_smooth_{k}", get_forecaster_id
        ),
        reputer_smoothed_fractions=_read_map(
            row, r, lambda m: f"reputer_reward_fraction_smooth_{m}", get_reputer_id
        ),
        forecaster_score_ratio=row.number("forecaster_score_ratio"),
        recent_inferer_scores=(tuple(inferer_scores[i] for i in sorted(inferer_scores)),),
        recent_forecaster_scores=(
            (tuple(forecaster_scores[k] for k in sorted(forecaster_scores)),)
            if forecaster_scores
            else ()
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EpochInputs:
    """The INPUT cells of one row as engine records."""

    inferences: tuple[Inference, ...]
    forecasts: tuple[Forecast, ...]
    reports: tuple[ReputerReport, ...]
    topic_reward: Dec


def read_epoch_inputs(row: RowView, shape: TableShape) -> EpochInputs:
    """Inferences, forecasts, reputer reports and the topic reward of a row."""
    inferences = tuple(
        Inference(inferer=get_inferer_id(j), value=value)
        for j in range(shape.inferers)
        if (value := _optional(row, f"inference_{j}")) is not None
    )
    forecasts: list[Forecast] = []
    for k in range(shape.forecasters):
        elements = tuple(
            ForecastElement(inferer=get_inferer_id(j), value=value)
            for j in range(shape.inferers)
            if (value := _optional(row, f"forecasted_loss_{k}_for_{j}")) is not None
        )
        if elements:
            forecasts.append(Forecast(forecaster=get_forecaster_id(k), elements=elements))
    entries: dict[int, dict[BundleKey, Dec]] = {m: {} for m in range(shape.reputers)}
    for column, m, key in shape.loss_columns:
        value = _optional(row, column)
        if value is not None and m in entries:
            entries[m][key] = value
    reports = tuple(
        ReputerReport(
            reputer=get_reputer_id(m),
            stake=row.number(f"reputer_stake_{m}"),
            losses=ValueBundle.from_entries(entries[m]),
        )
        for m in range(shape.reputers)
    )
    return EpochInputs(
        inferences=inferences,
        forecasts=tuple(forecasts),
        reports=reports,
        topic_reward=row.number("topic_rewards"),
    )


# ---------------------------------------------------------------------------------------------
# Writing a row


def compute_output_values(
    shape: TableShape,
    network: NetworkInferences,
    outcome: EpochOutcome,
    topic_reward: Dec,
) -> dict[str, Dec | None]:
    """Every OUTPUT column of a row by name (None: not defined for this row)."""
    w, f, r = shape.inferers, shape.forecasters, shape.reputers
    total = w + f
    bundle, losses, regrets = network.bundle, outcome.network_losses, outcome.regrets
    i_ids = [get_inferer_id(j) for j in range(w)]
    f_ids = [get_forecaster_id(k) for k in range(f)]
    r_ids = [get_reputer_id(m) for m in range(r)]
    out: dict[str, Dec | None] = {}

    def one_out(values_i: Mapping[str, Dec], values_f: Mapping[str, Dec], x: int) -> Dec | None:
        return values_i.get(i_ids[x]) if x < w else values_f.get(f_ids[x - w])

    for k, k_id in enumerate(f_ids):
        for j, j_id in enumerate(i_ids):
            out[f"forecasted_regret_{k}_inferer_{j}"] = network.forecasted_regrets.get((k_id, j_id))
            out[f"forecast_implied_inference_{k}_oneout_{j}"] = (
                bundle.one_out_inferer_forecasters.get((k_id, j_id))
            )
            out[f"forecast_implied_inference_loss_{k}_oneout_{j}"] = (
                losses.one_out_inferer_forecasters.get((k_id, j_id))
            )
        out[f"forecast_implied_inference_{k}"] = bundle.forecasters.get(k_id)
        out[f"network_naive_inference_onein_{k}"] = bundle.one_in_forecasters.get(k_id)
        out[f"forecast_implied_inference_loss_{k}"] = losses.forecasters.get(k_id)
        out[f"network_naive_loss_onein_{k}"] = losses.one_in_forecasters.get(k_id)
    out["network_inference"] = bundle.combined
    out["network_naive_inference"] = bundle.naive
    bars = network.error_bars
    for index in range(5):
        out[f"network_inference_errorbar_{index}"] = None if bars is None else bars[index]
    out["network_loss"] = losses.combined
    out["network_naive_loss"] = losses.naive
    for x in range(total):
        out[f"network_inference_oneout_{x}"] = one_out(
            bundle.one_out_inferers, bundle.one_out_forecasters, x
        )
        out[f"network_loss_oneout_{x}"] = one_out(
            losses.one_out_inferers, losses.one_out_forecasters, x
        )
    for j, j_id in enumerate(i_ids):
        out[f"inference_loss_{j}"] = losses.inferers.get(j_id)
        out[f"naive_inference_regret_worker_{j}"] = regrets.naive_inferer.get(j_id)
        out[f"inferer_score_{j}"] = outcome.inferer_scores.get(j_id)
        out[f"inferer_reward_fraction_{j}"] = outcome.inferers.instantaneous.get(j_id)
        out[f"inferer_reward_fraction_smooth_{j}"] = outcome.inferers.smoothed.get(j_id)
        out[f"inferer_reward_{j}"] = outcome.inferer_rewards.get(j_id)
    for k, k_id in enumerate(f_ids):
        out[f"forecaster_score_{k}"] = outcome.forecaster_scores.get(k_id)
        out[f"forecaster_reward_fraction_{k}"] = outcome.forecasters.instantaneous.get(k_id)
        out[f"forecaster_reward_fraction_smooth_{k}"] = outcome.forecasters.smoothed.get(k_id)
        out[f"forecaster_reward_{k}"] = outcome.forecaster_rewards.get(k_id)
        for j, j_id in enumerate(i_ids):
            out[f"inference_regret_worker_{j}_onein_{k}"] = regrets.one_in_forecaster_inferer.get(
                (k_id, j_id)
            )
        out[f"inference_regret_worker_{w}_onein_{k}"] = regrets.one_in_forecaster_self.get(k_id)
    for x in range(total):
        role, x_id = shape.worker_id(x)
        network_family = regrets.inferer if role == INFERER else regrets.forecaster
        out[f"inference_regret_worker_{x}"] = network_family.get(x_id)
        for withheld in range(total):
            held_role, held_id = shape.worker_id(withheld)
            if held_role == INFERER:
                family = (
                    regrets.one_out_inferer_inferer
                    if role == INFERER
                    else regrets.one_out_inferer_forecaster
                )
            else:
                family = (
                    regrets.one_out_forecaster_inferer
                    if role == INFERER
                    else regrets.one_out_forecaster_forecaster
                )
            out[f"inference_regret_worker_{x}_oneout_{withheld}"] = family.get((held_id, x_id))
    for m, m_id in enumerate(r_ids):
        out[f"reputer_score_{m}"] = outcome.reputer_scores.get(m_id)
        out[f"reputer_listening_coefficient_{m}"] = outcome.listening_coefficients.get(m_id)
        out[f"reputer_adjusted_stake_{m}"] = outcome.adjusted_stakes.get(m_id)
        out[f"reputer_reward_fraction_{m}"] = outcome.reputers.instantaneous.get(m_id)
        out[f"reputer_reward_fraction_smooth_{m}"] = outcome.reputers.smoothed.get(m_id)
        out[f"reputer_reward_{m}"] = outcome.reputer_rewards.get(m_id)
    out["inferers_entropy"] = outcome.inferers.entropy
    out["forecasters_entropy"] = outcome.forecasters.entropy
    out["reputers_entropy"] = outcome.reputers.entropy
    out["forecaster_task_score"] = outcome.forecaster_task_score
    out["forecaster_score_ratio"] = outcome.forecaster_score_ratio
    out["forecasters_utility"] = outcome.forecasting_utility
    shares = (
        ("inferers_reward_fraction", outcome.inference_reward),
        ("forecasters_reward_fraction", outcome.forecasting_reward),
        ("reputers_reward_fraction", outcome.reputation_reward),
    )
    for name, amount in shares:
        out[name] = None if topic_reward == 0 else amount / topic_reward
    return out


def _score_count(history: Sequence[Sequence[Dec]]) -> int:
    return sum(len(epoch) for epoch in history)


@dataclass(frozen=True, slots=True, kw_only=True)
class ComputedRow:
    """One computed later row: the engine's records and the text of every OUTPUT cell."""

    inputs: EpochInputs
    network: NetworkInferences
    outcome: EpochOutcome
    cells: dict[str, str]


def compute_table_rows(
    table: VectorTable, params: SynthesisParams = SIMULATOR_PARAMS
) -> Iterator[ComputedRow]:
    """Compute every later row of ``table`` chained from its seed (README §1, §3.3).

    Yields one :class:`ComputedRow` per later row, in order.
    """
    shape = get_table_shape(table.header)
    mask = CLASSIFIER.output_mask(table.header)
    output_columns = [c for c, is_out in zip(table.header, mask, strict=True) if is_out]
    rows = get_row_views(table, "epoch")
    with dec_context():
        state = read_seed_state(rows[0], shape, params)
        for row in rows[1:]:
            inputs = read_epoch_inputs(row, shape)
            network = compute_network_inferences(
                inferences=inputs.inferences,
                forecasts=inputs.forecasts,
                state=state,
                params=params,
            )
            # Conditional inputs (README §2): a task whose score history in the table does not
            # reach MaxSamplesToScaleScores scores takes its fractions from the row.
            samples = params.max_samples_to_scale_scores
            given_columns: list[str] = []
            given_inferers: dict[str, Dec] | None = None
            given_forecasters: dict[str, Dec] | None = None
            if _score_count(state.recent_inferer_scores) + shape.inferers < samples:
                given_inferers = _read_map(
                    row, shape.inferers, lambda j: f"inferer_reward_fraction_{j}", get_inferer_id
                )
                given_columns += [f"inferer_reward_fraction_{j}" for j in range(shape.inferers)]
            if (
                shape.forecasters > 0
                and _score_count(state.recent_forecaster_scores) + shape.forecasters < samples
            ):
                given_forecasters = _read_map(
                    row,
                    shape.forecasters,
                    lambda k: f"forecaster_reward_fraction_{k}",
                    get_forecaster_id,
                )
                given_columns += [
                    f"forecaster_reward_fraction_{k}" for k in range(shape.forecasters)
                ]
            outcome = compute_epoch_outcome(
                network_inferences=network,
                reports=inputs.reports,
                state=state,
                params=params,
                topic_reward=inputs.topic_reward,
                given_fractions=GivenFractions(
                    inferers=given_inferers, forecasters=given_forecasters
                ),
            )
            values = compute_output_values(shape, network, outcome, inputs.topic_reward)
            cells: dict[str, str] = {}
            for column in output_columns:
                if column not in values:
                    raise VectorTableError(f"OUTPUT column {column!r} is not part of this table")
                value = values[column]
                cells[column] = "" if value is None else format_number(value)
            for column in given_columns:
                cells[column] = row.text(column)
            yield ComputedRow(inputs=inputs, network=network, outcome=outcome, cells=cells)
            state = outcome.state


def compute_synthesis_table(table: VectorTable) -> list[tuple[str, ...]]:
    """The completed table: the seed row as given, later rows computed (README §1)."""
    mask = CLASSIFIER.output_mask(table.header)
    out: list[tuple[str, ...]] = [table.rows[0]]
    for cells, computed in zip(table.rows[1:], compute_table_rows(table), strict=True):
        out.append(build_output_row(table.header, mask, cells, computed.cells))
    return out


def register(subparsers: Any) -> None:
    """Add ``allora vectors synthesis``."""
    add_table_command(
        subparsers,
        name="synthesis",
        help_text="complete a synthesis_epochs.csv table (SYNTHESIS.md §5-§13)",
        description=(
            "Read a synthesis_epochs.csv table whose first row is the seed and write it back "
            "with every OUTPUT cell of the later rows computed, chained from the seed, with "
            "the simulator's parameters (vectors README §1-§3). W, F and R are read from the "
            "header.\n\nexample:\n  allora vectors synthesis synthesis_epochs.csv -o out.csv"
        ),
        compute=compute_synthesis_table,
    )
