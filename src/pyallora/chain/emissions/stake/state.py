"""Stake stores and the two removal queues (PROTOCOL.md §2.5).

All stake amounts are ``int`` uallo; only delegator bookkeeping (placement amount, reward
debt, reward per share) is Dec, as in the reference. A zero ``Int`` is not stored (absent reads
as 0), so the stores hold exactly the non-zero positions.

Relations kept by the callers (Appendix D invariants 1, 2, 4):

* ``total_stake`` = Σ ``topic_stake`` = Σ authority = balance of ``allorastaking``;
* authority(topic, reputer) = self-stake + delegated_upon(topic, reputer);
* delegated_upon(topic, reputer) = Σ placements on it; stake_sum_from_delegator(topic, d) =
  Σ of d's placements in the topic;
* each removal queue is double-indexed, by completion height and by actor, with at most one
  pending removal per (reputer, topic) and per (delegator, reputer, topic).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from pyallora.chain.emissions import schema
from pyallora.chain.emissions.dec_text import dec_from_text
from pyallora.chain.emissions.errors import InvariantFailureError
from pyallora.chain.emissions.heights import MAX_INT64
from pyallora.chain.emissions.keys import (
    DEC_VALUE,
    UNIT_VALUE,
    QuadKey,
    TripleKey,
    format_exact_dec,
    iterate_range,
)
from pyallora.chain.store.collections import (
    ADDRESS_KEY,
    INT64_KEY,
    INT_VALUE,
    UINT64_KEY,
    Item,
    Map,
    PairKey,
    ProtoValue,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.dec import ZERO, Dec
from pyallora.proto.emissions.v3 import types_pb2


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """A delegator's stake on one reputer in one topic (``DelegatorInfo``)."""

    amount: Dec = ZERO
    """Delegated amount (integral in practice)."""
    reward_debt: Dec = ZERO
    """amount × reward-per-share when last settled (MasterChef accounting)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StakeRemoval:
    """A pending self-stake removal (``StakeRemovalInfo``)."""

    block_removal_started: int
    topic_id: int
    reputer: str
    amount: int
    block_removal_completed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DelegateStakeRemoval:
    """A pending delegated-stake removal (``DelegateStakeRemovalInfo``)."""

    block_removal_started: int
    topic_id: int
    delegator: str
    reputer: str
    amount: int
    block_removal_completed: int


def stake_removal_to_proto(removal: StakeRemoval) -> types_pb2.StakeRemovalInfo:
    """The ``emissions.v3.StakeRemovalInfo`` message."""
    return types_pb2.StakeRemovalInfo(
        block_removal_started=removal.block_removal_started,
        topic_id=removal.topic_id,
        reputer=removal.reputer,
        amount=str(removal.amount),
        block_removal_completed=removal.block_removal_completed,
    )


def stake_removal_from_proto(message: types_pb2.StakeRemovalInfo) -> StakeRemoval:
    """The record of a ``StakeRemovalInfo`` message."""
    return StakeRemoval(
        block_removal_started=message.block_removal_started,
        topic_id=message.topic_id,
        reputer=message.reputer,
        amount=int(message.amount or "0"),
        block_removal_completed=message.block_removal_completed,
    )


def delegate_stake_removal_to_proto(
    removal: DelegateStakeRemoval,
) -> types_pb2.DelegateStakeRemovalInfo:
    """The ``emissions.v3.DelegateStakeRemovalInfo`` message."""
    return types_pb2.DelegateStakeRemovalInfo(
        block_removal_started=removal.block_removal_started,
        topic_id=removal.topic_id,
        delegator=removal.delegator,
        reputer=removal.reputer,
        amount=str(removal.amount),
        block_removal_completed=removal.block_removal_completed,
    )


def delegate_stake_removal_from_proto(
    message: types_pb2.DelegateStakeRemovalInfo,
) -> DelegateStakeRemoval:
    """The record of a ``DelegateStakeRemovalInfo`` message."""
    return DelegateStakeRemoval(
        block_removal_started=message.block_removal_started,
        topic_id=message.topic_id,
        delegator=message.delegator,
        reputer=message.reputer,
        amount=int(message.amount or "0"),
        block_removal_completed=message.block_removal_completed,
    )


def placement_to_proto(placement: Placement) -> types_pb2.DelegatorInfo:
    """The stored ``emissions.v3.DelegatorInfo`` message (exact Dec texts)."""
    return types_pb2.DelegatorInfo(
        amount=format_exact_dec(placement.amount),
        reward_debt=format_exact_dec(placement.reward_debt),
    )


def placement_from_proto(message: types_pb2.DelegatorInfo) -> Placement:
    """The record of a ``DelegatorInfo`` message."""
    return Placement(
        amount=dec_from_text(message.amount), reward_debt=dec_from_text(message.reward_debt)
    )


# ---------------------------------------------------------------------------------------------
# Collections

_TOPIC_ACTOR: Final = PairKey(UINT64_KEY, ADDRESS_KEY)

TOTAL_STAKE: Final = Item(schema.TOTAL_STAKE, INT_VALUE)
TOPIC_STAKE: Final = Map(schema.TOPIC_STAKE, UINT64_KEY, INT_VALUE)
STAKE_REPUTER_AUTHORITY: Final = Map(schema.STAKE_REPUTER_AUTHORITY, _TOPIC_ACTOR, INT_VALUE)
STAKE_FROM_DELEGATORS_UPON_REPUTER: Final = Map(
    schema.STAKE_FROM_DELEGATORS_UPON_REPUTER, _TOPIC_ACTOR, INT_VALUE
)
STAKE_SUM_FROM_DELEGATOR: Final = Map(schema.STAKE_SUM_FROM_DELEGATOR, _TOPIC_ACTOR, INT_VALUE)
_PLACEMENT_KEY: Final = TripleKey(UINT64_KEY, ADDRESS_KEY, ADDRESS_KEY)
DELEGATED_STAKES: Final = Map(
    schema.DELEGATED_STAKES, _PLACEMENT_KEY, ProtoValue(types_pb2.DelegatorInfo)
)
DELEGATE_REWARD_PER_SHARE: Final = Map(schema.DELEGATE_REWARD_PER_SHARE, _TOPIC_ACTOR, DEC_VALUE)

_REMOVAL_BY_BLOCK_KEY: Final = TripleKey(INT64_KEY, UINT64_KEY, ADDRESS_KEY)
STAKE_REMOVALS_BY_BLOCK: Final = Map(
    schema.STAKE_REMOVALS_BY_BLOCK, _REMOVAL_BY_BLOCK_KEY, ProtoValue(types_pb2.StakeRemovalInfo)
)
_REMOVAL_BY_ACTOR_KEY: Final = TripleKey(ADDRESS_KEY, UINT64_KEY, INT64_KEY)
STAKE_REMOVALS_BY_ACTOR: Final = Map(
    schema.STAKE_REMOVALS_BY_ACTOR, _REMOVAL_BY_ACTOR_KEY, UNIT_VALUE
)
_DELEGATE_REMOVAL_BY_BLOCK_KEY: Final = QuadKey(INT64_KEY, UINT64_KEY, ADDRESS_KEY, ADDRESS_KEY)
DELEGATE_STAKE_REMOVALS_BY_BLOCK: Final = Map(
    schema.DELEGATE_STAKE_REMOVALS_BY_BLOCK,
    _DELEGATE_REMOVAL_BY_BLOCK_KEY,
    ProtoValue(types_pb2.DelegateStakeRemovalInfo),
)
_DELEGATE_REMOVAL_BY_ACTOR_KEY: Final = QuadKey(ADDRESS_KEY, ADDRESS_KEY, UINT64_KEY, INT64_KEY)
DELEGATE_STAKE_REMOVALS_BY_ACTOR: Final = Map(
    schema.DELEGATE_STAKE_REMOVALS_BY_ACTOR, _DELEGATE_REMOVAL_BY_ACTOR_KEY, UNIT_VALUE
)


def _set_int(
    table: Map[tuple[int, str], int], store: KVStore, key: tuple[int, str], v: int
) -> None:
    if v == 0:
        table.delete(store, key)
    else:
        table.set(store, key, v)


# --- totals ----------------------------------------------------------------------------------


def get_total_stake(store: ReadableKVStore) -> int:
    """Σ of all stake in all topics."""
    return TOTAL_STAKE.get_or(store, 0)


def set_total_stake(store: KVStore, amount: int) -> None:
    """Store the total stake."""
    TOTAL_STAKE.set(store, amount)


def get_topic_stake(store: ReadableKVStore, topic_id: int) -> int:
    """All stake (self + delegated) in a topic."""
    return TOPIC_STAKE.get(store, topic_id) or 0


def set_topic_stake(store: KVStore, topic_id: int, amount: int) -> None:
    """Store a topic's stake (zero deletes)."""
    if amount == 0:
        TOPIC_STAKE.delete(store, topic_id)
    else:
        TOPIC_STAKE.set(store, topic_id, amount)


def iterate_topic_stakes(store: ReadableKVStore) -> Iterator[tuple[int, int]]:
    """``(topic_id, stake)`` of every topic with stake."""
    return TOPIC_STAKE.iterate(store)


# --- reputer positions -----------------------------------------------------------------------


def get_stake_reputer_authority(store: ReadableKVStore, topic_id: int, reputer: str) -> int:
    """A reputer's self-stake plus the stake delegated to it."""
    return STAKE_REPUTER_AUTHORITY.get(store, (topic_id, reputer)) or 0


def set_stake_reputer_authority(store: KVStore, topic_id: int, reputer: str, amount: int) -> None:
    """Store a reputer's authority (zero deletes)."""
    _set_int(STAKE_REPUTER_AUTHORITY, store, (topic_id, reputer), amount)


def iterate_stake_reputer_authorities(
    store: ReadableKVStore,
) -> Iterator[tuple[tuple[int, str], int]]:
    """``((topic_id, reputer), authority)`` in key order."""
    return STAKE_REPUTER_AUTHORITY.iterate(store)


def get_delegate_stake_upon_reputer(store: ReadableKVStore, topic_id: int, reputer: str) -> int:
    """The delegated part of a reputer's authority."""
    return STAKE_FROM_DELEGATORS_UPON_REPUTER.get(store, (topic_id, reputer)) or 0


def set_delegate_stake_upon_reputer(
    store: KVStore, topic_id: int, reputer: str, amount: int
) -> None:
    """Store the stake delegated upon a reputer (zero deletes)."""
    _set_int(STAKE_FROM_DELEGATORS_UPON_REPUTER, store, (topic_id, reputer), amount)


def iterate_delegate_stakes_upon_reputers(
    store: ReadableKVStore,
) -> Iterator[tuple[tuple[int, str], int]]:
    """``((topic_id, reputer), delegated)`` in key order."""
    return STAKE_FROM_DELEGATORS_UPON_REPUTER.iterate(store)


def get_stake_reputer_self(store: ReadableKVStore, topic_id: int, reputer: str) -> int:
    """A reputer's self-stake: authority − delegated upon it."""
    return get_stake_reputer_authority(store, topic_id, reputer) - get_delegate_stake_upon_reputer(
        store, topic_id, reputer
    )


# --- delegator positions ---------------------------------------------------------------------


def get_stake_sum_from_delegator(store: ReadableKVStore, topic_id: int, delegator: str) -> int:
    """Σ of a delegator's placements in a topic."""
    return STAKE_SUM_FROM_DELEGATOR.get(store, (topic_id, delegator)) or 0


def set_stake_sum_from_delegator(
    store: KVStore, topic_id: int, delegator: str, amount: int
) -> None:
    """Store a delegator's topic sum (zero deletes)."""
    _set_int(STAKE_SUM_FROM_DELEGATOR, store, (topic_id, delegator), amount)


def iterate_stake_sums_from_delegators(
    store: ReadableKVStore,
) -> Iterator[tuple[tuple[int, str], int]]:
    """``((topic_id, delegator), sum)`` in key order."""
    return STAKE_SUM_FROM_DELEGATOR.iterate(store)


def get_delegate_stake_placement(
    store: ReadableKVStore, topic_id: int, delegator: str, reputer: str
) -> Placement:
    """A delegator's placement on a reputer (zero when absent)."""
    stored = DELEGATED_STAKES.get(store, (topic_id, delegator, reputer))
    return Placement() if stored is None else placement_from_proto(stored)


def set_delegate_stake_placement(
    store: KVStore, topic_id: int, delegator: str, reputer: str, placement: Placement
) -> None:
    """Store a placement (an all-zero placement is deleted)."""
    key = (topic_id, delegator, reputer)
    if placement.amount == 0 and placement.reward_debt == 0:
        DELEGATED_STAKES.delete(store, key)
    else:
        DELEGATED_STAKES.set(store, key, placement_to_proto(placement))


def iterate_delegate_stake_placements(
    store: ReadableKVStore,
) -> Iterator[tuple[tuple[int, str, str], Placement]]:
    """``((topic_id, delegator, reputer), placement)`` in key order."""
    for key, message in DELEGATED_STAKES.iterate(store):
        yield key, placement_from_proto(message)


def get_delegate_reward_per_share(store: ReadableKVStore, topic_id: int, reputer: str) -> Dec:
    """Accumulated delegator reward per delegated unit on a reputer (0 when absent)."""
    value = DELEGATE_REWARD_PER_SHARE.get(store, (topic_id, reputer))
    return ZERO if value is None else value


def set_delegate_reward_per_share(store: KVStore, topic_id: int, reputer: str, value: Dec) -> None:
    """Store the reward per share."""
    DELEGATE_REWARD_PER_SHARE.set(store, (topic_id, reputer), value)


def iterate_delegate_reward_per_share(
    store: ReadableKVStore,
) -> Iterator[tuple[tuple[int, str], Dec]]:
    """``((topic_id, reputer), reward per share)`` in key order."""
    return DELEGATE_REWARD_PER_SHARE.iterate(store)


# --- self-stake removal queue ----------------------------------------------------------------


def set_stake_removal(store: KVStore, removal: StakeRemoval) -> None:
    """Queue a removal under both indices."""
    completed = removal.block_removal_completed
    STAKE_REMOVALS_BY_BLOCK.set(
        store, (completed, removal.topic_id, removal.reputer), stake_removal_to_proto(removal)
    )
    STAKE_REMOVALS_BY_ACTOR.set(store, (removal.reputer, removal.topic_id, completed), None)


def get_stake_removal(
    store: ReadableKVStore, completed: int, topic_id: int, reputer: str
) -> StakeRemoval | None:
    """The removal queued under exactly this completion height, or ``None``."""
    stored = STAKE_REMOVALS_BY_BLOCK.get(store, (completed, topic_id, reputer))
    return None if stored is None else stake_removal_from_proto(stored)


def delete_stake_removal(store: KVStore, completed: int, topic_id: int, reputer: str) -> None:
    """Remove a queued removal from both indices."""
    STAKE_REMOVALS_BY_BLOCK.delete(store, (completed, topic_id, reputer))
    STAKE_REMOVALS_BY_ACTOR.delete(store, (reputer, topic_id, completed))


def get_stake_removal_heights(store: ReadableKVStore, reputer: str, topic_id: int) -> list[int]:
    """Completion heights indexed for (reputer, topic), ascending (normally 0 or 1)."""
    prefix = _REMOVAL_BY_ACTOR_KEY.encode_prefix2(reputer, topic_id)
    return [key[2] for key, _ in STAKE_REMOVALS_BY_ACTOR.iterate(store, key_prefix=prefix)]


def get_stake_removal_for_reputer_and_topic(
    store: ReadableKVStore, reputer: str, topic_id: int
) -> StakeRemoval | None:
    """The pending self-stake removal of (reputer, topic), or ``None``.

    Raises
    ------
    InvariantFailureError
        If the actor index holds more than one entry, or an entry without its record.
    """
    heights = get_stake_removal_heights(store, reputer, topic_id)
    if not heights:
        return None
    if len(heights) > 1:
        raise InvariantFailureError(f"{len(heights)} stake removals for {reputer} in {topic_id}")
    removal = get_stake_removal(store, heights[0], topic_id, reputer)
    if removal is None:
        raise InvariantFailureError(f"stake removal index of {reputer} in {topic_id} is dangling")
    return removal


def _encode_height_bound(height: int) -> bytes | None:
    """The exclusive key bound of "completion ≤ ``height``" (``None``: no bound, when
    ``height`` is the largest ``int64``)."""
    return None if height >= MAX_INT64 else INT64_KEY.encode(height + 1)


def iterate_stake_removals_up_until(store: ReadableKVStore, height: int) -> Iterator[StakeRemoval]:
    """Pending self-stake removals completing at or before ``height``, in key order
    (completion height, topic, reputer)."""
    end = _encode_height_bound(height)
    for _, message in iterate_range(STAKE_REMOVALS_BY_BLOCK, store, b"", end):
        yield stake_removal_from_proto(message)


def iterate_stake_removals_by_actor(store: ReadableKVStore) -> Iterator[tuple[str, int, int]]:
    """``(reputer, topic_id, completion height)`` of the actor index, in key order."""
    return STAKE_REMOVALS_BY_ACTOR.keys(store)


# --- delegated removal queue -----------------------------------------------------------------


def set_delegate_stake_removal(store: KVStore, removal: DelegateStakeRemoval) -> None:
    """Queue a delegated removal under both indices."""
    completed = removal.block_removal_completed
    DELEGATE_STAKE_REMOVALS_BY_BLOCK.set(
        store,
        (completed, removal.topic_id, removal.delegator, removal.reputer),
        delegate_stake_removal_to_proto(removal),
    )
    DELEGATE_STAKE_REMOVALS_BY_ACTOR.set(
        store, (removal.delegator, removal.reputer, removal.topic_id, completed), None
    )


def get_delegate_stake_removal(
    store: ReadableKVStore, completed: int, topic_id: int, delegator: str, reputer: str
) -> DelegateStakeRemoval | None:
    """The delegated removal queued under exactly this completion height, or ``None``."""
    stored = DELEGATE_STAKE_REMOVALS_BY_BLOCK.get(store, (completed, topic_id, delegator, reputer))
    return None if stored is None else delegate_stake_removal_from_proto(stored)


def delete_delegate_stake_removal(
    store: KVStore, completed: int, topic_id: int, delegator: str, reputer: str
) -> None:
    """Remove a queued delegated removal from both indices."""
    DELEGATE_STAKE_REMOVALS_BY_BLOCK.delete(store, (completed, topic_id, delegator, reputer))
    DELEGATE_STAKE_REMOVALS_BY_ACTOR.delete(store, (delegator, reputer, topic_id, completed))


def get_delegate_stake_removal_heights(
    store: ReadableKVStore, delegator: str, reputer: str, topic_id: int
) -> list[int]:
    """Completion heights indexed for (delegator, reputer, topic), ascending."""
    prefix = _DELEGATE_REMOVAL_BY_ACTOR_KEY.encode_prefix3(delegator, reputer, topic_id)
    return [key[3] for key, _ in DELEGATE_STAKE_REMOVALS_BY_ACTOR.iterate(store, key_prefix=prefix)]


def get_delegate_stake_removal_for_delegator(
    store: ReadableKVStore, delegator: str, reputer: str, topic_id: int
) -> DelegateStakeRemoval | None:
    """The pending delegated removal of (delegator, reputer, topic), or ``None``.

    Raises
    ------
    InvariantFailureError
        If the actor index holds more than one entry, or an entry without its record.
    """
    heights = get_delegate_stake_removal_heights(store, delegator, reputer, topic_id)
    if not heights:
        return None
    if len(heights) > 1:
        raise InvariantFailureError(
            f"{len(heights)} delegate stake removals for {delegator} on {reputer} in {topic_id}"
        )
    removal = get_delegate_stake_removal(store, heights[0], topic_id, delegator, reputer)
    if removal is None:
        raise InvariantFailureError(
            f"delegate stake removal index of {delegator} on {reputer} in {topic_id} is dangling"
        )
    return removal


def iterate_delegate_stake_removals_up_until(
    store: ReadableKVStore, height: int
) -> Iterator[DelegateStakeRemoval]:
    """Pending delegated removals completing at or before ``height``, in key order
    (completion height, topic, delegator, reputer)."""
    end = _encode_height_bound(height)
    for _, message in iterate_range(DELEGATE_STAKE_REMOVALS_BY_BLOCK, store, b"", end):
        yield delegate_stake_removal_from_proto(message)


def iterate_delegate_stake_removals_by_actor(
    store: ReadableKVStore,
) -> Iterator[tuple[str, str, int, int]]:
    """``(delegator, reputer, topic_id, completion height)`` of the actor index."""
    return DELEGATE_STAKE_REMOVALS_BY_ACTOR.keys(store)
