"""Typed collections over a :class:`~pyallora.chain.store.kv.KVStore` (STYLE.md §2).

A collection is a constant built from a :class:`~pyallora.chain.store.schema.StorePrefix`
and codecs; it holds no state and takes the store as the first argument of every call, so a
module's ``state.py`` is a list of ``get_``/``set_`` functions over module-level constants::

    BALANCES = Map(schema.BANK_BALANCES, ADDRESS_KEY, INT_VALUE)
    def get_balance(store, address): return BALANCES.get(store, address) or 0

* :class:`Item` — a single value under the table prefix;
* :class:`Map` — values by key, iterated in the *encoded* key order, which the key codecs make
  the natural order (unsigned integers numerically, strings and addresses by byte order:
  PROTOCOL.md §10 "Determinism").

Key codecs are self-delimiting (fixed width, or terminated), so tuple keys are the
concatenation of their parts and a prefix of the parts selects a contiguous range.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from pyallora.chain.store.kv import KVStore, ReadableKVStore, compute_prefix_end
from pyallora.chain.store.schema import StorePrefix
from pyallora.core.errors import PyAlloraError

K = TypeVar("K")
V = TypeVar("V")
K1 = TypeVar("K1")
K2 = TypeVar("K2")


class CodecError(PyAlloraError, ValueError):
    """A value cannot be encoded, or stored bytes cannot be decoded (corrupt state is a bug)."""


class KeyEncodingError(CodecError):
    """A key part has no store encoding: a string with a NUL, an integer out of range, bytes
    too long.

    Raised only while *encoding* a key, before any store access, so it says nothing about the
    state: in a query or a message it means the request named something that cannot exist
    (the application answers ``InvalidRequest``, :mod:`pyallora.chain.app`). Decoding corrupt
    stored keys raises the plain :class:`CodecError`.
    """


class KeyCodec(Protocol[K]):
    """Order-preserving, self-delimiting encoding of a key part."""

    def encode(self, key: K) -> bytes:
        """The key's bytes."""
        ...

    def decode(self, data: bytes, offset: int) -> tuple[K, int]:
        """Decode one key starting at ``offset``; return it and the offset after it."""
        ...


class ValueCodec(Protocol[V]):
    """Encoding of a stored value."""

    def encode(self, value: V) -> bytes:
        """The value's bytes."""
        ...

    def decode(self, data: bytes) -> V:
        """The value of stored bytes."""
        ...


# ---------------------------------------------------------------------------------------------
# Key codecs


class Uint64Key:
    """Unsigned 64-bit integer, 8 bytes big-endian (numeric order)."""

    __slots__ = ()

    def encode(self, key: int) -> bytes:
        """8 big-endian bytes."""
        if not 0 <= key < 1 << 64:
            raise KeyEncodingError(f"uint64 key out of range: {key}")
        return key.to_bytes(8, "big")

    def decode(self, data: bytes, offset: int) -> tuple[int, int]:
        """Read 8 bytes."""
        end = offset + 8
        if end > len(data):
            raise CodecError("truncated uint64 key")
        return int.from_bytes(data[offset:end], "big"), end


class Int64Key:
    """Signed 64-bit integer (heights), 8 bytes big-endian with the sign bit flipped."""

    __slots__ = ()

    def encode(self, key: int) -> bytes:
        """8 bytes; negative values sort before non-negative ones."""
        if not -(1 << 63) <= key < 1 << 63:
            raise KeyEncodingError(f"int64 key out of range: {key}")
        return (key + (1 << 63)).to_bytes(8, "big")

    def decode(self, data: bytes, offset: int) -> tuple[int, int]:
        """Read 8 bytes."""
        end = offset + 8
        if end > len(data):
            raise CodecError("truncated int64 key")
        return int.from_bytes(data[offset:end], "big") - (1 << 63), end


class StrKey:
    """UTF-8 text terminated by ``0x00`` (byte order; the text must not contain NUL).

    Addresses use this codec: bech32 text is lower-case ASCII, and all ``allo1…`` account
    addresses of one kind have the same length, so byte order is the reference's order.
    """

    __slots__ = ()

    def encode(self, key: str) -> bytes:
        """UTF-8 bytes and a NUL."""
        try:
            data = key.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise KeyEncodingError(f"string key is not valid UTF-8: {exc.reason}") from exc
        if b"\x00" in data:
            raise KeyEncodingError("string keys must not contain NUL")
        return data + b"\x00"

    def decode(self, data: bytes, offset: int) -> tuple[str, int]:
        """Read up to the NUL."""
        end = data.find(b"\x00", offset)
        if end < 0:
            raise CodecError("unterminated string key")
        return data[offset:end].decode("utf-8"), end + 1


class BytesKey:
    """Bytes with a one-byte length prefix (at most 255 bytes; shorter keys sort first)."""

    __slots__ = ()

    def encode(self, key: bytes) -> bytes:
        """Length byte and the bytes."""
        if len(key) > 255:
            raise KeyEncodingError("bytes keys are limited to 255 bytes")
        return bytes((len(key),)) + key

    def decode(self, data: bytes, offset: int) -> tuple[bytes, int]:
        """Read the length, then the bytes."""
        if offset >= len(data):
            raise CodecError("truncated bytes key")
        end = offset + 1 + data[offset]
        if end > len(data):
            raise CodecError("truncated bytes key")
        return data[offset + 1 : end], end


class PairKey(Generic[K1, K2]):
    """A ``(first, second)`` key: the two encodings concatenated (ordered by first, then second).

    :meth:`Map.iterate` with ``prefix=(first,)`` selects every pair with that first part.
    """

    __slots__ = ("first", "second")

    def __init__(self, first: KeyCodec[K1], second: KeyCodec[K2]) -> None:
        self.first = first
        self.second = second

    def encode(self, key: tuple[K1, K2]) -> bytes:
        """First part, then second part."""
        return self.first.encode(key[0]) + self.second.encode(key[1])

    def decode(self, data: bytes, offset: int) -> tuple[tuple[K1, K2], int]:
        """Both parts."""
        first, offset = self.first.decode(data, offset)
        second, offset = self.second.decode(data, offset)
        return (first, second), offset

    def encode_prefix(self, first: K1) -> bytes:
        """The bytes every key with this first part starts with."""
        return self.first.encode(first)


UINT64_KEY = Uint64Key()
"""Shared :class:`Uint64Key` instance."""

INT64_KEY = Int64Key()
"""Shared :class:`Int64Key` instance."""

STR_KEY = StrKey()
"""Shared :class:`StrKey` instance."""

ADDRESS_KEY = StrKey()
"""Addresses are keyed by their bech32 text (see :class:`StrKey`)."""

BYTES_KEY = BytesKey()
"""Shared :class:`BytesKey` instance."""


# ---------------------------------------------------------------------------------------------
# Value codecs


class IntValue:
    """A non-negative integer as decimal ASCII text (the Cosmos ``Int`` store form)."""

    __slots__ = ()

    def encode(self, value: int) -> bytes:
        """Decimal text."""
        if type(value) is not int or value < 0:
            raise CodecError(f"stored integers are non-negative ints, got {value!r:.40}")
        return str(value).encode("ascii")

    def decode(self, data: bytes) -> int:
        """Parse the decimal text."""
        if not data.isdigit():
            raise CodecError(f"corrupt stored integer {data[:40]!r}")
        return int(data)


class StrValue:
    """UTF-8 text."""

    __slots__ = ()

    def encode(self, value: str) -> bytes:
        """UTF-8 bytes."""
        return value.encode("utf-8")

    def decode(self, data: bytes) -> str:
        """UTF-8 text."""
        return data.decode("utf-8")


class BytesValue:
    """Raw bytes."""

    __slots__ = ()

    def encode(self, value: bytes) -> bytes:
        """Unchanged."""
        return bytes(value)

    def decode(self, data: bytes) -> bytes:
        """Unchanged."""
        return data


class JsonValue(Generic[V]):
    """A value as canonical JSON (sorted keys, no spaces, no floats) via two converters.

    Parameters
    ----------
    to_json
        Value → JSON-able object (ints, strings, bools, None, lists, dicts).
    from_json
        The inverse.
    """

    __slots__ = ("_from_json", "_to_json")

    def __init__(self, to_json: Callable[[V], Any], from_json: Callable[[Any], V]) -> None:
        self._to_json = to_json
        self._from_json = from_json

    def encode(self, value: V) -> bytes:
        """Canonical JSON bytes."""
        return encode_canonical_json(self._to_json(value))

    def decode(self, data: bytes) -> V:
        """Parse and convert."""
        return self._from_json(decode_json(data))


class ProtoValue(Generic[V]):
    """A protobuf message, serialized deterministically.

    Parameters
    ----------
    message_type
        The generated message class.
    """

    __slots__ = ("_type",)

    def __init__(self, message_type: type[V]) -> None:
        self._type = message_type

    def encode(self, value: V) -> bytes:
        """Deterministic serialization."""
        data: bytes = value.SerializeToString(deterministic=True)  # type: ignore[attr-defined]
        return data

    def decode(self, data: bytes) -> V:
        """Parse."""
        message = self._type()
        message.ParseFromString(data)  # type: ignore[attr-defined]
        return message


INT_VALUE = IntValue()
"""Shared :class:`IntValue` instance."""

STR_VALUE = StrValue()
"""Shared :class:`StrValue` instance."""

BYTES_VALUE = BytesValue()
"""Shared :class:`BytesValue` instance."""


def _reject_float(text: str) -> Any:
    raise CodecError(f"floating-point numbers are not allowed in consensus JSON: {text}")


def decode_json(data: bytes | str) -> Any:
    """Parse JSON, refusing floating-point numbers (consensus code never sees a float).

    Raises
    ------
    CodecError
        If the text is not JSON or contains a number with a fraction or exponent.
    """
    try:
        return json.loads(data, parse_float=_reject_float, parse_constant=_reject_float)
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, CodecError):
            raise
        raise CodecError(f"invalid JSON: {exc}") from exc


def encode_canonical_json(value: Any) -> bytes:
    """Compact JSON with sorted keys, UTF-8, no NaN (the stored and hashed form).

    >>> encode_canonical_json({"b": 1, "a": [True, None, "x"]})
    b'{"a":[true,null,"x"],"b":1}'
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Collections


class Item(Generic[V]):
    """One value stored under the table prefix itself."""

    __slots__ = ("codec", "prefix")

    def __init__(self, table: StorePrefix, codec: ValueCodec[V]) -> None:
        self.prefix = table.prefix
        self.codec = codec

    def get(self, store: ReadableKVStore) -> V | None:
        """The value, or ``None`` when unset."""
        data = store.get(self.prefix)
        return None if data is None else self.codec.decode(data)

    def get_or(self, store: ReadableKVStore, default: V) -> V:
        """The value, or ``default`` when unset."""
        data = store.get(self.prefix)
        return default if data is None else self.codec.decode(data)

    def set(self, store: KVStore, value: V) -> None:
        """Store the value."""
        store.set(self.prefix, self.codec.encode(value))

    def delete(self, store: KVStore) -> None:
        """Remove the value."""
        store.delete(self.prefix)


class Map(Generic[K, V]):
    """Values by key under the table prefix, iterated in key order."""

    __slots__ = ("key_codec", "prefix", "value_codec")

    def __init__(
        self, table: StorePrefix, key_codec: KeyCodec[K], value_codec: ValueCodec[V]
    ) -> None:
        self.prefix = table.prefix
        self.key_codec = key_codec
        self.value_codec = value_codec

    def encode_key(self, key: K) -> bytes:
        """The full store key of ``key``."""
        return self.prefix + self.key_codec.encode(key)

    def decode_key(self, raw: bytes) -> K:
        """The key of a full store key of this map.

        Raises
        ------
        CodecError
            If the bytes are not a key of this map.
        """
        if not raw.startswith(self.prefix):
            raise CodecError("key does not belong to this map")
        key, end = self.key_codec.decode(raw, len(self.prefix))
        if end != len(raw):
            raise CodecError("trailing bytes after map key")
        return key

    def get(self, store: ReadableKVStore, key: K) -> V | None:
        """The value under ``key``, or ``None``."""
        data = store.get(self.prefix + self.key_codec.encode(key))
        return None if data is None else self.value_codec.decode(data)

    def has(self, store: ReadableKVStore, key: K) -> bool:
        """Whether ``key`` is present."""
        return store.has(self.prefix + self.key_codec.encode(key))

    def set(self, store: KVStore, key: K, value: V) -> None:
        """Store ``value`` under ``key``."""
        store.set(self.prefix + self.key_codec.encode(key), self.value_codec.encode(value))

    def delete(self, store: KVStore, key: K) -> None:
        """Remove ``key``."""
        store.delete(self.prefix + self.key_codec.encode(key))

    def iterate(
        self, store: ReadableKVStore, *, key_prefix: bytes = b"", reverse: bool = False
    ) -> Iterator[tuple[K, V]]:
        """``(key, value)`` pairs in key order.

        Parameters
        ----------
        store
            The store to read.
        key_prefix
            Encoded leading key parts (e.g. ``PairKey.encode_prefix(first)``) to restrict to.
        reverse
            Descending order.
        """
        start = self.prefix + key_prefix
        decode_key = self.key_codec.decode
        decode_value = self.value_codec.decode
        offset = len(self.prefix)
        for raw_key, raw_value in store.iterate(start, compute_prefix_end(start), reverse=reverse):
            key, _ = decode_key(raw_key, offset)
            yield key, decode_value(raw_value)

    def iterate_raw_values(
        self, store: ReadableKVStore, *, key_prefix: bytes = b""
    ) -> Iterator[tuple[K, bytes]]:
        """``(key, stored bytes)`` pairs in key order: :meth:`iterate` without the value
        decode, for callers that memoise the decode of immutable bytes."""
        start = self.prefix + key_prefix
        decode_key = self.key_codec.decode
        offset = len(self.prefix)
        for raw_key, raw_value in store.iterate(start, compute_prefix_end(start)):
            key, _ = decode_key(raw_key, offset)
            yield key, raw_value

    def keys(self, store: ReadableKVStore, *, key_prefix: bytes = b"") -> Iterator[K]:
        """Keys in order."""
        for key, _ in self.iterate(store, key_prefix=key_prefix):
            yield key
