"""Emissions error registry (Appendix A), store prefixes and the key/value codecs."""

from __future__ import annotations

import itertools
from fractions import Fraction

import gmpy2
from hypothesis import given
from hypothesis import strategies as st

from pyallora.chain.emissions import errors, schema
from pyallora.chain.emissions.keys import (
    DEC_VALUE,
    EXACT_DECIMAL_VALUE,
    TOPIC_ID_LIST_VALUE,
    QuadKey,
    TripleKey,
    format_exact_dec,
    format_exact_fraction,
    iterate_range,
    parse_exact_dec,
    parse_exact_fraction,
)
from pyallora.chain.store import schema as chain_schema
from pyallora.chain.store.collections import (
    ADDRESS_KEY,
    INT64_KEY,
    UINT64_KEY,
    CodecError,
    Map,
)
from pyallora.chain.store.kv import Branch, EmptyStore
from pyallora.core.dec import Dec, dec, dec_context
from pyallora.core.errors import registered_codes
from pyallora.proto.emissions.v5 import genesis_pb2

APPENDIX_A = {
    2: "IntegerUnderflowTopicReputerStake",
    3: "IntegerUnderflowTopicStake",
    4: "IntegerUnderflowTotalStake",
    6: "InvalidTopicId",
    8: "AddressAlreadyRegisteredInATopic",
    10: "AddressIsNotRegisteredInThisTopic",
    11: "InsufficientStake",
    13: "AddressNotRegistered",
    14: "InsufficientStakeToRemove",
    23: "TopicDoesNotExist",
    28: "NotWhitelistAdmin",
    32: "IntegerUnderflowStakeFromDelegator",
    33: "IntegerUnderflowDelegateStakePlacement",
    34: "IntegerUnderflowDelegateStakeUponReputer",
    40: "TopicCadenceBelowMinimum",
    45: "NonceStillUnfulfilled",
    49: "InsufficientDelegateStakeToRemove",
    52: "InvalidValue",
    53: "QueryTooLarge",
    55: "NoValidBundles",
    56: "InvalidReward",
    57: "CantSelfDelegate",
    63: "EmptyArray",
    64: "StakeRemovalNotFound",
    65: "InvariantFailure",
    66: "IntegerUnderflowReputerStakeAuthority",
    67: "WorkerNonceWindowNotAvailable",
    68: "ReputerNonceWindowNotAvailable",
    69: "NoValidInferences",
    74: "GroundTruthLagTooBig",
    75: "UnfulfilledNonceNotFound",
    76: "NotFound",
    77: "NoValidForecastElements",
    78: "CantUpdateEmaMoreThanOncePerWindow",
    80: "NoQualifiedInferers",
}


def test_every_appendix_a_code_is_registered_once_under_its_name() -> None:
    classes = errors.iterate_error_classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    by_code = {cls.code: cls.__name__ for cls in classes}
    for code, name in APPENDIX_A.items():
        assert by_code[code] == name + "Error"
    for code in (58, 59, 61, 62, 35, 36, 37, 38, 39):
        assert code in by_code
    registered = {(space, code) for space, code, _ in registered_codes()}
    assert all(("emissions", code) in registered for code in codes)
    assert not {1, 12, 29, 44, 60} & set(codes)
    assert str(errors.CantUpdateEmaMoreThanOncePerWindowError()).startswith("cannot update EMA")


def test_emissions_prefixes_are_unique_and_in_the_emissions_namespace() -> None:
    rows = schema.EMISSIONS_PREFIXES
    genesis_fields = len(genesis_pb2.GenesisState.DESCRIPTOR.fields)
    # One table per GenesisState field, but core_team_addresses (seeds the admins), plus the
    # pyallora config item.
    assert len(rows) == genesis_fields - 1 + 1
    assert len({row.prefix for row in rows}) == len(rows)
    assert len({row.name for row in rows}) == len(rows)
    for row in rows:
        assert row.prefix[0] == chain_schema.NAMESPACES["emissions"]
        assert row.module == "emissions" and row.name.startswith("emissions/")
    for first, second in itertools.permutations([*rows, *chain_schema.PREFIXES], 2):
        assert not second.prefix.startswith(first.prefix)


decimals = st.decimals(
    min_value=-(10**30), max_value=10**30, allow_nan=False, allow_infinity=False, places=40
)


@given(decimals)
def test_exact_dec_text_round_trips(value: object) -> None:
    with dec_context():
        number: Dec = dec(format(value, "f"))
    text = format_exact_dec(number)
    assert parse_exact_dec(text) == number
    assert DEC_VALUE.decode(DEC_VALUE.encode(number)) == number
    assert format_exact_dec(parse_exact_dec(text)) == text


def test_exact_dec_text_examples_and_refusals() -> None:
    with dec_context():
        third = dec(1) / 3
    assert parse_exact_dec(format_exact_dec(third)) == third
    assert format_exact_dec(dec("-0.5")) == "-0.5"
    assert format_exact_dec(dec(0)) == "0"
    with gmpy2.context():
        non_finite = (gmpy2.mpfr("nan"), gmpy2.mpfr("inf"))
    for bad in non_finite:
        try:
            format_exact_dec(bad)
        except CodecError:
            continue
        raise AssertionError("a non-finite Dec was formatted")


def test_tuple_keys_order_and_ranges() -> None:
    triple = TripleKey(INT64_KEY, UINT64_KEY, ADDRESS_KEY)
    keys = [(5, 2, "b"), (-1, 9, "z"), (5, 1, "z"), (5, 2, "a"), (7, 0, "a")]
    encoded = sorted(triple.encode(key) for key in keys)
    assert [triple.decode(data, 0)[0] for data in encoded] == sorted(keys)
    quad = QuadKey(ADDRESS_KEY, ADDRESS_KEY, UINT64_KEY, INT64_KEY)
    key = ("d", "r", 3, -4)
    assert quad.decode(quad.encode(key), 0) == (key, len(quad.encode(key)))
    assert quad.encode(key).startswith(quad.encode_prefix3("d", "r", 3))
    table = Map(schema.STAKE_REMOVALS_BY_ACTOR, triple, TOPIC_ID_LIST_VALUE)
    store = Branch(EmptyStore())
    for index, entry in enumerate(keys):
        table.set(store, entry, (index,))
    upto_five = list(iterate_range(table, store, b"", INT64_KEY.encode(6)))
    assert [entry for entry, _ in upto_five] == [
        (-1, 9, "z"),
        (5, 1, "z"),
        (5, 2, "a"),
        (5, 2, "b"),
    ]
    assert [entry for entry, _ in iterate_range(table, store, INT64_KEY.encode(6))] == [(7, 0, "a")]


@given(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=0, max_value=40),
)
def test_exact_fraction_text_round_trips(numerator: int, twos: int, fives: int) -> None:
    value = Fraction(numerator, 2**twos * 5**fives)
    text = format_exact_fraction(value)
    assert parse_exact_fraction(text) == value
    assert EXACT_DECIMAL_VALUE.decode(EXACT_DECIMAL_VALUE.encode(value)) == value


def test_exact_fraction_refuses_non_terminating_values() -> None:
    assert format_exact_fraction(Fraction(-1, 8)) == "-0.125"
    assert format_exact_fraction(Fraction(0)) == "0"
    try:
        format_exact_fraction(Fraction(1, 3))
    except CodecError:
        return
    raise AssertionError("1/3 was formatted")
