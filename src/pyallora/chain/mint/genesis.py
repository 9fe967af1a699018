"""Genesis import and export of the mint module (PROTOCOL.md §2.12, §6.2).

The section::

    {
      "params": {...},                                   # MintParamsRecord JSON (§6.1)
      "previous_reward_emission_per_unit_staked_token": "0.000000000000000000",
      "previous_block_emission": "0",
      "ecosystem_tokens_minted": "0",
      "emissions_standin": {...}        # only with the standalone emissions bridge
    }

The supply allocation of §6.2 is made of ordinary genesis balances (bank section):
:func:`compute_allocation_balances` gives the foundation, participants, investors, pre-seed
investors and team buckets their ``⌊max_supply × share⌋``; the ecosystem's share is not
pre-minted (the mint module mints it on demand), and vesting is not enforced on chain — it
only enters the circulating-supply estimate (§6.2, :mod:`pyallora.synthesis.emission`).
:func:`pyallora.chain.genesis.build_allocated_genesis` builds a genesis from them (address
checks included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyallora.chain.mint.bridge import EmissionsBridge, StandaloneEmissionsBridge
from pyallora.chain.mint.params import DEFAULT_MINT_PARAMS, MintParamsRecord
from pyallora.chain.mint.state import (
    get_ecosystem_tokens_minted,
    get_params,
    get_previous_block_emission,
    get_previous_reward_emission,
    set_ecosystem_tokens_minted,
    set_params,
    set_previous_block_emission,
    set_previous_reward_emission,
)
from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.legacy_dec import (
    ONE,
    LegacyDecError,
    format_legacy_dec_json,
    parse_legacy_dec_json,
)

_SECTION_KEYS = (
    "ecosystem_tokens_minted",
    "emissions_standin",
    "params",
    "previous_block_emission",
    "previous_reward_emission_per_unit_staked_token",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationAddresses:
    """The accounts that receive the genesis supply buckets."""

    foundation: str
    participants: str
    investors: str
    investors_preseed: str
    team: str


def compute_allocation_balances(
    addresses: AllocationAddresses, params: MintParamsRecord = DEFAULT_MINT_PARAMS
) -> tuple[tuple[str, int], ...]:
    """``(address, uallo)`` genesis balances of the non-ecosystem buckets (module docstring).

    With the defaults: foundation 10 %, participants 5.5 %, investors 26.05 %, pre-seed 5 %,
    team 17.5 % of 10^9 ALLO (64.05 % in total).
    """
    buckets = (
        (addresses.foundation, params.foundation_treasury_percent_of_total_supply),
        (addresses.participants, params.participants_percent_of_total_supply),
        (addresses.investors, params.investors_percent_of_total_supply),
        (addresses.investors_preseed, params.investors_preseed_percent_of_total_supply),
        (addresses.team, params.team_percent_of_total_supply),
    )
    return tuple((address, params.max_supply * share // ONE) for address, share in buckets)


def compute_default_genesis(bridge: EmissionsBridge) -> JSONObject:
    """Default params, nothing emitted or minted yet."""
    section: JSONObject = {
        "params": DEFAULT_MINT_PARAMS.to_json(),
        "previous_reward_emission_per_unit_staked_token": format_legacy_dec_json(0),
        "previous_block_emission": "0",
        "ecosystem_tokens_minted": "0",
    }
    if isinstance(bridge, StandaloneEmissionsBridge):
        section["emissions_standin"] = bridge.compute_default_genesis()
    return section


def _amount(value: Any, what: str) -> int:
    try:
        number = parse_json_int(value, what=what)
    except ParamsError as exc:
        raise GenesisError(str(exc)) from exc
    if number < 0:
        raise GenesisError(f"mint genesis {what} must not be negative")
    return number


def init_genesis(store: KVStore, state: JSONObject, bridge: EmissionsBridge) -> None:
    """Load the mint section (module docstring).

    Raises
    ------
    GenesisError
        For unknown fields, invalid params or malformed values.
    """
    unknown = sorted(key for key in state if key not in _SECTION_KEYS)
    if unknown:
        raise GenesisError(f"unknown mint genesis fields: {', '.join(unknown)}")
    try:
        params = MintParamsRecord.from_json(state.get("params", DEFAULT_MINT_PARAMS.to_json()))
        previous = parse_legacy_dec_json(
            str(state.get("previous_reward_emission_per_unit_staked_token", "0"))
        )
    except (ParamsError, LegacyDecError) as exc:
        raise GenesisError(f"mint genesis: {exc}") from exc
    if previous < 0:
        raise GenesisError("previous_reward_emission_per_unit_staked_token must not be negative")
    minted = _amount(state.get("ecosystem_tokens_minted", "0"), "ecosystem_tokens_minted")
    cap = params.max_supply * params.ecosystem_treasury_percent_of_total_supply // ONE
    if minted > cap:
        raise GenesisError(f"ecosystem_tokens_minted {minted} exceeds the ecosystem cap {cap}")
    set_params(store, params)
    set_previous_reward_emission(store, previous)
    set_previous_block_emission(
        store, _amount(state.get("previous_block_emission", "0"), "previous_block_emission")
    )
    set_ecosystem_tokens_minted(store, minted)
    standin = state.get("emissions_standin")
    if isinstance(bridge, StandaloneEmissionsBridge):
        bridge.init_genesis(store, standin if standin is not None else {})
    elif standin is not None:
        raise GenesisError("emissions_standin is only accepted without the emissions module")


def export_genesis(store: ReadableKVStore, bridge: EmissionsBridge) -> JSONObject:
    """The mint section reproducing the current state."""
    section: JSONObject = {
        "params": get_params(store).to_json(),
        "previous_reward_emission_per_unit_staked_token": format_legacy_dec_json(
            get_previous_reward_emission(store)
        ),
        "previous_block_emission": str(get_previous_block_emission(store)),
        "ecosystem_tokens_minted": str(get_ecosystem_tokens_minted(store)),
    }
    if isinstance(bridge, StandaloneEmissionsBridge):
        section["emissions_standin"] = bridge.export_genesis(store)
    return section
