"""Accessors of the nonce, window, commit and archive stores (PROTOCOL.md §2.6, §2.7).

The collections themselves are :mod:`pyallora.chain.emissions.stores` (one declaration per
prefix); this module is the ``get_``/``set_``/``delete_`` layer over them:

* unfulfilled worker and reputer nonces: per topic, **newest first**, capped (oldest dropped);
  a reputer nonce is the height of the *worker* nonce whose output it scores;
* ``open_worker_windows``: the topics whose worker nonces are due to close at a height;
* the topic reward nonce and the last worker / reputer commits;
* archives per ``(topic, nonce)``: inferences and forecasts (written by a worker close),
  reputer loss bundles and network losses (written by a reputer close), deleted by the
  pruning of §5.7 step 5e.

Heights are stored as non-negative integers (nonces are block heights ≥ 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyallora.chain.emissions.stores import (
    ALL_FORECASTS,
    ALL_INFERENCES,
    ALL_LOSS_BUNDLES,
    NETWORK_LOSS_BUNDLES,
    OPEN_WORKER_WINDOWS,
    TOPIC_HEIGHT_KEY,
    TOPIC_LAST_REPUTER_COMMIT,
    TOPIC_LAST_WORKER_COMMIT,
    TOPIC_REWARD_NONCE,
    UNFULFILLED_REPUTER_NONCES,
    UNFULFILLED_WORKER_NONCES,
)
from pyallora.chain.store.collections import Map
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.proto.emissions.v3 import types_pb2


@dataclass(frozen=True, slots=True, kw_only=True)
class Commit:
    """``emissions.v3.TimestampedActorNonce``: nonce ``nonce`` was closed at ``block_height``."""

    block_height: int
    nonce: int


# ---------------------------------------------------------------------------------------------
# Unfulfilled nonces (§2.6)


def get_unfulfilled_worker_nonces(store: ReadableKVStore, topic_id: int) -> tuple[int, ...]:
    """The open worker nonces of a topic, newest first (empty when none)."""
    stored = UNFULFILLED_WORKER_NONCES.get(store, topic_id)
    if stored is None:
        return ()
    return tuple(nonce.block_height for nonce in stored.nonces)


def set_unfulfilled_worker_nonces(store: KVStore, topic_id: int, nonces: tuple[int, ...]) -> None:
    """Store a topic's open worker nonces (newest first); an empty list deletes the entry."""
    if not nonces:
        UNFULFILLED_WORKER_NONCES.delete(store, topic_id)
        return
    UNFULFILLED_WORKER_NONCES.set(
        store,
        topic_id,
        types_pb2.Nonces(nonces=[types_pb2.Nonce(block_height=height) for height in nonces]),
    )


def get_unfulfilled_reputer_nonces(store: ReadableKVStore, topic_id: int) -> tuple[int, ...]:
    """The open reputer nonces of a topic (worker nonce heights), newest first."""
    stored = UNFULFILLED_REPUTER_NONCES.get(store, topic_id)
    if stored is None:
        return ()
    return tuple(item.reputer_nonce.block_height for item in stored.nonces)


def set_unfulfilled_reputer_nonces(store: KVStore, topic_id: int, nonces: tuple[int, ...]) -> None:
    """Store a topic's open reputer nonces (newest first); an empty list deletes the entry."""
    if not nonces:
        UNFULFILLED_REPUTER_NONCES.delete(store, topic_id)
        return
    UNFULFILLED_REPUTER_NONCES.set(
        store,
        topic_id,
        types_pb2.ReputerRequestNonces(
            nonces=[
                types_pb2.ReputerRequestNonce(reputer_nonce=types_pb2.Nonce(block_height=height))
                for height in nonces
            ]
        ),
    )


def is_worker_nonce_unfulfilled(store: ReadableKVStore, topic_id: int, nonce: int) -> bool:
    """Whether worker nonce ``nonce`` is open in the topic."""
    return nonce in get_unfulfilled_worker_nonces(store, topic_id)


def is_reputer_nonce_unfulfilled(store: ReadableKVStore, topic_id: int, nonce: int) -> bool:
    """Whether reputer nonce ``nonce`` is open in the topic."""
    return nonce in get_unfulfilled_reputer_nonces(store, topic_id)


def compute_nonces_with_added(nonces: tuple[int, ...], nonce: int, cap: int) -> tuple[int, ...]:
    """``nonce`` put in front of ``nonces`` (idempotent), trimmed to ``cap`` (oldest dropped).

    >>> compute_nonces_with_added((120, 110), 130, 2)
    (130, 120)
    >>> compute_nonces_with_added((120, 110), 110, 5)
    (120, 110)
    """
    if nonce in nonces:
        return nonces
    return ((nonce, *nonces))[:cap]


def add_worker_nonce(store: KVStore, topic_id: int, nonce: int, cap: int) -> None:
    """Open worker nonce ``nonce`` (front of the list, idempotent, trimmed to ``cap``)."""
    current = get_unfulfilled_worker_nonces(store, topic_id)
    set_unfulfilled_worker_nonces(store, topic_id, compute_nonces_with_added(current, nonce, cap))


def add_reputer_nonce(store: KVStore, topic_id: int, nonce: int, cap: int) -> None:
    """Open reputer nonce ``nonce`` (front of the list, idempotent, trimmed to ``cap``)."""
    current = get_unfulfilled_reputer_nonces(store, topic_id)
    set_unfulfilled_reputer_nonces(store, topic_id, compute_nonces_with_added(current, nonce, cap))


def delete_worker_nonce(store: KVStore, topic_id: int, nonce: int) -> bool:
    """Remove an open worker nonce; return whether it was open."""
    current = get_unfulfilled_worker_nonces(store, topic_id)
    if nonce not in current:
        return False
    set_unfulfilled_worker_nonces(store, topic_id, tuple(n for n in current if n != nonce))
    return True


def delete_reputer_nonce(store: KVStore, topic_id: int, nonce: int) -> bool:
    """Remove an open reputer nonce; return whether it was open."""
    current = get_unfulfilled_reputer_nonces(store, topic_id)
    if nonce not in current:
        return False
    set_unfulfilled_reputer_nonces(store, topic_id, tuple(n for n in current if n != nonce))
    return True


def iterate_unfulfilled_worker_nonces(
    store: ReadableKVStore,
) -> Iterator[tuple[int, tuple[int, ...]]]:
    """``(topic_id, nonces newest first)`` of every topic with open worker nonces."""
    for topic_id, stored in UNFULFILLED_WORKER_NONCES.iterate(store):
        yield topic_id, tuple(nonce.block_height for nonce in stored.nonces)


def iterate_unfulfilled_reputer_nonces(
    store: ReadableKVStore,
) -> Iterator[tuple[int, tuple[int, ...]]]:
    """``(topic_id, nonces newest first)`` of every topic with open reputer nonces."""
    for topic_id, stored in UNFULFILLED_REPUTER_NONCES.iterate(store):
        yield topic_id, tuple(item.reputer_nonce.block_height for item in stored.nonces)


# ---------------------------------------------------------------------------------------------
# Worker windows (§2.6)


def get_open_worker_windows(store: ReadableKVStore, height: int) -> tuple[int, ...]:
    """Topics whose worker nonces are to be closed at ``height`` (insertion order)."""
    return OPEN_WORKER_WINDOWS.get(store, height) or ()


def add_open_worker_window(store: KVStore, height: int, topic_id: int) -> None:
    """Register ``topic_id`` for closing at ``height`` (idempotent)."""
    current = get_open_worker_windows(store, height)
    if topic_id not in current:
        OPEN_WORKER_WINDOWS.set(store, height, (*current, topic_id))


def delete_open_worker_windows(store: KVStore, height: int) -> None:
    """Forget the closings registered at ``height``."""
    OPEN_WORKER_WINDOWS.delete(store, height)


def iterate_open_worker_windows(store: ReadableKVStore) -> Iterator[tuple[int, tuple[int, ...]]]:
    """``(height, topic ids)`` of every registered closing, by height."""
    return OPEN_WORKER_WINDOWS.iterate(store)


# ---------------------------------------------------------------------------------------------
# Reward nonce and commits (§2.6)


def get_topic_reward_nonce(store: ReadableKVStore, topic_id: int) -> int:
    """The nonce the next reward step of the topic pays for (0 when none)."""
    return TOPIC_REWARD_NONCE.get(store, topic_id) or 0


def set_topic_reward_nonce(store: KVStore, topic_id: int, nonce: int) -> None:
    """Set the topic's reward nonce."""
    TOPIC_REWARD_NONCE.set(store, topic_id, nonce)


def delete_topic_reward_nonce(store: KVStore, topic_id: int) -> None:
    """Consume the topic's reward nonce."""
    TOPIC_REWARD_NONCE.delete(store, topic_id)


def _commit_from_proto(message: types_pb2.TimestampedActorNonce) -> Commit:
    return Commit(block_height=message.block_height, nonce=message.nonce.block_height)


def _commit_to_proto(commit: Commit) -> types_pb2.TimestampedActorNonce:
    return types_pb2.TimestampedActorNonce(
        block_height=commit.block_height, nonce=types_pb2.Nonce(block_height=commit.nonce)
    )


def get_last_worker_commit(store: ReadableKVStore, topic_id: int) -> Commit | None:
    """The last closed worker nonce of the topic, or ``None`` (never)."""
    stored = TOPIC_LAST_WORKER_COMMIT.get(store, topic_id)
    return None if stored is None else _commit_from_proto(stored)


def set_last_worker_commit(store: KVStore, topic_id: int, commit: Commit) -> None:
    """Record a closed worker nonce."""
    TOPIC_LAST_WORKER_COMMIT.set(store, topic_id, _commit_to_proto(commit))


def get_last_reputer_commit(store: ReadableKVStore, topic_id: int) -> Commit | None:
    """The last closed reputer nonce of the topic, or ``None`` (never)."""
    stored = TOPIC_LAST_REPUTER_COMMIT.get(store, topic_id)
    return None if stored is None else _commit_from_proto(stored)


def set_last_reputer_commit(store: KVStore, topic_id: int, commit: Commit) -> None:
    """Record a closed reputer nonce."""
    TOPIC_LAST_REPUTER_COMMIT.set(store, topic_id, _commit_to_proto(commit))


# ---------------------------------------------------------------------------------------------
# Archives (§2.7)


def get_archived_inferences(
    store: ReadableKVStore, topic_id: int, nonce: int
) -> tuple[types_pb2.Inference, ...]:
    """Inferences archived at ``(topic, nonce)``, by inferer (empty when none)."""
    stored = ALL_INFERENCES.get(store, (topic_id, nonce))
    return () if stored is None else tuple(stored.inferences)


def has_archived_inferences(store: ReadableKVStore, topic_id: int, nonce: int) -> bool:
    """Whether anything is archived at ``(topic, nonce)``."""
    return ALL_INFERENCES.has(store, (topic_id, nonce))


def set_archived_inferences(
    store: KVStore, topic_id: int, nonce: int, inferences: tuple[types_pb2.Inference, ...]
) -> None:
    """Archive the inferences of a closed worker nonce."""
    ALL_INFERENCES.set(store, (topic_id, nonce), types_pb2.Inferences(inferences=inferences))


def get_latest_archived_inference_nonce(store: ReadableKVStore, topic_id: int) -> int | None:
    """The highest nonce with archived inferences, or ``None``."""
    for (_, nonce), _ in ALL_INFERENCES.iterate(
        store, key_prefix=TOPIC_HEIGHT_KEY.encode_prefix(topic_id), reverse=True
    ):
        return nonce
    return None


def get_archived_forecasts(
    store: ReadableKVStore, topic_id: int, nonce: int
) -> tuple[types_pb2.Forecast, ...]:
    """Forecasts archived at ``(topic, nonce)``, by forecaster (empty when none)."""
    stored = ALL_FORECASTS.get(store, (topic_id, nonce))
    return () if stored is None else tuple(stored.forecasts)


def set_archived_forecasts(
    store: KVStore, topic_id: int, nonce: int, forecasts: tuple[types_pb2.Forecast, ...]
) -> None:
    """Archive the forecasts of a closed worker nonce."""
    ALL_FORECASTS.set(store, (topic_id, nonce), types_pb2.Forecasts(forecasts=forecasts))


def get_archived_loss_bundles(
    store: ReadableKVStore, topic_id: int, nonce: int
) -> tuple[types_pb2.ReputerValueBundle, ...]:
    """Filtered reputer bundles archived at ``(topic, nonce)``, by reputer."""
    stored = ALL_LOSS_BUNDLES.get(store, (topic_id, nonce))
    return () if stored is None else tuple(stored.reputer_value_bundles)


def set_archived_loss_bundles(
    store: KVStore,
    topic_id: int,
    nonce: int,
    bundles: tuple[types_pb2.ReputerValueBundle, ...],
) -> None:
    """Archive the filtered reputer bundles of a closed reputer nonce."""
    ALL_LOSS_BUNDLES.set(
        store, (topic_id, nonce), types_pb2.ReputerValueBundles(reputer_value_bundles=bundles)
    )


def get_network_loss_bundle(
    store: ReadableKVStore, topic_id: int, nonce: int
) -> types_pb2.ValueBundle | None:
    """The network losses archived at ``(topic, nonce)``, or ``None``."""
    return NETWORK_LOSS_BUNDLES.get(store, (topic_id, nonce))


def set_network_loss_bundle(
    store: KVStore, topic_id: int, nonce: int, bundle: types_pb2.ValueBundle
) -> None:
    """Archive the network losses of a closed reputer nonce."""
    NETWORK_LOSS_BUNDLES.set(store, (topic_id, nonce), bundle)


def get_latest_network_loss_bundle(
    store: ReadableKVStore, topic_id: int
) -> tuple[int, types_pb2.ValueBundle] | None:
    """``(nonce, losses)`` of the topic's most recent network losses, or ``None``.

    The last reputer commit's nonce when its losses are still archived, else the highest
    archived nonce.
    """
    commit = get_last_reputer_commit(store, topic_id)
    if commit is not None:
        stored = get_network_loss_bundle(store, topic_id, commit.nonce)
        if stored is not None:
            return commit.nonce, stored
    for (_, nonce), bundle in NETWORK_LOSS_BUNDLES.iterate(
        store, key_prefix=TOPIC_HEIGHT_KEY.encode_prefix(topic_id), reverse=True
    ):
        return nonce, bundle
    return None


ARCHIVES: tuple[Map[tuple[int, int], Any], ...] = (
    ALL_INFERENCES,
    ALL_FORECASTS,
    ALL_LOSS_BUNDLES,
    NETWORK_LOSS_BUNDLES,
)
"""The four per-nonce archives pruned by §5.7 step 5e."""


def prune_archives(store: KVStore, topic_id: int, up_to: int) -> int:
    """Delete the topic's archived records with nonce ≤ ``up_to`` (§5.7 step 5e).

    Returns
    -------
    int
        How many records were deleted.
    """
    deleted = 0
    prefix = TOPIC_HEIGHT_KEY.encode_prefix(topic_id)
    for table in ARCHIVES:
        doomed: list[tuple[int, int]] = []
        for key in table.keys(store, key_prefix=prefix):
            if key[1] > up_to:
                break
            doomed.append(key)
        for key in doomed:
            table.delete(store, key)
        deleted += len(doomed)
    return deleted


def count_archived_records(store: ReadableKVStore, topic_id: int) -> int:
    """How many archived records (all four archives) the topic holds."""
    prefix = TOPIC_HEIGHT_KEY.encode_prefix(topic_id)
    return sum(sum(1 for _ in table.keys(store, key_prefix=prefix)) for table in ARCHIVES)
