"""The bridge between the emissions stores and the synthesis engine's records (SYNTHESIS.md §4).

* :func:`compute_synthesis_params`: a topic's own parameters (p-norm, α_R, ε, merit alpha,
  quantiles; PROTOCOL.md §2.2) and the module's (§2.1) as
  :class:`~pyallora.synthesis.params.SynthesisParams`; stakes are passed to the engine in
  uallo, so ``required_minimum_stake`` is too;
* :func:`load_synthesis_state`: every stored quantity of §4 for one topic as a
  :class:`~pyallora.synthesis.types.SynthesisState`: last network loss, regrets, initial
  regret, inclusion counts, listening coefficients, smoothed fractions, τ, recent scores, score
  EMAs (never-scored records left out) and the topic quantiles;
* :func:`save_loss_round` (§5.6 step 4) and :func:`save_reward_round` (§5.7 step 5a): write
  back what a round changed, stamped with the nonce, and emit the scores events.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import replace
from typing import TypeVar

from pyallora.chain.context import Context
from pyallora.chain.emissions.dec_text import dec_from_text, dec_to_field_text
from pyallora.chain.emissions.events import (
    build_ema_scores_set_event,
    build_forecast_task_score_set_event,
    build_scores_set_event,
)
from pyallora.chain.emissions.nonces.state import get_latest_network_loss_bundle
from pyallora.chain.emissions.params import EmissionsParams
from pyallora.chain.emissions.rewards.regret_codec import (
    RegretKey,
    decode_regret_values,
    encode_regrets,
)
from pyallora.chain.emissions.rewards.state import (
    FORECASTER,
    INFERER,
    REGRET_PAIR_FAMILIES,
    REGRET_SINGLE_FAMILIES,
    REPUTER,
    ScoreRecord,
    get_previous_forecaster_score_ratio,
    get_regret_table,
    get_role_fraction_table,
    get_role_inclusion_table,
    get_topic_score_quantile,
    iterate_recent_scores,
    iterate_score_emas,
    iterate_topic_values,
    set_inclusion_count,
    set_listening_coefficient,
    set_previous_forecaster_score_ratio,
    set_previous_reward_fraction,
    set_regret_table,
    set_score_ema,
    set_scores_at_block,
    set_topic_score_quantile,
)
from pyallora.chain.emissions.stores import REPUTER_LISTENING_COEFFICIENT
from pyallora.chain.emissions.topics.state import Topic, get_topic, set_topic
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.dec import Dec, dec, with_dec_context
from pyallora.synthesis.epoch import LossRound, RewardRound
from pyallora.synthesis.params import SynthesisParams
from pyallora.synthesis.types import REGRET_FAMILIES, PairKey, RegretState, SynthesisState

_K = TypeVar("_K", bound=Hashable)


def compute_synthesis_params(topic: Topic, params: EmissionsParams) -> SynthesisParams:
    """The engine parameters of a topic (module docstring)."""
    return SynthesisParams(
        p_norm=dec_from_text(topic.p_norm),
        alpha_regret=dec_from_text(topic.alpha_regret),
        epsilon=dec_from_text(topic.epsilon),
        merit_sortition_alpha=dec_from_text(topic.merit_sortition_alpha),
        active_inferer_quantile=dec_from_text(topic.active_inferer_quantile),
        active_forecaster_quantile=dec_from_text(topic.active_forecaster_quantile),
        active_reputer_quantile=dec_from_text(topic.active_reputer_quantile),
        c_norm=params.get_dec("c_norm"),
        epsilon_safe_div=params.get_dec("epsilon_safe_div"),
        p_norm_safe_div=params.get_dec("p_norm_safe_div"),
        initial_regret_quantile=params.get_dec("initial_regret_quantile"),
        p_reward_inference=params.get_dec("p_reward_inference"),
        p_reward_forecast=params.get_dec("p_reward_forecast"),
        p_reward_reputer=params.get_dec("p_reward_reputer"),
        c_reward_inference=params.get_dec("c_reward_inference"),
        c_reward_forecast=params.get_dec("c_reward_forecast"),
        task_reward_alpha=params.get_dec("task_reward_alpha"),
        beta_entropy=params.get_dec("beta_entropy"),
        max_samples_to_scale_scores=params.max_samples_to_scale_scores,
        learning_rate=params.get_dec("learning_rate"),
        gradient_descent_max_iters=params.gradient_descent_max_iters,
        max_gradient_threshold=params.get_dec("max_gradient_threshold"),
        min_stake_fraction=params.get_dec("min_stake_fraction"),
        epsilon_reputer=params.get_dec("epsilon_reputer"),
        required_minimum_stake=dec(params.required_minimum_stake),
    )


# ---------------------------------------------------------------------------------------------
# Loading


def _load_regrets(store: ReadableKVStore, topic_id: int) -> RegretState:
    singles: dict[str, dict[str, Dec]] = {
        family: {
            key[0]: value
            for key, value in decode_regret_values(get_regret_table(store, family, topic_id))
        }
        for family in REGRET_SINGLE_FAMILIES
    }
    pairs: dict[str, dict[PairKey, Dec]] = {
        family: {
            (key[0], key[1]): value
            for key, value in decode_regret_values(get_regret_table(store, family, topic_id))
        }
        for family in REGRET_PAIR_FAMILIES
    }
    # R⁺_{k,k} lives at (k, k) of the one-in table, as in the reference.
    one_in_self = {
        first: value
        for (first, second), value in pairs["one_in_forecaster_inferer"].items()
        if first == second
    }
    return RegretState(
        inferer=singles["inferer"],
        forecaster=singles["forecaster"],
        naive_inferer=singles["naive_inferer"],
        one_out_inferer_inferer=pairs["one_out_inferer_inferer"],
        one_out_inferer_forecaster=pairs["one_out_inferer_forecaster"],
        one_out_forecaster_inferer=pairs["one_out_forecaster_inferer"],
        one_out_forecaster_forecaster=pairs["one_out_forecaster_forecaster"],
        one_in_forecaster_inferer=pairs["one_in_forecaster_inferer"],
        one_in_forecaster_self=one_in_self,
    )


def _load_recent_scores(
    store: ReadableKVStore, role: str, topic_id: int, before: int, max_samples: int
) -> tuple[tuple[Dec, ...], ...]:
    epochs: list[tuple[Dec, ...]] = []
    held = 0
    for _, records in iterate_recent_scores(store, role, topic_id, up_to=before - 1):
        if held >= max_samples:
            break
        if not records:
            continue
        epochs.append(tuple(record.score for record in records))
        held += len(records)
    return tuple(epochs)


def _load_emas(store: ReadableKVStore, role: str, topic_id: int) -> dict[str, Dec]:
    return {
        record.address: record.score
        for record in iterate_score_emas(store, role, topic_id)
        if not record.is_never_scored
    }


@with_dec_context
def load_synthesis_state(
    store: ReadableKVStore,
    topic: Topic,
    params: EmissionsParams,
    *,
    nonce: int,
    with_regrets: bool = True,
) -> SynthesisState:
    """The engine state of ``topic`` as stored, for a round about ``nonce`` (module docstring).

    Recent scores are those of nonces before ``nonce``. ``with_regrets=False`` leaves the
    regrets out (an empty :class:`~pyallora.synthesis.types.RegretState`): the reward round
    (SYNTHESIS.md §10-§13) never reads them, and they are the bulk of the state.
    """
    topic_id = topic.id
    latest = get_latest_network_loss_bundle(store, topic_id)
    previous_loss = None if latest is None else dec_from_text(latest[1].combined_value)
    coefficients = {
        address: dec_from_text(value.coefficient)
        for address, value in iterate_topic_values(REPUTER_LISTENING_COEFFICIENT, store, topic_id)
    }
    samples = params.max_samples_to_scale_scores
    return SynthesisState(
        previous_network_loss=previous_loss,
        regrets=_load_regrets(store, topic_id) if with_regrets else RegretState(),
        initial_regret=dec_from_text(topic.initial_regret),
        inferer_inclusions=dict(
            iterate_topic_values(get_role_inclusion_table(INFERER), store, topic_id)
        ),
        forecaster_inclusions=dict(
            iterate_topic_values(get_role_inclusion_table(FORECASTER), store, topic_id)
        ),
        listening_coefficients=coefficients,
        inferer_smoothed_fractions=dict(
            iterate_topic_values(get_role_fraction_table(INFERER), store, topic_id)
        ),
        forecaster_smoothed_fractions=dict(
            iterate_topic_values(get_role_fraction_table(FORECASTER), store, topic_id)
        ),
        reputer_smoothed_fractions=dict(
            iterate_topic_values(get_role_fraction_table(REPUTER), store, topic_id)
        ),
        forecaster_score_ratio=get_previous_forecaster_score_ratio(store, topic_id),
        recent_inferer_scores=_load_recent_scores(store, INFERER, topic_id, nonce, samples),
        recent_forecaster_scores=_load_recent_scores(store, FORECASTER, topic_id, nonce, samples),
        inferer_score_emas=_load_emas(store, INFERER, topic_id),
        forecaster_score_emas=_load_emas(store, FORECASTER, topic_id),
        reputer_score_emas=_load_emas(store, REPUTER, topic_id),
        inferer_score_quantile=get_topic_score_quantile(store, INFERER, topic_id),
        forecaster_score_quantile=get_topic_score_quantile(store, FORECASTER, topic_id),
        reputer_score_quantile=get_topic_score_quantile(store, REPUTER, topic_id),
    )


# ---------------------------------------------------------------------------------------------
# Saving


def _changed(old: Mapping[_K, Dec], new: Mapping[_K, Dec]) -> list[_K]:
    return [key for key, value in new.items() if key not in old or old[key] != value]


@with_dec_context
def save_loss_round(
    store: KVStore, topic_id: int, nonce: int, before: SynthesisState, result: LossRound
) -> None:
    """Write the regrets a loss round changed (stamped with ``nonce``) and the topic's new
    initial regret (§5.6 step 4).

    Unchanged regrets keep their height. The families are written in the §9.1 table order,
    so the one-in self regret R⁺_{k,k} (stored at ``(k, k)`` of the one-in table) wins over a
    one-in regret about inferer k. Each touched family's table is rewritten once.
    """
    old, new = before.regrets, result.regrets
    tables: dict[str, dict[RegretKey, bytes]] = {}

    def update(family: str, keys: list[RegretKey], values: list[Dec]) -> None:
        if not keys:
            return
        table = tables.get(family)
        if table is None:
            table = tables[family] = get_regret_table(store, family, topic_id)
        table.update(zip(keys, encode_regrets(nonce, values), strict=True))

    for family in REGRET_FAMILIES:
        if family == "one_in_forecaster_self":
            changed_self = _changed(old.one_in_forecaster_self, new.one_in_forecaster_self)
            update(
                "one_in_forecaster_inferer",
                [(key, key) for key in changed_self],
                [new.one_in_forecaster_self[key] for key in changed_self],
            )
        elif family in REGRET_SINGLE_FAMILIES:
            old_single: Mapping[str, Dec] = getattr(old, family)
            new_single: Mapping[str, Dec] = getattr(new, family)
            changed_singles = _changed(old_single, new_single)
            update(
                family,
                [(key,) for key in changed_singles],
                [new_single[key] for key in changed_singles],
            )
        else:
            old_pairs: Mapping[PairKey, Dec] = getattr(old, family)
            new_pairs: Mapping[PairKey, Dec] = getattr(new, family)
            changed_pairs = _changed(old_pairs, new_pairs)
            update(family, list(changed_pairs), [new_pairs[key] for key in changed_pairs])
    for family, table in sorted(tables.items()):
        set_regret_table(store, family, topic_id, table)
    topic = get_topic(store, topic_id)
    if topic is not None:
        text = dec_to_field_text(result.initial_regret)
        if text != topic.initial_regret:
            set_topic(store, replace(topic, initial_regret=text))


@with_dec_context
def save_reward_round(
    ctx: Context,
    store: KVStore,
    topic_id: int,
    nonce: int,
    before: SynthesisState,
    result: RewardRound,
    params: EmissionsParams,
) -> None:
    """Write what a reward round produced (§5.7 step 5a) and emit its score events.

    Per role: the instantaneous scores at ``(topic, nonce)`` (capped, C16), the EMAs of the
    scored actors stamped with ``nonce`` and the topic quantile; then listening coefficients,
    smoothed fractions, τ and the inclusion counts.
    """
    new_state = result.state
    by_role: tuple[tuple[str, Mapping[str, Dec], Mapping[str, Dec], Dec | None], ...] = (
        (
            INFERER,
            result.inferer_scores,
            new_state.inferer_score_emas,
            new_state.inferer_score_quantile,
        ),
        (
            FORECASTER,
            result.forecaster_scores,
            new_state.forecaster_score_emas,
            new_state.forecaster_score_quantile,
        ),
        (
            REPUTER,
            result.reputer_scores,
            new_state.reputer_score_emas,
            new_state.reputer_score_quantile,
        ),
    )
    for actor_type, (role, scores, emas, quantile) in enumerate(by_role):
        records = tuple(
            ScoreRecord(topic_id=topic_id, block_height=nonce, address=address, score=score)
            for address, score in sorted(scores.items())
        )
        set_scores_at_block(
            store, role, topic_id, nonce, records, params.max_samples_to_scale_scores
        )
        ema_records = tuple(
            ScoreRecord(topic_id=topic_id, block_height=nonce, address=address, score=emas[address])
            for address in sorted(scores)
        )
        for record in ema_records:
            set_score_ema(store, role, record)
        if quantile is not None:
            set_topic_score_quantile(store, role, topic_id, quantile)
        ctx.events.emit(
            build_scores_set_event(
                actor_type,
                topic_id,
                nonce,
                [r.address for r in records],
                [dec_to_field_text(r.score) for r in records],
            )
        )
        ctx.events.emit(
            build_ema_scores_set_event(
                actor_type,
                topic_id,
                nonce,
                [r.address for r in ema_records],
                [dec_to_field_text(r.score) for r in ema_records],
                [True] * len(ema_records),
            )
        )
    for address, coefficient in sorted(result.listening_coefficients.items()):
        set_listening_coefficient(store, topic_id, address, coefficient)
    for role, fractions in (
        (INFERER, result.inferers.smoothed),
        (FORECASTER, result.forecasters.smoothed),
        (REPUTER, result.reputers.smoothed),
    ):
        for address, value in sorted(fractions.items()):
            set_previous_reward_fraction(store, role, topic_id, address, value)
    set_previous_forecaster_score_ratio(store, topic_id, result.forecaster_score_ratio)
    for role, old_counts, new_counts in (
        (INFERER, before.inferer_inclusions, new_state.inferer_inclusions),
        (FORECASTER, before.forecaster_inclusions, new_state.forecaster_inclusions),
    ):
        for address, count in sorted(new_counts.items()):
            if old_counts.get(address) != count:
                set_inclusion_count(store, role, topic_id, address, count)
    if result.forecaster_task_score is not None:
        ctx.events.emit(
            build_forecast_task_score_set_event(
                topic_id, dec_to_field_text(result.forecaster_task_score)
            )
        )
