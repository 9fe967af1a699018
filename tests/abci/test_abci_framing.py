"""Incremental ABCI frame reader and writer (abci/framing.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.abci.framing import FrameDecoder, FrameTooLargeError, FramingError, encode_frame
from pyallora.core.encoding import MAX_MESSAGE_LENGTH, encode_uvarint

messages_strategy = st.lists(st.binary(max_size=300), max_size=30)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """Cut ``data`` at the given positions (sorted, deduplicated, clipped)."""
    points = sorted({min(max(c, 0), len(data)) for c in cuts})
    pieces, start = [], 0
    for point in [*points, len(data)]:
        pieces.append(data[start:point])
        start = point
    return pieces


def test_encode_frame_is_uvarint_length_then_body() -> None:
    assert encode_frame(b"") == b"\x00"
    assert encode_frame(b"\x12\x00") == b"\x02\x12\x00"
    body = bytes(range(256)) * 2
    assert encode_frame(body) == b"\x80\x04" + body  # 512 = 0x80 0x04, unsigned (not zigzag)


def test_several_messages_in_one_read() -> None:
    decoder = FrameDecoder()
    stream = encode_frame(b"a") + encode_frame(b"") + encode_frame(b"bcd")
    assert decoder.feed(stream) == [b"a", b"", b"bcd"]
    assert decoder.pending == 0


def test_byte_by_byte_reads() -> None:
    decoder = FrameDecoder()
    body = b"x" * 200  # two-byte prefix
    out: list[bytes] = []
    for byte in encode_frame(body) + encode_frame(b"yz"):
        out.extend(decoder.feed(bytes([byte])))
    assert out == [body, b"yz"]


def test_partial_body_stays_buffered() -> None:
    decoder = FrameDecoder()
    frame = encode_frame(b"hello")
    assert decoder.feed(frame[:3]) == []
    assert decoder.pending == 3
    assert decoder.feed(frame[3:] + frame[:1]) == [b"hello"]
    assert decoder.pending == 1


@given(messages_strategy, st.lists(st.integers(min_value=0, max_value=20_000), max_size=40))
def test_any_split_of_the_stream_yields_the_same_messages(
    messages: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(encode_frame(m) for m in messages)
    decoder = FrameDecoder()
    out: list[bytes] = []
    for piece in split(stream, cuts):
        out.extend(decoder.feed(piece))
    assert out == messages
    assert decoder.pending == 0


def test_many_messages_cross_the_compaction_threshold() -> None:
    decoder = FrameDecoder()
    messages = [i.to_bytes(4, "big") * (i % 50) for i in range(5000)]
    stream = b"".join(encode_frame(m) for m in messages)
    out: list[bytes] = []
    step = 7919  # a prime, so reads end at every kind of position
    for start in range(0, len(stream), step):
        out.extend(decoder.feed(stream[start : start + step]))
    assert out == messages


def test_oversize_frame_is_refused_from_its_prefix() -> None:
    decoder = FrameDecoder(max_length=100)
    assert decoder.feed(encode_frame(b"z" * 100)) == [b"z" * 100]
    with pytest.raises(FrameTooLargeError) as info:
        decoder.feed(encode_uvarint(101))  # no body needed to refuse it
    assert (info.value.length, info.value.limit) == (101, 100)


def test_default_limit_is_max_int32() -> None:
    decoder = FrameDecoder()
    assert decoder.feed(encode_uvarint(MAX_MESSAGE_LENGTH)) == []  # waits for the body
    with pytest.raises(FrameTooLargeError):
        FrameDecoder().feed(encode_uvarint(MAX_MESSAGE_LENGTH + 1))


def test_invalid_prefix_is_a_framing_error() -> None:
    with pytest.raises(FramingError):
        FrameDecoder().feed(b"\x80" * 11)


def test_limit_must_be_in_range() -> None:
    with pytest.raises(ValueError):
        FrameDecoder(max_length=MAX_MESSAGE_LENGTH + 1)
