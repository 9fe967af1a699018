"""The prefix table: unique, prefix-free, each in its module's namespace."""

from __future__ import annotations

import itertools

from pyallora.chain.store import schema


def test_names_and_prefixes_are_unique() -> None:
    names = [row.name for row in schema.PREFIXES]
    prefixes = [row.prefix for row in schema.PREFIXES]
    assert len(set(names)) == len(names)
    assert len(set(prefixes)) == len(prefixes)


def test_no_prefix_is_a_prefix_of_another() -> None:
    for first, second in itertools.permutations(schema.PREFIXES, 2):
        assert not second.prefix.startswith(first.prefix), (first.name, second.name)


def test_prefixes_sit_in_their_namespace() -> None:
    assert len(set(schema.NAMESPACES.values())) == len(schema.NAMESPACES)
    for row in schema.PREFIXES:
        assert len(row.prefix) == 2
        assert row.prefix[0] == schema.NAMESPACES[row.module]
        assert row.name.startswith(row.module + "/")


def test_table_is_in_prefix_order_and_owner_lookup_works() -> None:
    assert [row.prefix for row in schema.PREFIXES] == sorted(row.prefix for row in schema.PREFIXES)
    assert schema.get_prefix_owner(schema.BANK_BALANCES.prefix + b"allo1x\x00") is (
        schema.BANK_BALANCES
    )
    assert schema.get_prefix_owner(b"\xee\xee") is None
