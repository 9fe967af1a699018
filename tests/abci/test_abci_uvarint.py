"""Unsigned varints (core/encoding.py): known values, properties, must-raise inputs."""

from __future__ import annotations

import pytest
from google.protobuf.internal import decoder as pb_decoder
from google.protobuf.internal import encoder as pb_encoder
from hypothesis import given
from hypothesis import strategies as st

from pyallora.core.encoding import (
    MAX_MESSAGE_LENGTH,
    MAX_UVARINT,
    OverlongVarintError,
    TruncatedVarintError,
    VarintError,
    VarintTooLargeError,
    decode_uvarint,
    encode_uvarint,
)

KNOWN = [
    (0, "00"),
    (1, "01"),
    (127, "7f"),
    (128, "8001"),
    (150, "9601"),  # the protobuf encoding guide's example
    (300, "ac02"),
    (16383, "ff7f"),
    (16384, "808001"),
    (MAX_MESSAGE_LENGTH, "ffffffff07"),
    (MAX_UVARINT, "ffffffffffffffffff01"),
]


@pytest.mark.parametrize(("value", "encoded"), KNOWN)
def test_known_encodings(value: int, encoded: str) -> None:
    assert encode_uvarint(value).hex() == encoded
    assert decode_uvarint(bytes.fromhex(encoded)) == (value, len(encoded) // 2)


@given(st.integers(min_value=0, max_value=MAX_UVARINT))
def test_round_trip(value: int) -> None:
    encoded = encode_uvarint(value)
    assert 1 <= len(encoded) <= 10
    assert decode_uvarint(encoded) == (value, len(encoded))


@given(st.integers(min_value=0, max_value=MAX_UVARINT))
def test_matches_the_protobuf_runtime(value: int) -> None:
    """Differential: the protobuf library's own varint codec agrees byte for byte."""
    encoded = encode_uvarint(value)
    assert encoded == pb_encoder._VarintBytes(value)
    assert pb_decoder._DecodeVarint(encoded, 0) == (value, len(encoded))


@given(
    st.binary(max_size=8),
    st.integers(min_value=0, max_value=MAX_UVARINT),
    st.binary(max_size=8),
)
def test_decodes_at_offset_and_ignores_what_follows(
    prefix: bytes, value: int, suffix: bytes
) -> None:
    data = prefix + encode_uvarint(value) + suffix
    assert decode_uvarint(data, len(prefix)) == (value, len(data) - len(suffix))


@given(st.integers(min_value=128, max_value=MAX_UVARINT))
def test_every_strict_prefix_is_truncated(value: int) -> None:
    encoded = encode_uvarint(value)
    for cut in range(len(encoded)):
        with pytest.raises(TruncatedVarintError):
            decode_uvarint(encoded[:cut])


def test_non_minimal_encoding_is_accepted_like_protobuf() -> None:
    assert decode_uvarint(b"\x80\x00") == (0, 2)
    assert decode_uvarint(b"\x81\x80\x00") == (1, 3)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff" * 9 + b"\x02",  # 10th byte carries a bit above 2^64
        b"\x80" * 10 + b"\x01",  # eleven bytes
        b"\xff" * 11,
    ],
)
def test_overlong_input_is_rejected(data: bytes) -> None:
    with pytest.raises(OverlongVarintError):
        decode_uvarint(data)


def test_limit_is_enforced() -> None:
    assert decode_uvarint(encode_uvarint(MAX_MESSAGE_LENGTH), limit=MAX_MESSAGE_LENGTH)[0] == (
        MAX_MESSAGE_LENGTH
    )
    with pytest.raises(VarintTooLargeError) as info:
        decode_uvarint(encode_uvarint(MAX_MESSAGE_LENGTH + 1), limit=MAX_MESSAGE_LENGTH)
    assert info.value.value == MAX_MESSAGE_LENGTH + 1
    assert info.value.limit == MAX_MESSAGE_LENGTH


@pytest.mark.parametrize("value", [-1, MAX_UVARINT + 1, -(2**70)])
def test_out_of_range_values_cannot_be_encoded(value: int) -> None:
    with pytest.raises(VarintError):
        encode_uvarint(value)


def test_empty_input_is_truncated() -> None:
    with pytest.raises(TruncatedVarintError):
        decode_uvarint(b"")
    with pytest.raises(TruncatedVarintError):
        decode_uvarint(b"\x01", 1)
