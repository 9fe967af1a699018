"""The node's event log: committed blocks, their transactions and a typed event stream.

The node records every committed block (from the ABCI server's post-commit hook, or from the
solo driver after each block) as a :class:`BlockRecord`: height, time, app hash, each tx with
its result and events, and the block-level (begin/end block) events. From it:

* ``GET /v1/txs/{hash}`` and ``GET /v1/blocks/{height}`` read the :class:`EventLog` index;
* broadcasting with ``wait`` awaits :meth:`EventLog.wait_for_tx`;
* the websocket ``/v1/events?from_height=H`` replays :meth:`EventLog.replay` from ``H``,
  then streams what :meth:`EventLog.record` publishes to its subscribers.

:func:`compute_stream_events` turns a block into the stream's messages, in this order, each
with the ``height`` and a ``seq`` number counting from 0 within the height (clients resume
after ``(height, seq)`` and drop what they have already seen):

======================  ==================================================================
``type``                fields (besides ``type``, ``height``, ``seq``)
======================  ==================================================================
``block``               ``time``, ``time_ns``, ``app_hash``, ``num_txs``, ``tx_hashes``
``tx``                  ``hash``, ``index``, ``code``, ``codespace``, ``log``,
                        ``gas_wanted``, ``gas_used``, ``sender``
``payload_accepted``    ``tx_hash``, ``actor`` (``worker``/``reputer``), ``topic_id``,
                        ``nonce``, ``address`` (whose payload), ``sender``
``window_opened``       ``actor``, ``topic_id``, ``nonce``, ``window_end_block``
``window_closed``       ``actor``, ``topic_id``, ``nonce``
``nonce_committed``     ``actor``, ``topic_id``, ``nonce``, ``block_height`` (a nonce closed
                        successfully: its inferences or losses are archived)
``rewards``             ``topic_id``, ``actor`` (``inferer``/``forecaster``/``reputer``),
                        ``addresses``, ``rewards`` (one per address)
``topic_rewards``       ``topic_ids``, ``rewards``
======================  ==================================================================

Window and reward messages come from the emissions module's typed end-block events
(PROTOCOL.md App. B: ``EventWorkerSubmissionWindowOpened``, ``EventRewardsSettled``, ...);
``payload_accepted`` from successful ``InsertWorkerPayload``/``InsertReputerPayload`` txs.

The index lives in an lmdb environment of the node home (or in memory): it is the node's
record, not consensus state, and is written with ``sync=False``. :meth:`EventLog.record` runs
on the event loop at every commit, so it stores a block in a compact binary form
(:func:`encode_block_record`) and computes stream messages only for live subscribers.

A stored block record, format version 1 (:data:`BLOCK_RECORD_VERSION`), big-endian:

=========  ==============================================================================
bytes      content
=========  ==============================================================================
1          format version (``0x01``)
4          CRC-32 of everything after it (a corrupt or truncated record is refused)
8, 8       ``height`` (unsigned), ``time_ns`` (signed)
2, 2, 2    lengths of ``app_hash``, ``block_hash``, ``proposer``, then those bytes
rest       a ``pyallora.node.v1.BlockRecordBody`` in protobuf wire format: the block's
           events, its txs (raw bytes, every ``TxResult`` field, ``sender`` and
           ``priority`` included) and validator updates (``_RECORD_MESSAGES``)
=========  ==============================================================================

Records written by earlier nodes are compact JSON (they start with ``{``) and are still
read; a block the binary form cannot carry (a negative height, an integer beyond 64 bits,
text that is not UTF-8) is still written that way.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any, Final, Protocol

import lmdb
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

from pyallora.chain.abci_types import Event, TxResult, ValidatorUpdate
from pyallora.core.crypto import sha256
from pyallora.core.encoding import encode_uvarint
from pyallora.core.errors import PyAlloraError
from pyallora.node.cometbft import format_genesis_time
from pyallora.proto.emissions.v5 import tx_pb2 as emissions_tx

logger = logging.getLogger(__name__)

STREAM_TYPES: Final = (
    "block",
    "tx",
    "payload_accepted",
    "window_opened",
    "window_closed",
    "nonce_committed",
    "rewards",
    "topic_rewards",
)
"""Every ``type`` of the event stream."""

SUBSCRIBER_QUEUE_SIZE: Final = 10_000
"""Messages a live subscriber may fall behind before it is dropped (it then resumes)."""

WORKER_PAYLOAD_URL: Final = "/" + emissions_tx.InsertWorkerPayloadRequest.DESCRIPTOR.full_name
"""Type URL of worker payloads."""

REPUTER_PAYLOAD_URL: Final = "/" + emissions_tx.InsertReputerPayloadRequest.DESCRIPTOR.full_name
"""Type URL of reputer payloads."""

_ACTOR_NAMES: Final = {
    "0": "inferer",
    "1": "forecaster",
    "2": "reputer",
    "ACTOR_TYPE_INFERER_UNSPECIFIED": "inferer",
    "ACTOR_TYPE_FORECASTER": "forecaster",
    "ACTOR_TYPE_REPUTER": "reputer",
}

_BLOCK_EVENT_KINDS: Final = {
    "EventWorkerSubmissionWindowOpened": ("window_opened", "worker"),
    "EventReputerSubmissionWindowOpened": ("window_opened", "reputer"),
    "EventWorkerSubmissionWindowClosed": ("window_closed", "worker"),
    "EventReputerSubmissionWindowClosed": ("window_closed", "reputer"),
    "EventWorkerLastCommitSet": ("nonce_committed", "worker"),
    "EventReputerLastCommitSet": ("nonce_committed", "reputer"),
    "EventRewardsSettled": ("rewards", ""),
    "EventTopicRewardsSet": ("topic_rewards", ""),
}
"""Typed event name (after the package) -> (stream type, actor)."""

BLOCK_RECORD_VERSION: Final = 1
"""First byte of a stored block record in the binary form (the JSON form starts with ``{``)."""


class EventLogError(PyAlloraError):
    """A block record is inconsistent (its txs and results do not pair up), or stored bytes
    are not one (unknown format, corrupt or truncated)."""


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True, kw_only=True)
class TxRecord:
    """A committed transaction and its result."""

    hash: str
    """Upper-case hex SHA-256 of the tx bytes (CometBFT's form)."""
    height: int
    index: int
    tx: bytes
    result: TxResult


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockRecord:
    """A committed block as the node saw it."""

    height: int
    time_ns: int
    app_hash: bytes
    """The app hash after executing this block (in block ``height + 1``'s header)."""
    block_hash: bytes = b""
    proposer: bytes = b""
    txs: tuple[TxRecord, ...] = ()
    events: tuple[Event, ...] = ()
    """Block-level events (begin and end block)."""
    validator_updates: tuple[ValidatorUpdate, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamEvent:
    """One message of the event stream (module docstring)."""

    type: str
    height: int
    seq: int
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The wire form: ``{"type", "height", "seq", ...data}``."""
        return {"type": self.type, "height": self.height, "seq": self.seq, **self.data}


def make_block_record(
    *,
    height: int,
    time_ns: int,
    app_hash: bytes,
    txs: Sequence[bytes],
    tx_results: Sequence[TxResult],
    events: Sequence[Event] = (),
    block_hash: bytes = b"",
    proposer: bytes = b"",
    validator_updates: Sequence[ValidatorUpdate] = (),
) -> BlockRecord:
    """A :class:`BlockRecord` from a block's txs and FinalizeBlock results."""
    if len(txs) != len(tx_results):
        raise EventLogError(f"{len(txs)} txs but {len(tx_results)} results at height {height}")
    return BlockRecord(
        height=height,
        time_ns=time_ns,
        app_hash=app_hash,
        block_hash=block_hash,
        proposer=proposer,
        txs=tuple(
            TxRecord(hash=sha256(raw).hex().upper(), height=height, index=index, tx=raw, result=r)
            for index, (raw, r) in enumerate(zip(txs, tx_results, strict=True))
        ),
        events=tuple(events),
        validator_updates=tuple(validator_updates),
    )


# ---------------------------------------------------------------------------------------------
# JSON forms (API, and block records of earlier nodes)


def encode_event_json(event: Event) -> dict[str, Any]:
    """``{"type": ..., "attributes": [{"key", "value"}]}`` (CometBFT's shape)."""
    return {
        "type": event.type,
        "attributes": [{"key": key, "value": value} for key, value in event.attributes],
    }


def decode_event_json(data: dict[str, Any]) -> Event:
    """Inverse of :func:`encode_event_json`."""
    return Event(
        type=str(data["type"]),
        attributes=tuple((str(a["key"]), str(a["value"])) for a in data["attributes"]),
    )


def encode_tx_result_json(result: TxResult) -> dict[str, Any]:
    """A tx result as JSON (``data`` base64, gas as integers)."""
    return {
        "code": result.code,
        "codespace": result.codespace,
        "log": result.log,
        "info": result.info,
        "data": base64.b64encode(result.data).decode("ascii"),
        "gas_wanted": result.gas_wanted,
        "gas_used": result.gas_used,
        "events": [encode_event_json(event) for event in result.events],
        "sender": result.sender,
    }


def decode_tx_result_json(data: dict[str, Any]) -> TxResult:
    """Inverse of :func:`encode_tx_result_json`."""
    return TxResult(
        code=int(data["code"]),
        codespace=str(data["codespace"]),
        log=str(data["log"]),
        info=str(data.get("info", "")),
        data=base64.b64decode(data["data"]),
        gas_wanted=int(data["gas_wanted"]),
        gas_used=int(data["gas_used"]),
        events=tuple(decode_event_json(event) for event in data["events"]),
        sender=str(data.get("sender", "")),
    )


# ---------------------------------------------------------------------------------------------
# Storage form of a block record (module docstring)


def encode_block_record(block: BlockRecord) -> bytes:
    """Storage bytes of a block record, in the binary form (module docstring).

    A record the binary form cannot carry (a negative height, an integer outside 64 bits,
    text that is not UTF-8, a hash longer than 65,535 bytes) is written in the JSON form, which
    :func:`decode_block_record` reads as well.
    """
    try:
        return _encode_binary_record(block)
    except (ValueError, OverflowError, struct.error):
        return _encode_json_record(block)


def decode_block_record(data: bytes) -> BlockRecord:
    """Inverse of :func:`encode_block_record`; also reads the JSON form of older nodes.

    Raises
    ------
    EventLogError
        If ``data`` is not a block record (unknown format, corrupt or truncated).
    """
    if not data:
        raise EventLogError("empty block record")
    if data[0] == BLOCK_RECORD_VERSION:
        return _decode_binary_record(data)
    if data[0] == ord("{"):
        return _decode_json_record(data)
    raise EventLogError(f"unknown block record format (first byte {data[0]:#04x})")


# Binary form: ``_RECORD_PREFIX`` (version, CRC-32 of all that follows), ``_RECORD_HEADER``
# (height, time_ns, lengths of app_hash, block_hash and proposer), those three byte strings,
# then a ``BlockRecordBody`` (``_RECORD_MESSAGES``) in protobuf wire format. Events are kept
# flat (their types, their attribute counts, then every key and value in one repeated
# string), so that attributes are neither written nor read one by one in Python. The body is
# written by hand (fields in number order, defaults omitted, encoded fields memoised:
# keys, addresses and module names repeat in every tx) and parsed by protobuf's C parser.

_RECORD_PREFIX: Final = struct.Struct(">BI")
_RECORD_HEADER: Final = struct.Struct(">QqHHH")
_INT64_MIN: Final = -(1 << 63)
_INT64_LIMIT: Final = 1 << 63

_RECORD_MESSAGES: Final = (
    (
        "Tx",
        (
            ("code", 1, "sint64"),
            ("data", 2, "bytes"),
            ("log", 3, "string"),
            ("info", 4, "string"),
            ("gas_wanted", 5, "sint64"),
            ("gas_used", 6, "sint64"),
            ("event_types", 7, "repeated string"),
            ("event_sizes", 8, "repeated uint32"),
            ("attributes", 9, "repeated string"),
            ("codespace", 10, "string"),
            ("tx", 11, "bytes"),
            ("sender", 12, "string"),
            ("priority", 13, "sint64"),
        ),
    ),
    (
        "ValidatorUpdate",
        (("pub_key_type", 1, "string"), ("pub_key", 2, "bytes"), ("power", 3, "sint64")),
    ),
    (
        "BlockRecordBody",
        (
            ("event_types", 1, "repeated string"),
            ("event_sizes", 2, "repeated uint32"),
            ("attributes", 3, "repeated string"),
            ("txs", 4, "repeated Tx"),
            ("validator_updates", 5, "repeated ValidatorUpdate"),
        ),
    ),
)
"""Messages of the body (package ``pyallora.node.v1``): ``(name, ((field, number, type),
...))``. ``event_types[i]`` has ``event_sizes[i]`` attributes, taken in order from
``attributes`` (key, value, key, value, ...). Numbers are the format: never renumber (add
fields, or bump :data:`BLOCK_RECORD_VERSION`)."""


def _build_record_body_class() -> Any:
    """The protobuf class of ``BlockRecordBody``, built from :data:`_RECORD_MESSAGES`."""
    proto = descriptor_pb2.FieldDescriptorProto
    scalars = {
        "string": proto.TYPE_STRING,
        "bytes": proto.TYPE_BYTES,
        "sint64": proto.TYPE_SINT64,
        "uint32": proto.TYPE_UINT32,
    }
    file = descriptor_pb2.FileDescriptorProto(
        name="pyallora/node/v1/block_record.proto", package="pyallora.node.v1", syntax="proto3"
    )
    for name, fields in _RECORD_MESSAGES:
        message = file.message_type.add(name=name)
        for field_name, number, kind in fields:
            repeated, _, type_name = kind.rpartition(" ")
            field_proto = message.field.add(
                name=field_name,
                number=number,
                label=proto.LABEL_REPEATED if repeated else proto.LABEL_OPTIONAL,
            )
            if type_name in scalars:
                field_proto.type = scalars[type_name]
            else:
                field_proto.type = proto.TYPE_MESSAGE
                field_proto.type_name = f".pyallora.node.v1.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(
        pool.FindMessageTypeByName("pyallora.node.v1.BlockRecordBody")
    )


_RecordBody: Final = _build_record_body_class()

_MEMO_SIZE: Final = 1 << 14
"""Entries an encoding memo holds before it starts over."""


_VARINTS: Final = tuple(encode_uvarint(value) for value in range(1 << 12))
"""Varints below 4,096 (lengths of fields: most txs are shorter)."""


def _encode_head(tag: bytes, size: int) -> bytes:
    """The tag and length of a length-delimited field."""
    return tag + (_VARINTS[size] if size < len(_VARINTS) else encode_uvarint(size))


def _encode_sint64(tag: bytes, value: int) -> bytes:
    """A ``sint64`` field (zigzag varint), nothing for 0; :class:`ValueError` beyond 64 bits."""
    if not value:
        return b""
    if not _INT64_MIN <= value < _INT64_LIMIT:
        raise ValueError(f"{value} does not fit a sint64")
    return tag + encode_uvarint((value << 1) ^ (value >> 63))


def _encode_bytes(tag: bytes, value: bytes) -> bytes:
    """A length-delimited field, nothing when empty."""
    size = len(value)
    if not size:
        return b""
    return tag + (_VARINTS[size] if size < len(_VARINTS) else encode_uvarint(size)) + value


def _encode_text(tag: bytes, text: str) -> bytes:
    """A string field, nothing when empty; :class:`ValueError` if not UTF-8 encodable."""
    return _encode_bytes(tag, text.encode("utf-8")) if text else b""


def _encode_repeated_text(tag: bytes, text: str) -> bytes:
    """One entry of a repeated string field (written even when empty)."""
    data = text.encode("utf-8")
    return _encode_head(tag, len(data)) + data


class _Memo(dict[Any, bytes]):
    """Encoded fields of one tag by value (bounded: starts over when full)."""

    def __init__(self, tag: bytes, encode: Callable[[bytes, Any], bytes]) -> None:
        super().__init__()
        self._tag = tag
        self._encode = encode

    def __missing__(self, value: Any) -> bytes:
        encoded = self._encode(self._tag, value)
        if len(self) >= _MEMO_SIZE:
            self.clear()
        self[value] = encoded
        return encoded


class _AttributeMemo(dict[tuple[str, str], bytes]):
    """An attribute's two entries of a repeated ``attributes`` field, by ``(key, value)``."""

    def __init__(self, tag: bytes) -> None:
        super().__init__()
        self._tag = tag

    def __missing__(self, pair: tuple[str, str]) -> bytes:
        # Written out: every block misses on its new signatures, sequences and amounts.
        key = pair[0].encode("utf-8")
        value = pair[1].encode("utf-8")
        key_size, value_size = len(key), len(value)
        tag = self._tag
        encoded = b"".join(
            [
                tag,
                _VARINTS[key_size] if key_size < len(_VARINTS) else encode_uvarint(key_size),
                key,
                tag,
                _VARINTS[value_size] if value_size < len(_VARINTS) else encode_uvarint(value_size),
                value,
            ]
        )
        if len(self) >= _MEMO_SIZE:
            self.clear()
        self[pair] = encoded
        return encoded


_TX_EVENT_TYPES: Final = _Memo(b"\x3a", _encode_repeated_text)
_TX_ATTRIBUTES: Final = _AttributeMemo(b"\x4a")
_CODES: Final = _Memo(b"\x08", _encode_sint64)
_DATA: Final = _Memo(b"\x12", _encode_bytes)
_GAS_WANTED: Final = _Memo(b"\x28", _encode_sint64)
_GAS_USED: Final = _Memo(b"\x30", _encode_sint64)
_CODESPACES: Final = _Memo(b"\x52", _encode_text)
_SENDERS: Final = _Memo(b"\x62", _encode_text)
_PRIORITIES: Final = _Memo(b"\x68", _encode_sint64)

_type_of: Final = attrgetter("type")
_attributes_of: Final = attrgetter("attributes")


def _encode_events(
    parts: list[bytes],
    events: Sequence[Event],
    sizes_tag: bytes,
    types: _Memo,
    attributes: _AttributeMemo,
) -> None:
    """Append the three flat event fields (types, packed sizes, attributes) to ``parts``."""
    parts.extend(map(types.__getitem__, map(_type_of, events)))
    lists = list(map(_attributes_of, events))
    counts = list(map(len, lists))
    packed = bytes(counts) if max(counts) < 0x80 else b"".join(map(encode_uvarint, counts))
    parts.append(_encode_head(sizes_tag, len(packed)))
    parts.append(packed)
    parts.extend(map(attributes.__getitem__, chain.from_iterable(lists)))


def _encode_tx(tx: TxRecord) -> bytes:
    """One ``Tx`` of the body (field 4), with its field head: the hot loop of a block."""
    result = tx.result
    parts = [
        _CODES[result.code],
        _DATA[result.data],
        _encode_text(b"\x1a", result.log) if result.log else b"",
        _encode_text(b"\x22", result.info) if result.info else b"",
        _GAS_WANTED[result.gas_wanted],
        _GAS_USED[result.gas_used],
    ]
    if result.events:
        _encode_events(parts, result.events, b"\x42", _TX_EVENT_TYPES, _TX_ATTRIBUTES)
    parts.append(_CODESPACES[result.codespace])
    parts.append(_encode_bytes(b"\x5a", tx.tx))
    parts.append(_SENDERS[result.sender])
    parts.append(_PRIORITIES[result.priority])
    body = b"".join(parts)
    return _encode_head(b"\x22", len(body)) + body


def _encode_validator_update(update: ValidatorUpdate) -> bytes:
    body = (
        _encode_text(b"\x0a", update.pub_key_type)
        + _encode_bytes(b"\x12", update.pub_key)
        + _encode_sint64(b"\x18", update.power)
    )
    return _encode_head(b"\x2a", len(body)) + body


def _encode_binary_record(block: BlockRecord) -> bytes:
    head = (
        _RECORD_HEADER.pack(
            block.height,
            block.time_ns,
            len(block.app_hash),
            len(block.block_hash),
            len(block.proposer),
        )
        + block.app_hash
        + block.block_hash
        + block.proposer
    )
    parts: list[bytes] = []
    if block.events:
        _encode_events(
            parts,
            block.events,
            b"\x12",
            _Memo(b"\x0a", _encode_repeated_text),
            _AttributeMemo(b"\x1a"),
        )
    parts.extend(map(_encode_tx, block.txs))
    parts.extend(map(_encode_validator_update, block.validator_updates))
    body = b"".join(parts)
    checksum = zlib.crc32(body, zlib.crc32(head))
    return b"".join([_RECORD_PREFIX.pack(BLOCK_RECORD_VERSION, checksum), head, body])


def _decode_events(
    height: int, types_field: Any, sizes_field: Any, attributes_field: Any
) -> tuple[Event, ...]:
    """Events from the three flat fields; :class:`EventLogError` if they do not add up."""
    types = list(types_field)
    sizes = list(sizes_field)
    flat = list(attributes_field)
    pairs = list(zip(flat[0::2], flat[1::2], strict=False))
    if len(types) != len(sizes) or len(flat) % 2 or sum(sizes) != len(pairs):
        raise EventLogError(f"corrupt block record at height {height}: events do not add up")
    events = []
    start = 0
    for event_type, size in zip(types, sizes, strict=True):
        end = start + size
        events.append(Event(type=event_type, attributes=tuple(pairs[start:end])))
        start = end
    return tuple(events)


def _decode_binary_record(data: bytes) -> BlockRecord:
    start = _RECORD_PREFIX.size + _RECORD_HEADER.size
    if len(data) < start:
        raise EventLogError(f"truncated block record ({len(data)} bytes)")
    checksum = _RECORD_PREFIX.unpack_from(data)[1]
    if zlib.crc32(memoryview(data)[_RECORD_PREFIX.size :]) != checksum:
        raise EventLogError("corrupt or truncated block record (checksum mismatch)")
    height, time_ns, *lengths = _RECORD_HEADER.unpack_from(data, _RECORD_PREFIX.size)
    hashes = []
    for length in lengths:
        hashes.append(data[start : start + length])
        start += length
    if start > len(data):
        raise EventLogError(f"truncated block record header at height {height}")
    try:
        body = _RecordBody.FromString(data[start:])
    except DecodeError as exc:
        raise EventLogError(f"corrupt block record at height {height}: {exc}") from exc
    txs = []
    for index, entry in enumerate(body.txs):
        raw = entry.tx
        txs.append(
            TxRecord(
                hash=sha256(raw).hex().upper(),
                height=height,
                index=index,
                tx=raw,
                result=TxResult(
                    code=entry.code,
                    codespace=entry.codespace,
                    log=entry.log,
                    info=entry.info,
                    data=entry.data,
                    gas_wanted=entry.gas_wanted,
                    gas_used=entry.gas_used,
                    events=_decode_events(
                        height, entry.event_types, entry.event_sizes, entry.attributes
                    ),
                    priority=entry.priority,
                    sender=entry.sender,
                ),
            )
        )
    return BlockRecord(
        height=height,
        time_ns=time_ns,
        app_hash=hashes[0],
        block_hash=hashes[1],
        proposer=hashes[2],
        txs=tuple(txs),
        events=_decode_events(height, body.event_types, body.event_sizes, body.attributes),
        validator_updates=tuple(
            ValidatorUpdate(pub_key_type=u.pub_key_type, pub_key=u.pub_key, power=u.power)
            for u in body.validator_updates
        ),
    )


# JSON form: written by nodes before the binary form, and still for what it cannot carry.


def _encode_json_record(block: BlockRecord) -> bytes:
    document = {
        "height": block.height,
        "time_ns": block.time_ns,
        "app_hash": block.app_hash.hex(),
        "block_hash": block.block_hash.hex(),
        "proposer": block.proposer.hex(),
        "txs": [
            {
                "tx": base64.b64encode(tx.tx).decode("ascii"),
                **encode_tx_result_json(tx.result),
                "priority": tx.result.priority,
            }
            for tx in block.txs
        ],
        "events": [encode_event_json(event) for event in block.events],
        "validator_updates": [
            {"pub_key": u.pub_key.hex(), "type": u.pub_key_type, "power": u.power}
            for u in block.validator_updates
        ],
    }
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def _decode_json_record(data: bytes) -> BlockRecord:
    try:
        document = json.loads(data)
        height = int(document["height"])
        entries = document["txs"]
        return make_block_record(
            height=height,
            time_ns=int(document["time_ns"]),
            app_hash=bytes.fromhex(document["app_hash"]),
            block_hash=bytes.fromhex(document["block_hash"]),
            proposer=bytes.fromhex(document["proposer"]),
            txs=[base64.b64decode(entry["tx"], validate=True) for entry in entries],
            tx_results=[
                replace(decode_tx_result_json(entry), priority=int(entry.get("priority", 0)))
                for entry in entries
            ],
            events=[decode_event_json(event) for event in document["events"]],
            validator_updates=[
                ValidatorUpdate(
                    pub_key=bytes.fromhex(u["pub_key"]),
                    pub_key_type=str(u["type"]),
                    power=int(u["power"]),
                )
                for u in document["validator_updates"]
            ],
        )
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError) as exc:
        raise EventLogError(f"corrupt block record (JSON form): {exc!r}") from exc


# ---------------------------------------------------------------------------------------------
# Stream classification


def _decode_attribute(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _nonce_of(value: Any) -> int | None:
    if isinstance(value, dict):
        return _as_int(value.get("block_height"))
    return _as_int(value)


def get_event_attributes(event: Event) -> dict[str, Any]:
    """An event's attributes with JSON values decoded (plain text kept as text)."""
    return {key: _decode_attribute(value) for key, value in event.attributes}


def get_tx_sender(result: TxResult) -> str:
    """The tx's signer: the result's ``sender``, else its ``message``/``tx`` event attribute."""
    if result.sender:
        return result.sender
    for event in result.events:
        for key, value in event.attributes:
            if event.type == "message" and key == "sender":
                return value
            if event.type == "tx" and key == "fee_payer":
                return value
    return ""


def iterate_tx_messages(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """``(type_url, value)`` of each message of a ``TxRaw`` (nothing if it does not decode)."""
    try:
        tx_raw = tx_pb2.TxRaw.FromString(raw)
        body = tx_pb2.TxBody.FromString(tx_raw.body_bytes)
    except DecodeError:
        return
    for message in body.messages:
        yield message.type_url, message.value


def compute_payload_events(tx: TxRecord) -> list[dict[str, Any]]:
    """``payload_accepted`` data of a successful tx's worker and reputer payloads."""
    if tx.result.code != 0:
        return []
    sender = get_tx_sender(tx.result)
    found: list[dict[str, Any]] = []
    for type_url, value in iterate_tx_messages(tx.tx):
        try:
            if type_url == WORKER_PAYLOAD_URL:
                worker = emissions_tx.InsertWorkerPayloadRequest.FromString(value)
                bundle = worker.worker_data_bundle
                found.append(
                    {
                        "tx_hash": tx.hash,
                        "actor": "worker",
                        "topic_id": bundle.topic_id,
                        "nonce": bundle.nonce.block_height,
                        "address": bundle.worker,
                        "sender": worker.sender or sender,
                    }
                )
            elif type_url == REPUTER_PAYLOAD_URL:
                reputer = emissions_tx.InsertReputerPayloadRequest.FromString(value)
                values = reputer.reputer_value_bundle.value_bundle
                found.append(
                    {
                        "tx_hash": tx.hash,
                        "actor": "reputer",
                        "topic_id": values.topic_id,
                        "nonce": values.reputer_request_nonce.reputer_nonce.block_height,
                        "address": values.reputer,
                        "sender": reputer.sender or sender,
                    }
                )
        except DecodeError:
            continue
    return found


def classify_block_event(event: Event) -> tuple[str, dict[str, Any]] | None:
    """The stream ``(type, data)`` of a typed block event, or ``None`` if not streamed."""
    name = event.type.rpartition(".")[2]
    kind = _BLOCK_EVENT_KINDS.get(name)
    if kind is None:
        return None
    stream_type, actor = kind
    attributes = get_event_attributes(event)
    topic_id = _as_int(attributes.get("topic_id"))
    data: dict[str, Any] = {"event": event.type}
    if stream_type in ("window_opened", "window_closed"):
        data.update(
            actor=actor,
            topic_id=topic_id,
            nonce=_nonce_of(attributes.get("nonce_block_height", attributes.get("nonce"))),
        )
        if stream_type == "window_opened":
            data["window_end_block"] = _as_int(attributes.get("window_end_block"))
    elif stream_type == "nonce_committed":
        data.update(
            actor=actor,
            topic_id=topic_id,
            nonce=_nonce_of(attributes.get("nonce")),
            block_height=_as_int(attributes.get("block_height")),
        )
    elif stream_type == "rewards":
        actor_value = attributes.get("actor_type", 0)
        data.update(
            topic_id=topic_id,
            actor=_ACTOR_NAMES.get(str(actor_value), str(actor_value)),
            block_height=_as_int(attributes.get("block_height")),
            addresses=list(attributes.get("addresses") or []),
            rewards=[str(value) for value in attributes.get("rewards") or []],
        )
    else:
        data.update(
            topic_ids=[_as_int(value) for value in attributes.get("topic_ids") or []],
            rewards=[str(value) for value in attributes.get("rewards") or []],
        )
    return stream_type, data


def compute_stream_events(block: BlockRecord) -> tuple[StreamEvent, ...]:
    """The stream messages of one block, in stream order (module docstring)."""
    items: list[tuple[str, dict[str, Any]]] = [
        (
            "block",
            {
                "time": format_genesis_time(block.time_ns),
                "time_ns": str(block.time_ns),
                "app_hash": block.app_hash.hex().upper(),
                "num_txs": len(block.txs),
                "tx_hashes": [tx.hash for tx in block.txs],
            },
        )
    ]
    for tx in block.txs:
        result = tx.result
        items.append(
            (
                "tx",
                {
                    "hash": tx.hash,
                    "index": tx.index,
                    "code": result.code,
                    "codespace": result.codespace,
                    "log": result.log,
                    "gas_wanted": result.gas_wanted,
                    "gas_used": result.gas_used,
                    "sender": get_tx_sender(result),
                },
            )
        )
        items.extend(("payload_accepted", data) for data in compute_payload_events(tx))
    for event in block.events:
        classified = classify_block_event(event)
        if classified is not None:
            items.append(classified)
    return tuple(
        StreamEvent(type=kind, height=block.height, seq=seq, data=data)
        for seq, (kind, data) in enumerate(items)
    )


# ---------------------------------------------------------------------------------------------
# Storage


class _IndexStore(Protocol):
    def put(self, block: BlockRecord, encoded: bytes) -> None: ...
    def get(self, height: int) -> bytes | None: ...
    def locate(self, tx_hash: bytes) -> tuple[int, int] | None: ...
    def bounds(self) -> tuple[int, int]: ...
    def put_snapshot(self, key: bytes, value: bytes) -> None: ...
    def get_snapshot(self, key: bytes) -> bytes | None: ...
    def close(self) -> None: ...


class _MemoryIndex:
    def __init__(self) -> None:
        self._blocks: dict[int, bytes] = {}
        self._txs: dict[bytes, tuple[int, int]] = {}
        self._snapshots: dict[bytes, bytes] = {}
        self._first = 0
        self._last = 0

    def put(self, block: BlockRecord, encoded: bytes) -> None:
        self._blocks[block.height] = encoded
        for tx in block.txs:
            self._txs[bytes.fromhex(tx.hash)] = (block.height, tx.index)
        self._first = self._first or block.height
        self._last = block.height

    def get(self, height: int) -> bytes | None:
        return self._blocks.get(height)

    def locate(self, tx_hash: bytes) -> tuple[int, int] | None:
        return self._txs.get(tx_hash)

    def bounds(self) -> tuple[int, int]:
        return self._first, self._last

    def put_snapshot(self, key: bytes, value: bytes) -> None:
        self._snapshots[key] = value

    def get_snapshot(self, key: bytes) -> bytes | None:
        return self._snapshots.get(key)

    def close(self) -> None:
        return


_HEIGHT: Final = struct.Struct(">Q")
_LOCATION: Final = struct.Struct(">QI")


class _LmdbIndex:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._env = lmdb.open(
            str(path), map_size=1 << 36, max_dbs=4, sync=False, metasync=False, subdir=True
        )
        self._blocks = self._env.open_db(b"blocks")
        self._txs = self._env.open_db(b"txs")
        self._snapshots = self._env.open_db(b"snapshots")

    def put(self, block: BlockRecord, encoded: bytes) -> None:
        with self._env.begin(write=True) as txn:
            txn.put(_HEIGHT.pack(block.height), encoded, db=self._blocks)
            txn.cursor(db=self._txs).putmulti(
                [
                    (bytes.fromhex(tx.hash), _LOCATION.pack(block.height, tx.index))
                    for tx in block.txs
                ]
            )

    def get(self, height: int) -> bytes | None:
        if not 0 <= height < 2**64:
            return None
        with self._env.begin() as txn:
            value = txn.get(_HEIGHT.pack(height), db=self._blocks)
        return None if value is None else bytes(value)

    def locate(self, tx_hash: bytes) -> tuple[int, int] | None:
        with self._env.begin() as txn:
            value = txn.get(tx_hash, db=self._txs)
        if value is None:
            return None
        height, index = _LOCATION.unpack(bytes(value))
        return height, index

    def bounds(self) -> tuple[int, int]:
        with self._env.begin() as txn:
            cursor = txn.cursor(db=self._blocks)
            if not cursor.first():
                return 0, 0
            first = _HEIGHT.unpack(cursor.key())[0]
            cursor.last()
            last = _HEIGHT.unpack(cursor.key())[0]
        return first, last

    def put_snapshot(self, key: bytes, value: bytes) -> None:
        with self._env.begin(write=True) as txn:
            txn.put(key, value, db=self._snapshots)

    def get_snapshot(self, key: bytes) -> bytes | None:
        with self._env.begin() as txn:
            value = txn.get(key, db=self._snapshots)
        return None if value is None else bytes(value)

    def close(self) -> None:
        self._env.sync(True)
        self._env.close()


# ---------------------------------------------------------------------------------------------
# The log


class Subscription:
    """A live subscriber's queue of stream messages (see :meth:`EventLog.subscribe`)."""

    def __init__(self, log: EventLog, maxsize: int) -> None:
        self._log = log
        self.queue: asyncio.Queue[StreamEvent | None] = asyncio.Queue(maxsize)
        self.overflowed = False
        """Set when the subscriber fell too far behind; it gets ``None`` and must resume."""
        self.closing = False
        """Set when the log closes (the node stops); the subscriber gets ``None``."""

    def offer(self, events: Sequence[StreamEvent]) -> None:
        """Queue ``events`` (called by the log on each block)."""
        if self.overflowed:
            return
        for event in events:
            try:
                self.queue.put_nowait(event)
            except asyncio.QueueFull:
                self.overflowed = True
                self._drain()
                self.queue.put_nowait(None)
                return

    def _drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    def end(self) -> None:
        """Wake the subscriber with ``None`` (the log is closing)."""
        self.closing = True
        self._drain()
        self.queue.put_nowait(None)

    async def get(self) -> StreamEvent | None:
        """The next message, or ``None`` after an overflow."""
        return await self.queue.get()

    def close(self) -> None:
        """Stop receiving."""
        self._log.unsubscribe(self)


class EventLog:
    """Committed blocks, a tx index, and the live event stream (module docstring).

    Parameters
    ----------
    path
        lmdb directory of the index; ``None`` keeps it in memory.

    Every method runs on the node's event loop thread (``record`` from the commit hook).
    """

    def __init__(self, path: Path | None = None) -> None:
        self._index: _IndexStore = _MemoryIndex() if path is None else _LmdbIndex(path)
        self._subscribers: list[Subscription] = []
        self._listeners: list[Callable[[BlockRecord], None]] = []
        self._changed: asyncio.Event | None = None
        self._closed = False
        self._first, self._last = self._index.bounds()

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def latest_height(self) -> int:
        """Height of the last recorded block (0 if none)."""
        return self._last

    @property
    def earliest_height(self) -> int:
        """Height of the first recorded block (0 if none)."""
        return self._first

    def record(self, block: BlockRecord) -> tuple[StreamEvent, ...]:
        """Store a committed block, tell the listeners, publish its stream messages, wake
        waiters.

        A block at or below the last recorded height is ignored (a replay after a restart).
        A skipped height (the process died between the application's commit and this
        record) leaves a hole in the log, with a warning: the stream goes on.

        Returns
        -------
        tuple[StreamEvent, ...]
            The messages published to live subscribers: empty when the block is ignored or
            nobody is subscribed (they are only computed for subscribers; anyone else can
            call :func:`compute_stream_events`).
        """
        if self._last and block.height <= self._last:
            return ()
        if self._last and block.height != self._last + 1:
            logger.warning(
                "event log: heights %d..%d are missing", self._last + 1, block.height - 1
            )
        self._index.put(block, encode_block_record(block))
        self._first = self._first or block.height
        self._last = block.height
        for listener in list(self._listeners):
            listener(block)
        events: tuple[StreamEvent, ...] = ()
        if self._subscribers:
            events = compute_stream_events(block)
            for subscriber in list(self._subscribers):
                subscriber.offer(events)
        if self._changed is not None:
            self._changed.set()
            self._changed = None
        return events

    def get_block(self, height: int) -> BlockRecord | None:
        """A recorded block."""
        data = self._index.get(height)
        return None if data is None else decode_block_record(data)

    def get_tx(self, tx_hash: bytes) -> TxRecord | None:
        """A recorded tx by its SHA-256."""
        location = self._index.locate(tx_hash)
        if location is None:
            return None
        block = self.get_block(location[0])
        if block is None or location[1] >= len(block.txs):
            return None
        return block.txs[location[1]]

    def iterate_blocks(self, from_height: int, to_height: int) -> Iterator[BlockRecord]:
        """Recorded blocks in ``[from_height, to_height]``, ascending."""
        start = max(from_height, self._first)
        for height in range(start, min(to_height, self._last) + 1):
            block = self.get_block(height)
            if block is not None:
                yield block

    def replay(self, from_height: int, to_height: int | None = None) -> Iterator[StreamEvent]:
        """Stream messages of the recorded blocks from ``from_height`` (to ``to_height``)."""
        last = self._last if to_height is None else to_height
        for block in self.iterate_blocks(from_height, last):
            yield from compute_stream_events(block)

    def add_listener(self, listener: Callable[[BlockRecord], None]) -> None:
        """Call ``listener`` with each block :meth:`record` stores, before its stream messages
        are published (e.g. to drop cached answers of the state before it)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[BlockRecord], None]) -> None:
        """Stop calling ``listener`` (idempotent)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def subscribe(self, maxsize: int = SUBSCRIBER_QUEUE_SIZE) -> Subscription:
        """A live subscription to every later :meth:`record` (close it when done)."""
        subscription = Subscription(self, maxsize)
        self._subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Remove a subscription (idempotent)."""
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    @property
    def subscriber_count(self) -> int:
        """Live subscriptions."""
        return len(self._subscribers)

    async def wait_for_change(self, timeout: float) -> bool:
        """Wait until the next block is recorded; ``False`` after ``timeout`` seconds."""
        if self._changed is None:
            self._changed = asyncio.Event()
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_for_tx(self, tx_hash: bytes, timeout: float) -> TxRecord | None:
        """The tx once recorded, or ``None`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.get_tx(tx_hash)
            remaining = deadline - time.monotonic()
            if found is not None or remaining <= 0:
                return found
            await self.wait_for_change(remaining)

    async def wait_for_height(self, height: int, timeout: float) -> bool:
        """Wait until ``height`` is recorded; ``False`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self._last < height:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await self.wait_for_change(remaining)
        return True

    def put_snapshot(self, key: str, value: dict[str, Any]) -> None:
        """Keep a JSON document (e.g. the network inference of a closed nonce)."""
        self._index.put_snapshot(key.encode("utf-8"), json.dumps(value).encode("utf-8"))

    def get_snapshot(self, key: str) -> dict[str, Any] | None:
        """A document kept with :meth:`put_snapshot`."""
        data = self._index.get_snapshot(key.encode("utf-8"))
        if data is None:
            return None
        value = json.loads(data)
        return value if isinstance(value, dict) else None

    def close(self) -> None:
        """Flush and close the index; wake subscribers with ``None``."""
        if self._closed:
            return
        self._closed = True
        for subscriber in list(self._subscribers):
            subscriber.end()
        self._subscribers.clear()
        self._index.close()
