"""Accounts: numbers, sequences, public keys and module accounts (PROTOCOL.md §1.2, §1.4, §7.1).

An account exists once it has received funds (created by the bank with the next account
number) or was listed in genesis. Its ``sequence`` is the replay counter of its transactions
and its public key is stored by its first signed transaction. Accounts are stored as the
``google.protobuf.Any`` that ``/cosmos.auth.v1beta1.Query/Account`` returns: a
``cosmos.auth.v1beta1.BaseAccount`` or, for module accounts, a ``ModuleAccount``.

Module accounts (:data:`MODULE_ACCOUNTS`) have the Cosmos SDK's address: the first 20 bytes of
``SHA-256(module name)``. All of them are *blocked* (users cannot bank-send to them) except
``ecosystem``, which collects protocol fees and consumer payments (PROTOCOL.md §1.4).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from cosmpy.protos.cosmos.auth.v1beta1 import auth_pb2
from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2
from google.protobuf import any_pb2

from pyallora.chain.params import DEFAULT_AUTH_PARAMS, AuthParams
from pyallora.chain.store import schema
from pyallora.chain.store.collections import (
    ADDRESS_KEY,
    INT_VALUE,
    CodecError,
    Item,
    JsonValue,
    Map,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.store.memo import MemoTable
from pyallora.chain.tx.decode import SECP256K1_PUBKEY_TYPE_URL
from pyallora.core.crypto import encode_address, sha256

BASE_ACCOUNT_TYPE_URL: Final = "/cosmos.auth.v1beta1.BaseAccount"
"""Type URL of a user account."""

MODULE_ACCOUNT_TYPE_URL: Final = "/cosmos.auth.v1beta1.ModuleAccount"
"""Type URL of a module account."""

PERMISSION_MINTER: Final = "minter"
"""May mint coins into itself."""

PERMISSION_BURNER: Final = "burner"
"""May burn coins it holds."""

PERMISSION_STAKING: Final = "staking"
"""Staking pools."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleAccountSpec:
    """A module account: its name, permissions and whether users may send to it."""

    name: str
    permissions: tuple[str, ...] = ()
    blocked: bool = True


MODULE_ACCOUNTS: Final[tuple[ModuleAccountSpec, ...]] = (
    ModuleAccountSpec(name="fee_collector"),
    ModuleAccountSpec(name="distribution"),
    ModuleAccountSpec(name="mint", permissions=(PERMISSION_MINTER,)),
    ModuleAccountSpec(
        name="bonded_tokens_pool", permissions=(PERMISSION_BURNER, PERMISSION_STAKING)
    ),
    ModuleAccountSpec(
        name="not_bonded_tokens_pool", permissions=(PERMISSION_BURNER, PERMISSION_STAKING)
    ),
    ModuleAccountSpec(name="ecosystem", blocked=False),
    ModuleAccountSpec(name="allorarewards"),
    ModuleAccountSpec(name="allorastaking"),
    ModuleAccountSpec(name="allorapendingrewards"),
    ModuleAccountSpec(name="allorarequests"),
)
"""Every module account, in the order genesis creates them (PROTOCOL.md §1.4)."""

FEE_COLLECTOR: Final = "fee_collector"
"""Module account receiving transaction fees and the validators' share of emission."""

ECOSYSTEM: Final = "ecosystem"
"""Module account receiving protocol fees; source of block emission."""


def compute_module_address(name: str) -> str:
    """The Cosmos SDK module address: ``bech32(first 20 bytes of SHA-256(name))``.

    >>> compute_module_address("fee_collector")
    'allo17xpfvakm2amg962yls6f84z3kell8c5l72eruy'
    """
    return encode_address(sha256(name.encode("utf-8"))[:20])


MODULE_ADDRESSES: Final[dict[str, str]] = {
    spec.name: compute_module_address(spec.name) for spec in MODULE_ACCOUNTS
}
"""Module name -> address."""

_SPECS_BY_ADDRESS: Final[dict[str, ModuleAccountSpec]] = {
    MODULE_ADDRESSES[spec.name]: spec for spec in MODULE_ACCOUNTS
}

BLOCKED_ADDRESSES: Final[frozenset[str]] = frozenset(
    MODULE_ADDRESSES[spec.name] for spec in MODULE_ACCOUNTS if spec.blocked
)
"""Addresses that refuse ``MsgSend`` (every module account but ``ecosystem``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """An account record."""

    address: str
    """Bech32 ``allo…`` address."""
    account_number: int
    """Assigned once, in creation order; part of every signature (SIGN_MODE_DIRECT)."""
    sequence: int = 0
    """Number of transactions the account has had executed (the replay counter)."""
    public_key: bytes = b""
    """33-byte compressed secp256k1 key, set by the first signed tx (empty before)."""
    module_name: str = ""
    """For module accounts: the module name (empty for user accounts)."""
    permissions: tuple[str, ...] = ()
    """For module accounts: ``minter``, ``burner``, ``staking``."""

    @property
    def is_module_account(self) -> bool:
        """Whether this is a module account."""
        return bool(self.module_name)


def get_module_address(name: str) -> str:
    """The address of module account ``name``.

    Raises
    ------
    KeyError
        If no such module account exists (a bug in the caller).
    """
    return MODULE_ADDRESSES[name]


def get_module_spec(name: str) -> ModuleAccountSpec:
    """The declaration of module account ``name`` (``KeyError`` when unknown)."""
    return _SPECS_BY_ADDRESS[MODULE_ADDRESSES[name]]


def is_blocked_address(address: str) -> bool:
    """Whether users may not send funds to ``address``."""
    return address in BLOCKED_ADDRESSES


def compute_base_account_proto(account: Account) -> auth_pb2.BaseAccount:
    """The ``cosmos.auth.v1beta1.BaseAccount`` of an account."""
    proto = auth_pb2.BaseAccount(
        address=account.address,
        account_number=account.account_number,
        sequence=account.sequence,
    )
    if account.public_key:
        proto.pub_key.type_url = SECP256K1_PUBKEY_TYPE_URL
        proto.pub_key.value = keys_pb2.PubKey(key=account.public_key).SerializeToString()
    return proto


def compute_account_any(account: Account) -> any_pb2.Any:
    """The ``Any`` of an account: ``BaseAccount``, or ``ModuleAccount`` for module accounts."""
    base = compute_base_account_proto(account)
    if not account.is_module_account:
        return any_pb2.Any(
            type_url=BASE_ACCOUNT_TYPE_URL, value=base.SerializeToString(deterministic=True)
        )
    module = auth_pb2.ModuleAccount(
        base_account=base, name=account.module_name, permissions=list(account.permissions)
    )
    return any_pb2.Any(
        type_url=MODULE_ACCOUNT_TYPE_URL, value=module.SerializeToString(deterministic=True)
    )


def _account_from_base(
    base: auth_pb2.BaseAccount, module_name: str = "", permissions: tuple[str, ...] = ()
) -> Account:
    public_key = b""
    if base.HasField("pub_key"):
        if base.pub_key.type_url != SECP256K1_PUBKEY_TYPE_URL:
            raise CodecError(f"stored account has key type {base.pub_key.type_url!r}")
        public_key = bytes(keys_pb2.PubKey.FromString(base.pub_key.value).key)
    return Account(
        address=base.address,
        account_number=int(base.account_number),
        sequence=int(base.sequence),
        public_key=public_key,
        module_name=module_name,
        permissions=permissions,
    )


def compute_account_from_any(data: any_pb2.Any) -> Account:
    """Inverse of :func:`compute_account_any`."""
    if data.type_url == BASE_ACCOUNT_TYPE_URL:
        return _account_from_base(auth_pb2.BaseAccount.FromString(data.value))
    if data.type_url == MODULE_ACCOUNT_TYPE_URL:
        module = auth_pb2.ModuleAccount.FromString(data.value)
        return _account_from_base(module.base_account, module.name, tuple(module.permissions))
    raise CodecError(f"unknown stored account type {data.type_url!r}")


def _decode_account(data: bytes) -> Account:
    return compute_account_from_any(any_pb2.Any.FromString(data))


class AccountValue:
    """Store codec of :class:`Account` (the serialized ``Any``; decoding is memoised)."""

    __slots__ = ("_decoded",)

    def __init__(self) -> None:
        self._decoded: MemoTable[bytes, Account] = MemoTable(100_000)

    def encode(self, value: Account) -> bytes:
        """``Any`` bytes."""
        data: bytes = compute_account_any(value).SerializeToString(deterministic=True)
        return data

    def decode(self, data: bytes) -> Account:
        """Parse the ``Any``."""
        return self._decoded.get_or_compute(data, _decode_account)


ACCOUNTS: Final = Map(schema.AUTH_ACCOUNTS, ADDRESS_KEY, AccountValue())
"""Accounts by address."""

NEXT_ACCOUNT_NUMBER: Final = Item(schema.AUTH_NEXT_ACCOUNT_NUMBER, INT_VALUE)
"""The next account number to assign."""

_PARAMS_CODEC: Final = JsonValue(AuthParams.to_json, AuthParams.from_json)
_PARAMS_DECODED: Final[MemoTable[bytes, AuthParams]] = MemoTable(16)

PARAMS: Final = Item(schema.AUTH_PARAMS, _PARAMS_CODEC)
"""The auth parameters."""


def get_account(store: ReadableKVStore, address: str) -> Account | None:
    """The account at ``address``, or ``None``."""
    return ACCOUNTS.get(store, address)


def has_account(store: ReadableKVStore, address: str) -> bool:
    """Whether an account exists at ``address``."""
    return ACCOUNTS.has(store, address)


def set_account(store: KVStore, account: Account) -> None:
    """Store ``account``."""
    ACCOUNTS.set(store, account.address, account)


def iterate_accounts(store: ReadableKVStore) -> Iterator[Account]:
    """Every account, by address byte order."""
    for _, account in ACCOUNTS.iterate(store):
        yield account


def get_next_account_number(store: ReadableKVStore) -> int:
    """The number the next new account gets (0 on a fresh chain)."""
    return NEXT_ACCOUNT_NUMBER.get_or(store, 0)


def set_next_account_number(store: KVStore, number: int) -> None:
    """Set the next account number."""
    NEXT_ACCOUNT_NUMBER.set(store, number)


def create_account(store: KVStore, address: str) -> Account:
    """Create a user account at ``address`` with the next account number.

    The caller has checked that no account exists there.
    """
    number = get_next_account_number(store)
    set_next_account_number(store, number + 1)
    account = Account(address=address, account_number=number)
    set_account(store, account)
    return account


def get_or_create_account(store: KVStore, address: str) -> Account:
    """The account at ``address``, created first if missing."""
    account = get_account(store, address)
    return account if account is not None else create_account(store, address)


def create_module_account(store: KVStore, spec: ModuleAccountSpec) -> Account:
    """Create the module account of ``spec`` with the next account number."""
    number = get_next_account_number(store)
    set_next_account_number(store, number + 1)
    account = Account(
        address=MODULE_ADDRESSES[spec.name],
        account_number=number,
        module_name=spec.name,
        permissions=spec.permissions,
    )
    set_account(store, account)
    return account


def get_module_account(store: KVStore, name: str) -> Account:
    """The module account ``name``, created on first use (as the SDK's ``GetModuleAccount``)."""
    account = get_account(store, MODULE_ADDRESSES[name])
    return account if account is not None else create_module_account(store, get_module_spec(name))


def get_params(store: ReadableKVStore) -> AuthParams:
    """The auth parameters (defaults when unset)."""
    data = store.get(PARAMS.prefix)
    if data is None:
        return DEFAULT_AUTH_PARAMS
    return _PARAMS_DECODED.get_or_compute(data, _PARAMS_CODEC.decode)


def set_params(store: KVStore, params: AuthParams) -> None:
    """Store the auth parameters."""
    PARAMS.set(store, params)
