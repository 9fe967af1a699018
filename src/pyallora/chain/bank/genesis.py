"""Genesis import and export of the bank module (PROTOCOL.md §2.12, §6.2).

The section (Cosmos SDK shape; only ``uallo``)::

    {
      "balances": [{"address": "allo1...", "coins": [{"denom": "uallo", "amount": "100"}]}],
      "supply": [{"denom": "uallo", "amount": "100"}]          # optional: Σ balances
    }

Balances of addresses without an auth account create one (after the auth section, in list
order). The supply, when given, must equal the sum of the balances, and may not exceed
10^27 uallo. The export lists non-zero balances in address order.
"""

from __future__ import annotations

from typing import Any

from pyallora.chain.auth.state import get_or_create_account
from pyallora.chain.bank.state import get_supply, iterate_balances, set_balance, set_supply
from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.amounts import DENOM, MAX_SUPPLY
from pyallora.core.crypto import CryptoError, validate_address


def compute_default_genesis() -> JSONObject:
    """No balances."""
    return {"balances": [], "supply": []}


def _parse_coins(value: Any, what: str) -> int:
    """The uallo amount of a JSON coin list."""
    if not isinstance(value, list):
        raise GenesisError(f"{what} must be a list of coins")
    total = 0
    for coin in value:
        if not isinstance(coin, dict) or sorted(coin) != ["amount", "denom"]:
            raise GenesisError(f"{what}: a coin is an object with denom and amount")
        if coin["denom"] != DENOM:
            raise GenesisError(f"{what}: only {DENOM} is supported, got {coin['denom']!r:.40}")
        amount = coin["amount"]
        if not isinstance(amount, str) or not amount.isascii() or not amount.isdigit():
            raise GenesisError(f"{what}: amount must be a decimal string, got {amount!r:.40}")
        if int(amount) <= 0 or total:
            raise GenesisError(f"{what}: one positive {DENOM} coin expected")
        total = int(amount)
    return total


def init_genesis(store: KVStore, state: JSONObject) -> None:
    """Load the bank section (see the module docstring).

    Raises
    ------
    GenesisError
        For malformed or duplicate balances, a supply that differs from their sum, or a
        total above 10^27 uallo.
    """
    entries = state.get("balances", [])
    if not isinstance(entries, list):
        raise GenesisError("bank genesis balances must be a list")
    seen: set[str] = set()
    total = 0
    for index, entry in enumerate(entries):
        what = f"bank genesis balance #{index}"
        if not isinstance(entry, dict) or sorted(entry) != ["address", "coins"]:
            raise GenesisError(f"{what} must be an object with address and coins")
        address = entry["address"]
        if not isinstance(address, str):
            raise GenesisError(f"{what}: address must be a string")
        try:
            validate_address(address)
        except CryptoError as exc:
            raise GenesisError(f"{what}: {exc}") from exc
        if address in seen:
            raise GenesisError(f"{what}: duplicate address {address}")
        seen.add(address)
        amount = _parse_coins(entry["coins"], what)
        get_or_create_account(store, address)
        set_balance(store, address, amount)
        total += amount
    if total > MAX_SUPPLY:
        raise GenesisError(f"genesis balances total {total} uallo, above the maximum supply")
    stated = state.get("supply", [])
    if stated:
        supply = _parse_coins(stated, "bank genesis supply")
        if supply != total:
            raise GenesisError(f"bank genesis supply {supply} differs from Σ balances {total}")
    set_supply(store, total)


def export_genesis(store: ReadableKVStore) -> JSONObject:
    """The bank section reproducing the current state."""
    supply = get_supply(store)
    return {
        "balances": [
            {"address": address, "coins": [{"denom": DENOM, "amount": str(amount)}]}
            for address, amount in iterate_balances(store)
        ],
        "supply": [{"denom": DENOM, "amount": str(supply)}] if supply else [],
    }


def compute_balances_genesis(balances: list[tuple[str, int]]) -> JSONObject:
    """A bank section funding ``(address, uallo)`` pairs (for tests, tools, localnets)."""
    return {
        "balances": [
            {"address": address, "coins": [{"denom": DENOM, "amount": str(amount)}]}
            for address, amount in balances
        ],
        "supply": [],
    }
