"""Unsigned varints (protobuf / LEB128 ``uvarint``): the ABCI length prefix and protobuf tags.

Implements INFRA.md §4.1: CometBFT v0.38 frames every ABCI message with an **unsigned** varint
byte length (not the zigzag-signed varint of v0.34), at most 2^31−1.

Seven bits per byte, least significant group first, the high bit set on every byte but the
last. Values are limited to 64 bits, so an encoding has at most ten bytes.

>>> encode_uvarint(300).hex()
'ac02'
>>> decode_uvarint(bytes.fromhex("ac02ff"))
(300, 2)
"""

from __future__ import annotations

from pyallora.core.errors import PyAlloraError

MAX_UVARINT = (1 << 64) - 1
"""Largest value a uvarint may carry (Go's ``binary.Uvarint`` limit)."""

MAX_UVARINT_BYTES = 10
"""Longest encoding of a 64-bit value: ``ceil(64 / 7)`` bytes."""

MAX_MESSAGE_LENGTH = (1 << 31) - 1
"""Largest ABCI message length CometBFT accepts (``math.MaxInt32``, INFRA.md §4.1)."""


class VarintError(PyAlloraError, ValueError):
    """A byte string is not a valid unsigned varint."""


class TruncatedVarintError(VarintError):
    """The input ends before the varint's last byte (every byte had its high bit set).

    In a stream this only means "wait for more bytes".
    """


class OverlongVarintError(VarintError):
    """The varint is longer than ten bytes or its value does not fit in 64 bits."""


class VarintTooLargeError(VarintError):
    """The varint decodes to a value above the caller's limit (e.g. a message length)."""

    def __init__(self, value: int, limit: int) -> None:
        super().__init__(f"varint value {value} exceeds the limit {limit}")
        self.value = value
        self.limit = limit


def encode_uvarint(value: int) -> bytes:
    """Encode a non-negative integer below 2^64 as an unsigned varint.

    Parameters
    ----------
    value
        The integer, ``0 <= value <= MAX_UVARINT``.

    Returns
    -------
    bytes
        One to ten bytes, the minimal encoding.

    Raises
    ------
    VarintError
        If ``value`` is negative or does not fit in 64 bits.

    >>> encode_uvarint(0), encode_uvarint(127), encode_uvarint(128)
    (b'\\x00', b'\\x7f', b'\\x80\\x01')
    """
    if value < 0 or value > MAX_UVARINT:
        raise VarintError(f"uvarint value out of range [0, 2^64): {value}")
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_uvarint(
    data: bytes | bytearray | memoryview, offset: int = 0, *, limit: int = MAX_UVARINT
) -> tuple[int, int]:
    """Decode the unsigned varint that starts at ``data[offset]``.

    Non-minimal encodings (``80 00``) are accepted, as protobuf and Go's ``binary.Uvarint`` do.

    Parameters
    ----------
    data
        The buffer.
    offset
        Where the varint starts.
    limit
        Largest acceptable value (``MAX_MESSAGE_LENGTH`` for an ABCI length prefix).

    Returns
    -------
    tuple[int, int]
        The value and the offset just after the varint.

    Raises
    ------
    TruncatedVarintError
        If ``data`` ends inside the varint.
    OverlongVarintError
        If the varint is longer than ten bytes or exceeds 64 bits.
    VarintTooLargeError
        If the value exceeds ``limit``.

    >>> decode_uvarint(b"\\x96\\x01")
    (150, 2)
    """
    value = 0
    shift = 0
    end = len(data)
    position = offset
    for index in range(MAX_UVARINT_BYTES):
        if position >= end:
            raise TruncatedVarintError(f"uvarint truncated after {index} byte(s)")
        byte = data[position]
        position += 1
        if index == MAX_UVARINT_BYTES - 1 and byte > 1:
            raise OverlongVarintError("uvarint overflows 64 bits")
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            if value > limit:
                raise VarintTooLargeError(value, limit)
            return value, position
        shift += 7
    raise OverlongVarintError(f"uvarint longer than {MAX_UVARINT_BYTES} bytes")
