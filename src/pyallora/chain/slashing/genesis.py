"""Genesis import and export of the slashing module.

The section::

    {
      "params": {...},                                     # SlashingParams JSON
      "signing_infos": [{"address": "allovalcons1…",
                         "start_height": "1", "index_offset": "0", "jailed_until_ns": "0",
                         "tombstoned": false, "missed_blocks_counter": "0",
                         "missed_indexes": ["3", "7"]}]
    }

The export lists every signing info in consensus-address order with its missed indexes.
"""

from __future__ import annotations

from typing import Any

from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.chain.slashing.params import DEFAULT_SLASHING_PARAMS, SlashingParams
from pyallora.chain.slashing.state import (
    SigningInfo,
    get_params,
    iterate_missed_indexes,
    iterate_signing_infos,
    set_missed,
    set_params,
    set_signing_info,
)
from pyallora.chain.store.collections import CodecError
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.crypto import (
    CONSENSUS_ADDRESS_LENGTH,
    VALCONS_PREFIX,
    CryptoError,
    decode_bech32,
    encode_bech32,
)

_SECTION_KEYS = ("params", "signing_infos")
_INFO_KEYS = (
    "address",
    "index_offset",
    "jailed_until_ns",
    "missed_blocks_counter",
    "missed_indexes",
    "start_height",
    "tombstoned",
)


def compute_default_genesis() -> JSONObject:
    """Default params, no signing infos."""
    return {"params": DEFAULT_SLASHING_PARAMS.to_json(), "signing_infos": []}


def _load_info(store: KVStore, index: int, item: Any) -> None:
    what = f"slashing genesis signing info #{index}"
    if not isinstance(item, dict):
        raise GenesisError(f"{what} must be an object")
    unknown = sorted(key for key in item if key not in _INFO_KEYS)
    if unknown:
        raise GenesisError(f"{what}: unknown fields {', '.join(unknown)}")
    try:
        address = decode_bech32(str(item.get("address", "")), prefix=VALCONS_PREFIX)
    except CryptoError as exc:
        raise GenesisError(f"{what}: {exc}") from exc
    if len(address) != CONSENSUS_ADDRESS_LENGTH:
        raise GenesisError(f"{what}: a consensus address has 20 bytes")
    try:
        info = SigningInfo.from_json(item)
    except CodecError as exc:
        raise GenesisError(f"{what}: {exc}") from exc
    set_signing_info(store, address, info)
    missed = item.get("missed_indexes", [])
    if not isinstance(missed, list):
        raise GenesisError(f"{what}: missed_indexes must be a list")
    for value in missed:
        try:
            set_missed(store, address, parse_json_int(value, what="missed index"), True)
        except ParamsError as exc:
            raise GenesisError(f"{what}: {exc}") from exc


def init_genesis(store: KVStore, state: JSONObject) -> None:
    """Load the slashing section (module docstring).

    Raises
    ------
    GenesisError
        For unknown fields or malformed records.
    """
    unknown = sorted(key for key in state if key not in _SECTION_KEYS)
    if unknown:
        raise GenesisError(f"unknown slashing genesis fields: {', '.join(unknown)}")
    try:
        params = SlashingParams.from_json(state.get("params", DEFAULT_SLASHING_PARAMS.to_json()))
    except ParamsError as exc:
        raise GenesisError(str(exc)) from exc
    set_params(store, params)
    infos = state.get("signing_infos", [])
    if not isinstance(infos, list):
        raise GenesisError("slashing genesis signing_infos must be a list")
    for index, item in enumerate(infos):
        _load_info(store, index, item)


def export_genesis(store: ReadableKVStore) -> JSONObject:
    """The slashing section reproducing the current state."""
    return {
        "params": get_params(store).to_json(),
        "signing_infos": [
            {
                "address": encode_bech32(VALCONS_PREFIX, address),
                **info.to_json(),
                "missed_indexes": [str(index) for index in iterate_missed_indexes(store, address)],
            }
            for address, info in iterate_signing_infos(store)
        ],
    }
