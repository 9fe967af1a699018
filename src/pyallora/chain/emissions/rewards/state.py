"""Accessors of the score, EMA, reward-bookkeeping and regret stores (PROTOCOL.md §2.8, §2.9).

Collections are declared once in :mod:`pyallora.chain.emissions.stores`; these are the
``get_``/``set_`` functions over them.

* **Roles.** Scores, EMAs and topic quantiles exist per role: :data:`INFERER`,
  :data:`FORECASTER`, :data:`REPUTER`.
* **Score EMAs** are ``emissions.v3.Score`` records ``{topic_id, block_height, address,
  score}``. An absent record reads as score 0 at height 0 ("never scored"); the height is the
  nonce the EMA was last updated for (the reward nonce, or the nonce of a lost active-set
  contest, §5.9), which is what the "once per window" rule (78) compares against.
* **Per-nonce scores** are capped at ``max_samples_to_scale_scores`` entries, keeping the last
  ones in address order (quirk C16). The reference never deletes them; by default pyallora
  prunes them with the other per-nonce records (:func:`prune_scores`, called by the reward
  step's §5.7 step 5e), keeping every list the next reward round can read, so that the state
  stays bounded; under ``reference_compat`` they are kept, as in the reference.
* **Regrets** are ``TimestampedValue {block_height, value}``; an absent entry reads as the
  topic's initial regret (§2.9). The one-in self regret R⁺_{k,k} is kept under
  ``(k, k)`` of the one-in table, as the reference does. Each family of a topic is stored as
  one table with exact values (:mod:`~pyallora.chain.emissions.rewards.regret_codec`): the
  loss round reads and rewrites whole tables; queries print the canonical 34-digit text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pyallora.chain.emissions.dec_text import dec_from_text, dec_to_field_text
from pyallora.chain.emissions.rewards.regret_codec import RegretKey, decode_regret, encode_regret
from pyallora.chain.emissions.stores import (
    COUNT_FORECASTER_INCLUSIONS_IN_TOPIC,
    COUNT_INFERER_INCLUSIONS_IN_TOPIC,
    FORECASTER_NETWORK_REGRETS,
    FORECASTER_SCORE_EMAS,
    FORECASTER_SCORES_BY_BLOCK,
    INFERER_NETWORK_REGRETS,
    INFERER_SCORE_EMAS,
    INFERER_SCORES_BY_BLOCK,
    NAIVE_INFERER_NETWORK_REGRETS,
    ONE_IN_FORECASTER_NETWORK_REGRETS,
    ONE_OUT_FORECASTER_FORECASTER_NETWORK_REGRETS,
    ONE_OUT_FORECASTER_INFERER_NETWORK_REGRETS,
    ONE_OUT_INFERER_FORECASTER_NETWORK_REGRETS,
    ONE_OUT_INFERER_INFERER_NETWORK_REGRETS,
    PREVIOUS_FORECAST_REWARD_FRACTION,
    PREVIOUS_FORECASTER_SCORE_RATIO,
    PREVIOUS_INFERENCE_REWARD_FRACTION,
    PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS,
    PREVIOUS_REPUTER_REWARD_FRACTION,
    PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA,
    PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA,
    PREVIOUS_TOPIC_QUANTILE_REPUTER_SCORE_EMA,
    REPUTER_LISTENING_COEFFICIENT,
    REPUTER_SCORE_EMAS,
    REPUTER_SCORES_BY_BLOCK,
    REWARD_CURRENT_BLOCK_EMISSION,
    TOPIC_ACTOR_KEY,
    TOPIC_HEIGHT_KEY,
)
from pyallora.chain.store.collections import Map
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.store.memo import MemoTable
from pyallora.core.dec import ONE, ZERO, Dec
from pyallora.proto.emissions.v3 import types_pb2

INFERER: Final = "inferer"
"""Role name of inferers."""

FORECASTER: Final = "forecaster"
"""Role name of forecasters."""

REPUTER: Final = "reputer"
"""Role name of reputers."""

ROLES: Final = (INFERER, FORECASTER, REPUTER)
"""The three roles, in the order of the events' ``actor_type`` (0, 1, 2)."""

_EMAS: Final[dict[str, Map[tuple[int, str], types_pb2.Score]]] = {
    INFERER: INFERER_SCORE_EMAS,
    FORECASTER: FORECASTER_SCORE_EMAS,
    REPUTER: REPUTER_SCORE_EMAS,
}
_SCORES_BY_BLOCK: Final[dict[str, Map[tuple[int, int], types_pb2.Scores]]] = {
    INFERER: INFERER_SCORES_BY_BLOCK,
    FORECASTER: FORECASTER_SCORES_BY_BLOCK,
    REPUTER: REPUTER_SCORES_BY_BLOCK,
}
_QUANTILES: Final[dict[str, Map[int, Dec]]] = {
    INFERER: PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA,
    FORECASTER: PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA,
    REPUTER: PREVIOUS_TOPIC_QUANTILE_REPUTER_SCORE_EMA,
}
_FRACTIONS: Final[dict[str, Map[tuple[int, str], Dec]]] = {
    INFERER: PREVIOUS_INFERENCE_REWARD_FRACTION,
    FORECASTER: PREVIOUS_FORECAST_REWARD_FRACTION,
    REPUTER: PREVIOUS_REPUTER_REWARD_FRACTION,
}
_INCLUSIONS: Final[dict[str, Map[tuple[int, str], int]]] = {
    INFERER: COUNT_INFERER_INCLUSIONS_IN_TOPIC,
    FORECASTER: COUNT_FORECASTER_INCLUSIONS_IN_TOPIC,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreRecord:
    """``emissions.v3.Score``: an actor's score (or score EMA) and the nonce it belongs to."""

    topic_id: int
    block_height: int
    address: str
    score: Dec

    @property
    def is_never_scored(self) -> bool:
        """The default record (height 0, score 0): the EMA rule treats it as no history."""
        return self.block_height == 0 and self.score == 0


def score_to_proto(record: ScoreRecord) -> types_pb2.Score:
    """The ``Score`` message of a record."""
    return types_pb2.Score(
        topic_id=record.topic_id,
        block_height=record.block_height,
        address=record.address,
        score=dec_to_field_text(record.score),
    )


def score_from_proto(message: types_pb2.Score) -> ScoreRecord:
    """The record of a stored ``Score``."""
    return ScoreRecord(
        topic_id=message.topic_id,
        block_height=message.block_height,
        address=message.address,
        score=dec_from_text(message.score),
    )


# ---------------------------------------------------------------------------------------------
# Score EMAs and quantiles (§2.8, §5.9)


def get_score_ema(store: ReadableKVStore, role: str, topic_id: int, address: str) -> ScoreRecord:
    """The actor's score EMA in the role (height 0, score 0 when never scored).

    The decode is memoised by the stored bytes (a pure function of them; the record is
    frozen): a forecast's admission ranks its elements by their inferers' EMAs.
    """
    data = store.get(_EMAS[role].encode_key((topic_id, address)))
    if data is None:
        return ScoreRecord(topic_id=topic_id, block_height=0, address=address, score=ZERO)
    return _SCORES_BY_BYTES.get_or_compute(data, _decode_score)


def _decode_score(data: bytes) -> ScoreRecord:
    return score_from_proto(INFERER_SCORE_EMAS.value_codec.decode(data))


# Every EMA table stores the same ``ProtoValue(Score)`` codec.
_SCORES_BY_BYTES: Final[MemoTable[bytes, ScoreRecord]] = MemoTable(1 << 14)


def get_stored_score_ema(
    store: ReadableKVStore, role: str, topic_id: int, address: str
) -> types_pb2.Score:
    """The actor's score EMA record exactly as stored (what queries answer: reading it into
    a Dec and printing it back could change the 34th digit), or the default record."""
    stored = _EMAS[role].get(store, (topic_id, address))
    if stored is None:
        return score_to_proto(
            ScoreRecord(topic_id=topic_id, block_height=0, address=address, score=ZERO)
        )
    return stored


def set_score_ema(store: KVStore, role: str, record: ScoreRecord) -> None:
    """Store an actor's score EMA."""
    _EMAS[role].set(store, (record.topic_id, record.address), score_to_proto(record))


def iterate_score_emas(store: ReadableKVStore, role: str, topic_id: int) -> Iterator[ScoreRecord]:
    """Every stored EMA of the role in the topic, by address."""
    for _, stored in _EMAS[role].iterate(store, key_prefix=TOPIC_ACTOR_KEY.encode_prefix(topic_id)):
        yield score_from_proto(stored)


def get_topic_score_quantile(store: ReadableKVStore, role: str, topic_id: int) -> Dec | None:
    """The role's stored topic quantile (the passive pseudo-score), or ``None``."""
    return _QUANTILES[role].get(store, topic_id)


def set_topic_score_quantile(store: KVStore, role: str, topic_id: int, value: Dec) -> None:
    """Store the role's topic quantile."""
    _QUANTILES[role].set(store, topic_id, value)


# ---------------------------------------------------------------------------------------------
# Per-nonce scores (§2.8)


def get_scores_at_block(
    store: ReadableKVStore, role: str, topic_id: int, nonce: int
) -> tuple[ScoreRecord, ...]:
    """The role's scores stored for ``(topic, nonce)`` (empty when none)."""
    stored = _SCORES_BY_BLOCK[role].get(store, (topic_id, nonce))
    if stored is None:
        return ()
    return tuple(score_from_proto(item) for item in stored.scores)


def set_scores_at_block(
    store: KVStore,
    role: str,
    topic_id: int,
    nonce: int,
    records: tuple[ScoreRecord, ...],
    cap: int,
) -> None:
    """Store the role's scores for ``(topic, nonce)``, keeping the last ``cap`` (C16)."""
    kept = records[-cap:] if cap > 0 else ()
    _SCORES_BY_BLOCK[role].set(
        store, (topic_id, nonce), types_pb2.Scores(scores=[score_to_proto(r) for r in kept])
    )


def get_stored_scores_at_block(
    store: ReadableKVStore, role: str, topic_id: int, nonce: int
) -> tuple[types_pb2.Score, ...]:
    """The role's scores for ``(topic, nonce)`` exactly as stored (empty when none)."""
    stored = _SCORES_BY_BLOCK[role].get(store, (topic_id, nonce))
    return () if stored is None else tuple(stored.scores)


def iterate_stored_recent_scores(
    store: ReadableKVStore, role: str, topic_id: int, up_to: int
) -> Iterator[tuple[int, tuple[types_pb2.Score, ...]]]:
    """``(nonce, scores as stored)`` of the role in the topic, newest nonce ≤ ``up_to``
    first."""
    for (_, nonce), stored in _SCORES_BY_BLOCK[role].iterate(
        store, key_prefix=TOPIC_HEIGHT_KEY.encode_prefix(topic_id), reverse=True
    ):
        if nonce <= up_to:
            yield nonce, tuple(stored.scores)


def iterate_recent_scores(
    store: ReadableKVStore, role: str, topic_id: int, up_to: int | None = None
) -> Iterator[tuple[int, tuple[ScoreRecord, ...]]]:
    """``(nonce, scores)`` of the role in the topic, newest nonce first (≤ ``up_to``)."""
    for (_, nonce), stored in _SCORES_BY_BLOCK[role].iterate(
        store, key_prefix=TOPIC_HEIGHT_KEY.encode_prefix(topic_id), reverse=True
    ):
        if up_to is not None and nonce > up_to:
            continue
        yield nonce, tuple(score_from_proto(item) for item in stored.scores)


def prune_scores(store: KVStore, topic_id: int, up_to: int, keep_samples: int) -> int:
    """Delete the topic's per-nonce score lists with nonce ≤ ``up_to`` that no later reward
    round can read (module docstring).

    A reward round's sample (SYNTHESIS.md §12.1) is the ``max_samples_to_scale_scores`` most
    recent scores of the earlier nonces, read newest nonce first, skipping empty lists,
    until that many are held (:func:`iterate_recent_scores`; reward nonces only grow). Per
    role, walking the lists newest first in the same way, a list is kept when its nonce is
    above ``up_to`` or when the walk still reads it (it is non-empty and fewer than
    ``keep_samples`` scores are held before it); every other list is deleted. So the sample
    of every later round, and GetInferenceScoresUntilBlock / GetForecastScoresUntilBlock at
    any height from the newest nonce on, are exactly what they would be without pruning,
    and each role keeps at most ``keep_samples`` lists at or below ``up_to``.

    Returns
    -------
    int
        How many lists were deleted.
    """
    prefix = TOPIC_HEIGHT_KEY.encode_prefix(topic_id)
    deleted = 0
    for role in ROLES:
        table = _SCORES_BY_BLOCK[role]
        held = 0
        doomed: list[tuple[int, int]] = []
        for key, stored in table.iterate(store, key_prefix=prefix, reverse=True):
            read = bool(stored.scores) and held < keep_samples
            if read:
                held += len(stored.scores)
            if key[1] <= up_to and not read:
                doomed.append(key)
        for key in doomed:
            table.delete(store, key)
        deleted += len(doomed)
    return deleted


def count_score_lists(store: ReadableKVStore, topic_id: int) -> int:
    """How many per-nonce score lists (all roles) the topic holds."""
    prefix = TOPIC_HEIGHT_KEY.encode_prefix(topic_id)
    return sum(
        sum(1 for _ in _SCORES_BY_BLOCK[role].keys(store, key_prefix=prefix)) for role in ROLES
    )


# ---------------------------------------------------------------------------------------------
# Reward bookkeeping (§2.8)


def get_listening_coefficient(store: ReadableKVStore, topic_id: int, reputer: str) -> Dec | None:
    """The reputer's listening coefficient, or ``None`` (reads as 1)."""
    stored = REPUTER_LISTENING_COEFFICIENT.get(store, (topic_id, reputer))
    return None if stored is None else dec_from_text(stored.coefficient)


def set_listening_coefficient(store: KVStore, topic_id: int, reputer: str, value: Dec) -> None:
    """Store the reputer's listening coefficient."""
    REPUTER_LISTENING_COEFFICIENT.set(
        store,
        (topic_id, reputer),
        types_pb2.ListeningCoefficient(coefficient=dec_to_field_text(value)),
    )


def get_listening_coefficient_or_one(store: ReadableKVStore, topic_id: int, reputer: str) -> Dec:
    """The coefficient, 1 when none is stored (SYNTHESIS.md §4)."""
    value = get_listening_coefficient(store, topic_id, reputer)
    return ONE if value is None else value


def get_previous_reward_fraction(
    store: ReadableKVStore, role: str, topic_id: int, address: str
) -> Dec | None:
    """The actor's stored smoothed reward fraction in the role, or ``None``."""
    return _FRACTIONS[role].get(store, (topic_id, address))


def set_previous_reward_fraction(
    store: KVStore, role: str, topic_id: int, address: str, value: Dec
) -> None:
    """Store a smoothed reward fraction."""
    _FRACTIONS[role].set(store, (topic_id, address), value)


def get_previous_forecaster_score_ratio(store: ReadableKVStore, topic_id: int) -> Dec:
    """The ratio EMA τ of SYNTHESIS.md §13.1 (0 when unset)."""
    return PREVIOUS_FORECASTER_SCORE_RATIO.get(store, topic_id) or ZERO


def set_previous_forecaster_score_ratio(store: KVStore, topic_id: int, value: Dec) -> None:
    """Store τ."""
    PREVIOUS_FORECASTER_SCORE_RATIO.set(store, topic_id, value)


def get_inclusion_count(store: ReadableKVStore, role: str, topic_id: int, worker: str) -> int:
    """Epochs in which the worker was paid in the role (inferer or forecaster)."""
    return _INCLUSIONS[role].get(store, (topic_id, worker)) or 0


def set_inclusion_count(store: KVStore, role: str, topic_id: int, worker: str, count: int) -> None:
    """Store an inclusion count."""
    _INCLUSIONS[role].set(store, (topic_id, worker), count)


def iterate_topic_values(
    table: Map[tuple[int, str], Any], store: ReadableKVStore, topic_id: int
) -> Iterator[tuple[str, Any]]:
    """``(address, value)`` of a ``(topic, address)`` table restricted to one topic."""
    for (_, address), value in table.iterate(
        store, key_prefix=TOPIC_ACTOR_KEY.encode_prefix(topic_id)
    ):
        yield address, value


def get_role_fraction_table(role: str) -> Map[tuple[int, str], Dec]:
    """The previous-reward-fraction table of a role."""
    return _FRACTIONS[role]


def get_role_inclusion_table(role: str) -> Map[tuple[int, str], int]:
    """The inclusion-count table of a worker role."""
    return _INCLUSIONS[role]


def get_previous_percentage_reward_to_staked_reputers(store: ReadableKVStore) -> Dec:
    """The reputers' share of the treasury sampled at the last monthly boundary (0 unset)."""
    return PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS.get_or(store, ZERO)


def set_previous_percentage_reward_to_staked_reputers(store: KVStore, value: Dec) -> None:
    """Store the sampled reputers' share (§5.7 step 6)."""
    PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS.set(store, value)


def get_reward_current_block_emission(store: ReadableKVStore) -> int:
    """The allora cut of the current block emission, as recorded by the mint (0 unset)."""
    return REWARD_CURRENT_BLOCK_EMISSION.get_or(store, 0)


def set_reward_current_block_emission(store: KVStore, amount: int) -> None:
    """Record the allora cut (the mint's write; exposed for tests and genesis)."""
    REWARD_CURRENT_BLOCK_EMISSION.set(store, amount)


# ---------------------------------------------------------------------------------------------
# Regrets (§2.9)

REGRET_SINGLE_FAMILIES: Final = ("inferer", "forecaster", "naive_inferer")
"""Regret families keyed by one participant (engine family names)."""

REGRET_PAIR_FAMILIES: Final = (
    "one_out_inferer_inferer",
    "one_out_inferer_forecaster",
    "one_out_forecaster_inferer",
    "one_out_forecaster_forecaster",
    "one_in_forecaster_inferer",
)
"""Regret families keyed by two participants (engine family names)."""

REGRET_TABLES: Final[dict[str, Map[int, dict[RegretKey, bytes]]]] = {
    "inferer": INFERER_NETWORK_REGRETS,
    "forecaster": FORECASTER_NETWORK_REGRETS,
    "naive_inferer": NAIVE_INFERER_NETWORK_REGRETS,
    "one_out_inferer_inferer": ONE_OUT_INFERER_INFERER_NETWORK_REGRETS,
    "one_out_inferer_forecaster": ONE_OUT_INFERER_FORECASTER_NETWORK_REGRETS,
    "one_out_forecaster_inferer": ONE_OUT_FORECASTER_INFERER_NETWORK_REGRETS,
    "one_out_forecaster_forecaster": ONE_OUT_FORECASTER_FORECASTER_NETWORK_REGRETS,
    "one_in_forecaster_inferer": ONE_IN_FORECASTER_NETWORK_REGRETS,
}
"""Every stored regret family (engine family name → its per-topic table)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Regret:
    """``emissions.v3.TimestampedValue``: a regret and the nonce it was last updated for."""

    block_height: int
    value: Dec


def _regret_key(family: str, first: str, second: str) -> RegretKey:
    return (first,) if family in REGRET_SINGLE_FAMILIES else (first, second)


def encode_stored_regret(regret: Regret) -> bytes:
    """The stored bytes of one regret (exact: :func:`decode_stored_regret` gives it back)."""
    return encode_regret(regret.block_height, regret.value)


def decode_stored_regret(data: bytes) -> Regret:
    """The regret of stored bytes."""
    height, value = decode_regret(data)
    return Regret(block_height=height, value=value)


def get_regret_table(store: ReadableKVStore, family: str, topic_id: int) -> dict[RegretKey, bytes]:
    """The family's stored regrets in the topic, ``key → encoded regret``, in key order
    (keys: ``(participant,)`` or ``(first, second)``; empty when none)."""
    return REGRET_TABLES[family].get(store, topic_id) or {}


def set_regret_table(
    store: KVStore, family: str, topic_id: int, table: Mapping[RegretKey, bytes]
) -> None:
    """Store the family's whole table in the topic (none stored when empty)."""
    if table:
        REGRET_TABLES[family].set(store, topic_id, dict(table))
    else:
        REGRET_TABLES[family].delete(store, topic_id)


def get_regret(
    store: ReadableKVStore, family: str, topic_id: int, first: str, second: str = ""
) -> Regret | None:
    """A stored regret of ``family`` (``second`` for the two-participant families)."""
    data = get_regret_table(store, family, topic_id).get(_regret_key(family, first, second))
    return None if data is None else decode_stored_regret(data)


def set_regret(
    store: KVStore, family: str, topic_id: int, regret: Regret, first: str, second: str = ""
) -> None:
    """Store one regret of ``family`` (rewrites the topic's table of the family)."""
    table = get_regret_table(store, family, topic_id)
    table[_regret_key(family, first, second)] = encode_stored_regret(regret)
    set_regret_table(store, family, topic_id, table)


def regret_to_proto(regret: Regret) -> types_pb2.TimestampedValue:
    """The query form of a regret: its height and the canonical 34-digit text of its value."""
    return types_pb2.TimestampedValue(
        block_height=regret.block_height, value=dec_to_field_text(regret.value)
    )


def get_stored_regret(
    store: ReadableKVStore, family: str, topic_id: int, first: str, second: str = ""
) -> types_pb2.TimestampedValue | None:
    """A regret of ``family`` as queries answer it (:func:`regret_to_proto`), or ``None``."""
    regret = get_regret(store, family, topic_id, first, second)
    return None if regret is None else regret_to_proto(regret)


def iterate_regrets(
    store: ReadableKVStore, family: str, topic_id: int | None = None
) -> Iterator[tuple[int, RegretKey, Regret]]:
    """``(topic, key, regret)`` of a family, by topic then key (one topic if given)."""
    table = REGRET_TABLES[family]
    if topic_id is not None:
        for key, data in get_regret_table(store, family, topic_id).items():
            yield topic_id, key, decode_stored_regret(data)
        return
    for topic, entries in table.iterate(store):
        for key, data in entries.items():
            yield topic, key, decode_stored_regret(data)


def build_regret_response_value(
    stored: types_pb2.TimestampedValue | None, initial: str
) -> types_pb2.TimestampedValue:
    """The query form of a regret: the stored record, or ``(0, initial regret)`` when
    absent."""
    if stored is None:
        return types_pb2.TimestampedValue(block_height=0, value=initial)
    return stored
