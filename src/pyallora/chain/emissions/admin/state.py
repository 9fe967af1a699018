"""Whitelist admins (PROTOCOL.md §2.10): the authority for emissions and mint parameters.

Seeded at genesis from ``core_team_addresses``; admins add and remove each other. Removing
oneself or the last admin is allowed (lock-out is possible).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pyallora.chain.emissions import schema
from pyallora.chain.emissions.keys import UNIT_VALUE
from pyallora.chain.store.collections import ADDRESS_KEY, Map
from pyallora.chain.store.kv import KVStore, ReadableKVStore

WHITELIST_ADMINS: Final = Map(schema.WHITELIST_ADMINS, ADDRESS_KEY, UNIT_VALUE)


def is_whitelist_admin(store: ReadableKVStore, address: str) -> bool:
    """Whether ``address`` is a whitelist admin."""
    return bool(address) and WHITELIST_ADMINS.has(store, address)


def set_whitelist_admin(store: KVStore, address: str) -> None:
    """Make ``address`` an admin."""
    WHITELIST_ADMINS.set(store, address, None)


def delete_whitelist_admin(store: KVStore, address: str) -> None:
    """Remove ``address`` from the admins (a no-op if it is not one)."""
    WHITELIST_ADMINS.delete(store, address)


def iterate_whitelist_admins(store: ReadableKVStore) -> Iterator[str]:
    """Every admin, by address."""
    return WHITELIST_ADMINS.keys(store)
