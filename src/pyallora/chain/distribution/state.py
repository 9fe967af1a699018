"""Distribution state: params, community pool, per-validator pools and accumulators.

Store prefixes (namespace ``distribution`` = 0x04; to be merged into
``pyallora.chain.store.schema.PREFIXES``, bytes unchanged):

======  ======================================  ============================================
prefix  table                                   key -> value
======  ======================================  ============================================
04 01   distribution/params                     item: DistributionParams JSON
04 02   distribution/community_pool             item: uallo (community tax + dust)
04 03   distribution/validator_commission       operator -> accumulated commission (uallo)
04 04   distribution/validator_outstanding      operator -> delegators' unclaimed uallo
04 05   distribution/validator_reward_per_share operator -> Σ reward per share unit × 10^60
04 06   distribution/delegator_starting_point   (operator, delegator) -> accumulator at the
                                                delegation's last settlement
04 07   distribution/withdraw_addresses         delegator -> withdraw address
======  ======================================  ============================================

Zero values are not stored (absent = 0), so the state is canonical and export/import
reproduces it byte for byte. Every uallo the module holds is in the ``distribution`` module
account: balance = community pool + Σ commission + Σ outstanding
(:func:`pyallora.chain.distribution.rewards.validate_distribution_invariants`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pyallora.chain.distribution.params import DEFAULT_DISTRIBUTION_PARAMS, DistributionParams
from pyallora.chain.store import schema
from pyallora.chain.store.collections import (
    ADDRESS_KEY,
    INT_VALUE,
    STR_KEY,
    STR_VALUE,
    Item,
    JsonValue,
    Map,
    PairKey,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore

DISTRIBUTION_MODULE_ACCOUNT: Final = "distribution"
"""Module account holding commission, outstanding rewards and the community pool."""


def _row(table: int, name: str, doc: str) -> schema.StorePrefix:
    return schema.StorePrefix(
        module="distribution",
        name=name,
        prefix=bytes((schema.NAMESPACES["distribution"], table)),
        doc=doc,
    )


DISTRIBUTION_PARAMS: Final = _row(0x01, "distribution/params", "item: DistributionParams JSON")
DISTRIBUTION_COMMUNITY_POOL: Final = _row(
    0x02, "distribution/community_pool", "item: uallo (decimal text)"
)
DISTRIBUTION_VALIDATOR_COMMISSION: Final = _row(
    0x03, "distribution/validator_commission", "map: operator -> uallo"
)
DISTRIBUTION_VALIDATOR_OUTSTANDING: Final = _row(
    0x04, "distribution/validator_outstanding", "map: operator -> uallo owed to delegators"
)
DISTRIBUTION_VALIDATOR_REWARD_PER_SHARE: Final = _row(
    0x05,
    "distribution/validator_reward_per_share",
    "map: operator -> cumulative reward per share unit, scaled by 10^60",
)
DISTRIBUTION_DELEGATOR_STARTING_POINT: Final = _row(
    0x06,
    "distribution/delegator_starting_point",
    "map: (operator, delegator) -> reward per share at the last settlement",
)
DISTRIBUTION_WITHDRAW_ADDRESSES: Final = _row(
    0x07, "distribution/withdraw_addresses", "map: delegator -> withdraw address"
)

DISTRIBUTION_PREFIXES: Final[tuple[schema.StorePrefix, ...]] = (
    DISTRIBUTION_PARAMS,
    DISTRIBUTION_COMMUNITY_POOL,
    DISTRIBUTION_VALIDATOR_COMMISSION,
    DISTRIBUTION_VALIDATOR_OUTSTANDING,
    DISTRIBUTION_VALIDATOR_REWARD_PER_SHARE,
    DISTRIBUTION_DELEGATOR_STARTING_POINT,
    DISTRIBUTION_WITHDRAW_ADDRESSES,
)
"""Every distribution table (to be merged into ``schema.PREFIXES``)."""

PARAMS: Final = Item(
    DISTRIBUTION_PARAMS, JsonValue(DistributionParams.to_json, DistributionParams.from_json)
)
COMMUNITY_POOL: Final = Item(DISTRIBUTION_COMMUNITY_POOL, INT_VALUE)
COMMISSION: Final = Map(DISTRIBUTION_VALIDATOR_COMMISSION, STR_KEY, INT_VALUE)
OUTSTANDING: Final = Map(DISTRIBUTION_VALIDATOR_OUTSTANDING, STR_KEY, INT_VALUE)
REWARD_PER_SHARE: Final = Map(DISTRIBUTION_VALIDATOR_REWARD_PER_SHARE, STR_KEY, INT_VALUE)
STARTING_POINT: Final = Map(
    DISTRIBUTION_DELEGATOR_STARTING_POINT, PairKey(STR_KEY, ADDRESS_KEY), INT_VALUE
)
WITHDRAW_ADDRESSES: Final = Map(DISTRIBUTION_WITHDRAW_ADDRESSES, ADDRESS_KEY, STR_VALUE)


def _set_int(table: Map[str, int], store: KVStore, key: str, value: int) -> None:
    if value == 0:
        table.delete(store, key)
    else:
        table.set(store, key, value)


def get_params(store: ReadableKVStore) -> DistributionParams:
    """The distribution parameters (defaults when unset)."""
    return PARAMS.get_or(store, DEFAULT_DISTRIBUTION_PARAMS)


def set_params(store: KVStore, params: DistributionParams) -> None:
    """Store the parameters."""
    PARAMS.set(store, params)


def get_community_pool(store: ReadableKVStore) -> int:
    """uallo in the community pool."""
    return COMMUNITY_POOL.get_or(store, 0)


def set_community_pool(store: KVStore, amount: int) -> None:
    """Set the community pool (zero is not stored)."""
    if amount == 0:
        COMMUNITY_POOL.delete(store)
    else:
        COMMUNITY_POOL.set(store, amount)


def get_commission(store: ReadableKVStore, operator: str) -> int:
    """Accumulated commission of a validator."""
    return COMMISSION.get(store, operator) or 0


def set_commission(store: KVStore, operator: str, amount: int) -> None:
    """Set a validator's accumulated commission."""
    _set_int(COMMISSION, store, operator, amount)


def iterate_commissions(store: ReadableKVStore) -> Iterator[tuple[str, int]]:
    """``(operator, commission)`` of every validator with commission."""
    return COMMISSION.iterate(store)


def get_outstanding(store: ReadableKVStore, operator: str) -> int:
    """uallo allocated to a validator's delegators and not yet claimed (dust included)."""
    return OUTSTANDING.get(store, operator) or 0


def set_outstanding(store: KVStore, operator: str, amount: int) -> None:
    """Set a validator's outstanding delegator rewards."""
    _set_int(OUTSTANDING, store, operator, amount)


def iterate_outstanding(store: ReadableKVStore) -> Iterator[tuple[str, int]]:
    """``(operator, outstanding)`` of every validator with outstanding rewards."""
    return OUTSTANDING.iterate(store)


def get_reward_per_share(store: ReadableKVStore, operator: str) -> int:
    """A validator's cumulative reward per share unit (scaled)."""
    return REWARD_PER_SHARE.get(store, operator) or 0


def set_reward_per_share(store: KVStore, operator: str, value: int) -> None:
    """Set a validator's cumulative reward per share unit."""
    _set_int(REWARD_PER_SHARE, store, operator, value)


def iterate_reward_per_share(store: ReadableKVStore) -> Iterator[tuple[str, int]]:
    """``(operator, accumulator)`` of every validator with a non-zero accumulator."""
    return REWARD_PER_SHARE.iterate(store)


def get_starting_point(store: ReadableKVStore, operator: str, delegator: str) -> int:
    """The accumulator value at the delegation's last settlement."""
    return STARTING_POINT.get(store, (operator, delegator)) or 0


def set_starting_point(store: KVStore, operator: str, delegator: str, value: int) -> None:
    """Record the accumulator at a settlement (zero is not stored)."""
    if value == 0:
        STARTING_POINT.delete(store, (operator, delegator))
    else:
        STARTING_POINT.set(store, (operator, delegator), value)


def iterate_starting_points(store: ReadableKVStore) -> Iterator[tuple[str, str, int]]:
    """``(operator, delegator, value)`` of every stored starting point."""
    for (operator, delegator), value in STARTING_POINT.iterate(store):
        yield operator, delegator, value


def get_withdraw_address(store: ReadableKVStore, delegator: str) -> str:
    """Where a delegator's rewards go (the delegator itself by default)."""
    return WITHDRAW_ADDRESSES.get(store, delegator) or delegator


def set_withdraw_address(store: KVStore, delegator: str, address: str) -> None:
    """Set a delegator's withdraw address (its own address clears the entry)."""
    if address == delegator:
        WITHDRAW_ADDRESSES.delete(store, delegator)
    else:
        WITHDRAW_ADDRESSES.set(store, delegator, address)


def iterate_withdraw_addresses(store: ReadableKVStore) -> Iterator[tuple[str, str]]:
    """``(delegator, withdraw address)`` of every delegator with a separate address."""
    return WITHDRAW_ADDRESSES.iterate(store)
