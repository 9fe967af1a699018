"""Topic records and the topic scheduling stores (PROTOCOL.md §2.2, §2.3).

Accessors only (``get_``/``set_``/``delete_``/``iterate_``); the activation and churn rules
that combine them are :mod:`pyallora.chain.emissions.topics.activation`.

A :class:`Topic` is the frozen form of ``emissions.v3.Topic`` (Dec fields as canonical text).
:func:`validate_topic` holds the record's own constraints (§2.2) and runs on every
:func:`set_topic`; the constraints that depend on parameters (string lengths, the minimum
epoch length, the ground-truth-lag cap) are checked by CreateNewTopic, because a later change
of parameters must not make the chain's own rewrites of old topics fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from pyallora.chain.emissions import schema
from pyallora.chain.emissions.dec_text import dec_from_text, is_nan_dec_text
from pyallora.chain.emissions.heights import MAX_BLOCK_DELAY
from pyallora.chain.emissions.keys import (
    DEC_VALUE,
    EXACT_DECIMAL_VALUE,
    TOPIC_ID_LIST_VALUE,
    UNIT_VALUE,
    format_exact_fraction,
    to_fraction,
)
from pyallora.chain.store.collections import (
    INT64_KEY,
    INT_VALUE,
    UINT64_KEY,
    Item,
    Map,
    ProtoValue,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.store.memo import MemoTable
from pyallora.chain.tx.errors import InvalidAddressError, InvalidRequestError
from pyallora.core.crypto import CryptoError, validate_address
from pyallora.core.dec import Dec, dec
from pyallora.core.errors import InvalidDecError
from pyallora.proto.emissions.v3 import types_pb2


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    """``emissions.v3.Topic`` (PROTOCOL.md §2.2)."""

    id: int
    """≠ 0; assigned by the chain."""
    creator: str
    """Bech32 address of the creator."""
    metadata: str = ""
    """Free text, ≤ ``max_string_length``."""
    loss_method: str
    """Loss function name for reputers, 1..``max_string_length`` characters."""
    epoch_last_ended: int = 0
    """Height of the last epoch end that opened a worker nonce (≥ 0)."""
    epoch_length: int
    """0 < E ≤ 2^40 (≥ ``min_epoch_length`` at creation)."""
    ground_truth_lag: int
    """G, E ≤ G ≤ 2^40 (≤ ``max_unfulfilled_reputer_requests`` × E at creation)."""
    p_norm: str
    """Dec in [2.5, 4.5]."""
    alpha_regret: str
    """Dec in (0, 1]."""
    allow_negative: bool = False
    """Informational for reputers."""
    epsilon: str
    """Dec > 0."""
    initial_regret: str = "0"
    """Finite Dec; 0 at creation, rewritten by the regret step."""
    worker_submission_window: int
    """W, 1 ≤ W ≤ E."""
    merit_sortition_alpha: str
    """Dec in [0, 1)."""
    active_inferer_quantile: str
    """Dec in [0, 1)."""
    active_forecaster_quantile: str
    """Dec in [0, 1)."""
    active_reputer_quantile: str
    """Dec in [0, 1)."""


def topic_to_proto(topic: Topic) -> types_pb2.Topic:
    """The ``emissions.v3.Topic`` message."""
    return types_pb2.Topic(
        id=topic.id,
        creator=topic.creator,
        metadata=topic.metadata,
        loss_method=topic.loss_method,
        epoch_last_ended=topic.epoch_last_ended,
        epoch_length=topic.epoch_length,
        ground_truth_lag=topic.ground_truth_lag,
        p_norm=topic.p_norm,
        alpha_regret=topic.alpha_regret,
        allow_negative=topic.allow_negative,
        epsilon=topic.epsilon,
        initial_regret=topic.initial_regret,
        worker_submission_window=topic.worker_submission_window,
        merit_sortition_alpha=topic.merit_sortition_alpha,
        active_inferer_quantile=topic.active_inferer_quantile,
        active_forecaster_quantile=topic.active_forecaster_quantile,
        active_reputer_quantile=topic.active_reputer_quantile,
    )


def topic_from_proto(message: types_pb2.Topic) -> Topic:
    """The record of an ``emissions.v3.Topic`` message (not validated)."""
    return Topic(
        id=message.id,
        creator=message.creator,
        metadata=message.metadata,
        loss_method=message.loss_method,
        epoch_last_ended=message.epoch_last_ended,
        epoch_length=message.epoch_length,
        ground_truth_lag=message.ground_truth_lag,
        p_norm=message.p_norm,
        alpha_regret=message.alpha_regret,
        allow_negative=message.allow_negative,
        epsilon=message.epsilon,
        initial_regret=message.initial_regret,
        worker_submission_window=message.worker_submission_window,
        merit_sortition_alpha=message.merit_sortition_alpha,
        active_inferer_quantile=message.active_inferer_quantile,
        active_forecaster_quantile=message.active_forecaster_quantile,
        active_reputer_quantile=message.active_reputer_quantile,
    )


def _finite(text: str, name: str) -> Dec:
    if is_nan_dec_text(text):
        raise InvalidRequestError(f"{name} must be finite, got NaN")
    try:
        return dec_from_text(text)
    except InvalidDecError as exc:
        raise InvalidRequestError(f"{name}: {exc}") from exc


P_NORM_MIN: Final = "2.5"
"""Smallest topic p-norm."""

P_NORM_MAX: Final = "4.5"
"""Largest topic p-norm."""


def validate_topic_shape(
    *,
    loss_method: str,
    epoch_length: int,
    ground_truth_lag: int,
    worker_submission_window: int,
    alpha_regret: str,
    p_norm: str,
    epsilon: str,
    merit_sortition_alpha: str,
    active_inferer_quantile: str,
    active_forecaster_quantile: str,
    active_reputer_quantile: str,
) -> None:
    """The parameter-free checks of a topic definition, in the order of §3.1 step 1.

    Besides the reference's checks, E and G are at most
    :data:`~pyallora.chain.emissions.heights.MAX_BLOCK_DELAY` (W ≤ E follows), so that no
    height the module schedules from them leaves ``int64`` (:mod:`..heights`).

    Raises
    ------
    InvalidRequestError
        Naming the first failing field.
    """
    if not loss_method:
        raise InvalidRequestError("loss method cannot be empty")
    if epoch_length <= 0:
        raise InvalidRequestError("epoch length must be greater than zero")
    if epoch_length > MAX_BLOCK_DELAY:
        raise InvalidRequestError(f"epoch length cannot be higher than {MAX_BLOCK_DELAY}")
    if worker_submission_window == 0:
        raise InvalidRequestError("worker submission window must be greater than zero")
    if ground_truth_lag < epoch_length:
        raise InvalidRequestError("ground truth lag cannot be lower than epoch length")
    if ground_truth_lag > MAX_BLOCK_DELAY:
        raise InvalidRequestError(f"ground truth lag cannot be higher than {MAX_BLOCK_DELAY}")
    if worker_submission_window > epoch_length:
        raise InvalidRequestError("worker submission window cannot be higher than epoch length")
    alpha = _finite(alpha_regret, "alpha regret")
    if not 0 < alpha <= 1:
        raise InvalidRequestError("alpha regret must be greater than 0 and at most 1")
    norm = _finite(p_norm, "p-norm")
    if not dec_from_text(P_NORM_MIN) <= norm <= dec_from_text(P_NORM_MAX):
        raise InvalidRequestError("p-norm must be between 2.5 and 4.5")
    if not _finite(epsilon, "epsilon") > 0:
        raise InvalidRequestError("epsilon must be greater than 0")
    for name, text in (
        ("merit sortition alpha", merit_sortition_alpha),
        ("active inferer quantile", active_inferer_quantile),
        ("active forecaster quantile", active_forecaster_quantile),
        ("active reputer quantile", active_reputer_quantile),
    ):
        # C18: the reference's text says "between 0 and 1 inclusive" but 1 is refused.
        if not 0 <= _finite(text, name) < 1:
            raise InvalidRequestError(f"{name} must be between 0 and 1 inclusive")


def validate_topic(topic: Topic) -> None:
    """The constraints of a stored topic (§2.2) that do not depend on parameters.

    Raises
    ------
    InvalidAddressError
        If the creator is not a bech32 ``allo`` address.
    InvalidRequestError
        If another field is out of range.
    """
    if topic.id == 0:
        raise InvalidRequestError("topic id cannot be 0")
    try:
        validate_address(topic.creator)
    except CryptoError as exc:
        raise InvalidAddressError(f"invalid creator address: {exc}") from exc
    validate_topic_shape(
        loss_method=topic.loss_method,
        epoch_length=topic.epoch_length,
        ground_truth_lag=topic.ground_truth_lag,
        worker_submission_window=topic.worker_submission_window,
        alpha_regret=topic.alpha_regret,
        p_norm=topic.p_norm,
        epsilon=topic.epsilon,
        merit_sortition_alpha=topic.merit_sortition_alpha,
        active_inferer_quantile=topic.active_inferer_quantile,
        active_forecaster_quantile=topic.active_forecaster_quantile,
        active_reputer_quantile=topic.active_reputer_quantile,
    )
    if topic.worker_submission_window < 0:
        raise InvalidRequestError("worker submission window must be greater than zero")
    if topic.epoch_last_ended < 0:
        raise InvalidRequestError("epoch last ended cannot be negative")
    _finite(topic.initial_regret, "initial regret")


# ---------------------------------------------------------------------------------------------
# Collections

NEXT_TOPIC_ID: Final = Item(schema.NEXT_TOPIC_ID, INT_VALUE)
TOPICS: Final = Map(schema.TOPICS, UINT64_KEY, ProtoValue(types_pb2.Topic))
NEXT_CHURNING_BLOCK: Final = Map(
    schema.TOPIC_TO_NEXT_POSSIBLE_CHURNING_BLOCK, UINT64_KEY, INT_VALUE
)
BLOCK_TO_ACTIVE_TOPICS: Final = Map(schema.BLOCK_TO_ACTIVE_TOPICS, INT64_KEY, TOPIC_ID_LIST_VALUE)
BLOCK_TO_LOWEST_WEIGHT: Final = Map(
    schema.BLOCK_TO_LOWEST_ACTIVE_TOPIC_WEIGHT, INT64_KEY, ProtoValue(types_pb2.TopicIdWeightPair)
)
ACTIVE_TOPICS: Final = Map(schema.ACTIVE_TOPICS, UINT64_KEY, UNIT_VALUE)
REWARDABLE_TOPICS: Final = Map(schema.REWARDABLE_TOPICS, UINT64_KEY, UNIT_VALUE)
PREVIOUS_TOPIC_WEIGHT: Final = Map(schema.PREVIOUS_TOPIC_WEIGHT, UINT64_KEY, DEC_VALUE)
TOTAL_SUM_PREVIOUS_TOPIC_WEIGHTS: Final = Item(
    schema.TOTAL_SUM_PREVIOUS_TOPIC_WEIGHTS, EXACT_DECIMAL_VALUE
)
TOPIC_FEE_REVENUE: Final = Map(schema.TOPIC_FEE_REVENUE, UINT64_KEY, INT_VALUE)
LAST_DRIP_BLOCK: Final = Map(schema.LAST_DRIP_BLOCK, UINT64_KEY, INT_VALUE)


# --- topics ----------------------------------------------------------------------------------


def get_next_topic_id(store: ReadableKVStore) -> int:
    """The id the next topic gets (0 only before genesis)."""
    return NEXT_TOPIC_ID.get_or(store, 0)


def set_next_topic_id(store: KVStore, value: int) -> None:
    """Set the topic id counter."""
    NEXT_TOPIC_ID.set(store, value)


def allocate_topic_id(store: KVStore) -> int:
    """Take the next topic id and advance the counter (id 0 is never handed out)."""
    topic_id = max(get_next_topic_id(store), 1)
    set_next_topic_id(store, topic_id + 1)
    return topic_id


def get_topic(store: ReadableKVStore, topic_id: int) -> Topic | None:
    """The topic, or ``None``.

    The decode is memoised by the stored bytes (a pure function of them; :class:`Topic` is
    frozen): every payload and every epoch end reads its topic.
    """
    data = store.get(TOPICS.encode_key(topic_id))
    if data is None:
        return None
    return _TOPICS_BY_BYTES.get_or_compute(data, _decode_topic)


def _decode_topic(data: bytes) -> Topic:
    return topic_from_proto(TOPICS.value_codec.decode(data))


_TOPICS_BY_BYTES: Final[MemoTable[bytes, Topic]] = MemoTable(1 << 12)


def has_topic(store: ReadableKVStore, topic_id: int) -> bool:
    """Whether the topic exists (id 0 never does)."""
    return topic_id != 0 and TOPICS.has(store, topic_id)


def set_topic(store: KVStore, topic: Topic) -> None:
    """Validate (:func:`validate_topic`) and store a topic.

    Raises
    ------
    InvalidRequestError, InvalidAddressError
        If the record is invalid.
    """
    validate_topic(topic)
    TOPICS.set(store, topic.id, topic_to_proto(topic))


def iterate_topics(store: ReadableKVStore) -> Iterator[Topic]:
    """Every topic by id."""
    for _, message in TOPICS.iterate(store):
        yield topic_from_proto(message)


# --- scheduling ------------------------------------------------------------------------------


def get_next_churning_block(store: ReadableKVStore, topic_id: int) -> int | None:
    """The scheduled next epoch end of a topic, or ``None``."""
    return NEXT_CHURNING_BLOCK.get(store, topic_id)


def set_next_churning_block(store: KVStore, topic_id: int, height: int) -> None:
    """Schedule the topic's next epoch end."""
    NEXT_CHURNING_BLOCK.set(store, topic_id, height)


def delete_next_churning_block(store: KVStore, topic_id: int) -> None:
    """Unschedule the topic."""
    NEXT_CHURNING_BLOCK.delete(store, topic_id)


def iterate_next_churning_blocks(store: ReadableKVStore) -> Iterator[tuple[int, int]]:
    """``(topic_id, height)`` of every scheduled topic, by topic id."""
    return NEXT_CHURNING_BLOCK.iterate(store)


def is_topic_active(store: ReadableKVStore, topic_id: int, height: int) -> bool:
    """Active at ``height``: a next churning block exists and is ≥ ``height`` (§2.3)."""
    block = get_next_churning_block(store, topic_id)
    return block is not None and block >= height


def get_active_topics_at_block(store: ReadableKVStore, height: int) -> tuple[int, ...]:
    """Topic ids of the slot at ``height`` in insertion order (empty when none)."""
    return BLOCK_TO_ACTIVE_TOPICS.get(store, height) or ()


def set_active_topics_at_block(store: KVStore, height: int, topic_ids: tuple[int, ...]) -> None:
    """Set the slot's list; an empty list deletes the slot and its lowest-weight cache."""
    if topic_ids:
        BLOCK_TO_ACTIVE_TOPICS.set(store, height, topic_ids)
    else:
        BLOCK_TO_ACTIVE_TOPICS.delete(store, height)
        BLOCK_TO_LOWEST_WEIGHT.delete(store, height)


def iterate_active_topics_by_block(
    store: ReadableKVStore,
) -> Iterator[tuple[int, tuple[int, ...]]]:
    """``(height, topic ids)`` of every slot, by height."""
    return BLOCK_TO_ACTIVE_TOPICS.iterate(store)


def get_lowest_active_topic_weight_at_block(
    store: ReadableKVStore, height: int
) -> tuple[int, Dec] | None:
    """The slot's cached ``(topic id, weight)`` of its lowest-weight topic, or ``None``."""
    stored = BLOCK_TO_LOWEST_WEIGHT.get(store, height)
    if stored is None:
        return None
    return stored.topic_id, dec_from_text(stored.weight)


def set_lowest_active_topic_weight_at_block(
    store: KVStore, height: int, topic_id: int, weight: Dec
) -> None:
    """Cache the slot's lowest-weight topic."""
    BLOCK_TO_LOWEST_WEIGHT.set(
        store,
        height,
        types_pb2.TopicIdWeightPair(topic_id=topic_id, weight=DEC_VALUE.encode(weight).decode()),
    )


def iterate_lowest_active_topic_weights(
    store: ReadableKVStore,
) -> Iterator[tuple[int, types_pb2.TopicIdWeightPair]]:
    """``(height, pair)`` of every cached slot minimum, by height."""
    return BLOCK_TO_LOWEST_WEIGHT.iterate(store)


def is_legacy_active(store: ReadableKVStore, topic_id: int) -> bool:
    """Whether the legacy ``active_topics`` flag is set (not authoritative)."""
    return ACTIVE_TOPICS.has(store, topic_id)


def set_legacy_active(store: KVStore, topic_id: int, *, active: bool) -> None:
    """Set or clear the legacy flag."""
    if active:
        ACTIVE_TOPICS.set(store, topic_id, None)
    else:
        ACTIVE_TOPICS.delete(store, topic_id)


# --- weights and revenue ---------------------------------------------------------------------


def get_previous_topic_weight(store: ReadableKVStore, topic_id: int) -> Dec | None:
    """The weight stored at the topic's last epoch end, or ``None`` (never stored)."""
    return PREVIOUS_TOPIC_WEIGHT.get(store, topic_id)


def set_previous_topic_weight(store: KVStore, topic_id: int, weight: Dec) -> None:
    """Store the topic's weight (its EMA state)."""
    PREVIOUS_TOPIC_WEIGHT.set(store, topic_id, weight)


def get_total_sum_previous_topic_weights(store: ReadableKVStore) -> Dec:
    """Σ previous weights of the active topics as a Dec (0 when unset).

    The sum is kept exactly (:func:`get_total_sum_previous_topic_weights_exact`); this is its
    value rounded toward zero to the Dec precision.
    """
    exact = get_total_sum_previous_topic_weights_exact(store)
    # Parsing the exact decimal text under the Dec context rounds once, toward zero.
    return dec(format_exact_fraction(exact))


def get_total_sum_previous_topic_weights_exact(store: ReadableKVStore) -> Fraction:
    """The exact weight sum (an accumulator of Decs: never rounded)."""
    return TOTAL_SUM_PREVIOUS_TOPIC_WEIGHTS.get_or(store, Fraction(0))


def set_total_sum_previous_topic_weights_exact(store: KVStore, value: Fraction) -> None:
    """Store the exact weight sum."""
    TOTAL_SUM_PREVIOUS_TOPIC_WEIGHTS.set(store, value)


def add_to_total_sum_previous_topic_weights(store: KVStore, delta: Dec) -> None:
    """Add a (possibly negative) Dec to the weight sum, exactly."""
    set_total_sum_previous_topic_weights_exact(
        store, get_total_sum_previous_topic_weights_exact(store) + to_fraction(delta)
    )


def get_topic_fee_revenue(store: ReadableKVStore, topic_id: int) -> int:
    """The topic's fee revenue in uallo (0 when unset)."""
    return TOPIC_FEE_REVENUE.get(store, topic_id) or 0


def set_topic_fee_revenue(store: KVStore, topic_id: int, amount: int) -> None:
    """Store the topic's fee revenue."""
    TOPIC_FEE_REVENUE.set(store, topic_id, amount)


def add_topic_fee_revenue(store: KVStore, topic_id: int, amount: int) -> None:
    """Count ``amount`` uallo of fees as revenue of the topic."""
    set_topic_fee_revenue(store, topic_id, get_topic_fee_revenue(store, topic_id) + amount)


def get_last_drip_block(store: ReadableKVStore, topic_id: int) -> int | None:
    """Height of the topic's last revenue drip, or ``None``."""
    return LAST_DRIP_BLOCK.get(store, topic_id)


def set_last_drip_block(store: KVStore, topic_id: int, height: int) -> None:
    """Record a revenue drip."""
    LAST_DRIP_BLOCK.set(store, topic_id, height)
