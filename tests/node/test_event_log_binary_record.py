"""Stored block records: the binary form round-trips every field, the JSON form of earlier
nodes is still read, corrupt or truncated bytes raise :class:`EventLogError`, and
:meth:`EventLog.record` computes stream messages only for subscribers."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import lmdb
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pyallora.chain.abci_types import Event, TxResult, ValidatorUpdate
from pyallora.core.crypto import sha256
from pyallora.node import events
from pyallora.node.events import (
    BLOCK_RECORD_VERSION,
    BlockRecord,
    EventLog,
    EventLogError,
    compute_stream_events,
    decode_block_record,
    encode_block_record,
    make_block_record,
)

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
ANY_INT = st.one_of(INT64, st.integers(), st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30]))
TEXT = st.text(max_size=12) | st.sampled_from(["", "é", "日本語", "\x00", "a\nb", "😀" * 3])
ODD_TEXT = TEXT | st.sampled_from(["\ud800", "x\udfffy"])
"""Text that UTF-8 cannot carry (lone surrogates) too."""


def _events(text: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[Event, ...]]:
    attribute = st.tuples(text, text)
    event = st.builds(Event, type=text, attributes=st.lists(attribute, max_size=4).map(tuple))
    return st.lists(event, max_size=4).map(tuple)


@st.composite
def _blocks(draw: st.DrawFn, *, binary: bool = True) -> BlockRecord:
    integer = INT64 if binary else ANY_INT
    text = TEXT if binary else ODD_TEXT
    results = draw(
        st.lists(
            st.builds(
                TxResult,
                code=integer,
                codespace=text,
                log=text,
                info=text,
                data=st.binary(max_size=8),
                gas_wanted=integer,
                gas_used=integer,
                events=_events(text),
                priority=integer,
                sender=text,
            ),
            max_size=4,
        )
    )
    height = draw(st.integers(min_value=0, max_value=2**64 - 1) if binary else integer)
    return make_block_record(
        height=height,
        time_ns=draw(integer),
        app_hash=draw(st.binary(max_size=40)),
        block_hash=draw(st.binary(max_size=40)),
        proposer=draw(st.binary(max_size=24)),
        txs=draw(st.lists(st.binary(max_size=24), min_size=len(results), max_size=len(results))),
        tx_results=results,
        events=draw(_events(text)),
        validator_updates=draw(
            st.lists(
                st.builds(
                    ValidatorUpdate,
                    pub_key_type=text,
                    pub_key=st.binary(max_size=33),
                    power=integer,
                ),
                max_size=3,
            )
        ),
    )


def _sample_block(height: int = 7, priority: int = -3) -> BlockRecord:
    return make_block_record(
        height=height,
        time_ns=1_767_225_600 * 10**9 + 5,
        app_hash=b"\xab" * 32,
        block_hash=b"\x01" * 32,
        proposer=b"\x02" * 20,
        txs=(b"\x0a\x01a" + bytes([height]), b"\x0a\x01b" + bytes([height])),
        tx_results=(
            TxResult(
                gas_wanted=200_000,
                gas_used=51_234,
                data=b"\x12\x00",
                sender="allo1sender",
                events=(
                    Event(
                        type="message", attributes=(("sender", "allo1sender"), ("module", "bank"))
                    ),
                    Event(type="tx", attributes=(("fee", ""),)),
                    Event(type="empty"),
                ),
            ),
            TxResult(
                code=5,
                codespace="sdk",
                log="insufficient funds: 3uallo < 5uallo",
                info="ünïcode",
                priority=priority,
            ),
        ),
        events=(Event(type="emissions.v4.EventRewardsSettled", attributes=(("topic_id", '"1"'),)),),
        validator_updates=(ValidatorUpdate(pub_key=b"\x03" * 32, power=10),),
    )


# ---------------------------------------------------------------------------------------------
# round trip


@given(_blocks())
def test_binary_record_round_trips_every_field(block: BlockRecord) -> None:
    encoded = encode_block_record(block)
    assert encoded[0] == BLOCK_RECORD_VERSION
    assert decode_block_record(encoded) == block


@given(_blocks(binary=False))
@example(
    make_block_record(
        height=-1, time_ns=2**80, app_hash=b"", txs=(b"x",), tx_results=(TxResult(code=2**70),)
    )
)
def test_records_beyond_the_binary_form_round_trip_as_json(block: BlockRecord) -> None:
    """Integers beyond 64 bits and lone surrogates fall back to the JSON form, losslessly."""
    assert decode_block_record(encode_block_record(block)) == block


def test_sample_block_round_trips_and_keeps_sender_info_priority() -> None:
    block = _sample_block()
    decoded = decode_block_record(encode_block_record(block))
    assert decoded == block
    assert [tx.result.sender for tx in decoded.txs] == ["allo1sender", ""]
    assert decoded.txs[1].result.info == "ünïcode"
    assert decoded.txs[1].result.priority == -3
    assert decoded.txs[0].hash == sha256(b"\x0a\x01a\x07").hex().upper()
    assert decoded.txs[0].result.events[2] == Event(type="empty")


def test_binary_record_layout() -> None:
    """Version byte, CRC-32, then the fixed header: the format is pinned."""
    block = _sample_block()
    encoded = encode_block_record(block)
    version, _checksum, height, time_ns, *lengths = struct.unpack_from(">BIQqHHH", encoded)
    assert (version, height, time_ns, lengths) == (1, 7, block.time_ns, [32, 32, 20])
    assert encoded[27 : 27 + 32] == block.app_hash
    assert len(encoded) < len(_legacy_json(block))


def test_encoding_memos_start_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "_MEMO_SIZE", 2)
    monkeypatch.setattr(events, "_TX_ATTRIBUTES", events._AttributeMemo(b"\x4a"))
    monkeypatch.setattr(events, "_SENDERS", events._Memo(b"\x62", events._encode_text))
    for height in range(1, 4):
        block = _sample_block(height)
        assert decode_block_record(encode_block_record(block)) == block
        assert len(events._TX_ATTRIBUTES) <= 2
        assert len(events._SENDERS) <= 2


# ---------------------------------------------------------------------------------------------
# the JSON form of earlier nodes


def _legacy_json(block: BlockRecord) -> bytes:
    """A record exactly as nodes before the binary form wrote it (no ``priority``)."""
    document = {
        "height": block.height,
        "time_ns": block.time_ns,
        "app_hash": block.app_hash.hex(),
        "block_hash": block.block_hash.hex(),
        "proposer": block.proposer.hex(),
        "txs": [
            {
                "tx": base64.b64encode(tx.tx).decode("ascii"),
                **events.encode_tx_result_json(tx.result),
            }
            for tx in block.txs
        ],
        "events": [events.encode_event_json(event) for event in block.events],
        "validator_updates": [
            {"pub_key": u.pub_key.hex(), "type": u.pub_key_type, "power": u.power}
            for u in block.validator_updates
        ],
    }
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def test_json_records_of_earlier_nodes_still_decode() -> None:
    block = make_block_record(
        height=3,
        time_ns=9,
        app_hash=b"\x01" * 32,
        txs=(b"tx",),
        tx_results=(TxResult(code=0, info="i", sender="allo1x", log="é", gas_used=2**70),),
        events=(Event(type="x", attributes=(("k", "v"),)),),
    )
    assert decode_block_record(_legacy_json(block)) == block


def test_event_log_reads_an_index_written_in_the_json_form(tmp_path: Path) -> None:
    """A node home from before the binary form: its blocks and txs are still found."""
    old, new = _sample_block(1, priority=0), _sample_block(2)
    env = lmdb.open(str(tmp_path), max_dbs=4, subdir=True)
    with env.begin(write=True) as txn:
        txn.put(struct.pack(">Q", 1), _legacy_json(old), db=env.open_db(b"blocks", txn=txn))
        for tx in old.txs:
            txn.put(
                bytes.fromhex(tx.hash),
                struct.pack(">QI", 1, tx.index),
                db=env.open_db(b"txs", txn=txn),
            )
    env.close()
    log = EventLog(tmp_path)
    log.record(new)
    assert log.get_block(1) == old
    assert log.get_block(2) == new
    assert log.get_tx(bytes.fromhex(old.txs[1].hash)) == old.txs[1]
    assert list(log.replay(1)) == [*compute_stream_events(old), *compute_stream_events(new)]
    log.close()


# ---------------------------------------------------------------------------------------------
# corrupt and truncated records


def test_every_truncation_and_byte_flip_raises_event_log_error() -> None:
    encoded = encode_block_record(_sample_block())
    for end in range(len(encoded)):
        with pytest.raises(EventLogError):
            decode_block_record(encoded[:end])
    for index in range(len(encoded)):
        corrupt = bytearray(encoded)
        corrupt[index] ^= 0x5A
        with pytest.raises(EventLogError):
            decode_block_record(bytes(corrupt))


def test_truncated_json_records_raise_event_log_error() -> None:
    encoded = _legacy_json(_sample_block(priority=0))
    for end in range(1, len(encoded), 7):
        with pytest.raises(EventLogError):
            decode_block_record(encoded[:end])


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x02" + bytes(40),
        b"\xff",
        b"{}",
        b'{"height":1e999}',
        b"[1]",
        b'{"height":1,"time_ns":1,"app_hash":"zz","block_hash":"","proposer":"","txs":[],'
        b'"events":[],"validator_updates":[]}',
        b'{"height":1,"time_ns":1,"app_hash":"","block_hash":"","proposer":"","txs":[{"tx":5}],'
        b'"events":[],"validator_updates":[]}',
        b'{"height":1,"time_ns":1,"app_hash":"","block_hash":"","proposer":"","txs":[],'
        b'"events":[1],"validator_updates":[]}',
    ],
)
def test_malformed_records_raise_event_log_error(data: bytes) -> None:
    with pytest.raises(EventLogError):
        decode_block_record(data)


def test_a_body_that_does_not_add_up_is_refused_despite_a_valid_checksum() -> None:
    """Events whose attribute counts disagree with their attributes (a writer's bug)."""
    head = struct.pack(">QqHHH", 1, 1, 0, 0, 0)
    body = b"\x0a\x01t" + b"\x12\x01\x02" + b"\x1a\x01k"  # one event of 2 attributes, 1 string
    checksum = zlib.crc32(head + body)
    with pytest.raises(EventLogError, match="do not add up"):
        decode_block_record(struct.pack(">BI", 1, checksum) + head + body)


@given(st.binary(max_size=64))
def test_arbitrary_bytes_decode_or_raise_event_log_error(data: bytes) -> None:
    try:
        decoded = decode_block_record(data)
    except EventLogError:
        return
    assert isinstance(decoded, BlockRecord)


# ---------------------------------------------------------------------------------------------
# EventLog.record


def test_record_computes_stream_messages_only_for_subscribers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    computed: list[int] = []
    original = events.compute_stream_events

    def counting(block: BlockRecord) -> Any:
        computed.append(block.height)
        return original(block)

    monkeypatch.setattr(events, "compute_stream_events", counting)
    log = EventLog()
    assert log.record(_sample_block(1)) == ()
    assert computed == []
    subscription = log.subscribe()
    published = log.record(_sample_block(2))
    assert computed == [2]
    assert published == original(_sample_block(2))
    assert [subscription.queue.get_nowait() for _ in published] == list(published)
    subscription.close()
    assert log.record(_sample_block(3)) == ()
    assert computed == [2]
    assert log.get_block(1) == _sample_block(1)
    assert log.get_tx(bytes.fromhex(_sample_block(3).txs[0].hash)) is not None
