"""The stored form of regrets (``rewards/regret_codec``) and the loss round's save and load.

Every regret must come back bit for bit (value, sign of zero, and through the engine's
precision), one value must have one encoding, and a table's bytes must depend on its
contents only; the loss round's writes keep heights of unchanged regrets and the one-in self
regret wins at (k, k).
"""

from __future__ import annotations

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.chain.emissions.rewards import regret_codec
from pyallora.chain.emissions.rewards.regret_codec import (
    PAIR_REGRET_TABLE,
    REGRET_SIZE,
    SINGLE_REGRET_TABLE,
    decode_regret,
    decode_regret_values,
    encode_regret,
    encode_regrets,
)
from pyallora.chain.emissions.rewards.state import (
    Regret,
    get_regret,
    get_regret_table,
    get_stored_regret,
    iterate_regrets,
    set_regret,
)
from pyallora.chain.emissions.rewards.synthesis_state import _load_regrets, save_loss_round
from pyallora.chain.store.collections import CodecError
from pyallora.chain.store.kv import Branch, EmptyStore
from pyallora.core.dec import PRECISION_BITS, Dec, dec, dec_context, to_text
from pyallora.synthesis.epoch import LossRound
from pyallora.synthesis.types import RegretState, SynthesisState


def _same(a: Dec, b: Dec) -> bool:
    """Bit for bit: value, sign (of zero too) and the engine's precision."""
    return (
        a == b
        and str(a).startswith("-") == str(b).startswith("-")
        and b.precision == PRECISION_BITS
    )


def _fresh_decode(data: bytes) -> tuple[int, Dec]:
    """Decode without the memo (what a restarted node computes)."""
    height = int.from_bytes(data[:8], "big", signed=True)
    return height, regret_codec._decode_value(data[8:])


with dec_context():
    EDGE_VALUES = [
        dec(0),
        -dec(0),
        dec(1),
        dec(-1),
        dec(1) / dec(3),
        dec(-2) / dec(7),
        dec("1e-300000"),
        dec("-3.5e200000"),
        dec(2) ** -999_000,
        dec(2) ** 999_000,
        dec(10) ** 33 - dec(1),
        dec("0.1"),
    ]


@pytest.mark.parametrize("value", EDGE_VALUES, ids=[to_text(v, 8) for v in EDGE_VALUES])
def test_edge_values_round_trip_exactly(value: Dec) -> None:
    data = encode_regret(-5, value)
    assert len(data) == REGRET_SIZE
    for height, back in (decode_regret(data), _fresh_decode(data)):
        assert height == -5
        assert _same(value, back)


@given(
    mantissa=st.integers(min_value=-(1 << PRECISION_BITS) + 1, max_value=(1 << PRECISION_BITS) - 1),
    exponent=st.integers(min_value=-5000, max_value=5000),
    height=st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1),
)
def test_every_dec_round_trips_exactly(mantissa: int, exponent: int, height: int) -> None:
    with dec_context():
        value = gmpy2.mpfr(mantissa) * gmpy2.mpfr(2) ** exponent
    data = encode_regret(height, value)
    assert _fresh_decode(data)[0] == height
    assert _same(value, _fresh_decode(data)[1])
    assert _same(value, decode_regret(data)[1])


def test_one_value_has_one_encoding_whatever_its_precision() -> None:
    with dec_context():
        engine = dec(3) / dec(8)
    short = gmpy2.mpfr("0.375", 53)
    assert short.precision != engine.precision
    assert encode_regret(1, short) == encode_regret(1, engine)
    assert _same(engine, _fresh_decode(encode_regret(1, short))[1])


def test_bulk_encoding_matches_one_by_one() -> None:
    assert encode_regrets(9, EDGE_VALUES) == [encode_regret(9, v) for v in EDGE_VALUES]


@pytest.mark.parametrize(
    "bad",
    [float("nan"), 0.5, 3, gmpy2.mpfr("inf"), gmpy2.mpfr((1 << 150) + 1, 200)],
)
def test_rejects_what_is_not_a_finite_engine_dec(bad: object) -> None:
    with pytest.raises(CodecError):
        encode_regret(1, bad)  # type: ignore[arg-type]


def test_rejects_heights_beyond_int64() -> None:
    with pytest.raises(CodecError):
        encode_regret(1 << 63, dec(1))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(27),
        bytes(8) + (2).to_bytes(16, "big") + bytes(4),  # even mantissa: not canonical
        bytes(8) + bytes(16) + (7).to_bytes(4, "big"),  # zero with a bad flag
        bytes(8) + (1 << 113).to_bytes(16, "big") + bytes(4),  # too many bits
    ],
)
def test_rejects_corrupt_regrets(data: bytes) -> None:
    with pytest.raises(CodecError):
        decode_regret(data)


def test_table_bytes_depend_on_contents_only() -> None:
    entries: dict[tuple[str, ...], bytes] = {
        ("allo1b", "allo1a"): encode_regret(3, dec(1)),
        ("allo1a", "allo1a"): encode_regret(4, dec(2)),
        ("allo1a", "allo1c"): encode_regret(5, dec(-3)),
    }
    forward = PAIR_REGRET_TABLE.encode(entries)
    backward = PAIR_REGRET_TABLE.encode(dict(reversed(list(entries.items()))))
    assert forward == backward
    decoded = PAIR_REGRET_TABLE.decode(forward)
    assert decoded == entries
    assert list(decoded) == sorted(entries)  # key order
    assert [value for _, value in decode_regret_values(decoded)] == [dec(2), dec(-3), dec(1)]


@pytest.mark.parametrize(
    ("codec", "table"),
    [
        (SINGLE_REGRET_TABLE, {("a", "b"): encode_regret(1, dec(1))}),
        (PAIR_REGRET_TABLE, {("a",): encode_regret(1, dec(1))}),
        (SINGLE_REGRET_TABLE, {("a",): b"short"}),
    ],
)
def test_tables_refuse_wrong_shapes(codec: regret_codec.RegretTableValue, table: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(CodecError):
        codec.encode(table)


def test_tables_refuse_corrupt_records() -> None:
    data = SINGLE_REGRET_TABLE.encode({("a",): encode_regret(1, dec(1))})
    for bad in (data[:-1], data + b"x", b"\x02" + data[1:], data[:2] + bytes(4)):
        with pytest.raises(CodecError):
            SINGLE_REGRET_TABLE.decode(bad)
    with pytest.raises(CodecError):
        PAIR_REGRET_TABLE.decode(data)


# ---------------------------------------------------------------------------------------------
# Accessors and the loss round


def _state(regrets: RegretState) -> SynthesisState:
    return SynthesisState(regrets=regrets, initial_regret=dec(0))


def _round(regrets: RegretState) -> LossRound:
    return LossRound(
        network_losses=None,  # type: ignore[arg-type]  # not read by the save
        regrets=regrets,
        initial_regret=dec(0),
        state=_state(regrets),
    )


def test_single_accessors_and_query_form() -> None:
    store = Branch(EmptyStore())
    with dec_context():
        value = dec(1) / dec(3)
    set_regret(store, "one_out_inferer_inferer", 2, Regret(block_height=7, value=value), "a", "b")
    set_regret(store, "inferer", 2, Regret(block_height=8, value=-value), "a")
    assert get_regret(store, "one_out_inferer_inferer", 2, "a", "b") == Regret(
        block_height=7, value=value
    )
    assert get_regret(store, "one_out_inferer_inferer", 2, "b", "a") is None
    assert get_regret(store, "inferer", 3, "a") is None
    stored = get_stored_regret(store, "inferer", 2, "a")
    assert stored is not None
    assert (stored.block_height, stored.value) == (8, "-0.3333333333333333333333333333333333")
    assert [(t, k) for t, k, _ in iterate_regrets(store, "one_out_inferer_inferer")] == [
        (2, ("a", "b"))
    ]


def test_loss_round_save_and_load_are_exact_and_keep_heights() -> None:
    store = Branch(EmptyStore())
    with dec_context():
        third, seventh = dec(1) / dec(3), dec(1) / dec(7)
        first = RegretState(
            inferer={"i1": third, "i2": seventh},
            one_out_inferer_inferer={("i1", "i2"): third, ("i2", "i1"): seventh},
            one_in_forecaster_inferer={("f1", "i1"): third, ("f1", "f1"): third},
            one_in_forecaster_self={"f1": seventh},
        )
        second = RegretState(
            inferer={"i1": third, "i2": -seventh},
            one_out_inferer_inferer={("i1", "i2"): third + third, ("i2", "i1"): seventh},
            one_in_forecaster_inferer={("f1", "i1"): third, ("f1", "f1"): third},
            one_in_forecaster_self={"f1": seventh},
        )
    save_loss_round(store, 1, 10, _state(RegretState()), _round(first))
    # R⁺_{k,k} is written after the one-in family: it wins at (f1, f1).
    assert get_regret(store, "one_in_forecaster_inferer", 1, "f1", "f1") == Regret(
        block_height=10, value=seventh
    )
    loaded = _load_regrets(store, 1)
    assert loaded.one_in_forecaster_self == {"f1": seventh}
    save_loss_round(store, 1, 20, _state(loaded), _round(second))
    heights = {
        (family, key): regret.block_height
        for family in ("inferer", "one_out_inferer_inferer")
        for _, key, regret in iterate_regrets(store, family, 1)
    }
    assert heights == {
        ("inferer", ("i1",)): 10,
        ("inferer", ("i2",)): 20,
        ("one_out_inferer_inferer", ("i1", "i2")): 20,
        ("one_out_inferer_inferer", ("i2", "i1")): 10,
    }
    again = _load_regrets(store, 1)
    for family in ("inferer", "one_out_inferer_inferer"):
        expected = getattr(second, family)
        assert dict(getattr(again, family)) == dict(expected)
        assert all(_same(expected[key], value) for key, value in getattr(again, family).items())
    assert list(get_regret_table(store, "forecaster", 1)) == []
