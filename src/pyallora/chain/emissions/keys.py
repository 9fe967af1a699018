"""Key and value codecs the emissions stores need beyond :mod:`pyallora.chain.store.collections`.

* :class:`TripleKey`, :class:`QuadKey`: tuple keys of three and four parts (the removal
  queues, placements and the one-in/one-out regrets of PROTOCOL.md §2.5, §2.9), encoded as the
  concatenation of self-delimiting parts so a leading part selects a contiguous range;
* :data:`UNIT_VALUE`: the empty value of set-like maps (membership = presence);
* :data:`DEC_VALUE`: a Dec stored as its exact decimal text (:func:`format_exact_dec`), so
  reading it back gives the same number (queries print the 34-digit canonical text);
* :data:`EXACT_DECIMAL_VALUE`: an exact rational (an accumulator of Decs) as its terminating
  decimal expansion;
* :data:`TOPIC_ID_LIST_VALUE`: an insertion-ordered list of topic ids (the slot lists of §2.3);
* :func:`iterate_range`: a map's pairs between two encoded key bounds (e.g. heights up to h).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any, Generic, TypeVar

from pyallora.chain.emissions.dec_text import dec_from_text, parse_dec_text
from pyallora.chain.store.collections import CodecError, JsonValue, KeyCodec, Map
from pyallora.chain.store.kv import ReadableKVStore, compute_prefix_end
from pyallora.core.dec import Dec, is_finite
from pyallora.core.dectext import MAX_EXPONENT, MIN_EXPONENT
from pyallora.core.errors import InvalidDecError

K1 = TypeVar("K1")
K2 = TypeVar("K2")
K3 = TypeVar("K3")
K4 = TypeVar("K4")
K = TypeVar("K")
V = TypeVar("V")


class TripleKey(Generic[K1, K2, K3]):
    """A ``(first, second, third)`` key: the three encodings concatenated."""

    __slots__ = ("first", "second", "third")

    def __init__(self, first: KeyCodec[K1], second: KeyCodec[K2], third: KeyCodec[K3]) -> None:
        self.first = first
        self.second = second
        self.third = third

    def encode(self, key: tuple[K1, K2, K3]) -> bytes:
        """The parts in order."""
        return self.first.encode(key[0]) + self.second.encode(key[1]) + self.third.encode(key[2])

    def decode(self, data: bytes, offset: int) -> tuple[tuple[K1, K2, K3], int]:
        """Three parts."""
        first, offset = self.first.decode(data, offset)
        second, offset = self.second.decode(data, offset)
        third, offset = self.third.decode(data, offset)
        return (first, second, third), offset

    def encode_prefix1(self, first: K1) -> bytes:
        """Bytes shared by every key with this first part."""
        return self.first.encode(first)

    def encode_prefix2(self, first: K1, second: K2) -> bytes:
        """Bytes shared by every key with these first two parts."""
        return self.first.encode(first) + self.second.encode(second)


class QuadKey(Generic[K1, K2, K3, K4]):
    """A ``(first, second, third, fourth)`` key: the four encodings concatenated."""

    __slots__ = ("first", "fourth", "second", "third")

    def __init__(
        self,
        first: KeyCodec[K1],
        second: KeyCodec[K2],
        third: KeyCodec[K3],
        fourth: KeyCodec[K4],
    ) -> None:
        self.first = first
        self.second = second
        self.third = third
        self.fourth = fourth

    def encode(self, key: tuple[K1, K2, K3, K4]) -> bytes:
        """The parts in order."""
        return (
            self.first.encode(key[0])
            + self.second.encode(key[1])
            + self.third.encode(key[2])
            + self.fourth.encode(key[3])
        )

    def decode(self, data: bytes, offset: int) -> tuple[tuple[K1, K2, K3, K4], int]:
        """Four parts."""
        first, offset = self.first.decode(data, offset)
        second, offset = self.second.decode(data, offset)
        third, offset = self.third.decode(data, offset)
        fourth, offset = self.fourth.decode(data, offset)
        return (first, second, third, fourth), offset

    def encode_prefix3(self, first: K1, second: K2, third: K3) -> bytes:
        """Bytes shared by every key with these first three parts."""
        return self.first.encode(first) + self.second.encode(second) + self.third.encode(third)


class UnitValue:
    """The empty value of a set-like map (presence is membership)."""

    __slots__ = ()

    def encode(self, value: None) -> bytes:
        """Nothing."""
        return b""

    def decode(self, data: bytes) -> None:
        """Nothing; refuses non-empty bytes (corrupt state)."""
        if data:
            raise CodecError("a set entry has a non-empty value")


def format_exact_dec(value: Dec) -> str:
    """The exact decimal text of a finite Dec (every binary fraction has one).

    Stored Decs use this form so that reading back gives the very same number: the
    34-digit canonical text (:func:`~pyallora.chain.emissions.dec_text.dec_to_field_text`,
    what queries print) rounds, and a stored value must not drift on every read and write.

    >>> from pyallora.core.dec import dec
    >>> format_exact_dec(dec("100")), format_exact_dec(dec("0.375")), format_exact_dec(dec(-2))
    ('100', '0.375', '-2')

    Raises
    ------
    CodecError
        If the value is not finite or its exponent is beyond the Dec grammar's limits.
    """
    if not is_finite(value):
        raise CodecError(f"cannot store a non-finite Dec: {value}")
    if value == 0:
        return "0"
    numerator, denominator = (int(part) for part in value.as_integer_ratio())
    twos = denominator.bit_length() - 1  # the denominator is a power of two
    scaled = abs(numerator) * 5**twos  # value = scaled / 10**twos
    digits = str(scaled)
    significant = digits.rstrip("0")
    exponent = len(digits) - len(significant) - twos
    sign = "-" if numerator < 0 else ""
    if exponent >= 0:
        return sign + significant + "0" * exponent
    # The positional text of significant·10^exponent (plain_dec_text of that Dec text),
    # within the Dec grammar's exponent limits.
    adjusted = exponent + len(significant) - 1
    if exponent < MIN_EXPONENT or not MIN_EXPONENT <= adjusted <= MAX_EXPONENT:
        raise CodecError(f"Dec {value} is too small to store: exponent {exponent}")
    point = len(significant) + exponent
    if point <= 0:
        return sign + "0." + "0" * -point + significant
    return sign + significant[:point] + "." + significant[point:]


def parse_exact_dec(text: str) -> Dec:
    """The Dec of a text written by :func:`format_exact_dec` (exact).

    Raises
    ------
    CodecError
        If the text is not a finite Dec.
    """
    try:
        return dec_from_text(text)
    except InvalidDecError as exc:
        raise CodecError(f"corrupt stored Dec {text[:40]!r}") from exc


class DecValue:
    """A finite Dec as its exact decimal text (:func:`format_exact_dec`)."""

    __slots__ = ()

    def encode(self, value: Dec) -> bytes:
        """Exact text."""
        return format_exact_dec(value).encode("ascii")

    def decode(self, data: bytes) -> Dec:
        """Parse the stored text."""
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise CodecError(f"corrupt stored Dec {data[:40]!r}") from exc
        return parse_exact_dec(text)


def to_fraction(value: Dec) -> Fraction:
    """The exact rational value of a finite Dec."""
    numerator, denominator = (int(part) for part in value.as_integer_ratio())
    return Fraction(numerator, denominator)


def format_exact_fraction(value: Fraction) -> str:
    """The exact decimal text of a rational with a terminating expansion (denominator 2^a·5^b).

    >>> format_exact_fraction(Fraction(3, 8)), format_exact_fraction(Fraction(-12))
    ('0.375', '-12')

    Raises
    ------
    CodecError
        If the expansion does not terminate.
    """
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise CodecError(f"{value} has no finite decimal expansion")
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    sign = "-" if value < 0 else ""
    if places == 0:
        return sign + str(scaled)
    digits = str(scaled).rjust(places + 1, "0")
    whole, fraction = digits[:-places], digits[-places:].rstrip("0")
    return sign + whole + ("." + fraction if fraction else "")


def parse_exact_fraction(text: str) -> Fraction:
    """The exact rational value of Dec text (``""`` is 0).

    Raises
    ------
    CodecError
        If the text is not a finite Dec.
    """
    try:
        parsed = parse_dec_text(text)
    except InvalidDecError as exc:
        raise CodecError(f"not a finite Dec: {text[:40]!r}") from exc
    if not parsed.is_finite():
        raise CodecError(f"not a finite Dec: {text[:40]!r}")
    return Fraction(parsed)


class ExactDecimalValue:
    """An exact rational with a terminating decimal expansion, as that expansion.

    For accumulators (the topic weight sum) that must not round on every update.
    """

    __slots__ = ()

    def encode(self, value: Fraction) -> bytes:
        """Exact decimal text."""
        return format_exact_fraction(value).encode("ascii")

    def decode(self, data: bytes) -> Fraction:
        """Parse the stored text."""
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise CodecError(f"corrupt stored decimal {data[:40]!r}") from exc
        return parse_exact_fraction(text)


def _topic_ids_to_json(value: tuple[int, ...]) -> list[int]:
    return list(value)


def _topic_ids_from_json(data: Any) -> tuple[int, ...]:
    if not isinstance(data, list) or not all(
        type(item) is int and 0 <= item < 1 << 64 for item in data
    ):
        raise CodecError("corrupt stored topic id list")
    return tuple(data)


UNIT_VALUE = UnitValue()
"""Shared :class:`UnitValue` instance."""

DEC_VALUE = DecValue()
"""Shared :class:`DecValue` instance."""

EXACT_DECIMAL_VALUE = ExactDecimalValue()
"""Shared :class:`ExactDecimalValue` instance."""

TOPIC_ID_LIST_VALUE: JsonValue[tuple[int, ...]] = JsonValue(
    _topic_ids_to_json, _topic_ids_from_json
)
"""A list of topic ids in insertion order, as a JSON array of integers."""


def iterate_range(
    table: Map[K, V],
    store: ReadableKVStore,
    start: bytes = b"",
    end: bytes | None = None,
    *,
    reverse: bool = False,
) -> Iterator[tuple[K, V]]:
    """``(key, value)`` pairs of ``table`` whose encoded key lies in ``[start, end)``.

    Parameters
    ----------
    table
        The map.
    store
        The store to read.
    start, end
        Encoded key bounds (without the table prefix); ``end=None`` runs to the table's end.
    reverse
        Descending order.
    """
    prefix = table.prefix
    low = prefix + start
    last = compute_prefix_end(prefix) if end is None else prefix + end
    for raw_key, raw_value in store.iterate(low, last, reverse=reverse):
        yield table.decode_key(raw_key), table.value_codec.decode(raw_value)
