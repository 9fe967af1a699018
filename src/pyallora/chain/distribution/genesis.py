"""Genesis import and export of the distribution module.

The section::

    {
      "params": {...},                                    # DistributionParams JSON
      "community_pool": "0",                              # uallo
      "validators": [{"validator_address": "allovaloper1…",
                      "accumulated_commission": "0", "outstanding_rewards": "0",
                      "reward_per_share": "0"}],
      "delegator_starting_points": [{"validator_address": "allovaloper1…",
                                     "delegator_address": "allo1…",
                                     "reward_per_share": "0"}],
      "delegator_withdraw_infos": [{"delegator_address": "allo1…",
                                    "withdraw_address": "allo1…"}]
    }

The module's uallo are the bank balance of the ``distribution`` account (bank section); the
export lists every non-zero record in key order.
"""

from __future__ import annotations

from typing import Any

from pyallora.chain.distribution.params import DEFAULT_DISTRIBUTION_PARAMS, DistributionParams
from pyallora.chain.distribution.state import (
    get_commission,
    get_community_pool,
    get_outstanding,
    get_params,
    get_reward_per_share,
    iterate_commissions,
    iterate_outstanding,
    iterate_reward_per_share,
    iterate_starting_points,
    iterate_withdraw_addresses,
    set_commission,
    set_community_pool,
    set_outstanding,
    set_params,
    set_reward_per_share,
    set_starting_point,
    set_withdraw_address,
)
from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.crypto import ACCOUNT_PREFIX, VALOPER_PREFIX, CryptoError, validate_address

_SECTION_KEYS = (
    "community_pool",
    "delegator_starting_points",
    "delegator_withdraw_infos",
    "params",
    "validators",
)


def compute_default_genesis() -> JSONObject:
    """Default params, nothing accumulated."""
    return {
        "params": DEFAULT_DISTRIBUTION_PARAMS.to_json(),
        "community_pool": "0",
        "validators": [],
        "delegator_starting_points": [],
        "delegator_withdraw_infos": [],
    }


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


def _objects(state: JSONObject, name: str) -> list[dict[str, Any]]:
    value = state.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise GenesisError(f"distribution genesis {name} must be a list of objects")
    return value


def init_genesis(store: KVStore, state: JSONObject) -> None:
    """Load the distribution section (module docstring).

    Raises
    ------
    GenesisError
        For unknown fields or malformed records.
    """
    unknown = sorted(key for key in state if key not in _SECTION_KEYS)
    if unknown:
        raise GenesisError(f"unknown distribution genesis fields: {', '.join(unknown)}")
    try:
        params = DistributionParams.from_json(
            state.get("params", DEFAULT_DISTRIBUTION_PARAMS.to_json())
        )
    except ParamsError as exc:
        raise GenesisError(str(exc)) from exc
    set_params(store, params)
    set_community_pool(store, _int(state.get("community_pool", "0"), "community_pool"))
    for item in _objects(state, "validators"):
        operator = _address(item.get("validator_address"), VALOPER_PREFIX, "validator_address")
        set_commission(store, operator, _int(item.get("accumulated_commission", "0"), "commission"))
        set_outstanding(store, operator, _int(item.get("outstanding_rewards", "0"), "outstanding"))
        set_reward_per_share(
            store, operator, _int(item.get("reward_per_share", "0"), "reward_per_share")
        )
    for item in _objects(state, "delegator_starting_points"):
        set_starting_point(
            store,
            _address(item.get("validator_address"), VALOPER_PREFIX, "validator_address"),
            _address(item.get("delegator_address"), ACCOUNT_PREFIX, "delegator_address"),
            _int(item.get("reward_per_share", "0"), "reward_per_share"),
        )
    for item in _objects(state, "delegator_withdraw_infos"):
        set_withdraw_address(
            store,
            _address(item.get("delegator_address"), ACCOUNT_PREFIX, "delegator_address"),
            _address(item.get("withdraw_address"), ACCOUNT_PREFIX, "withdraw_address"),
        )


def export_genesis(store: ReadableKVStore) -> JSONObject:
    """The distribution section reproducing the current state."""
    operators = sorted(
        {operator for operator, _ in iterate_commissions(store)}
        | {operator for operator, _ in iterate_outstanding(store)}
        | {operator for operator, _ in iterate_reward_per_share(store)}
    )
    return {
        "params": get_params(store).to_json(),
        "community_pool": str(get_community_pool(store)),
        "validators": [
            {
                "validator_address": operator,
                "accumulated_commission": str(get_commission(store, operator)),
                "outstanding_rewards": str(get_outstanding(store, operator)),
                "reward_per_share": str(get_reward_per_share(store, operator)),
            }
            for operator in operators
        ],
        "delegator_starting_points": [
            {
                "validator_address": operator,
                "delegator_address": delegator,
                "reward_per_share": str(value),
            }
            for operator, delegator, value in iterate_starting_points(store)
        ],
        "delegator_withdraw_infos": [
            {"delegator_address": delegator, "withdraw_address": address}
            for delegator, address in iterate_withdraw_addresses(store)
        ],
    }
