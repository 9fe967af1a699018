"""The hand-written CheckTx / FinalizeBlock response encoding equals the protobuf encoding."""

from __future__ import annotations

import pytest
from cosmpy.protos.tendermint.abci import types_pb2 as pb
from hypothesis import given, settings
from hypothesis import strategies as st

from pyallora.abci.translate import (
    TranslationError,
    _fill_response,
    _serialize,
    decode_response,
    encode_response,
)
from pyallora.chain.abci_types import Event, FinalizeBlockResult, TxResult, ValidatorUpdate

_texts = st.text(max_size=40)
_events = st.builds(
    Event,
    type=_texts,
    attributes=st.lists(st.tuples(_texts, _texts), max_size=4).map(tuple),
)
_tx_results = st.builds(
    TxResult,
    code=st.integers(0, 2**32 - 1),
    codespace=_texts,
    log=_texts,
    info=_texts,
    data=st.binary(max_size=40),
    gas_wanted=st.integers(0, 2**63 - 1),
    gas_used=st.integers(0, 2**63 - 1),
    events=st.lists(_events, max_size=4).map(tuple),
)
_updates = st.lists(
    st.builds(
        ValidatorUpdate,
        pub_key_type=st.just("ed25519"),
        pub_key=st.binary(min_size=32, max_size=32),
        power=st.integers(0, 2**40),
    ),
    max_size=3,
).map(tuple)
_blocks = st.builds(
    FinalizeBlockResult,
    tx_results=st.lists(_tx_results, max_size=5).map(tuple),
    events=st.lists(_events, max_size=4).map(tuple),
    validator_updates=_updates,
    app_hash=st.binary(max_size=32),
)


def _reference(record: TxResult | FinalizeBlockResult) -> bytes:
    response = pb.Response()
    _fill_response(response, record)
    return _serialize(response)


@settings(max_examples=300, deadline=None)
@given(_tx_results)
def test_check_tx_bytes_equal_protobuf(result: TxResult) -> None:
    encoded = encode_response(result)
    assert encoded == _reference(result)
    decoded = decode_response(encoded)
    assert isinstance(decoded, TxResult)
    assert (decoded.code, decoded.log, decoded.events) == (result.code, result.log, result.events)


@settings(max_examples=200, deadline=None)
@given(_blocks)
def test_finalize_block_bytes_equal_protobuf(result: FinalizeBlockResult) -> None:
    encoded = encode_response(result)
    assert encoded == _reference(result)
    decoded = decode_response(encoded)
    assert isinstance(decoded, FinalizeBlockResult)
    assert decoded.app_hash == result.app_hash
    assert len(decoded.tx_results) == len(result.tx_results)


def test_empty_answers_still_name_their_kind() -> None:
    assert encode_response(TxResult()) == _reference(TxResult())
    assert decode_response(encode_response(TxResult())) == TxResult()
    empty_block = FinalizeBlockResult(tx_results=())
    assert encode_response(empty_block) == _reference(empty_block)
    assert isinstance(decode_response(encode_response(empty_block)), FinalizeBlockResult)


def test_unencodable_values_are_still_refused() -> None:
    with pytest.raises(TranslationError):
        encode_response(TxResult(gas_used=-1 - 2**64))
    bad_key = ValidatorUpdate(pub_key_type="rsa", pub_key=b"k", power=1)
    with pytest.raises(TranslationError):
        encode_response(FinalizeBlockResult(tx_results=(), validator_updates=(bad_key,)))


def _reference_indexed(
    record: TxResult | FinalizeBlockResult, index_events: frozenset[str]
) -> bytes:
    response = pb.Response()
    _fill_response(response, record, index_events)
    return _serialize(response)


def _flags(events: object) -> list[tuple[str, str, bool]]:
    return [
        (str(event.type), str(attribute.key), bool(attribute.index))
        for event in events  # type: ignore[attr-defined]
        for attribute in event.attributes
    ]


_index_sets = st.frozensets(
    st.builds(lambda t, k: f"{t}.{k}", _texts, _texts), max_size=4
) | st.just(frozenset({"transfer.recipient", "message.sender"}))


@settings(max_examples=200, deadline=None)
@given(_tx_results, _index_sets)
def test_check_tx_index_set_bytes_equal_protobuf(result: TxResult, index: frozenset[str]) -> None:
    encoded = encode_response(result, index_events=index)
    assert encoded == _reference_indexed(result, index)
    flags = _flags(pb.Response.FromString(encoded).check_tx.events)
    assert flags == [
        (event.type, key, f"{event.type}.{key}" in index)
        for event in result.events
        for key, _ in event.attributes
    ]


@settings(max_examples=100, deadline=None)
@given(_blocks, _index_sets)
def test_finalize_block_index_set_bytes_equal_protobuf(
    result: FinalizeBlockResult, index: frozenset[str]
) -> None:
    encoded = encode_response(result, index_events=index)
    assert encoded == _reference_indexed(result, index)
    message = pb.Response.FromString(encoded).finalize_block
    marked = _flags(message.events) + [
        flag for tx in message.tx_results for flag in _flags(tx.events)
    ]
    assert all(indexed == (f"{t}.{k}" in index) for t, k, indexed in marked)


def test_only_the_listed_attributes_are_indexed_and_the_rest_is_unchanged() -> None:
    send = Event(
        type="transfer",
        attributes=(("recipient", "allo1b"), ("sender", "allo1a"), ("amount", "5uallo")),
    )
    result = TxResult(gas_wanted=7, events=(send, Event(type="message", attributes=(("a", "b"),))))
    encoded = encode_response(result, index_events=frozenset({"transfer.recipient"}))
    message = pb.Response.FromString(encoded).check_tx
    assert _flags(message.events) == [
        ("transfer", "recipient", True),
        ("transfer", "sender", False),
        ("transfer", "amount", False),
        ("message", "a", False),
    ]
    assert decode_response(encoded) == decode_response(encode_response(result))
    everything = pb.Response.FromString(encode_response(result)).check_tx
    assert all(indexed for *_, indexed in _flags(everything.events))
