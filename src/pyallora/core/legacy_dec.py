"""The Cosmos SDK's ``LegacyDec`` as exact integers (PROTOCOL.md §1.3, §10).

A LegacyDec is a fixed-point number with 18 fractional digits. pyallora keeps it as an
``int`` of *units* (value × 10^18), which is also its **protobuf** form: the SDK marshals a
LegacyDec as the decimal text of that integer (``"250000000000000000"`` for 0.25), while
**JSON** (genesis, REST) prints it positionally with all 18 digits (``"0.250000000000000000"``).

Arithmetic follows the SDK: multiplication of two LegacyDecs and division round half to even
at the 18th digit; multiplying by an integer is exact; converting to an integer truncates.
Staking shares, commission rates and the slashing, distribution and mint fractions are all
LegacyDecs.

>>> parse_legacy_dec_json("0.25")
250000000000000000
>>> format_legacy_dec_json(250000000000000000)
'0.250000000000000000'
>>> parse_legacy_dec_proto("250000000000000000")
250000000000000000
>>> compute_div_round_half_even(5, 2), compute_div_round_half_even(7, 2)
(2, 4)
"""

from __future__ import annotations

import re
from typing import Final

from pyallora.core.errors import PyAlloraError

PRECISION: Final = 18
"""Fractional decimal digits of a LegacyDec."""

ONE: Final = 10**PRECISION
"""The LegacyDec 1 in units."""

MAX_BITS: Final = 256 + 60
"""The SDK refuses LegacyDecs whose integer needs more bits than this (``maxDecBitLen``)."""

_PROTO_PATTERN: Final = re.compile(r"-?[0-9]+")
_JSON_PATTERN: Final = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")


class LegacyDecError(PyAlloraError, ValueError):
    """Text that is not a LegacyDec (or has more than 18 fractional digits)."""


def parse_legacy_dec_proto(text: str) -> int:
    """Units of a LegacyDec in its protobuf form (the integer text); ``""`` is 0.

    Raises
    ------
    LegacyDecError
        If the text is not an integer or is out of range.
    """
    if text == "":
        return 0
    if not _PROTO_PATTERN.fullmatch(text):
        raise LegacyDecError(f"not a LegacyDec in protobuf form (integer text): {text[:80]!r}")
    value = int(text)
    if value.bit_length() > MAX_BITS:
        raise LegacyDecError("LegacyDec out of range")
    return value


def format_legacy_dec_proto(units: int) -> str:
    """The protobuf text of a LegacyDec (the integer of units)."""
    return str(units)


def parse_legacy_dec_json(text: str, *, truncate: bool = False) -> int:
    """Units of a LegacyDec written positionally (``"0.25"``, ``"1"``, ``"-0.5"``).

    Parameters
    ----------
    text
        The decimal text.
    truncate
        Drop fractional digits beyond the 18th (toward zero) instead of refusing them.

    Raises
    ------
    LegacyDecError
        If the text is not positional decimal text, or has more than 18 fractional digits
        and ``truncate`` is false.
    """
    match = _JSON_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise LegacyDecError(f"not a decimal number: {str(text)[:80]!r}")
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if len(fraction) > PRECISION:
        if not truncate:
            raise LegacyDecError(
                f"{text[:80]!r} has {len(fraction)} fractional digits; a LegacyDec has at "
                f"most {PRECISION}"
            )
        fraction = fraction[:PRECISION]
    units = int(whole) * ONE + int(fraction.ljust(PRECISION, "0"))
    if units.bit_length() > MAX_BITS:
        raise LegacyDecError("LegacyDec out of range")
    return -units if sign else units


def format_legacy_dec_json(units: int) -> str:
    """The JSON text of a LegacyDec: positional, exactly 18 fractional digits."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), ONE)
    return f"{sign}{whole}.{fraction:018d}"


def compute_div_round_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, ties to even.

    The denominator must be positive.
    """
    if denominator <= 0:
        raise ZeroDivisionError("denominator must be positive")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def compute_mul_int_floor(amount: int, units: int) -> int:
    """``⌊amount × d⌋`` for an integer amount ≥ 0 and a LegacyDec ``d`` ≥ 0 (SDK
    ``d.MulInt(amount).TruncateInt()``)."""
    return amount * units // ONE


def is_in_unit_interval(units: int) -> bool:
    """Whether a LegacyDec lies in [0, 1]."""
    return 0 <= units <= ONE
