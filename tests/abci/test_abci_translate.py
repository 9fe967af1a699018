"""tendermint.abci protobuf ↔ records (abci/translate.py): round trips, wire facts, errors."""

from __future__ import annotations

from typing import Any

import pytest
from cosmpy.protos.tendermint.abci import types_pb2 as pb
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from pyallora.abci.translate import (
    ApplySnapshotChunkRequest,
    ApplySnapshotChunkResponse,
    CheckTxRequest,
    CommitRequest,
    EchoRequest,
    EchoResponse,
    ExceptionResponse,
    ExtendVoteRequest,
    ExtendVoteResponse,
    FlushRequest,
    FlushResponse,
    InfoRequest,
    ListSnapshotsRequest,
    ListSnapshotsResponse,
    LoadSnapshotChunkRequest,
    LoadSnapshotChunkResponse,
    OfferSnapshotRequest,
    OfferSnapshotResponse,
    PrepareProposalResponse,
    ProcessProposalResponse,
    TranslationError,
    VerifyVoteExtensionRequest,
    VerifyVoteExtensionResponse,
    compute_timestamp_ns,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
    get_request_method,
    get_response_method,
)
from pyallora.chain.abci_types import (
    CommitInfo,
    CommitResult,
    Event,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    InfoResult,
    InitChainRequest,
    InitChainResult,
    Misbehavior,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
    QueryResult,
    TxResult,
    ValidatorUpdate,
    VoteInfo,
)

i64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
u64 = st.integers(min_value=0, max_value=2**64 - 1)
u32 = st.integers(min_value=0, max_value=2**32 - 1)
i32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
heights = st.integers(min_value=0, max_value=2**63 - 1)
times = st.integers(min_value=-(2**62), max_value=2**62)
small_bytes = st.binary(max_size=40)
texts = st.text(max_size=20)
txs = st.lists(st.binary(max_size=60), max_size=6).map(tuple)

events = st.builds(
    Event,
    type=texts,
    attributes=st.lists(st.tuples(texts, texts), max_size=3).map(tuple),
)
tx_results = st.builds(
    TxResult,
    code=u32,
    codespace=texts,
    log=texts,
    info=texts,
    data=small_bytes,
    gas_wanted=i64,
    gas_used=i64,
    events=st.lists(events, max_size=3).map(tuple),
)
validator_updates = st.builds(
    ValidatorUpdate,
    pub_key_type=st.sampled_from(["ed25519", "secp256k1"]),
    pub_key=small_bytes,
    power=i64,
)
commit_infos = st.builds(
    CommitInfo,
    round=i32,
    votes=st.lists(
        st.builds(
            VoteInfo,
            validator_address=small_bytes,
            power=i64,
            block_id_flag=st.integers(min_value=0, max_value=3),
        ),
        max_size=4,
    ).map(tuple),
)
misbehaviors = st.lists(
    st.builds(
        Misbehavior,
        type=st.integers(min_value=0, max_value=2),
        validator_address=small_bytes,
        power=i64,
        height=i64,
        time_ns=times,
        total_voting_power=i64,
    ),
    max_size=2,
).map(tuple)

requests = st.one_of(
    st.builds(EchoRequest, message=texts),
    st.builds(FlushRequest),
    st.builds(InfoRequest, version=texts, block_version=u64, p2p_version=u64, abci_version=texts),
    st.builds(
        InitChainRequest,
        chain_id=texts,
        time_ns=times,
        initial_height=heights,
        app_state_bytes=small_bytes,
        validators=st.lists(validator_updates, max_size=3).map(tuple),
    ),
    st.builds(QueryRequest, path=texts, data=small_bytes, height=heights, prove=st.booleans()),
    st.builds(CheckTxRequest, tx=small_bytes, recheck=st.booleans()),
    st.builds(CommitRequest),
    st.builds(ListSnapshotsRequest),
    st.builds(
        OfferSnapshotRequest,
        height=u64,
        format=u32,
        chunks=u32,
        hash=small_bytes,
        app_hash=small_bytes,
    ),
    st.builds(LoadSnapshotChunkRequest, height=u64, format=u32, chunk=u32),
    st.builds(ApplySnapshotChunkRequest, index=u32, chunk=small_bytes, sender=texts),
    st.builds(
        PrepareProposalRequest,
        txs=txs,
        max_tx_bytes=i64,
        height=heights,
        time_ns=times,
        proposer_address=small_bytes,
        local_last_commit=commit_infos,
        misbehavior=misbehaviors,
    ),
    st.builds(
        ProcessProposalRequest,
        txs=txs,
        height=heights,
        time_ns=times,
        hash=small_bytes,
        proposer_address=small_bytes,
        proposed_last_commit=commit_infos,
        misbehavior=misbehaviors,
    ),
    st.builds(
        ExtendVoteRequest,
        height=heights,
        hash=small_bytes,
        time_ns=times,
        txs=txs,
        proposer_address=small_bytes,
    ),
    st.builds(
        VerifyVoteExtensionRequest,
        height=heights,
        hash=small_bytes,
        validator_address=small_bytes,
        vote_extension=small_bytes,
    ),
    st.builds(
        FinalizeBlockRequest,
        height=heights,
        time_ns=times,
        txs=txs,
        hash=small_bytes,
        proposer_address=small_bytes,
        next_validators_hash=small_bytes,
        decided_last_commit=commit_infos,
        misbehavior=misbehaviors,
    ),
)

responses = st.one_of(
    st.builds(ExceptionResponse, error=texts),
    st.builds(EchoResponse, message=texts),
    st.builds(FlushResponse),
    st.builds(
        InfoResult,
        data=texts,
        version=texts,
        app_version=u64,
        last_block_height=heights,
        last_block_app_hash=small_bytes,
    ),
    st.builds(
        InitChainResult,
        app_hash=small_bytes,
        validators=st.lists(validator_updates, max_size=3).map(tuple),
    ),
    st.builds(
        QueryResult,
        code=u32,
        codespace=texts,
        log=texts,
        value=small_bytes,
        height=heights,
        key=small_bytes,
    ),
    tx_results,
    st.builds(CommitResult, retain_height=heights),
    st.builds(ListSnapshotsResponse),
    st.builds(OfferSnapshotResponse, result=st.integers(min_value=0, max_value=5)),
    st.builds(LoadSnapshotChunkResponse, chunk=small_bytes),
    st.builds(ApplySnapshotChunkResponse, result=st.integers(min_value=0, max_value=5)),
    st.builds(PrepareProposalResponse, txs=txs),
    st.builds(ProcessProposalResponse, accept=st.booleans()),
    st.builds(ExtendVoteResponse, vote_extension=small_bytes),
    st.builds(VerifyVoteExtensionResponse, accept=st.booleans()),
    st.builds(
        FinalizeBlockResult,
        tx_results=st.lists(tx_results, max_size=4).map(tuple),
        events=st.lists(events, max_size=3).map(tuple),
        validator_updates=st.lists(validator_updates, max_size=3).map(tuple),
        app_hash=small_bytes,
    ),
)


def parse(cls: Any, data: bytes) -> Any:
    message = cls()
    message.ParseFromString(data)
    return message


@given(requests)
def test_every_request_round_trips(record: Any) -> None:
    data = encode_request(record)
    assert decode_request(data) == record
    assert parse(pb.Request, data).WhichOneof("value") == get_request_method(record)


@given(responses)
def test_every_response_round_trips(record: Any) -> None:
    data = encode_response(record)
    assert decode_response(data) == record
    assert parse(pb.Response, data).WhichOneof("value") == get_response_method(record)


def test_hand_encoded_wire_bytes() -> None:
    """Bytes worked out by hand from the field numbers of INFRA.md §4.2."""
    assert encode_request(FlushRequest()) == bytes.fromhex("1200")  # field 2, empty
    assert encode_response(FlushResponse()) == bytes.fromhex("1a00")  # field 3, empty
    assert encode_request(EchoRequest(message="hi")) == bytes.fromhex("0a04") + b"\x0a\x02hi"
    # Response field 18 (process_proposal) → tag 146 = 0x92 0x01; status ACCEPT = 1.
    assert encode_response(ProcessProposalResponse(accept=True)) == bytes.fromhex("9201020801")
    assert encode_response(ProcessProposalResponse(accept=False)) == bytes.fromhex("9201020802")
    # Response field 12 (commit) holding retain_height (field 3) = 5.
    assert encode_response(CommitResult(retain_height=5)) == bytes.fromhex("62021805")
    assert decode_request(bytes.fromhex("5a00")) == CommitRequest()  # field 11, empty


def test_decoding_reads_the_fields_of_an_independently_built_message() -> None:
    request = pb.Request(
        finalize_block=pb.RequestFinalizeBlock(
            txs=[b"a=1", b"b=2"],
            height=7,
            time=Timestamp(seconds=1_700_000_000, nanos=123),
            hash=b"\x01" * 32,
            proposer_address=b"\x02" * 20,
            next_validators_hash=b"\x03" * 32,
            decided_last_commit=pb.CommitInfo(
                round=1,
                votes=[
                    pb.VoteInfo(
                        validator=pb.Validator(address=b"\x04" * 20, power=10), block_id_flag=2
                    )
                ],
            ),
            misbehavior=[
                pb.Misbehavior(
                    type=1,
                    validator=pb.Validator(address=b"\x05" * 20, power=3),
                    height=6,
                    time=Timestamp(seconds=5, nanos=6),
                    total_voting_power=13,
                )
            ],
        )
    )
    record = decode_request(request.SerializeToString())
    assert record == FinalizeBlockRequest(
        height=7,
        time_ns=1_700_000_000_000_000_123,
        txs=(b"a=1", b"b=2"),
        hash=b"\x01" * 32,
        proposer_address=b"\x02" * 20,
        next_validators_hash=b"\x03" * 32,
        decided_last_commit=CommitInfo(
            round=1, votes=(VoteInfo(validator_address=b"\x04" * 20, power=10, block_id_flag=2),)
        ),
        misbehavior=(
            Misbehavior(
                type=1,
                validator_address=b"\x05" * 20,
                power=3,
                height=6,
                time_ns=5_000_000_006,
                total_voting_power=13,
            ),
        ),
    )


def test_check_tx_type_recheck() -> None:
    new = pb.Request(check_tx=pb.RequestCheckTx(tx=b"x", type=pb.NEW)).SerializeToString()
    recheck = pb.Request(check_tx=pb.RequestCheckTx(tx=b"x", type=pb.RECHECK)).SerializeToString()
    assert decode_request(new) == CheckTxRequest(tx=b"x", recheck=False)
    assert decode_request(recheck) == CheckTxRequest(tx=b"x", recheck=True)


def test_finalize_block_result_on_the_wire() -> None:
    result = FinalizeBlockResult(
        tx_results=(
            TxResult(
                code=5,
                codespace="emissions",
                log="no",
                data=b"d",
                gas_wanted=9,
                gas_used=8,
                events=(Event(type="t", attributes=(("k", '"1"'),)),),
            ),
        ),
        events=(Event(type="emissions.v10.EventX", attributes=(("topic_id", '"1"'),)),),
        validator_updates=(ValidatorUpdate(pub_key=b"\x07" * 32, power=0),),
        app_hash=b"\x09" * 32,
    )
    message = parse(pb.Response, encode_response(result)).finalize_block
    assert message.app_hash == b"\x09" * 32
    assert [
        (e.type, [(a.key, a.value, a.index) for a in e.attributes]) for e in message.events
    ] == [("emissions.v10.EventX", [("topic_id", '"1"', True)])]
    (tx,) = message.tx_results
    assert (tx.code, tx.codespace, tx.log, tx.data, tx.gas_wanted, tx.gas_used) == (
        5,
        "emissions",
        "no",
        b"d",
        9,
        8,
    )
    assert tx.events[0].attributes[0].index is True
    (update,) = message.validator_updates
    assert update.pub_key.WhichOneof("sum") == "ed25519"
    assert update.pub_key.ed25519 == b"\x07" * 32
    assert update.power == 0


def test_check_tx_result_drops_priority_and_sender() -> None:
    result = TxResult(code=3, log="bad", priority=7, sender="someone")
    message = parse(pb.Response, encode_response(result)).check_tx
    assert (message.code, message.log) == (3, "bad")
    assert decode_response(encode_response(result)) == TxResult(code=3, log="bad")


@pytest.mark.parametrize(
    ("time_ns", "seconds", "nanos"),
    [(0, 0, 0), (1, 0, 1), (1_000_000_000, 1, 0), (-1, -1, 999_999_999)],
)
def test_times_are_normalised_timestamps(time_ns: int, seconds: int, nanos: int) -> None:
    data = encode_request(FinalizeBlockRequest(height=1, time_ns=time_ns))
    stamp = parse(pb.Request, data).finalize_block.time
    assert (stamp.seconds, stamp.nanos) == (seconds, nanos)
    assert compute_timestamp_ns(seconds, nanos) == time_ns


def test_prepare_proposal_drops_vote_extensions() -> None:
    request = pb.Request(
        prepare_proposal=pb.RequestPrepareProposal(
            max_tx_bytes=100,
            height=2,
            local_last_commit=pb.ExtendedCommitInfo(
                round=0,
                votes=[
                    pb.ExtendedVoteInfo(
                        validator=pb.Validator(address=b"a", power=1),
                        vote_extension=b"ext",
                        extension_signature=b"sig",
                        block_id_flag=2,
                    )
                ],
            ),
        )
    )
    record = decode_request(request.SerializeToString())
    assert isinstance(record, PrepareProposalRequest)
    assert record.local_last_commit == CommitInfo(
        votes=(VoteInfo(validator_address=b"a", power=1, block_id_flag=2),)
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",  # no method set
        b"\xff\xff",  # not protobuf
        bytes.fromhex("2200"),  # field 4: the removed SetOption, unknown here
        bytes.fromhex("0a05") + b"\x0a\x03\xff\xfe\xfd",  # echo with invalid UTF-8
    ],
)
def test_invalid_requests_raise(data: bytes) -> None:
    with pytest.raises(TranslationError):
        decode_request(data)


def test_invalid_responses_raise() -> None:
    with pytest.raises(TranslationError):
        decode_response(b"")
    with pytest.raises(TranslationError):
        decode_response(b"\x0a")


def test_unknown_validator_key_type_cannot_be_encoded() -> None:
    result = InitChainResult(
        app_hash=b"", validators=(ValidatorUpdate(pub_key_type="bls12", pub_key=b"k", power=1),)
    )
    with pytest.raises(TranslationError, match="bls12"):
        encode_response(result)


def test_validator_update_without_key_cannot_be_decoded() -> None:
    data = pb.Response(
        init_chain=pb.ResponseInitChain(validators=[pb.ValidatorUpdate(power=3)])
    ).SerializeToString()
    with pytest.raises(TranslationError):
        decode_response(data)


@pytest.mark.parametrize(
    "record",
    [TxResult(code=-1), QueryResult(code=2**32), CommitResult(retain_height=2**63)],
)
def test_out_of_range_numbers_raise_translation_errors(record: Any) -> None:
    with pytest.raises(TranslationError):
        encode_response(record)
