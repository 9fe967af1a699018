"""The one table of every store key prefix (STYLE.md §4.3: one prefix table).

All chain state lives in one ordered key space (:mod:`pyallora.chain.store.kv`). A key is a
two-byte prefix, ``(namespace, table)``, followed by the table's encoded key
(:mod:`pyallora.chain.store.collections`). The first byte names the module that owns the
table; the second numbers its tables. A prefix is declared here exactly once, never renumbered
and never reused (prefixes are consensus: they decide the app hash).

This module assigns every module its namespace byte (:data:`NAMESPACES`) and declares the
foundation's tables (app, auth, bank). Every other module declares its tables in its own
namespace next to its state accessors (``STAKING_PREFIXES``, ``EMISSIONS_PREFIXES``, ...), and
:data:`pyallora.chain.modules.ALL_STORE_PREFIXES` collects them into the one complete table.
How to add a table:

1. add a :class:`StorePrefix` row under the module's namespace byte (add a namespace row here
   when the module is new), with the next free table byte and the layout of its key and value
   in ``doc``, and list it in the module's ``*_PREFIXES`` tuple;
2. in the module's ``state.py``, build the collection from the constant:
   ``BALANCES = Map(schema.BANK_BALANCE, ADDRESS_KEY, INT_VALUE)``.

``tests/chain/test_store_schema.py`` checks that names and prefixes are unique, that no prefix
is a prefix of another, and that each prefix sits in its module's namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True, kw_only=True)
class StorePrefix:
    """One table of the store: its owner, name, two-byte prefix and layout."""

    module: str
    """Owning module (a key of :data:`NAMESPACES`)."""

    name: str
    """Table name, unique across the chain."""

    prefix: bytes
    """``bytes((namespace, table))``."""

    doc: str
    """Key and value layout."""


NAMESPACES: Final[dict[str, int]] = {
    "app": 0x00,
    "auth": 0x01,
    "bank": 0x02,
    "staking": 0x03,
    "distribution": 0x04,
    "slashing": 0x05,
    "mint": 0x06,
    "emissions": 0x07,
    "meta": 0xFF,
}
"""First key byte per module (``meta``: the application's own bookkeeping, see below)."""


def _row(module: str, table: int, name: str, doc: str) -> StorePrefix:
    return StorePrefix(module=module, name=name, prefix=bytes((NAMESPACES[module], table)), doc=doc)


APP_CHAIN_ID: Final = _row("app", 0x01, "app/chain_id", "item: chain id (utf-8)")
"""The chain id written by ``init_chain`` (part of the state so a restart knows it)."""

AUTH_PARAMS: Final = _row("auth", 0x01, "auth/params", "item: AuthParams as canonical JSON")
"""The auth module's parameters (:class:`pyallora.chain.params.AuthParams`)."""

AUTH_ACCOUNTS: Final = _row(
    "auth",
    0x02,
    "auth/accounts",
    "map: address text (0x00-terminated) -> BaseAccount or ModuleAccount protobuf",
)
"""Accounts by address."""

AUTH_NEXT_ACCOUNT_NUMBER: Final = _row(
    "auth", 0x03, "auth/next_account_number", "item: uint64 (decimal text)"
)
"""The account number the next new account gets."""

BANK_BALANCES: Final = _row(
    "bank",
    0x02,
    "bank/balances",
    "map: address text (0x00-terminated) -> uallo amount (decimal text); zero is absent",
)
"""uallo balance of every account holding a positive amount."""

BANK_SUPPLY: Final = _row("bank", 0x03, "bank/supply", "item: total uallo supply (decimal text)")
"""Total supply in uallo (= Σ balances; ≤ 10^27)."""

META_LAST_BLOCK_TIME: Final = _row(
    "meta",
    0x01,
    "meta/last_block_time",
    "item: time of the last committed block, ns since the Unix epoch (decimal text)",
)
"""Written by every ``commit`` so that ``check_tx`` after a restart sees the last block time.

The ``meta`` namespace (0xFF) is **not** consensus state: ``commit`` persists it in the same
atomic write as the block, but under a bucket outside the commitment tree
(:data:`pyallora.chain.store.commitment.UNHASHED_BUCKET`), so it never enters the app hash, no
module reads or writes it, genesis export ignores it and
:attr:`pyallora.chain.app.App.committed_store` hides it. (The block time is already committed
to by the block header; hashing it again would make every empty block change the app hash
and break the export/import identity.)"""

META_NAMESPACE: Final = bytes((NAMESPACES["meta"],))
"""First byte of every ``meta`` key; keys from here to the end of the key space."""

PREFIXES: Final[tuple[StorePrefix, ...]] = (
    APP_CHAIN_ID,
    AUTH_PARAMS,
    AUTH_ACCOUNTS,
    AUTH_NEXT_ACCOUNT_NUMBER,
    BANK_BALANCES,
    BANK_SUPPLY,
    META_LAST_BLOCK_TIME,
)
"""Every table of the chain, in prefix order."""


def get_prefix_owner(key: bytes) -> StorePrefix | None:
    """The table a raw key belongs to, or ``None`` for an undeclared prefix."""
    head = key[:2]
    for row in PREFIXES:
        if row.prefix == head:
            return row
    return None
