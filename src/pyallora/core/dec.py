"""Dec: the one exact number type of the consensus mathematics.

Every quantity of SYNTHESIS.md (inferences, log-losses, regrets, weights, scores, fractions,
emission rates) is a ``Dec``. Money is never a ``Dec``: it is an ``int`` of base units
(:mod:`pyallora.core.amounts`) and only meets a ``Dec`` in :func:`mul_floor`.

Decision: MPFR through gmpy2 at 113 bits, rounding toward zero
-------------------------------------------------------------------
The issue asked for a measurement of the two deterministic candidates on the synthesis
benchmark. ``allora bench numbers`` re-runs it: it times the one-out forecast-implied kernel of
SYNTHESIS.md §6 at the chain's default caps (W = 32 inferers, F = 6 forecasters:
F*W*(W-1) = 5,952 exponentials) with the same literal algorithm in both number types.
Measured on the project machine (2 shared cores, Python 3.11, gmpy2 2.3.2 / MPFR 4.2.2):

* stdlib ``decimal`` at 34 digits, ROUND_DOWN, with exp/sqrt evaluated at 40 digits and then
  rounded down (the stdlib always rounds those half-even): 9.8-10.3 us per exp,
  0.07 us per add/multiply; the kernel takes 82-109 ms;
* MPFR through gmpy2 at 113 bits (34.0 decimal digits), ``RoundToZero``: 1.2 us per exp,
  0.09 us per add/multiply; the kernel takes 16-17 ms (5-6.6x faster).

With ``decimal`` the kernel alone exceeds the 50 ms target for a whole epoch end at
(32, 6, 6), and its ~520,000 exponentials at (128, 32, 32) would take over 5 s against a 2 s
target; with MPFR a whole epoch end measures about 28 ms at (32, 6, 6) and 1.8 s at
(128, 32, 32) (``allora bench synthesis``). MPFR is therefore the number layer.

MPFR is correctly rounded for every operation used here (+, -, *, /, sqrt, exp, log, pow) and
for conversions from and to decimal text, so the result of every operation is a pure
function of its operands and the fixed precision and rounding mode below: identical on
every platform, compiler and library version. That is the property consensus needs; the
digits differ from the Go chain's 34-digit apd decimals in the last place, which does not
matter because pyallora validators only have to agree with each other.

Usage
-----
Arithmetic uses the ordinary operators on ``mpfr`` values. gmpy2 keeps the precision in a
per-thread context, so every public entry point of a consensus package runs under
:func:`dec_context` (or is decorated with :func:`with_dec_context`), which installs
:data:`CONTEXT` for the duration of the call. Inside, NaN-producing operations, division by
zero and overflow raise instead of returning garbage.

>>> with dec_context():
...     to_text(dec("1") / dec("3"))
'0.3333333333333333333333333333333333'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeAlias, TypeVar

import gmpy2
from gmpy2 import mpfr

from pyallora.core.errors import InvalidDecError

Dec: TypeAlias = mpfr
"""The type of every consensus decimal: an MPFR float of :data:`PRECISION_BITS` bits."""

PRECISION_BITS = 113
"""Binary precision of every Dec (113 bits = 34.0 significant decimal digits)."""

TEXT_DIGITS = 34
"""Significant digits of the canonical decimal text of a Dec (:func:`to_text`)."""

CONTEXT = gmpy2.context(
    precision=PRECISION_BITS,
    round=gmpy2.RoundToZero,
    emax=1_000_000,
    emin=-1_000_000,
    subnormalize=False,
    trap_invalid=True,
    trap_divzero=True,
    trap_overflow=True,
    trap_underflow=False,
    trap_inexact=False,
    trap_erange=True,
    allow_complex=False,
)
"""The fixed MPFR context: 113 bits, round toward zero, traps on NaN, 1/0 and overflow."""

_P = ParamSpec("_P")
_R = TypeVar("_R")

# The reference grammar (PROTOCOL.md §1.3): optional sign, ASCII digits with at most one '.',
# optional e/E exponent. Python's Decimal and MPFR accept more (whitespace, '_', 'inf').
_DEC_GRAMMAR = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?")


@contextmanager
def dec_context() -> Iterator[None]:
    """Install :data:`CONTEXT` for the enclosed block (re-entrant)."""
    with gmpy2.context(CONTEXT):
        yield


def with_dec_context(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` under :data:`CONTEXT` (for public entry points of consensus code)."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with gmpy2.context(CONTEXT):
            return func(*args, **kwargs)

    return wrapper


def dec(value: str | int | Dec) -> Dec:
    """Build a Dec from decimal text in the reference grammar, an ``int`` or a Dec.

    Floats are refused: a float already carries a binary rounding that the text never had.

    Raises
    ------
    InvalidDecError
        For text outside the grammar (including NaN and infinities) and for floats.
    """
    if isinstance(value, bool):
        raise InvalidDecError(f"a boolean is not a number: {value!r}")
    if isinstance(value, int):
        with gmpy2.context(CONTEXT):
            return mpfr(value)
    if isinstance(value, str):
        if not _DEC_GRAMMAR.fullmatch(value):
            raise InvalidDecError(
                f"not a finite decimal number: {value[:64]!r} (expected digits with an "
                "optional sign, one '.', and an optional e/E exponent)"
            )
        with gmpy2.context(CONTEXT):
            return mpfr(value)
    if isinstance(value, type(ZERO)):
        if not gmpy2.is_finite(value):
            raise InvalidDecError(f"not a finite number: {value}")
        return value
    raise InvalidDecError(f"cannot make a Dec from {type(value).__name__}: {value!r}")


def is_finite(value: Dec) -> bool:
    """True when ``value`` is neither NaN nor infinite."""
    return bool(gmpy2.is_finite(value))


def to_text(value: Dec, digits: int = TEXT_DIGITS) -> str:
    """Canonical decimal text: ``digits`` significant digits, trailing zeros removed.

    Deterministic (MPFR's binary-to-decimal conversion is correctly rounded). Plain
    positional notation for moderate exponents, scientific otherwise, like Python's ``g``.
    """
    if not gmpy2.is_finite(value):
        raise InvalidDecError(f"not a finite number: {value}")
    if value == 0:
        return "0"
    text: str = format(value, f".{digits}Zg")
    return text


def to_text17(value: Dec) -> str:
    """Text with 17 significant digits, rounded to nearest, for tables read as doubles.

    Not consensus text (:func:`to_text` is): rounding to nearest makes a value that came from
    a double read back as that same double.
    """
    if not gmpy2.is_finite(value):
        raise InvalidDecError(f"not a finite number: {value}")
    if value == 0:
        return "0"
    text: str = format(value, ".17Ng")
    return text


def exp(x: Dec) -> Dec:
    """e**x rounded toward zero."""
    result: Dec = gmpy2.exp(x)
    return result


def ln(x: Dec) -> Dec:
    """Natural logarithm rounded toward zero; raises for x <= 0."""
    if x <= 0:
        raise InvalidDecError(f"logarithm of a non-positive number: {x}")
    result: Dec = gmpy2.log(x)
    return result


def log10(x: Dec) -> Dec:
    """Base-10 logarithm rounded toward zero; raises for x <= 0."""
    if x <= 0:
        raise InvalidDecError(f"logarithm of a non-positive number: {x}")
    result: Dec = gmpy2.log10(x)
    return result


def sqrt(x: Dec) -> Dec:
    """Square root rounded toward zero; raises for x < 0."""
    if x < 0:
        raise InvalidDecError(f"square root of a negative number: {x}")
    result: Dec = gmpy2.sqrt(x)
    return result


def power(x: Dec, y: Dec) -> Dec:
    """x**y rounded toward zero (x > 0, or y integral)."""
    result: Dec = x**y
    return result


def softplus(x: Dec) -> Dec:
    """ln(1 + e**x) without overflow for large x (SYNTHESIS.md §20)."""
    if x > 40:
        result: Dec = x + gmpy2.log1p(gmpy2.exp(-x))
        return result
    result = gmpy2.log1p(gmpy2.exp(x))
    return result


def mul_floor(amount: int, fraction: Dec) -> int:
    """⌊amount × fraction⌋ as an int of base units, for 0 <= amount and a finite fraction.

    The product is formed exactly with integers from the fraction's binary mantissa, so no
    rounding happens before the floor.
    """
    if amount < 0:
        raise InvalidDecError(f"negative amount: {amount}")
    if not gmpy2.is_finite(fraction):
        raise InvalidDecError(f"not a finite number: {fraction}")
    mantissa, exponent = (int(part) for part in fraction.as_mantissa_exp())
    product = amount * mantissa
    if exponent >= 0:
        return product << exponent
    return product >> -exponent


def to_int_floor(value: Dec) -> int:
    """⌊value⌋ as an int."""
    mantissa, exponent = (int(part) for part in value.as_mantissa_exp())
    if exponent >= 0:
        return mantissa << exponent
    return mantissa >> -exponent


with gmpy2.context(CONTEXT):
    ZERO: Dec = mpfr(0)
    ONE: Dec = mpfr(1)
    TWO: Dec = mpfr(2)
    HALF: Dec = mpfr(1) / 2

gmpy2.set_context(gmpy2.context(CONTEXT))
