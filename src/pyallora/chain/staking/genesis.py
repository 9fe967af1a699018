"""Genesis import and export of the staking module (PROTOCOL.md §2.12).

The section::

    {
      "params": {...},                              # StakingParams JSON
      "validators": [Validator JSON, ...],          # full records (export form)
      "delegations": [{"delegator_address": "allo1…", "validator_address": "allovaloper1…",
                       "shares": "<units>"}],
      "unbonding_delegations": [{"delegator_address", "validator_address",
                                 "entries": [entry JSON, ...]}],
      "redelegations": [{"delegator_address", "validator_src_address",
                         "validator_dst_address", "entries": [entry JSON, ...]}],
      "last_validator_powers": [{"address": "allovaloper1…", "power": "10"}],
      "last_total_power": "10",
      "gentxs": [{"operator_address": "allovaloper1…",
                  "consensus_pubkey": "<base64 ed25519>",
                  "self_bond": "1000000000000000000000",
                  "moniker": "validator-0",                      # optional
                  "commission_rate": "0.10",                     # optional, these defaults
                  "commission_max_rate": "0.20",
                  "commission_max_change_rate": "0.01",
                  "min_self_delegation": "1"}]
    }

``gentxs`` are executed after the records are loaded, exactly like ``MsgCreateValidator``
(the self-bond leaves the operator's *bank genesis balance*, so the bank section must fund
it; distribution and slashing learn of the new validators through the staking hooks). When
gentxs were executed or no ``last_validator_powers`` are given, the active set is selected as
at an end block and returned to CometBFT as the genesis validator set; otherwise (an
exported state) the stored last powers are returned. Every index is rebuilt from the records,
and the pools are checked against them (:mod:`pyallora.chain.staking.invariants`).

The export lists every record in key order with ``gentxs`` empty, so importing it writes
exactly the exported state.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.context import Context
from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.chain.staking.handlers import create_validator
from pyallora.chain.staking.hooks import StakingHooks
from pyallora.chain.staking.invariants import StakingInvariantError, validate_staking_invariants
from pyallora.chain.staking.msgs import validate_commission_rates
from pyallora.chain.staking.params import DEFAULT_STAKING_PARAMS, StakingParams
from pyallora.chain.staking.state import (
    compute_operator_account,
    compute_operator_address,
    get_last_total_power,
    get_params,
    get_validator,
    iterate_delegations,
    iterate_last_validator_powers,
    iterate_redelegations,
    iterate_unbonding_delegations,
    iterate_validators,
    set_delegation,
    set_last_total_power,
    set_last_validator_power,
    set_params,
    set_redelegation_entries,
    set_unbonding_entries,
    set_validator,
    set_validator_queue_entry,
)
from pyallora.chain.staking.types import (
    BondStatus,
    Commission,
    Description,
    Validator,
    decode_redelegation_entries,
    decode_unbonding_entries,
    encode_redelegation_entries,
    encode_unbonding_entries,
)
from pyallora.chain.staking.validator_set import process_validator_set_updates
from pyallora.chain.store.collections import CodecError
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.crypto import (
    ACCOUNT_PREFIX,
    ED25519_PUBKEY_LENGTH,
    VALOPER_PREFIX,
    CryptoError,
    validate_address,
)
from pyallora.core.errors import ConsensusError
from pyallora.core.legacy_dec import LegacyDecError, parse_legacy_dec_json

_SECTION_KEYS = (
    "delegations",
    "gentxs",
    "last_total_power",
    "last_validator_powers",
    "params",
    "redelegations",
    "unbonding_delegations",
    "validators",
)


def compute_default_genesis() -> JSONObject:
    """Default params, no validators."""
    return {
        "params": DEFAULT_STAKING_PARAMS.to_json(),
        "validators": [],
        "delegations": [],
        "unbonding_delegations": [],
        "redelegations": [],
        "last_validator_powers": [],
        "last_total_power": "0",
        "gentxs": [],
    }


def compute_gentx(
    *,
    operator_account: str,
    consensus_pubkey: bytes,
    self_bond: int,
    moniker: str = "",
    commission_rate: str = "0.10",
    commission_max_rate: str = "0.20",
    commission_max_change_rate: str = "0.01",
    min_self_delegation: int = 1,
) -> JSONObject:
    """A ``gentxs`` entry for an operator account (for tests, tools and localnets)."""
    return {
        "operator_address": compute_operator_address(operator_account),
        "consensus_pubkey": base64.b64encode(consensus_pubkey).decode("ascii"),
        "self_bond": str(self_bond),
        "moniker": moniker,
        "commission_rate": commission_rate,
        "commission_max_rate": commission_max_rate,
        "commission_max_change_rate": commission_max_change_rate,
        "min_self_delegation": str(min_self_delegation),
    }


def _list(state: JSONObject, name: str) -> list[Any]:
    value = state.get(name, [])
    if not isinstance(value, list):
        raise GenesisError(f"staking genesis {name} must be a list")
    return value


def _int(value: Any, what: str) -> int:
    try:
        number = parse_json_int(value, what=what)
    except ParamsError as exc:
        raise GenesisError(str(exc)) from exc
    if number < 0:
        raise GenesisError(f"{what} must not be negative")
    return number


def _address(value: Any, prefix: str, what: str) -> str:
    if not isinstance(value, str):
        raise GenesisError(f"{what} must be a string")
    try:
        validate_address(value, prefix=prefix)
    except CryptoError as exc:
        raise GenesisError(f"{what}: {exc}") from exc
    return value


def _run_gentx(ctx: Context, store: KVStore, hooks: StakingHooks, index: int, entry: Any) -> None:
    what = f"staking gentx #{index}"
    if not isinstance(entry, dict):
        raise GenesisError(f"{what} must be an object")
    operator = _address(entry.get("operator_address"), VALOPER_PREFIX, f"{what} operator_address")
    try:
        pubkey = base64.b64decode(str(entry.get("consensus_pubkey", "")), validate=True)
    except binascii.Error as exc:
        raise GenesisError(f"{what}: consensus_pubkey is not base64") from exc
    if len(pubkey) != ED25519_PUBKEY_LENGTH:
        raise GenesisError(f"{what}: consensus_pubkey must be a 32-byte ed25519 key")
    self_bond = _int(entry.get("self_bond"), f"{what} self_bond")
    minimum = _int(entry.get("min_self_delegation", "1"), f"{what} min_self_delegation")
    try:
        commission = Commission(
            rate=parse_legacy_dec_json(str(entry.get("commission_rate", "0.10"))),
            max_rate=parse_legacy_dec_json(str(entry.get("commission_max_rate", "0.20"))),
            max_change_rate=parse_legacy_dec_json(
                str(entry.get("commission_max_change_rate", "0.01"))
            ),
        )
    except LegacyDecError as exc:
        raise GenesisError(f"{what}: {exc}") from exc
    if minimum <= 0 or self_bond < minimum:
        raise GenesisError(
            f"{what}: self_bond {self_bond} must be at least min_self_delegation {minimum} > 0"
        )
    moniker = str(entry.get("moniker", "")) or compute_operator_account(operator)[:20]
    try:
        validate_commission_rates(commission)
        create_validator(
            ctx,
            store,
            hooks,
            operator=operator,
            consensus_pubkey=pubkey,
            description=Description(moniker=moniker),
            commission=commission,
            min_self_delegation=minimum,
            self_delegation=self_bond,
        )
    except ConsensusError as exc:
        raise GenesisError(f"{what}: {exc}") from exc


def init_genesis(
    ctx: Context, store: KVStore, state: JSONObject, hooks: StakingHooks
) -> tuple[ValidatorUpdate, ...]:
    """Load the staking section (module docstring); return the genesis validator set.

    Raises
    ------
    GenesisError
        For malformed records, failing gentxs or pools that do not match the records.
    """
    unknown = sorted(key for key in state if key not in _SECTION_KEYS)
    if unknown:
        raise GenesisError(f"unknown staking genesis fields: {', '.join(unknown)}")
    try:
        params = StakingParams.from_json(state.get("params", DEFAULT_STAKING_PARAMS.to_json()))
    except ParamsError as exc:
        raise GenesisError(str(exc)) from exc
    set_params(store, params)
    try:
        for item in _list(state, "validators"):
            validator = Validator.from_json(item)
            _address(validator.operator_address, VALOPER_PREFIX, "staking genesis validator")
            if len(validator.consensus_pubkey) != ED25519_PUBKEY_LENGTH:
                raise GenesisError("staking genesis validator keys must be 32-byte ed25519")
            if get_validator(store, validator.operator_address) is not None:
                raise GenesisError(f"duplicate validator {validator.operator_address}")
            set_validator(store, validator)
            if validator.status == BondStatus.UNBONDING:
                set_validator_queue_entry(
                    store, validator.unbonding_time_ns, validator.operator_address
                )
        for item in _list(state, "delegations"):
            if not isinstance(item, dict):
                raise GenesisError("a staking genesis delegation must be an object")
            delegator = _address(item.get("delegator_address"), ACCOUNT_PREFIX, "delegator")
            operator = _address(item.get("validator_address"), VALOPER_PREFIX, "validator")
            set_delegation(store, delegator, operator, _int(item.get("shares"), "shares"))
        for item in _list(state, "unbonding_delegations"):
            if not isinstance(item, dict):
                raise GenesisError("a staking genesis unbonding delegation must be an object")
            set_unbonding_entries(
                store,
                _address(item.get("delegator_address"), ACCOUNT_PREFIX, "delegator"),
                _address(item.get("validator_address"), VALOPER_PREFIX, "validator"),
                decode_unbonding_entries(item.get("entries")),
            )
        for item in _list(state, "redelegations"):
            if not isinstance(item, dict):
                raise GenesisError("a staking genesis redelegation must be an object")
            set_redelegation_entries(
                store,
                _address(item.get("delegator_address"), ACCOUNT_PREFIX, "delegator"),
                _address(item.get("validator_src_address"), VALOPER_PREFIX, "source"),
                _address(item.get("validator_dst_address"), VALOPER_PREFIX, "destination"),
                decode_redelegation_entries(item.get("entries")),
            )
        for item in _list(state, "last_validator_powers"):
            if not isinstance(item, dict):
                raise GenesisError("a last validator power must be an object")
            operator = _address(item.get("address"), VALOPER_PREFIX, "last power address")
            set_last_validator_power(store, operator, _int(item.get("power"), "power"))
    except CodecError as exc:
        raise GenesisError(f"malformed staking genesis record: {exc}") from exc
    set_last_total_power(store, _int(state.get("last_total_power", "0"), "last_total_power"))
    gentxs = _list(state, "gentxs")
    for index, entry in enumerate(gentxs):
        _run_gentx(ctx, store, hooks, index, entry)
    if gentxs or not _list(state, "last_validator_powers"):
        updates = process_validator_set_updates(ctx, store, hooks)
    else:
        updates = tuple(
            ValidatorUpdate(pub_key=validator.consensus_pubkey, power=power)
            for operator, power in iterate_last_validator_powers(store)
            for validator in (get_validator(store, operator),)
            if validator is not None
        )
    try:
        validate_staking_invariants(store)
    except StakingInvariantError as exc:
        raise GenesisError(f"staking genesis is inconsistent: {exc}") from exc
    return tuple(update for update in updates if update.power > 0)


def export_genesis(store: ReadableKVStore) -> JSONObject:
    """The staking section reproducing the current state."""
    return {
        "params": get_params(store).to_json(),
        "validators": [validator.to_json() for validator in iterate_validators(store)],
        "delegations": [
            {"delegator_address": delegator, "validator_address": operator, "shares": str(shares)}
            for delegator, operator, shares in iterate_delegations(store)
        ],
        "unbonding_delegations": [
            {
                "delegator_address": delegator,
                "validator_address": operator,
                "entries": encode_unbonding_entries(entries),
            }
            for delegator, operator, entries in iterate_unbonding_delegations(store)
        ],
        "redelegations": [
            {
                "delegator_address": delegator,
                "validator_src_address": src,
                "validator_dst_address": dst,
                "entries": encode_redelegation_entries(entries),
            }
            for delegator, src, dst, entries in iterate_redelegations(store)
        ],
        "last_validator_powers": [
            {"address": operator, "power": str(power)}
            for operator, power in iterate_last_validator_powers(store)
        ],
        "last_total_power": str(get_last_total_power(store)),
        "gentxs": [],
    }
