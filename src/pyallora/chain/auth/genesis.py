"""Genesis import and export of the auth module (PROTOCOL.md §2.12).

The section::

    {
      "params": {"max_memo_characters": "256", ...},        # AuthParams JSON (optional)
      "accounts": [                                          # optional
        {"address": "allo1...", "account_number": "0",       # number optional
         "sequence": "0", "pub_key": "<base64 33 bytes>",    # optional
         "module_name": "ecosystem", "permissions": []}      # module accounts only
      ],
      "next_account_number": "12"                            # optional
    }

Accounts without a number are numbered after the highest explicit one, in list order. Module
accounts missing from the list are then created in :data:`MODULE_ACCOUNTS` order. The export
lists every account explicitly (address order) with ``next_account_number``, so importing it
writes exactly the exported state.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pyallora.chain.auth.state import (
    MODULE_ACCOUNTS,
    MODULE_ADDRESSES,
    Account,
    create_module_account,
    get_module_spec,
    get_next_account_number,
    get_params,
    has_account,
    iterate_accounts,
    set_account,
    set_next_account_number,
    set_params,
)
from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.params import DEFAULT_AUTH_PARAMS, AuthParams, ParamsError, parse_json_int
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.crypto import CryptoError, validate_address, validate_secp256k1_pubkey

_ACCOUNT_FIELDS = ("account_number", "address", "module_name", "permissions", "pub_key", "sequence")


def compute_default_genesis() -> JSONObject:
    """Default params, no accounts."""
    return {"params": DEFAULT_AUTH_PARAMS.to_json(), "accounts": []}


def _int_field(entry: dict[str, Any], name: str, what: str) -> int | None:
    if name not in entry:
        return None
    try:
        value = parse_json_int(entry[name], what=f"{what} {name}")
    except ParamsError as exc:
        raise GenesisError(str(exc)) from exc
    if value < 0:
        raise GenesisError(f"{what} {name} must not be negative")
    return value


def _parse_account(entry: Any, index: int) -> tuple[Account, bool]:
    """An account from JSON and whether its number was given (number 0 placeholder if not)."""
    what = f"auth genesis account #{index}"
    if not isinstance(entry, dict):
        raise GenesisError(f"{what} must be a JSON object")
    unknown = sorted(key for key in entry if key not in _ACCOUNT_FIELDS)
    if unknown:
        raise GenesisError(f"{what} has unknown fields: {', '.join(unknown)}")
    address = entry.get("address")
    if not isinstance(address, str):
        raise GenesisError(f"{what} needs an address string")
    try:
        validate_address(address)
    except CryptoError as exc:
        raise GenesisError(f"{what}: {exc}") from exc
    number = _int_field(entry, "account_number", what)
    sequence = _int_field(entry, "sequence", what) or 0
    public_key = b""
    key_text = entry.get("pub_key") or ""
    if key_text:
        try:
            public_key = base64.b64decode(key_text, validate=True)
            validate_secp256k1_pubkey(public_key)
        except (binascii.Error, CryptoError) as exc:
            raise GenesisError(f"{what}: invalid pub_key: {exc}") from exc
    module_name = entry.get("module_name") or ""
    permissions: tuple[str, ...] = ()
    if module_name:
        if module_name not in MODULE_ADDRESSES or MODULE_ADDRESSES[module_name] != address:
            raise GenesisError(f"{what}: {address} is not the address of module {module_name!r}")
        permissions = get_module_spec(module_name).permissions
        given = entry.get("permissions")
        if given is not None and list(given) != list(permissions):
            raise GenesisError(f"{what}: module {module_name} has permissions {permissions}")
    elif address in MODULE_ADDRESSES.values():
        raise GenesisError(f"{what}: {address} is a module address; give its module_name")
    account = Account(
        address=address,
        account_number=number or 0,
        sequence=sequence,
        public_key=public_key,
        module_name=module_name,
        permissions=permissions,
    )
    return account, number is not None


def init_genesis(store: KVStore, state: JSONObject) -> None:
    """Load the auth section (see the module docstring).

    Raises
    ------
    GenesisError
        For invalid params, malformed or duplicate accounts, or clashing account numbers.
    """
    try:
        params = AuthParams.from_json(state.get("params", DEFAULT_AUTH_PARAMS.to_json()))
    except ParamsError as exc:
        raise GenesisError(str(exc)) from exc
    set_params(store, params)
    entries = state.get("accounts", [])
    if not isinstance(entries, list):
        raise GenesisError("auth genesis accounts must be a list")
    parsed = [_parse_account(entry, index) for index, entry in enumerate(entries)]
    explicit = [account.account_number for account, given in parsed if given]
    next_number = max(explicit) + 1 if explicit else 0
    numbers: set[int] = set()
    for account, given in parsed:
        if not given:
            account = Account(
                address=account.address,
                account_number=next_number,
                sequence=account.sequence,
                public_key=account.public_key,
                module_name=account.module_name,
                permissions=account.permissions,
            )
            next_number += 1
        if has_account(store, account.address):
            raise GenesisError(f"auth genesis lists account {account.address} twice")
        if account.account_number in numbers:
            raise GenesisError(f"auth genesis reuses account number {account.account_number}")
        numbers.add(account.account_number)
        set_account(store, account)
    stated_next = _int_field(state, "next_account_number", "auth genesis")
    if stated_next is not None:
        if stated_next < next_number:
            raise GenesisError(
                f"next_account_number {stated_next} is not above the highest account number"
            )
        next_number = stated_next
    set_next_account_number(store, next_number)
    for spec in MODULE_ACCOUNTS:
        if not has_account(store, MODULE_ADDRESSES[spec.name]):
            create_module_account(store, spec)


def compute_account_json(account: Account) -> JSONObject:
    """The genesis JSON of one account."""
    entry: JSONObject = {
        "address": account.address,
        "account_number": str(account.account_number),
        "sequence": str(account.sequence),
    }
    if account.public_key:
        entry["pub_key"] = base64.b64encode(account.public_key).decode("ascii")
    if account.module_name:
        entry["module_name"] = account.module_name
        entry["permissions"] = list(account.permissions)
    return entry


def export_genesis(store: ReadableKVStore) -> JSONObject:
    """The auth section reproducing the current state."""
    return {
        "params": get_params(store).to_json(),
        "accounts": [compute_account_json(account) for account in iterate_accounts(store)],
        "next_account_number": str(get_next_account_number(store)),
    }
