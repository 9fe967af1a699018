"""Mint state (PROTOCOL.md §2.11) and the emissions stand-ins.

Store prefixes (namespace ``mint`` = 0x06; to be merged into
``pyallora.chain.store.schema.PREFIXES``, bytes unchanged):

======  ==============================================  ====================================
prefix  table                                           value
======  ==============================================  ====================================
06 01   mint/params                                     MintParamsRecord JSON
06 02   mint/previous_reward_emission_per_unit_staked   LegacyDec units (e of §6.3)
06 03   mint/previous_block_emission                    uallo per block (B)
06 04   mint/ecosystem_tokens_minted                    uallo minted into ``ecosystem``
06 05   mint/standin_admins                             address -> empty (whitelist admins)
06 06   mint/standin_blocks_per_month                   uint
06 07   mint/standin_validators_share                   decimal text
06 08   mint/standin_reputers_share                     decimal text
06 09   mint/standin_reward_current_block_emission      uallo
06 0a   mint/standin_reference_compat                   JSON boolean
======  ==============================================  ====================================

Tables 06 05-06 0a are stand-ins for emissions-owned values
(:class:`~pyallora.chain.mint.bridge.StandaloneEmissionsBridge`); they stay empty when the
emissions module supplies the bridge.
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.mint.params import DEFAULT_MINT_PARAMS, MintParamsRecord
from pyallora.chain.store import schema
from pyallora.chain.store.collections import (
    ADDRESS_KEY,
    BYTES_VALUE,
    INT_VALUE,
    STR_VALUE,
    Item,
    JsonValue,
    Map,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore


def _row(table: int, name: str, doc: str) -> schema.StorePrefix:
    return schema.StorePrefix(
        module="mint", name=name, prefix=bytes((schema.NAMESPACES["mint"], table)), doc=doc
    )


MINT_PARAMS: Final = _row(0x01, "mint/params", "item: MintParamsRecord JSON")
MINT_PREVIOUS_REWARD_EMISSION_PER_UNIT_STAKED_TOKEN: Final = _row(
    0x02,
    "mint/previous_reward_emission_per_unit_staked_token",
    "item: LegacyDec units (decimal text)",
)
MINT_PREVIOUS_BLOCK_EMISSION: Final = _row(
    0x03, "mint/previous_block_emission", "item: uallo (decimal text)"
)
MINT_ECOSYSTEM_TOKENS_MINTED: Final = _row(
    0x04, "mint/ecosystem_tokens_minted", "item: uallo (decimal text)"
)
MINT_STANDIN_ADMINS: Final = _row(0x05, "mint/standin_admins", "set: address -> empty")
MINT_STANDIN_BLOCKS_PER_MONTH: Final = _row(
    0x06, "mint/standin_blocks_per_month", "item: uint (decimal text)"
)
MINT_STANDIN_VALIDATORS_SHARE: Final = _row(
    0x07, "mint/standin_validators_share", "item: decimal text"
)
MINT_STANDIN_REPUTERS_SHARE: Final = _row(0x08, "mint/standin_reputers_share", "item: decimal text")
MINT_STANDIN_REWARD_CURRENT_BLOCK_EMISSION: Final = _row(
    0x09, "mint/standin_reward_current_block_emission", "item: uallo (decimal text)"
)
MINT_STANDIN_REFERENCE_COMPAT: Final = _row(
    0x0A, "mint/standin_reference_compat", "item: JSON boolean"
)

MINT_PREFIXES: Final[tuple[schema.StorePrefix, ...]] = (
    MINT_PARAMS,
    MINT_PREVIOUS_REWARD_EMISSION_PER_UNIT_STAKED_TOKEN,
    MINT_PREVIOUS_BLOCK_EMISSION,
    MINT_ECOSYSTEM_TOKENS_MINTED,
    MINT_STANDIN_ADMINS,
    MINT_STANDIN_BLOCKS_PER_MONTH,
    MINT_STANDIN_VALIDATORS_SHARE,
    MINT_STANDIN_REPUTERS_SHARE,
    MINT_STANDIN_REWARD_CURRENT_BLOCK_EMISSION,
    MINT_STANDIN_REFERENCE_COMPAT,
)
"""Every mint table (to be merged into ``schema.PREFIXES``)."""


def _bool_to_json(value: bool) -> bool:
    return value


def _bool_from_json(value: object) -> bool:
    return value is True


PARAMS: Final = Item(MINT_PARAMS, JsonValue(MintParamsRecord.to_json, MintParamsRecord.from_json))
PREVIOUS_REWARD_EMISSION: Final = Item(
    MINT_PREVIOUS_REWARD_EMISSION_PER_UNIT_STAKED_TOKEN, INT_VALUE
)
PREVIOUS_BLOCK_EMISSION: Final = Item(MINT_PREVIOUS_BLOCK_EMISSION, INT_VALUE)
ECOSYSTEM_TOKENS_MINTED: Final = Item(MINT_ECOSYSTEM_TOKENS_MINTED, INT_VALUE)
STANDIN_ADMINS: Final = Map(MINT_STANDIN_ADMINS, ADDRESS_KEY, BYTES_VALUE)
STANDIN_BLOCKS_PER_MONTH: Final = Item(MINT_STANDIN_BLOCKS_PER_MONTH, INT_VALUE)
STANDIN_VALIDATORS_SHARE: Final = Item(MINT_STANDIN_VALIDATORS_SHARE, STR_VALUE)
STANDIN_REPUTERS_SHARE: Final = Item(MINT_STANDIN_REPUTERS_SHARE, STR_VALUE)
STANDIN_REWARD_CURRENT_BLOCK_EMISSION: Final = Item(
    MINT_STANDIN_REWARD_CURRENT_BLOCK_EMISSION, INT_VALUE
)
STANDIN_REFERENCE_COMPAT: Final = Item(
    MINT_STANDIN_REFERENCE_COMPAT, JsonValue(_bool_to_json, _bool_from_json)
)


def get_params(store: ReadableKVStore) -> MintParamsRecord:
    """The mint parameters (defaults when unset)."""
    return PARAMS.get_or(store, DEFAULT_MINT_PARAMS)


def set_params(store: KVStore, params: MintParamsRecord) -> None:
    """Store the mint parameters (validated by the caller)."""
    PARAMS.set(store, params)


def get_previous_reward_emission(store: ReadableKVStore) -> int:
    """e of the last recalculation, in LegacyDec units (0 before the first)."""
    return PREVIOUS_REWARD_EMISSION.get_or(store, 0)


def set_previous_reward_emission(store: KVStore, units: int) -> None:
    """Store e (LegacyDec units)."""
    PREVIOUS_REWARD_EMISSION.set(store, units)


def get_previous_block_emission(store: ReadableKVStore) -> int:
    """B: uallo emitted per block until the next recalculation."""
    return PREVIOUS_BLOCK_EMISSION.get_or(store, 0)


def set_previous_block_emission(store: KVStore, amount: int) -> None:
    """Store B."""
    PREVIOUS_BLOCK_EMISSION.set(store, amount)


def get_ecosystem_tokens_minted(store: ReadableKVStore) -> int:
    """uallo minted into ``ecosystem`` so far."""
    return ECOSYSTEM_TOKENS_MINTED.get_or(store, 0)


def set_ecosystem_tokens_minted(store: KVStore, amount: int) -> None:
    """Store the cumulative amount minted."""
    ECOSYSTEM_TOKENS_MINTED.set(store, amount)
