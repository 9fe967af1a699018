"""Length-prefixed ABCI frames: an incremental reader and the writer.

Implements INFRA.md §4.1. Each message on an ABCI socket is an **unsigned** varint byte length
followed by that many bytes of a serialized ``tendermint.abci.Request`` (CometBFT → app) or
``Response`` (app → CometBFT). A socket read may end anywhere: inside the prefix, inside the
body, or after several whole messages. :class:`FrameDecoder` buffers the bytes and hands out
every complete message body, in order.
"""

from __future__ import annotations

from pyallora.core.encoding import (
    MAX_MESSAGE_LENGTH,
    OverlongVarintError,
    TruncatedVarintError,
    VarintTooLargeError,
    decode_uvarint,
    encode_uvarint,
)
from pyallora.core.errors import PyAlloraError

_COMPACT_THRESHOLD = 1 << 16
"""Consumed bytes kept at the buffer's head before it is compacted (amortises the copy)."""


class FramingError(PyAlloraError, ValueError):
    """The byte stream is not a sequence of valid ABCI frames; the connection is unusable."""


class FrameTooLargeError(FramingError):
    """A frame announces a body longer than the allowed maximum."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"ABCI frame of {length} bytes exceeds the limit of {limit} bytes")
        self.length = length
        self.limit = limit


def encode_frame(payload: bytes) -> bytes:
    """Prefix a serialized message with its unsigned varint length.

    Parameters
    ----------
    payload
        The serialized ``Request`` or ``Response``.

    Returns
    -------
    bytes
        ``uvarint(len(payload)) + payload``.

    Raises
    ------
    FrameTooLargeError
        If the payload is longer than ``MAX_MESSAGE_LENGTH``.

    >>> encode_frame(b"\\x12\\x00").hex()
    '021200'
    """
    if len(payload) > MAX_MESSAGE_LENGTH:
        raise FrameTooLargeError(len(payload), MAX_MESSAGE_LENGTH)
    return encode_uvarint(len(payload)) + payload


class FrameDecoder:
    """Incremental frame reader: :meth:`feed` bytes, receive complete message bodies.

    Parameters
    ----------
    max_length
        Largest accepted body length; longer frames raise :class:`FrameTooLargeError` as soon
        as their prefix is read (before the body is buffered).

    Examples
    --------
    >>> decoder = FrameDecoder()
    >>> decoder.feed(b"\\x02ab\\x01")
    [b'ab']
    >>> decoder.feed(b"c")
    [b'c']
    >>> decoder.pending
    0
    """

    __slots__ = ("_buffer", "_max_length", "_start")

    def __init__(self, *, max_length: int = MAX_MESSAGE_LENGTH) -> None:
        if not 0 <= max_length <= MAX_MESSAGE_LENGTH:
            raise ValueError(f"max_length must be in [0, {MAX_MESSAGE_LENGTH}]: {max_length}")
        self._buffer = bytearray()
        self._start = 0
        self._max_length = max_length

    @property
    def pending(self) -> int:
        """Number of buffered bytes that do not yet form a complete frame."""
        return len(self._buffer) - self._start

    def feed(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """Append ``data`` and return the bodies of all frames completed by it, in order.

        Parameters
        ----------
        data
            The next bytes read from the socket (possibly empty).

        Returns
        -------
        list[bytes]
            Zero or more complete message bodies; a trailing partial frame stays buffered.

        Raises
        ------
        FrameTooLargeError
            If a length prefix exceeds ``max_length``.
        FramingError
            If a length prefix is not a valid varint.
        """
        self._buffer += data
        messages: list[bytes] = []
        buffer = self._buffer
        start = self._start
        while start < len(buffer):
            try:
                length, body_start = decode_uvarint(buffer, start, limit=self._max_length)
            except TruncatedVarintError:
                break
            except VarintTooLargeError as exc:
                raise FrameTooLargeError(exc.value, self._max_length) from exc
            except OverlongVarintError as exc:
                raise FramingError(f"invalid frame length prefix: {exc}") from exc
            body_end = body_start + length
            if body_end > len(buffer):
                break
            messages.append(bytes(buffer[body_start:body_end]))
            start = body_end
        if start == len(buffer):
            buffer.clear()
            start = 0
        elif start >= _COMPACT_THRESHOLD:
            del buffer[:start]
            start = 0
        self._start = start
        return messages
