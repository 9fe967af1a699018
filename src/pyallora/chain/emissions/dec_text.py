"""Dec fields of emissions messages: grammar checks, NaN, canonical text, engine values.

Implements PROTOCOL.md §1.3 for the chain: every Dec-typed protobuf field (a ``string`` on
the wire) is text in the reference grammar; the exact token ``NaN`` is the chain's NaN,
recognised here and rejected by every validator that stores data (sdk invalid-type 29 in
§3.14-§3.15, raised by the message validators, not here); the empty string is zero.

The grammar, the canonical protobuf text and the positional (JSON) text live in
:mod:`pyallora.core.dectext`, shared with clients; this module adds what only the chain
needs: the conversion of wire text to the engine's number type (:func:`dec_from_text`, via
:func:`pyallora.core.dec.dec`) and back (:func:`dec_to_field_text`).

A text outside the grammar makes the reference unable to decode the whole transaction;
callers decoding messages turn :class:`~pyallora.core.errors.InvalidDecError` into a tx
decode error.

>>> is_finite_dec_text("1e-07"), is_finite_dec_text("NaN"), is_finite_dec_text("1 ")
(True, False, False)
>>> canonical_dec_text("1e-07")
'1E-7'
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.store.memo import MemoTable
from pyallora.core.dec import ZERO, Dec, dec, to_text
from pyallora.core.dectext import (
    NAN_TEXT,
    canonical_dec_text,
    format_dec_text,
    is_dec_text,
    parse_dec_text,
    plain_dec_text,
)
from pyallora.core.errors import InvalidDecError

__all__ = [
    "NAN_TEXT",
    "canonical_dec_text",
    "dec_from_text",
    "dec_to_field_text",
    "is_dec_text",
    "is_finite_dec_text",
    "is_nan_dec_text",
    "parse_dec_text",
    "plain_dec_text",
    "validate_dec_text",
    "validate_finite_dec_text",
]


def validate_dec_text(text: str) -> None:
    """Check that ``text`` is in the Dec grammar (finite, ``""`` or ``"NaN"``).

    Raises
    ------
    InvalidDecError
        If it is not (whitespace, ``_``, non-ASCII digits, infinities, other NaN
        spellings, exponents beyond ±100,000 ...): the reference cannot decode it.
    """
    parse_dec_text(text)


def is_nan_dec_text(text: str) -> bool:
    """Whether ``text`` is the chain's NaN (exactly ``"NaN"``)."""
    return text == NAN_TEXT


def is_finite_dec_text(text: str) -> bool:
    """Whether ``text`` is in the grammar and not NaN (the empty string is zero: finite)."""
    return not is_nan_dec_text(text) and is_dec_text(text)


def validate_finite_dec_text(text: str) -> None:
    """Check that ``text`` is a finite Dec.

    Raises
    ------
    InvalidDecError
        If it is NaN or outside the grammar.
    """
    validate_dec_text(text)
    if is_nan_dec_text(text):
        raise InvalidDecError("NaN is not permitted here")


def dec_from_text(text: str) -> Dec:
    """The engine value of a finite Dec field (``""`` is zero).

    The value is the correctly rounded engine number of the exact decimal the text denotes
    (see :mod:`pyallora.core.dec`); the text's exponent (trailing zeros) does not matter.

    Raises
    ------
    InvalidDecError
        If the text is NaN or outside the grammar.

    Examples
    --------
    >>> from pyallora.core.dec import to_text
    >>> to_text(dec_from_text("-3.25")), to_text(dec_from_text(""))
    ('-3.25', '0')
    """
    if not isinstance(text, str):
        validate_finite_dec_text(text)
    return _FROM_TEXT.get_or_compute(text, _compute_dec_from_text)


def _compute_dec_from_text(text: str) -> Dec:
    """Uncached body of :func:`dec_from_text` (``mpfr`` values are immutable).

    A pure function of the text: :func:`~pyallora.core.dec.dec` converts under
    :data:`~pyallora.core.dec.CONTEXT`, never the caller's context.
    """
    parsed = parse_dec_text(text)  # the grammar check of validate_finite_dec_text
    if is_nan_dec_text(text):
        raise InvalidDecError("NaN is not permitted here")
    if text == "":
        return ZERO
    # format_dec_text(parse_dec_text(text)) is canonical_dec_text(text), parsed once.
    return dec(format_dec_text(parsed))


def dec_to_field_text(value: Dec) -> str:
    """The canonical protobuf text of an engine value (34 significant digits).

    What the chain writes into a Dec field it produces itself (scores, weights, network
    values), in the same canonical form it re-prints for received fields.

    Raises
    ------
    InvalidDecError
        If the value is not finite.

    Examples
    --------
    >>> dec_to_field_text(dec_from_text("55000.0")), dec_to_field_text(dec_from_text("1E+40"))
    ('55000.0', '1E+40')
    """
    if type(value) is not _DEC_TYPE:
        return _compute_field_text(value)
    return _FIELD_TEXT.get_or_compute(value, _compute_field_text)


def _compute_field_text(value: Dec) -> str:
    """Uncached body of :func:`dec_to_field_text`.

    Memoised by the (immutable) ``mpfr`` value only: equal values (``0`` and ``-0``
    included) print the same text, since :func:`~pyallora.core.dec.to_text` depends on the
    value only; other argument types are never memoised. Non-finite values raise on every
    call (exceptions are not memoised; NaN never equals a key).
    """
    return canonical_dec_text(to_text(value))


# Dicts of strings and mpfr values only: the garbage collector never traverses them (an
# lru_cache keeps a linked list of tracked nodes, which it would).
_FROM_TEXT: Final[MemoTable[str, Dec]] = MemoTable(1 << 16)
_FIELD_TEXT: Final[MemoTable[Dec, str]] = MemoTable(1 << 16)
_DEC_TYPE: Final = type(ZERO)
