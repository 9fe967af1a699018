"""The memoised text/number conversions equal their uncached definitions.

Guards the pure caches added for the end-block profile (Dec text parsing and printing,
params decode, regret decode): same results, errors raised on every call, never cached.
"""

from __future__ import annotations

import pytest

from pyallora.chain.emissions import params as params_module
from pyallora.chain.emissions.dec_text import dec_from_text, dec_to_field_text
from pyallora.chain.emissions.params import DEFAULT_PARAMS, params_from_proto, params_to_proto
from pyallora.chain.emissions.rewards import state as rewards_state
from pyallora.core.dec import dec, dec_context, to_text
from pyallora.core.dectext import canonical_dec_text, format_dec_text, parse_dec_text
from pyallora.core.errors import InvalidDecError

TEXTS = ["", "0", "-0", "1e-07", "1e-05", "1.0E5", "55000.0", "0E-10", "-.5e3", "3.25", "-3.25"]
BAD = ["NaN", " 1", "1_000", "Infinity", "nan", "1e100001", "."]


@pytest.mark.parametrize("text", TEXTS)
def test_canonical_text_matches_definition(text: str) -> None:
    expected = format_dec_text(parse_dec_text(text))
    assert canonical_dec_text(text) == expected
    assert canonical_dec_text(text) == expected  # second call: from the cache


@pytest.mark.parametrize("text", TEXTS)
def test_dec_from_text_matches_definition(text: str) -> None:
    expected = dec(canonical_dec_text(text)) if text else dec(0)
    for _ in range(2):
        value = dec_from_text(text)
        assert value == expected
        assert to_text(value) == to_text(expected)


@pytest.mark.parametrize("text", BAD)
def test_errors_are_raised_on_every_call(text: str) -> None:
    for _ in range(2):
        with pytest.raises(InvalidDecError):
            dec_from_text(text)
    if text != "NaN":
        for _ in range(2):
            with pytest.raises(InvalidDecError):
                canonical_dec_text(text)


def test_dec_to_field_text_matches_definition() -> None:
    with dec_context():
        values = [dec("1") / dec("3"), dec("-0"), dec("0"), dec("1E+40"), dec("2") ** -30]
    for value in values:
        expected = canonical_dec_text(to_text(value))
        assert dec_to_field_text(value) == expected
        assert dec_to_field_text(value) == expected


def test_params_decode_is_memoised_by_bytes() -> None:
    data = params_module.PARAMS.codec.encode(params_to_proto(DEFAULT_PARAMS))
    first = params_module._params_from_stored_bytes(data)
    assert first == params_from_proto(params_module.PARAMS.codec.decode(data))
    assert params_module._params_from_stored_bytes(data) is first


def test_regret_decode_is_memoised_and_exact() -> None:
    with dec_context():
        value = dec("-0.125") / dec(3)
    data = rewards_state.encode_stored_regret(rewards_state.Regret(block_height=7, value=value))
    regret = rewards_state.decode_stored_regret(data)
    assert regret == rewards_state.Regret(block_height=7, value=value)
    assert to_text(regret.value, 40) == to_text(value, 40)
