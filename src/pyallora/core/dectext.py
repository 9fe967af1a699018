"""Text forms of an emissions ``Dec``: the reference grammar and the canonical protobuf text.

Implements PROTOCOL.md §1.3 (Dec text on the wire) and the text half of §7.2 (payload
signatures bind the *printed* form of every Dec). Pure and shared: the chain uses it to
re-encode signed bundles, clients (which must not import the chain) to sign exactly what the
chain will verify.

The reference
-------------
On the reference chain a Dec is Allora's ``math.Dec``, a wrapper of cockroachdb/apd v3.2.1
(the version pinned by the chain of the studied snapshot). Decoding a protobuf Dec field
keeps the empty string as zero, maps the exact token ``NaN`` to the chain's NaN and hands
anything else to apd's ``SetString``; encoding prints apd's ``Text('G')``. Read from that
source (and checked against it, see the tests):

* ``SetString`` accepts an optional sign, a coefficient of ASCII digits with at most one
  ``.`` (``"5."`` and ``".5"`` included), an optional ``e``/``E`` exponent with its own
  optional sign (parsed as a 32-bit integer, leading zeros allowed), and is case-insensitive
  for the special tokens (``inf``, ``Infinity``, ``nan``, ``sNaN`` ...). Each exponent
  component (the written exponent, minus the count of fraction digits) and the *adjusted*
  exponent (exponent + digits − 1) must lie in ±100,000 (apd's ``MaxExponent``), otherwise
  the text is rejected. The coefficient is exact: no digit is ever dropped.
* ``Text('G')`` is the General Decimal Arithmetic to-scientific-string conversion, which is
  what Python's ``str(Decimal)`` prints, with one exception added in apd v3.2.0 for
  PostgreSQL compatibility: a **zero with a negative exponent down to −2000 is printed in
  positional form** (``0E-10`` → ``"0.0000000000"``, ``-0E-7`` → ``"-0.0000000"``), where
  Python prints ``"0E-10"``. Below −2000 the scientific form is kept (``"0E-2001"``). The
  sign of a negative zero is printed (``"-0"``).

This module's grammar
---------------------
The accepted grammar is the reference's finite numbers plus the exact token ``NaN``:
``[+-]? (digits ['.' digits*] | '.' digits) ([eE] [+-]? digits)?`` within the exponent limits
above, the empty string (zero) and ``"NaN"`` (recognised so it can be re-printed, rejected by
every validator that stores data). Deliberately rejected although apd parses them (they are
never finite, or are accidents of apd's implementation): the infinity tokens, every NaN
spelling other than ``NaN`` (``nan``, ``NaN12``, ``-NaN``, ``sNaN``), and signs after the
dot (apd reads ``".-5"`` and prints ``"0.-5"``). Python's ``Decimal()`` is more permissive
still (surrounding whitespace, ``_`` separators, non-ASCII digits): those are rejected
before ``Decimal`` ever sees the text.

:mod:`decimal` is used here for text only, with an explicit context, never for consensus
arithmetic (the engine's number type is :mod:`pyallora.core.dec`).

>>> canonical_dec_text("1e-07")
'1E-7'
>>> canonical_dec_text("1e-05")
'0.00001'
>>> canonical_dec_text("1.0E5")
'1.0E+5'
>>> canonical_dec_text("55000.0")
'55000.0'
>>> canonical_dec_text("")
'0'
>>> canonical_dec_text("0E-10")
'0.0000000000'
>>> plain_dec_text("1E-7")
'0.0000001'
"""

from __future__ import annotations

import decimal
import functools
import re
from typing import Final

from pyallora.core.errors import InvalidDecError

NAN_TEXT: Final = "NaN"
"""The one spelling of the chain's NaN; recognised by the grammar, rejected by validators."""

MAX_EXPONENT: Final = 100_000
"""apd's ``MaxExponent``: bound on each exponent component and on the adjusted exponent."""

MIN_EXPONENT: Final = -MAX_EXPONENT
"""apd's ``MinExponent``."""

MAX_WRITTEN_EXPONENT_DIGITS: Final = 10
"""Significant digits of the written exponent that can still fit a 32-bit integer."""

LOWEST_PLAIN_ZERO_EXPONENT: Final = -2000
"""Zeros with an exponent in [−2000, −1] print positionally (apd v3.2 ``Text('G')``)."""

SCIENTIFIC_ADJUSTED_LIMIT: Final = -6
"""Adjusted exponents below this print in scientific form (to-scientific-string rule)."""

_TEXT_CONTEXT: Final = decimal.Context(
    prec=decimal.MAX_PREC,
    rounding=decimal.ROUND_DOWN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.Inexact, decimal.Rounded],
)
"""Context of the only :mod:`decimal` call here: exact construction, any rounding traps."""

_GRAMMAR: Final = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?:(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]*))?|\.(?P<bare_fraction>[0-9]+))"
    r"(?:[eE](?P<exponent>[+-]?[0-9]+))?"
)
"""Finite Dec text (PROTOCOL.md §1.3). ``[0-9]`` is ASCII only, unlike ``\\d``."""


def parse_dec_text(text: str) -> decimal.Decimal:
    """Parse Dec text in the reference grammar to an exact :class:`decimal.Decimal`.

    The result keeps the exponent the text was written with (``"55000.0"`` has exponent
    −1), as the reference does; it is meant for text canonicalisation, not arithmetic.

    Parameters
    ----------
    text
        A protobuf Dec string: finite decimal text, ``""`` (zero) or ``"NaN"``.

    Returns
    -------
    decimal.Decimal
        The exact value (``Decimal("NaN")`` for ``"NaN"``, ``Decimal("0")`` for ``""``).

    Raises
    ------
    InvalidDecError
        If the text is not in the grammar (whitespace, ``_``, non-ASCII digits, infinities,
        other NaN spellings, a second sign or dot, a missing digit) or its exponent is
        outside apd's ±100,000 limits.

    Examples
    --------
    >>> parse_dec_text("-.5e3")
    Decimal('-5E+2')
    >>> parse_dec_text("1_000")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pyallora.core.errors.InvalidDecError: not a Dec: '1_000' (expected ASCII digits ...)
    """
    if not isinstance(text, str):
        raise InvalidDecError(f"a Dec must be text, got {type(text).__name__}")
    if text == "":
        return decimal.Decimal(0)
    if text == NAN_TEXT:
        return decimal.Decimal(NAN_TEXT)
    match = _GRAMMAR.fullmatch(text)
    if match is None:
        raise InvalidDecError(
            f"not a Dec: {text[:64]!r} (expected ASCII digits with an optional sign, at most "
            "one '.' and an optional e/E exponent, or 'NaN')"
        )
    whole = match["whole"] or ""
    fraction = match["fraction"] if match["whole"] is not None else match["bare_fraction"]
    fraction = fraction or ""
    written_exponent = _parse_written_exponent(match["exponent"], text)
    if len(fraction) > MAX_EXPONENT:
        raise InvalidDecError(
            f"Dec {text[:64]!r} has {len(fraction)} fraction digits; at most {MAX_EXPONENT}"
        )
    exponent = written_exponent - len(fraction)
    significant = (whole + fraction).lstrip("0")
    adjusted = exponent + max(len(significant), 1) - 1
    if not MIN_EXPONENT <= adjusted <= MAX_EXPONENT:
        raise InvalidDecError(
            f"Dec {text[:64]!r} has adjusted exponent {adjusted}; "
            f"allowed range is [{MIN_EXPONENT}, {MAX_EXPONENT}]"
        )
    return decimal.Decimal(text, context=_TEXT_CONTEXT)


def _parse_written_exponent(digits: str | None, text: str) -> int:
    """The ``e``-part of Dec text; leading zeros allowed, value within ±100,000."""
    if digits is None:
        return 0
    sign = -1 if digits.startswith("-") else 1
    magnitude = digits.lstrip("+-").lstrip("0")
    # Bounded before int(): a 5,000-digit exponent must not reach int()'s digit limit.
    if len(magnitude) > MAX_WRITTEN_EXPONENT_DIGITS or (
        magnitude and int(magnitude) > MAX_EXPONENT
    ):
        raise InvalidDecError(
            f"Dec {text[:64]!r} has exponent {digits[:16]}; allowed range is "
            f"[{MIN_EXPONENT}, {MAX_EXPONENT}]"
        )
    return sign * int(magnitude or "0")


def is_dec_text(text: str) -> bool:
    """Whether ``text`` is in the Dec grammar (finite, ``""`` or ``"NaN"``).

    >>> [is_dec_text(t) for t in ("1.5", "", "NaN", " 1", "Infinity", "１")]
    [True, True, True, False, False, False]
    """
    try:
        parse_dec_text(text)
    except InvalidDecError:
        return False
    return True


def format_dec_text(value: decimal.Decimal) -> str:
    """The reference's protobuf text of a Dec (apd ``Text('G')``).

    The General Decimal Arithmetic to-scientific-string form (``str(value)``), except that a
    zero with an exponent in [−2000, −1] is printed positionally (see the module docstring).

    Parameters
    ----------
    value
        A finite decimal, or a quiet NaN.

    Raises
    ------
    InvalidDecError
        For infinities and signalling NaNs, which no Dec field may carry.

    Examples
    --------
    >>> format_dec_text(decimal.Decimal("0E-7"))
    '0.0000000'
    >>> format_dec_text(decimal.Decimal("0E-2001"))
    '0E-2001'
    >>> format_dec_text(decimal.Decimal("12E+3"))
    '1.2E+4'
    """
    if value.is_nan() and not value.is_snan():
        return "-" + NAN_TEXT if value.is_signed() else NAN_TEXT
    if not value.is_finite():
        raise InvalidDecError(f"a Dec is finite or NaN, not {value}")
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    digits = "".join(map(str, digit_tuple))
    length = len(digits)
    if value.is_zero() and LOWEST_PLAIN_ZERO_EXPONENT <= exponent < 0:
        length -= exponent
    adjusted = exponent + length - 1
    prefix = "-" if sign else ""
    if exponent <= 0 and adjusted >= SCIENTIFIC_ADJUSTED_LIMIT:
        return prefix + _positional(digits, exponent)
    return prefix + _scientific(digits, exponent)


def _positional(digits: str, exponent: int) -> str:
    """apd ``fmtF``: digits with the point placed by ``exponent`` (no exponent part)."""
    if exponent >= 0:
        return digits + "0" * exponent
    leading_zeros = -exponent - len(digits)
    if leading_zeros >= 0:
        return "0." + "0" * leading_zeros + digits
    point = len(digits) + exponent
    return digits[:point] + "." + digits[point:]


def _scientific(digits: str, exponent: int) -> str:
    """apd ``fmtE`` with ``E``: one digit, the rest after a point, signed adjusted exponent."""
    adjusted = exponent + len(digits) - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}E{'-' if adjusted < 0 else '+'}{abs(adjusted)}"


def canonical_dec_text(text: str) -> str:
    """The text the reference chain re-prints for a Dec field (PROTOCOL.md §1.3, §7.2).

    What a signer must put in a Dec field so the chain's re-encoding reproduces the signed
    bytes: ``"1e-07"`` becomes ``"1E-7"``, ``""`` becomes ``"0"``, ``"55000.0"`` stays.

    Raises
    ------
    InvalidDecError
        If the text is not in the grammar (see :func:`parse_dec_text`).
    """
    if not isinstance(text, str):
        return format_dec_text(parse_dec_text(text))
    return _canonical_dec_text_cached(text)


@functools.lru_cache(maxsize=1 << 16)
def _canonical_dec_text_cached(text: str) -> str:
    """Memoised :func:`canonical_dec_text` of a ``str``: a pure function of the text.

    Stored regrets, scores and parameters are re-read every block, so the same texts recur;
    errors are raised on every call (``lru_cache`` does not cache exceptions).
    """
    return format_dec_text(parse_dec_text(text))


def plain_dec_text(text: str) -> str:
    """The positional (JSON, REST, event) text of a Dec: apd ``Text('f')``.

    ``format(value, "f")`` of Python prints the same, except for a zero with a positive
    exponent, where apd writes the exponent's zeros (``"0E+3"`` → ``"0000"``).

    >>> plain_dec_text("1.2E+5"), plain_dec_text("-0.0000"), plain_dec_text("0E+3")
    ('120000', '-0.0000', '0000')

    Raises
    ------
    InvalidDecError
        If the text is not in the grammar (see :func:`parse_dec_text`).
    """
    value = parse_dec_text(text)
    if value.is_nan():
        return NAN_TEXT
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: NaN returned above
    digits = "".join(map(str, digit_tuple))
    return ("-" if sign else "") + _positional(digits, exponent)
