"""``format_exact_dec`` (the stored text of a Dec) against its definition: the exact decimal
expansion of the binary value, printed positionally as ``plain_dec_text`` prints it."""

from __future__ import annotations

import gmpy2
from hypothesis import given
from hypothesis import strategies as st

from pyallora.chain.emissions.keys import format_exact_dec, parse_exact_dec
from pyallora.core.dec import PRECISION_BITS, dec_context
from pyallora.core.dectext import plain_dec_text


def _definition(value: gmpy2.mpfr) -> str:
    numerator, denominator = (int(part) for part in value.as_integer_ratio())
    twos = denominator.bit_length() - 1
    digits = str(abs(numerator) * 5**twos)
    significant = digits.rstrip("0")
    exponent = len(digits) - len(significant) - twos
    sign = "-" if numerator < 0 else ""
    if exponent >= 0:
        return sign + significant + "0" * exponent
    return sign + plain_dec_text(f"{significant}E{exponent}")


@given(
    mantissa=st.integers(min_value=-(1 << PRECISION_BITS) + 1, max_value=(1 << PRECISION_BITS) - 1),
    exponent=st.integers(min_value=-5000, max_value=400),
)
def test_matches_the_positional_text_of_the_exact_value(mantissa: int, exponent: int) -> None:
    with dec_context():
        value = gmpy2.mpfr(mantissa) * gmpy2.mpfr(2) ** exponent
    if value == 0:
        assert format_exact_dec(value) == "0"
        return
    text = format_exact_dec(value)
    assert text == _definition(value)
    assert parse_exact_dec(text) == value
