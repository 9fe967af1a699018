"""The prefix table: unique, prefix-free, each in its module's namespace."""

from __future__ import annotations

import itertools

from pyallora.chain.modules import ALL_STORE_PREFIXES, get_store_prefix_owner
from pyallora.chain.store import schema


def test_names_and_prefixes_are_unique() -> None:
    names = [row.name for row in ALL_STORE_PREFIXES]
    prefixes = [row.prefix for row in ALL_STORE_PREFIXES]
    assert len(set(names)) == len(names)
    assert len(set(prefixes)) == len(prefixes)


def test_no_prefix_is_a_prefix_of_another() -> None:
    for first, second in itertools.permutations(ALL_STORE_PREFIXES, 2):
        assert not second.prefix.startswith(first.prefix), (first.name, second.name)


def test_prefixes_sit_in_their_namespace() -> None:
    assert len(set(schema.NAMESPACES.values())) == len(schema.NAMESPACES)
    for row in ALL_STORE_PREFIXES:
        assert len(row.prefix) == 2
        assert row.prefix[0] == schema.NAMESPACES[row.module]
        assert row.name.startswith(row.module + "/")


def test_table_is_in_prefix_order_and_owner_lookup_works() -> None:
    assert [row.prefix for row in schema.PREFIXES] == sorted(row.prefix for row in schema.PREFIXES)
    assert schema.get_prefix_owner(schema.BANK_BALANCES.prefix + b"allo1x\x00") is (
        schema.BANK_BALANCES
    )
    assert schema.get_prefix_owner(b"\xee\xee") is None


def test_every_module_table_is_in_the_complete_table() -> None:
    modules = {row.module for row in ALL_STORE_PREFIXES}
    assert modules == set(schema.NAMESPACES)
    assert set(schema.PREFIXES) <= set(ALL_STORE_PREFIXES)
    for row in ALL_STORE_PREFIXES:
        assert get_store_prefix_owner(row.prefix + b"key") is row
    assert get_store_prefix_owner(b"\xee\xee") is None
