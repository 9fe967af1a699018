"""Accessors of the per-window working sets (PROTOCOL.md §2.7).

Per topic and role: the **active set** (addresses admitted in the current window), the
latest accepted submission of each member (inference, forecast, or reputer loss bundle) and
the cached lowest-EMA record used by the reference's contest (quirk C6; the default rule
computes the lowest member on demand and never reads the cache).

The sets are per topic, not per nonce: a worker close clears the inferer and forecaster
sets, a reputer close the reputer set (PROTOCOL.md §5.5, §5.6, quirk C21).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pyallora.chain.emissions.rewards.state import (
    FORECASTER,
    INFERER,
    REPUTER,
    ScoreRecord,
    score_from_proto,
    score_to_proto,
)
from pyallora.chain.emissions.stores import (
    ACTIVE_FORECASTERS,
    ACTIVE_INFERERS,
    ACTIVE_REPUTERS,
    FORECASTS,
    INFERENCES,
    LOSS_BUNDLES,
    LOWEST_FORECASTER_SCORE_EMA,
    LOWEST_INFERER_SCORE_EMA,
    LOWEST_REPUTER_SCORE_EMA,
    TOPIC_ACTOR_KEY,
)
from pyallora.chain.store.collections import CodecError, Map
from pyallora.chain.store.kv import KVStore, ReadableKVStore, compute_prefix_end
from pyallora.proto.emissions.v3 import types_pb2

_ACTIVE: Final[dict[str, Map[tuple[int, str], None]]] = {
    INFERER: ACTIVE_INFERERS,
    FORECASTER: ACTIVE_FORECASTERS,
    REPUTER: ACTIVE_REPUTERS,
}
_LOWEST: Final[dict[str, Map[int, types_pb2.Score]]] = {
    INFERER: LOWEST_INFERER_SCORE_EMA,
    FORECASTER: LOWEST_FORECASTER_SCORE_EMA,
    REPUTER: LOWEST_REPUTER_SCORE_EMA,
}


# ---------------------------------------------------------------------------------------------
# Active sets


def get_active_set(store: ReadableKVStore, role: str, topic_id: int) -> tuple[str, ...]:
    """Members of the role's active set in the topic, by address.

    The same store iteration as ``Map.keys`` over the topic's prefix (so the same reads and
    gas), with the address cut out of each key directly: every admission reads the set.
    """
    start = _ACTIVE[role].prefix + TOPIC_ACTOR_KEY.encode_prefix(topic_id)
    offset = len(start)
    members: list[str] = []
    for key, value in store.iterate(start, compute_prefix_end(start)):
        if value or key[-1] != 0:
            raise CodecError("corrupt active-set entry")
        members.append(key[offset:-1].decode("utf-8"))
    return tuple(members)


def is_active_member(store: ReadableKVStore, role: str, topic_id: int, address: str) -> bool:
    """Whether ``address`` is in the role's active set."""
    return _ACTIVE[role].has(store, (topic_id, address))


def add_active_member(store: KVStore, role: str, topic_id: int, address: str) -> None:
    """Admit ``address`` to the role's active set."""
    _ACTIVE[role].set(store, (topic_id, address), None)


def delete_active_member(store: KVStore, role: str, topic_id: int, address: str) -> None:
    """Remove ``address`` from the role's active set (a no-op when absent)."""
    _ACTIVE[role].delete(store, (topic_id, address))


def count_active_members(store: ReadableKVStore, role: str, topic_id: int) -> int:
    """Size of the role's active set."""
    return len(get_active_set(store, role, topic_id))


def iterate_active_sets(store: ReadableKVStore, role: str) -> Iterator[tuple[int, str]]:
    """``(topic, address)`` of every active member of the role, all topics."""
    return _ACTIVE[role].keys(store)


# ---------------------------------------------------------------------------------------------
# Latest submissions


def get_latest_inference(
    store: ReadableKVStore, topic_id: int, worker: str
) -> types_pb2.Inference | None:
    """The worker's accepted inference in the current window, or ``None``."""
    return INFERENCES.get(store, (topic_id, worker))


def set_latest_inference(
    store: KVStore, topic_id: int, worker: str, inference: types_pb2.Inference
) -> None:
    """Store the worker's accepted inference."""
    INFERENCES.set(store, (topic_id, worker), inference)


def get_latest_forecast(
    store: ReadableKVStore, topic_id: int, worker: str
) -> types_pb2.Forecast | None:
    """The worker's accepted (filtered) forecast in the current window, or ``None``."""
    return FORECASTS.get(store, (topic_id, worker))


def set_latest_forecast(
    store: KVStore, topic_id: int, worker: str, forecast: types_pb2.Forecast
) -> None:
    """Store the worker's accepted forecast."""
    FORECASTS.set(store, (topic_id, worker), forecast)


def get_latest_loss_bundle(
    store: ReadableKVStore, topic_id: int, reputer: str
) -> types_pb2.ReputerValueBundle | None:
    """The reputer's accepted bundle, or ``None``."""
    return LOSS_BUNDLES.get(store, (topic_id, reputer))


def set_latest_loss_bundle(
    store: KVStore, topic_id: int, reputer: str, bundle: types_pb2.ReputerValueBundle
) -> None:
    """Store the reputer's accepted bundle (verbatim, with pubkey and signature)."""
    LOSS_BUNDLES.set(store, (topic_id, reputer), bundle)


def delete_submission(store: KVStore, role: str, topic_id: int, address: str) -> None:
    """Delete the member's stored submission in the role."""
    if role == INFERER:
        INFERENCES.delete(store, (topic_id, address))
    elif role == FORECASTER:
        FORECASTS.delete(store, (topic_id, address))
    else:
        LOSS_BUNDLES.delete(store, (topic_id, address))


def clear_worker_working_sets(store: KVStore, topic_id: int) -> None:
    """Empty the inferer and forecaster sets and their submissions (§5.5 step 5)."""
    prefix = TOPIC_ACTOR_KEY.encode_prefix(topic_id)
    for table in (ACTIVE_INFERERS, ACTIVE_FORECASTERS):
        for key in list(table.keys(store, key_prefix=prefix)):
            table.delete(store, key)
    for key in list(INFERENCES.keys(store, key_prefix=prefix)):
        INFERENCES.delete(store, key)
    for key in list(FORECASTS.keys(store, key_prefix=prefix)):
        FORECASTS.delete(store, key)


def clear_reputer_members(store: KVStore, topic_id: int, addresses: tuple[str, ...]) -> None:
    """Remove the given reputers from the active set and delete their bundles."""
    for address in addresses:
        ACTIVE_REPUTERS.delete(store, (topic_id, address))
        LOSS_BUNDLES.delete(store, (topic_id, address))


def clear_reputer_working_set(store: KVStore, topic_id: int) -> None:
    """Empty the reputer set and every stored bundle of the topic (§5.6 step 5)."""
    prefix = TOPIC_ACTOR_KEY.encode_prefix(topic_id)
    for key in list(ACTIVE_REPUTERS.keys(store, key_prefix=prefix)):
        ACTIVE_REPUTERS.delete(store, key)
    for key in list(LOSS_BUNDLES.keys(store, key_prefix=prefix)):
        LOSS_BUNDLES.delete(store, key)


# ---------------------------------------------------------------------------------------------
# Cached lowest EMA (quirk C6, reference_compat only)


def get_lowest_score_cache(store: ReadableKVStore, role: str, topic_id: int) -> ScoreRecord | None:
    """The cached lowest-EMA record of the role's active set, or ``None``."""
    stored = _LOWEST[role].get(store, topic_id)
    return None if stored is None else score_from_proto(stored)


def get_stored_lowest_score_cache(
    store: ReadableKVStore, role: str, topic_id: int
) -> types_pb2.Score | None:
    """The cached lowest-EMA record exactly as stored (what queries answer), or ``None``."""
    return _LOWEST[role].get(store, topic_id)


def set_lowest_score_cache(store: KVStore, role: str, record: ScoreRecord) -> None:
    """Cache the lowest-EMA record."""
    _LOWEST[role].set(store, record.topic_id, score_to_proto(record))
