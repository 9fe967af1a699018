"""The stored form of a topic's regrets: one record per (regret family, topic) (PROTOCOL.md §2.9).

PROTOCOL.md §2.9 fixes what is stored (eight maps of ``TimestampedValue {block_height, value}``
keyed by one or two participants), not the bytes. A loss round (§5.6) rewrites almost every
regret of its topic, and the engine reads all of them back at the next one, so pyallora keeps
each family of a topic in a single record, with the Dec's exact binary value instead of
decimal text:

* :func:`encode_regret` / :func:`decode_regret`: one ``(height, value)`` as
  :data:`REGRET_SIZE` bytes, ``int64 height ‖ int128 mantissa ‖ int32 exponent`` (big-endian,
  two's complement) with value = mantissa · 2^exponent exactly and the mantissa odd (so one
  value has one encoding, whatever the precision of the ``mpfr`` it came from); zero is
  mantissa 0 with exponent 0, and -0 mantissa 0 with exponent 1. Decoding gives back the very
  same number (sign of zero included): nothing drifts between rounds, and the canonical
  34-digit text the queries print is a function of that number.
* :class:`RegretTableValue`: the record of one family in one topic, a table
  ``key → encoded regret`` (a key is a tuple of one or two participant ids, the table's
  *arity*)::

      version (1 byte, 1) ‖ arity (1 byte)
      ‖ A (uint32) ‖ A × (length (uint32) ‖ UTF-8 id)          ids, strictly ascending
      ‖ N (uint32) ‖ N × (arity × id index (uint32) ‖ regret)  keys, strictly ascending

  Ids ascend by UTF-8 bytes (the order of the store's address keys, and of Python strings),
  so the entries come in the order the reference iterates its maps (decoding trusts the
  order it was written in). The table holds the encoded regrets; values are decoded when
  asked (:func:`decode_regret`, :func:`decode_regret_values`), memoised by their bytes, and
  encoding records what its bytes decode to, so the next loss round of a topic reads back
  what the last one wrote without converting it again.

Every function here is a pure function of its arguments.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from typing import Any, Final

import gmpy2

from pyallora.chain.store.collections import CodecError
from pyallora.chain.store.memo import MemoTable
from pyallora.core.dec import CONTEXT, PRECISION_BITS, Dec

FORMAT_VERSION: Final = 1
"""First byte of every regret table record."""

REGRET_SIZE: Final = 28
"""Bytes of one encoded ``(height, value)``."""

RegretKey = tuple[str, ...]
"""A table key: ``(participant,)`` or ``(first, second)``."""

_HEIGHT: Final = struct.Struct(">q")
_VALUE: Final = struct.Struct(">16si")
_POSITIVE_ZERO: Final = _VALUE.pack(bytes(16), 0)
_NEGATIVE_ZERO: Final = _VALUE.pack(bytes(16), 1)
_U32: Final = struct.Struct(">I")
_HEADER: Final = struct.Struct(">BBI")
_ENTRY_SHAPES: Final = {1: struct.Struct(">I28s"), 2: struct.Struct(">II28s")}
_MANTISSA_LIMIT: Final = 1 << PRECISION_BITS
_INT32_LIMIT: Final = 1 << 31
_POWER_RANGE: Final = 4096
_MPFR: Final = gmpy2.mpfr
_TYPE: Final = type(_MPFR(0))


# ---------------------------------------------------------------------------------------------
# One regret


def encode_regret(height: int, value: Dec) -> bytes:
    """The :data:`REGRET_SIZE` bytes of a regret (module docstring).

    >>> from pyallora.core.dec import dec
    >>> encode_regret(7, dec("-0.375")).hex()
    '0000000000000007fffffffffffffffffffffffffffffffdfffffffd'

    Raises
    ------
    CodecError
        If the value is not a finite Dec of at most :data:`PRECISION_BITS` significant bits,
        or the height is not an int64.
    """
    return encode_regrets(height, (value,))[0]


def encode_regrets(height: int, values: Iterable[Dec]) -> list[bytes]:
    """:func:`encode_regret` of each value, all with the same height (the loss round's bulk
    write).

    Raises
    ------
    CodecError
        As :func:`encode_regret`.
    """
    try:
        prefix = _HEIGHT.pack(height)
    except struct.error as exc:
        raise CodecError(f"regret height out of range: {height}") from exc
    pack = _VALUE.pack
    remember = _DECODED.remember
    is_finite = gmpy2.is_finite
    out: list[bytes] = []
    for value in values:
        if type(value) is not _TYPE or not is_finite(value):
            raise CodecError(f"a stored regret must be a finite Dec, got {value!r:.60}")
        if value:
            # gmpy2 integers (mpz): their methods are not in the stubs.
            parts: tuple[Any, Any] = value.as_mantissa_exp()
            mantissa, exponent = parts
            zeros = mantissa.bit_scan1()
            mantissa >>= zeros
            exponent += zeros
            if not -_MANTISSA_LIMIT < mantissa < _MANTISSA_LIMIT:
                raise CodecError(f"regret {value} has more than {PRECISION_BITS} significant bits")
            if not -_INT32_LIMIT <= exponent < _INT32_LIMIT:
                raise CodecError(f"regret {value} is out of range")
            encoded = pack(mantissa.to_bytes(16, "big", signed=True), exponent)
        else:
            encoded = _NEGATIVE_ZERO if str(value).startswith("-") else _POSITIVE_ZERO
        if value.precision == PRECISION_BITS:
            # Exactly what decoding these bytes gives back.
            remember(encoded, value)
        out.append(prefix + encoded)
    return out


def _power_of_two(exponent: int) -> Dec:
    """2^exponent under :data:`~pyallora.core.dec.CONTEXT` (exact; |exponent| ≤ 1,000,000)."""
    return _POWERS.get_or_compute(exponent, _compute_power)


def _compute_power(exponent: int) -> Dec:
    with gmpy2.context(CONTEXT):
        return _MPFR(2) ** exponent


def _decode_value(data: bytes) -> Dec:
    mantissa_bytes, exponent = _VALUE.unpack(data)
    mantissa = int.from_bytes(mantissa_bytes, "big", signed=True)
    if mantissa == 0:
        if exponent not in (0, 1):
            raise CodecError("corrupt stored regret: bad zero")
        with gmpy2.context(CONTEXT):
            return -_MPFR(0) if exponent else _MPFR(0)
    if not mantissa & 1 or not -_MANTISSA_LIMIT < mantissa < _MANTISSA_LIMIT:
        raise CodecError("corrupt stored regret: mantissa not canonical")
    with gmpy2.context(CONTEXT):
        # The odd mantissa has at most 113 bits, so its conversion is exact, and so are the
        # products by powers of two as long as every factor and result is in the context's
        # exponent range: a large |exponent| goes through the mantissa scaled into [1/2, 1).
        if -_POWER_RANGE <= exponent <= _POWER_RANGE:
            value = _MPFR(mantissa) * _power_of_two(exponent)
        else:
            bits = mantissa.bit_length()
            value = _MPFR(mantissa) * _power_of_two(-bits) * (_MPFR(2) ** (exponent + bits))
    if not gmpy2.is_finite(value) or value == 0:
        raise CodecError("corrupt stored regret: value out of range")
    return value


def decode_regret(data: bytes) -> tuple[int, Dec]:
    """``(height, value)`` of :data:`REGRET_SIZE` encoded bytes (exact; memoised).

    >>> from pyallora.core.dec import dec
    >>> decode_regret(encode_regret(7, dec("-0.375"))) == (7, dec("-0.375"))
    True

    Raises
    ------
    CodecError
        If the bytes are not an encoding written by :func:`encode_regret`.
    """
    if len(data) != REGRET_SIZE:
        raise CodecError(f"corrupt stored regret: {len(data)} bytes")
    height = int.from_bytes(data[:8], "big", signed=True)
    return height, _DECODED.get_or_compute(data[8:], _decode_value)


def decode_regret_values(table: Mapping[RegretKey, bytes]) -> list[tuple[RegretKey, Dec]]:
    """``(key, value)`` of every regret of a table, in its order (heights left out).

    Raises
    ------
    CodecError
        As :func:`decode_regret`.
    """
    get = _DECODED.get_or_compute
    out: list[tuple[RegretKey, Dec]] = []
    for key, data in table.items():
        if len(data) != REGRET_SIZE:
            raise CodecError(f"corrupt stored regret: {len(data)} bytes")
        out.append((key, get(data[8:], _decode_value)))
    return out


_POWERS: Final[MemoTable[int, Dec]] = MemoTable(2 * _POWER_RANGE + 1)
# Values only (bytes → mpfr): a dict of untracked objects that the garbage collector skips.
_DECODED: Final[MemoTable[bytes, Dec]] = MemoTable(1 << 17)


# ---------------------------------------------------------------------------------------------
# A family's table in one topic


class RegretTableValue:
    """Value codec of a regret table: ``{key: encoded regret}`` (module docstring).

    Parameters
    ----------
    arity
        Participants per key (1 or 2).
    """

    __slots__ = ("_entry", "arity")

    def __init__(self, arity: int) -> None:
        if arity not in _ENTRY_SHAPES:
            raise ValueError(f"regret tables have keys of 1 or 2 participants, not {arity}")
        self.arity = arity
        self._entry = _ENTRY_SHAPES[arity]

    def encode(self, table: Mapping[RegretKey, bytes]) -> bytes:
        """The record of ``table`` (keys of :attr:`arity` ids, values of
        :data:`REGRET_SIZE` bytes).

        Raises
        ------
        CodecError
            If a key has the wrong arity or a value the wrong size.
        """
        arity = self.arity
        ids: set[str] = set()
        for key in table:
            if len(key) != arity:
                raise CodecError(f"regret key {key!r:.100} has not {arity} participant(s)")
            ids.update(key)
        names = sorted(ids)
        index = {name: position for position, name in enumerate(names)}
        parts = [_HEADER.pack(FORMAT_VERSION, arity, len(names))]
        for name in names:
            encoded = name.encode("utf-8")
            parts.append(_U32.pack(len(encoded)))
            parts.append(encoded)
        parts.append(_U32.pack(len(table)))
        pack = self._entry.pack
        entries = sorted(table.items())
        if any(len(raw) != REGRET_SIZE for _, raw in entries):
            raise CodecError("a regret table value must be an encoded regret")
        if arity == 1:
            parts.extend(pack(index[first], raw) for (first,), raw in entries)
        else:
            parts.extend(pack(index[first], index[second], raw) for (first, second), raw in entries)
        return b"".join(parts)

    def decode(self, data: bytes) -> dict[RegretKey, bytes]:
        """The table of a record, in key order.

        Raises
        ------
        CodecError
            If the bytes are not a record of this arity.
        """
        try:
            version, arity, count = _HEADER.unpack_from(data, 0)
            if version != FORMAT_VERSION or arity != self.arity:
                raise CodecError(f"not a regret table of arity {self.arity}")
            offset = _HEADER.size
            names: list[str] = []
            for _ in range(count):
                (length,) = _U32.unpack_from(data, offset)
                offset += 4
                end = offset + length
                if end > len(data):
                    raise CodecError("corrupt regret table: truncated id")
                names.append(data[offset:end].decode("utf-8"))
                offset = end
            (entries,) = _U32.unpack_from(data, offset)
            offset += 4
            body = memoryview(data)[offset:]
            if len(body) != entries * self._entry.size:
                raise CodecError("corrupt regret table: wrong length")
            if arity == 1:
                return {(names[first],): raw for first, raw in self._entry.iter_unpack(body)}
            return {
                (names[first], names[second]): raw
                for first, second, raw in self._entry.iter_unpack(body)
            }
        except (struct.error, IndexError, UnicodeDecodeError) as exc:
            raise CodecError(f"corrupt regret table: {exc}") from exc


SINGLE_REGRET_TABLE: Final = RegretTableValue(1)
"""Codec of the families keyed by one participant."""

PAIR_REGRET_TABLE: Final = RegretTableValue(2)
"""Codec of the families keyed by two participants."""
