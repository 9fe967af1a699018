"""``tendermint.abci`` protobuf messages ↔ the application's plain records.

Implements INFRA.md §4.2–§4.3 (the ``Request``/``Response`` oneofs of CometBFT v0.38.25 and their
payloads) over the cosmpy classes (INFRA.md §5). This is the only module where protobuf objects
meet :mod:`pyallora.chain.abci_types` records: every public function takes and returns records or
``bytes``, and no untyped protobuf value leaves it.

Both directions exist for requests and responses: the server decodes requests and encodes
responses; the other two directions serve the tests (a fake CometBFT) and the byte vectors.

Conventions of the mapping:

* times: ``google.protobuf.Timestamp`` ↔ integer nanoseconds since the Unix epoch;
* ``TxResult`` ↔ ``ResponseCheckTx`` (CheckTx) and ``ExecTxResult`` (FinalizeBlock); ``priority``
  and ``sender`` have no v0.38 field and are dropped;
* event attributes are emitted with ``index = true`` (the SDK default: everything is indexed),
  or, when the encoder is given an index set (the node's ``index_events``, the SDK's
  ``index-events``), only those whose ``type.key`` is in the set; the flag only tells
  CometBFT's indexer what to index and is not part of any hash;
* ``ValidatorUpdate.pub_key_type`` is ``"ed25519"`` or ``"secp256k1"`` (``tendermint.crypto``);
* ``ExtendedCommitInfo`` (PrepareProposal) becomes a plain :class:`CommitInfo`: vote extensions are
  disabled (INFRA.md §4.5) and never reach the application.

Fields that the records do not carry (consensus params, ``next_validators_hash`` of the proposal
requests, snapshot metadata the application never sees) are dropped on decoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, TypeAlias

from cosmpy.protos.tendermint.abci import types_pb2 as pb
from google.protobuf.message import DecodeError

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
from pyallora.core.encoding import encode_uvarint
from pyallora.core.errors import PyAlloraError

_Pb: TypeAlias = Any
"""An untyped cosmpy protobuf object: never part of a public signature."""

NANOS_PER_SECOND: Final = 1_000_000_000
"""Nanoseconds in one second (``Timestamp.nanos`` range)."""

CHECK_TX_NEW: Final = 0
"""``tendermint.abci.CheckTxType.NEW``: first admission of a transaction."""

CHECK_TX_RECHECK: Final = 1
"""``tendermint.abci.CheckTxType.RECHECK``: re-validation after a Commit."""

PROPOSAL_ACCEPT: Final = 1
"""``ResponseProcessProposal.ProposalStatus.ACCEPT``."""

PROPOSAL_REJECT: Final = 2
"""``ResponseProcessProposal.ProposalStatus.REJECT``."""

VERIFY_ACCEPT: Final = 1
"""``ResponseVerifyVoteExtension.VerifyStatus.ACCEPT``."""

VERIFY_REJECT: Final = 2
"""``ResponseVerifyVoteExtension.VerifyStatus.REJECT``."""

OFFER_SNAPSHOT_ABORT: Final = 2
"""``ResponseOfferSnapshot.Result.ABORT``: abort state sync altogether."""

OFFER_SNAPSHOT_REJECT: Final = 3
"""``ResponseOfferSnapshot.Result.REJECT``: this snapshot is refused, try another."""

APPLY_CHUNK_ABORT: Final = 2
"""``ResponseApplySnapshotChunk.Result.ABORT``: abort state sync altogether."""

PUB_KEY_TYPES: Final = ("ed25519", "secp256k1")
"""Key types of ``tendermint.crypto.PublicKey`` (its oneof field names)."""


class TranslationError(PyAlloraError, ValueError):
    """Bytes are not a valid ``tendermint.abci`` message, or a record cannot be expressed in one."""


# --- Wire-level records that have no application counterpart ---------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class EchoRequest:
    """``RequestEcho``: a liveness probe, answered with the same message."""

    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FlushRequest:
    """``RequestFlush``: answer everything before it, then a ``ResponseFlush``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InfoRequest:
    """``RequestInfo``: CometBFT's versions (v0.38.25 sends ``"0.38.25"``, 11, 8, ``"2.0.0"``)."""

    version: str = ""
    block_version: int = 0
    p2p_version: int = 0
    abci_version: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckTxRequest:
    """``RequestCheckTx``: a transaction to admit (``recheck`` for type RECHECK)."""

    tx: bytes
    recheck: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitRequest:
    """``RequestCommit``: persist the state produced by the last FinalizeBlock."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSnapshotsRequest:
    """``RequestListSnapshots``: state-sync snapshots this node can serve."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferSnapshotRequest:
    """``RequestOfferSnapshot``: a peer's snapshot offered for state sync."""

    height: int = 0
    format: int = 0
    chunks: int = 0
    hash: bytes = b""
    app_hash: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadSnapshotChunkRequest:
    """``RequestLoadSnapshotChunk``: a chunk of one of our snapshots."""

    height: int = 0
    format: int = 0
    chunk: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplySnapshotChunkRequest:
    """``RequestApplySnapshotChunk``: a chunk of an accepted snapshot."""

    index: int = 0
    chunk: bytes = b""
    sender: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendVoteRequest:
    """``RequestExtendVote``: only sent when vote extensions are enabled."""

    height: int
    hash: bytes = b""
    time_ns: int = 0
    txs: tuple[bytes, ...] = ()
    proposer_address: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyVoteExtensionRequest:
    """``RequestVerifyVoteExtension``: another validator's vote extension."""

    height: int
    hash: bytes = b""
    validator_address: bytes = b""
    vote_extension: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class EchoResponse:
    """``ResponseEcho``."""

    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FlushResponse:
    """``ResponseFlush``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ExceptionResponse:
    """``ResponseException``: stops CometBFT; pyallora never sends one (INFRA.md §4.4)."""

    error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListSnapshotsResponse:
    """``ResponseListSnapshots`` with no snapshots (state sync is not served)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferSnapshotResponse:
    """``ResponseOfferSnapshot``: one of the ``OFFER_SNAPSHOT_*`` results."""

    result: int = OFFER_SNAPSHOT_REJECT


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadSnapshotChunkResponse:
    """``ResponseLoadSnapshotChunk``: the chunk (empty: there are no snapshots)."""

    chunk: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplySnapshotChunkResponse:
    """``ResponseApplySnapshotChunk``: one of the ``APPLY_CHUNK_*`` results."""

    result: int = APPLY_CHUNK_ABORT


@dataclass(frozen=True, slots=True, kw_only=True)
class PrepareProposalResponse:
    """``ResponsePrepareProposal``: the block's transactions, in order."""

    txs: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessProposalResponse:
    """``ResponseProcessProposal``: ACCEPT (``accept``) or REJECT."""

    accept: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendVoteResponse:
    """``ResponseExtendVote``: the vote extension (empty: extensions are unused)."""

    vote_extension: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyVoteExtensionResponse:
    """``ResponseVerifyVoteExtension``: ACCEPT (``accept``) or REJECT."""

    accept: bool


RequestRecord: TypeAlias = (
    EchoRequest
    | FlushRequest
    | InfoRequest
    | InitChainRequest
    | QueryRequest
    | CheckTxRequest
    | CommitRequest
    | ListSnapshotsRequest
    | OfferSnapshotRequest
    | LoadSnapshotChunkRequest
    | ApplySnapshotChunkRequest
    | PrepareProposalRequest
    | ProcessProposalRequest
    | ExtendVoteRequest
    | VerifyVoteExtensionRequest
    | FinalizeBlockRequest
)
"""Every request the socket can carry, as a record."""

ResponseRecord: TypeAlias = (
    ExceptionResponse
    | EchoResponse
    | FlushResponse
    | InfoResult
    | InitChainResult
    | QueryResult
    | TxResult
    | CommitResult
    | ListSnapshotsResponse
    | OfferSnapshotResponse
    | LoadSnapshotChunkResponse
    | ApplySnapshotChunkResponse
    | PrepareProposalResponse
    | ProcessProposalResponse
    | ExtendVoteResponse
    | VerifyVoteExtensionResponse
    | FinalizeBlockResult
)
"""Every response the socket can carry, as a record (``TxResult`` is the CheckTx answer)."""

_REQUEST_METHODS: Final[dict[type, str]] = {
    EchoRequest: "echo",
    FlushRequest: "flush",
    InfoRequest: "info",
    InitChainRequest: "init_chain",
    QueryRequest: "query",
    CheckTxRequest: "check_tx",
    CommitRequest: "commit",
    ListSnapshotsRequest: "list_snapshots",
    OfferSnapshotRequest: "offer_snapshot",
    LoadSnapshotChunkRequest: "load_snapshot_chunk",
    ApplySnapshotChunkRequest: "apply_snapshot_chunk",
    PrepareProposalRequest: "prepare_proposal",
    ProcessProposalRequest: "process_proposal",
    ExtendVoteRequest: "extend_vote",
    VerifyVoteExtensionRequest: "verify_vote_extension",
    FinalizeBlockRequest: "finalize_block",
}

_RESPONSE_METHODS: Final[dict[type, str]] = {
    ExceptionResponse: "exception",
    EchoResponse: "echo",
    FlushResponse: "flush",
    InfoResult: "info",
    InitChainResult: "init_chain",
    QueryResult: "query",
    TxResult: "check_tx",
    CommitResult: "commit",
    ListSnapshotsResponse: "list_snapshots",
    OfferSnapshotResponse: "offer_snapshot",
    LoadSnapshotChunkResponse: "load_snapshot_chunk",
    ApplySnapshotChunkResponse: "apply_snapshot_chunk",
    PrepareProposalResponse: "prepare_proposal",
    ProcessProposalResponse: "process_proposal",
    ExtendVoteResponse: "extend_vote",
    VerifyVoteExtensionResponse: "verify_vote_extension",
    FinalizeBlockResult: "finalize_block",
}


def get_request_method(record: RequestRecord) -> str:
    """The ``Request`` oneof name of a request record (``"finalize_block"``, ...)."""
    return _REQUEST_METHODS[type(record)]


def get_response_method(record: ResponseRecord) -> str:
    """The ``Response`` oneof name of a response record (``TxResult`` → ``"check_tx"``)."""
    return _RESPONSE_METHODS[type(record)]


# --- Small field converters ----------------------------------------------------------------


def compute_timestamp_ns(seconds: int, nanos: int) -> int:
    """Nanoseconds since the epoch of a ``Timestamp{seconds, nanos}``.

    >>> compute_timestamp_ns(1, 5)
    1000000005
    """
    return seconds * NANOS_PER_SECOND + nanos


def _time_ns(timestamp: _Pb) -> int:
    return compute_timestamp_ns(int(timestamp.seconds), int(timestamp.nanos))


def _set_time(timestamp: _Pb, time_ns: int) -> None:
    seconds, nanos = divmod(time_ns, NANOS_PER_SECOND)
    timestamp.seconds = seconds
    timestamp.nanos = nanos


def _txs(values: _Pb) -> tuple[bytes, ...]:
    return tuple(bytes(tx) for tx in values)


def _events_from_pb(events: _Pb) -> tuple[Event, ...]:
    return tuple(
        Event(
            type=str(event.type),
            attributes=tuple((str(a.key), str(a.value)) for a in event.attributes),
        )
        for event in events
    )


def _add_events(
    target: _Pb, events: tuple[Event, ...], index_events: frozenset[str] | None = None
) -> None:
    for event in events:
        message = target.add(type=event.type)
        prefix = event.type + "."
        for key, value in event.attributes:
            indexed = index_events is None or prefix + key in index_events
            message.attributes.add(key=key, value=value, index=indexed)


def _validator_update_from_pb(update: _Pb) -> ValidatorUpdate:
    key_type = update.pub_key.WhichOneof("sum")
    if key_type not in PUB_KEY_TYPES:
        raise TranslationError(f"validator update without a known public key type: {key_type}")
    return ValidatorUpdate(
        pub_key_type=str(key_type),
        pub_key=bytes(getattr(update.pub_key, key_type)),
        power=int(update.power),
    )


def _add_validator_updates(target: _Pb, updates: tuple[ValidatorUpdate, ...]) -> None:
    for update in updates:
        if update.pub_key_type not in PUB_KEY_TYPES:
            raise TranslationError(
                f"unsupported validator key type {update.pub_key_type!r}; "
                f"expected one of {PUB_KEY_TYPES}"
            )
        message = target.add(power=update.power)
        setattr(message.pub_key, update.pub_key_type, update.pub_key)


def _commit_info_from_pb(info: _Pb) -> CommitInfo:
    return CommitInfo(
        round=int(info.round),
        votes=tuple(
            VoteInfo(
                validator_address=bytes(vote.validator.address),
                power=int(vote.validator.power),
                block_id_flag=int(vote.block_id_flag),
            )
            for vote in info.votes
        ),
    )


def _set_commit_info(target: _Pb, info: CommitInfo) -> None:
    target.round = info.round
    for vote in info.votes:
        message = target.votes.add(block_id_flag=vote.block_id_flag)
        message.validator.address = vote.validator_address
        message.validator.power = vote.power


def _misbehavior_from_pb(values: _Pb) -> tuple[Misbehavior, ...]:
    return tuple(
        Misbehavior(
            type=int(item.type),
            validator_address=bytes(item.validator.address),
            power=int(item.validator.power),
            height=int(item.height),
            time_ns=_time_ns(item.time),
            total_voting_power=int(item.total_voting_power),
        )
        for item in values
    )


def _add_misbehavior(target: _Pb, values: tuple[Misbehavior, ...]) -> None:
    for item in values:
        message = target.add(
            type=item.type, height=item.height, total_voting_power=item.total_voting_power
        )
        message.validator.address = item.validator_address
        message.validator.power = item.power
        _set_time(message.time, item.time_ns)


def _tx_result_from_pb(result: _Pb) -> TxResult:
    return TxResult(
        code=int(result.code),
        codespace=str(result.codespace),
        log=str(result.log),
        info=str(result.info),
        data=bytes(result.data),
        gas_wanted=int(result.gas_wanted),
        gas_used=int(result.gas_used),
        events=_events_from_pb(result.events),
    )


def _set_tx_result(
    target: _Pb, result: TxResult, index_events: frozenset[str] | None = None
) -> None:
    target.code = result.code
    target.codespace = result.codespace
    target.log = result.log
    target.info = result.info
    target.data = result.data
    target.gas_wanted = result.gas_wanted
    target.gas_used = result.gas_used
    _add_events(target.events, result.events, index_events)


def _serialize(message: _Pb) -> bytes:
    return bytes(message.SerializeToString(deterministic=True))


def _parse(cls: _Pb, payload: bytes) -> tuple[str, _Pb]:
    message = cls()
    try:
        message.ParseFromString(payload)
    except DecodeError as exc:
        raise TranslationError(f"not a tendermint.abci.{cls.__name__}: {exc}") from exc
    method = message.WhichOneof("value")
    if method is None:
        raise TranslationError(f"tendermint.abci.{cls.__name__} with no method set")
    return str(method), getattr(message, method)


# --- Requests --------------------------------------------------------------------------------


def decode_request(payload: bytes) -> RequestRecord:
    """Decode a serialized ``tendermint.abci.Request`` into its record.

    Parameters
    ----------
    payload
        The frame body sent by CometBFT.

    Returns
    -------
    RequestRecord
        One of the request records; :func:`get_request_method` names its oneof.

    Raises
    ------
    TranslationError
        If the bytes do not parse, carry no method, or carry a method pyallora does not know.
    """
    method, m = _parse(pb.Request, payload)
    match method:
        case "echo":
            return EchoRequest(message=str(m.message))
        case "flush":
            return FlushRequest()
        case "info":
            return InfoRequest(
                version=str(m.version),
                block_version=int(m.block_version),
                p2p_version=int(m.p2p_version),
                abci_version=str(m.abci_version),
            )
        case "init_chain":
            return InitChainRequest(
                chain_id=str(m.chain_id),
                time_ns=_time_ns(m.time),
                initial_height=int(m.initial_height),
                app_state_bytes=bytes(m.app_state_bytes),
                validators=tuple(_validator_update_from_pb(v) for v in m.validators),
            )
        case "query":
            return QueryRequest(
                path=str(m.path), data=bytes(m.data), height=int(m.height), prove=bool(m.prove)
            )
        case "check_tx":
            return CheckTxRequest(tx=bytes(m.tx), recheck=int(m.type) == CHECK_TX_RECHECK)
        case "commit":
            return CommitRequest()
        case "list_snapshots":
            return ListSnapshotsRequest()
        case "offer_snapshot":
            return OfferSnapshotRequest(
                height=int(m.snapshot.height),
                format=int(m.snapshot.format),
                chunks=int(m.snapshot.chunks),
                hash=bytes(m.snapshot.hash),
                app_hash=bytes(m.app_hash),
            )
        case "load_snapshot_chunk":
            return LoadSnapshotChunkRequest(
                height=int(m.height), format=int(m.format), chunk=int(m.chunk)
            )
        case "apply_snapshot_chunk":
            return ApplySnapshotChunkRequest(
                index=int(m.index), chunk=bytes(m.chunk), sender=str(m.sender)
            )
        case "prepare_proposal":
            return PrepareProposalRequest(
                txs=_txs(m.txs),
                max_tx_bytes=int(m.max_tx_bytes),
                height=int(m.height),
                time_ns=_time_ns(m.time),
                proposer_address=bytes(m.proposer_address),
                local_last_commit=_commit_info_from_pb(m.local_last_commit),
                misbehavior=_misbehavior_from_pb(m.misbehavior),
            )
        case "process_proposal":
            return ProcessProposalRequest(
                txs=_txs(m.txs),
                height=int(m.height),
                time_ns=_time_ns(m.time),
                hash=bytes(m.hash),
                proposer_address=bytes(m.proposer_address),
                proposed_last_commit=_commit_info_from_pb(m.proposed_last_commit),
                misbehavior=_misbehavior_from_pb(m.misbehavior),
            )
        case "extend_vote":
            return ExtendVoteRequest(
                height=int(m.height),
                hash=bytes(m.hash),
                time_ns=_time_ns(m.time),
                txs=_txs(m.txs),
                proposer_address=bytes(m.proposer_address),
            )
        case "verify_vote_extension":
            return VerifyVoteExtensionRequest(
                height=int(m.height),
                hash=bytes(m.hash),
                validator_address=bytes(m.validator_address),
                vote_extension=bytes(m.vote_extension),
            )
        case "finalize_block":
            return FinalizeBlockRequest(
                height=int(m.height),
                time_ns=_time_ns(m.time),
                txs=_txs(m.txs),
                hash=bytes(m.hash),
                proposer_address=bytes(m.proposer_address),
                next_validators_hash=bytes(m.next_validators_hash),
                decided_last_commit=_commit_info_from_pb(m.decided_last_commit),
                misbehavior=_misbehavior_from_pb(m.misbehavior),
            )
    raise TranslationError(f"unknown ABCI request method {method!r}")


def encode_request(record: RequestRecord) -> bytes:
    """Serialize a request record as a ``tendermint.abci.Request`` (what CometBFT sends).

    Parameters
    ----------
    record
        Any request record.

    Returns
    -------
    bytes
        The deterministic protobuf encoding (no frame prefix).
    """
    request = pb.Request()
    match record:
        case EchoRequest():
            request.echo.message = record.message
        case FlushRequest():
            request.flush.SetInParent()
        case InfoRequest():
            m = request.info
            m.version = record.version
            m.block_version = record.block_version
            m.p2p_version = record.p2p_version
            m.abci_version = record.abci_version
        case InitChainRequest():
            m = request.init_chain
            _set_time(m.time, record.time_ns)
            m.chain_id = record.chain_id
            _add_validator_updates(m.validators, record.validators)
            m.app_state_bytes = record.app_state_bytes
            m.initial_height = record.initial_height
        case QueryRequest():
            m = request.query
            m.data = record.data
            m.path = record.path
            m.height = record.height
            m.prove = record.prove
        case CheckTxRequest():
            request.check_tx.tx = record.tx
            request.check_tx.type = CHECK_TX_RECHECK if record.recheck else CHECK_TX_NEW
        case CommitRequest():
            request.commit.SetInParent()
        case ListSnapshotsRequest():
            request.list_snapshots.SetInParent()
        case OfferSnapshotRequest():
            m = request.offer_snapshot
            m.snapshot.height = record.height
            m.snapshot.format = record.format
            m.snapshot.chunks = record.chunks
            m.snapshot.hash = record.hash
            m.app_hash = record.app_hash
        case LoadSnapshotChunkRequest():
            m = request.load_snapshot_chunk
            m.height = record.height
            m.format = record.format
            m.chunk = record.chunk
        case ApplySnapshotChunkRequest():
            m = request.apply_snapshot_chunk
            m.index = record.index
            m.chunk = record.chunk
            m.sender = record.sender
        case PrepareProposalRequest():
            m = request.prepare_proposal
            m.max_tx_bytes = record.max_tx_bytes
            m.txs.extend(record.txs)
            _set_commit_info(m.local_last_commit, record.local_last_commit)
            _add_misbehavior(m.misbehavior, record.misbehavior)
            m.height = record.height
            _set_time(m.time, record.time_ns)
            m.proposer_address = record.proposer_address
        case ProcessProposalRequest():
            m = request.process_proposal
            m.txs.extend(record.txs)
            _set_commit_info(m.proposed_last_commit, record.proposed_last_commit)
            _add_misbehavior(m.misbehavior, record.misbehavior)
            m.hash = record.hash
            m.height = record.height
            _set_time(m.time, record.time_ns)
            m.proposer_address = record.proposer_address
        case ExtendVoteRequest():
            m = request.extend_vote
            m.hash = record.hash
            m.height = record.height
            _set_time(m.time, record.time_ns)
            m.txs.extend(record.txs)
            m.proposer_address = record.proposer_address
        case VerifyVoteExtensionRequest():
            m = request.verify_vote_extension
            m.hash = record.hash
            m.validator_address = record.validator_address
            m.height = record.height
            m.vote_extension = record.vote_extension
        case FinalizeBlockRequest():
            m = request.finalize_block
            m.txs.extend(record.txs)
            _set_commit_info(m.decided_last_commit, record.decided_last_commit)
            _add_misbehavior(m.misbehavior, record.misbehavior)
            m.hash = record.hash
            m.height = record.height
            _set_time(m.time, record.time_ns)
            m.next_validators_hash = record.next_validators_hash
            m.proposer_address = record.proposer_address
    return _serialize(request)


# --- Responses -------------------------------------------------------------------------------


def encode_response(record: ResponseRecord, *, index_events: frozenset[str] | None = None) -> bytes:
    """Serialize a response record as a ``tendermint.abci.Response`` (what the app sends).

    Parameters
    ----------
    record
        Any response record; a bare :class:`TxResult` is a ``ResponseCheckTx``.
    index_events
        The event attributes CometBFT should index, as ``"type.key"`` strings; ``None``
        marks every attribute indexed (module docstring).

    Returns
    -------
    bytes
        The deterministic protobuf encoding (no frame prefix).

    Raises
    ------
    TranslationError
        If the record holds something the wire cannot carry (an unknown validator key type).
    """
    if isinstance(record, TxResult | FinalizeBlockResult):
        fast = _encode_tx_response(record, index_events)
        if fast is not None:
            return fast
    response = pb.Response()
    try:
        _fill_response(response, record, index_events)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, TranslationError):
            raise
        raise TranslationError(f"cannot encode {type(record).__name__}: {exc}") from exc
    return _serialize(response)


# The two responses that carry every transaction's result (CheckTx, FinalizeBlock) are
# written by hand: the same bytes as the deterministic protobuf encoding of the message built
# by ``_fill_response`` (fields in number order, proto3 defaults omitted, ``index = true`` on
# the attributes to index), without building thousands of protobuf objects per block. Anything
# unusual (a negative integer, a string that is not UTF-8) takes the protobuf path.

_RESPONSE_CHECK_TX: Final = 9
_RESPONSE_FINALIZE_BLOCK: Final = 21
_INDEXED: Final = b"\x18\x01"
"""``EventAttribute.index = true`` (field 3, varint 1)."""


def _len_prefix(length: int) -> bytes:
    if length < 0x80:
        return _SMALL_LENGTHS[length]
    if length < 0x4000:
        return bytes((length & 0x7F | 0x80, length >> 7))
    return encode_uvarint(length)


_SMALL_LENGTHS: Final = tuple(bytes((n,)) for n in range(128))


def _len_field(number: int, payload: bytes) -> bytes:
    return encode_uvarint(number << 3 | 2) + _len_prefix(len(payload)) + payload


def _text_field(tag: bytes, text: str) -> bytes:
    data = text.encode("utf-8")
    return tag + _len_prefix(len(data)) + data if data else b""


_ATTRIBUTE_CACHE_SIZE: Final = 4096
_attribute_cache: dict[tuple[str, str], bytes] = {}
_unindexed_attribute_cache: dict[tuple[str, str], bytes] = {}


def _encode_attribute(pair: tuple[str, str], indexed: bool = True) -> bytes:
    """One ``Event.attributes`` entry with its tag and length (memoised: keys, addresses
    and module names repeat in every tx)."""
    cache = _attribute_cache if indexed else _unindexed_attribute_cache
    encoded = cache.get(pair)
    if encoded is None:
        body = _text_field(b"\x0a", pair[0]) + _text_field(b"\x12", pair[1])
        if indexed:
            body += _INDEXED
        encoded = b"\x12" + _len_prefix(len(body)) + body
        if len(cache) >= _ATTRIBUTE_CACHE_SIZE:
            cache.clear()
        cache[pair] = encoded
    return encoded


def _encode_event(event: Event, index_events: frozenset[str] | None) -> bytes:
    if index_events is None:
        attributes = b"".join(map(_encode_attribute, event.attributes))
    else:
        prefix = event.type + "."
        attributes = b"".join(
            _encode_attribute(pair, prefix + pair[0] in index_events) for pair in event.attributes
        )
    body = _text_field(b"\x0a", event.type) + attributes
    return _len_prefix(len(body)) + body


def _encode_tx_result(result: TxResult, index_events: frozenset[str] | None) -> bytes:
    """``ResponseCheckTx`` / ``ExecTxResult`` (the same field numbers and types)."""
    if result.code < 0 or result.gas_wanted < 0 or result.gas_used < 0:
        raise ValueError("negative integer")
    parts = [
        b"\x08" + encode_uvarint(result.code) if result.code else b"",
        b"\x12" + encode_uvarint(len(result.data)) + result.data if result.data else b"",
        _text_field(b"\x1a", result.log),
        _text_field(b"\x22", result.info),
        b"\x28" + encode_uvarint(result.gas_wanted) if result.gas_wanted else b"",
        b"\x30" + encode_uvarint(result.gas_used) if result.gas_used else b"",
    ]
    parts.extend(b"\x3a" + _encode_event(event, index_events) for event in result.events)
    parts.append(_text_field(b"\x42", result.codespace))
    return b"".join(parts)


def _encode_tx_response(
    record: TxResult | FinalizeBlockResult, index_events: frozenset[str] | None
) -> bytes | None:
    """The ``Response`` bytes of a CheckTx or FinalizeBlock answer; ``None``: use protobuf."""
    try:
        if isinstance(record, TxResult):
            return _len_field(_RESPONSE_CHECK_TX, _encode_tx_result(record, index_events))
        parts = [b"\x0a" + _encode_event(event, index_events) for event in record.events]
        parts.extend(
            _len_field(2, _encode_tx_result(result, index_events)) for result in record.tx_results
        )
        if record.validator_updates:
            updates = pb.ResponseFinalizeBlock()
            _add_validator_updates(updates.validator_updates, record.validator_updates)
            parts.append(_serialize(updates))
        if record.app_hash:
            parts.append(_len_field(5, record.app_hash))
        return _len_field(_RESPONSE_FINALIZE_BLOCK, b"".join(parts))
    except (ValueError, TypeError, AttributeError):
        return None


def _fill_response(
    response: _Pb, record: ResponseRecord, index_events: frozenset[str] | None = None
) -> None:
    match record:
        case ExceptionResponse():
            response.exception.error = record.error
        case EchoResponse():
            response.echo.message = record.message
        case FlushResponse():
            response.flush.SetInParent()
        case InfoResult():
            m = response.info
            m.data = record.data
            m.version = record.version
            m.app_version = record.app_version
            m.last_block_height = record.last_block_height
            m.last_block_app_hash = record.last_block_app_hash
        case InitChainResult():
            m = response.init_chain
            _add_validator_updates(m.validators, record.validators)
            m.app_hash = record.app_hash
        case QueryResult():
            m = response.query
            m.code = record.code
            m.log = record.log
            m.key = record.key
            m.value = record.value
            m.height = record.height
            m.codespace = record.codespace
        case TxResult():
            _set_tx_result(response.check_tx, record, index_events)
        case CommitResult():
            response.commit.retain_height = record.retain_height
        case ListSnapshotsResponse():
            response.list_snapshots.SetInParent()
        case OfferSnapshotResponse():
            response.offer_snapshot.result = record.result
        case LoadSnapshotChunkResponse():
            response.load_snapshot_chunk.chunk = record.chunk
        case ApplySnapshotChunkResponse():
            response.apply_snapshot_chunk.result = record.result
        case PrepareProposalResponse():
            response.prepare_proposal.txs.extend(record.txs)
        case ProcessProposalResponse():
            response.process_proposal.status = PROPOSAL_ACCEPT if record.accept else PROPOSAL_REJECT
        case ExtendVoteResponse():
            response.extend_vote.vote_extension = record.vote_extension
        case VerifyVoteExtensionResponse():
            response.verify_vote_extension.status = (
                VERIFY_ACCEPT if record.accept else VERIFY_REJECT
            )
        case FinalizeBlockResult():
            m = response.finalize_block
            _add_events(m.events, record.events, index_events)
            for result in record.tx_results:
                _set_tx_result(m.tx_results.add(), result, index_events)
            _add_validator_updates(m.validator_updates, record.validator_updates)
            m.app_hash = record.app_hash


def decode_response(payload: bytes) -> ResponseRecord:
    """Decode a serialized ``tendermint.abci.Response`` into its record (the client side).

    Parameters
    ----------
    payload
        A frame body sent by an application.

    Returns
    -------
    ResponseRecord
        The record; ProcessProposal/VerifyVoteExtension statuses other than ACCEPT decode as
        ``accept=False``.

    Raises
    ------
    TranslationError
        If the bytes do not parse or carry no method.
    """
    method, m = _parse(pb.Response, payload)
    match method:
        case "exception":
            return ExceptionResponse(error=str(m.error))
        case "echo":
            return EchoResponse(message=str(m.message))
        case "flush":
            return FlushResponse()
        case "info":
            return InfoResult(
                data=str(m.data),
                version=str(m.version),
                app_version=int(m.app_version),
                last_block_height=int(m.last_block_height),
                last_block_app_hash=bytes(m.last_block_app_hash),
            )
        case "init_chain":
            return InitChainResult(
                app_hash=bytes(m.app_hash),
                validators=tuple(_validator_update_from_pb(v) for v in m.validators),
            )
        case "query":
            return QueryResult(
                code=int(m.code),
                codespace=str(m.codespace),
                log=str(m.log),
                value=bytes(m.value),
                height=int(m.height),
                key=bytes(m.key),
            )
        case "check_tx":
            return _tx_result_from_pb(m)
        case "commit":
            return CommitResult(retain_height=int(m.retain_height))
        case "list_snapshots":
            return ListSnapshotsResponse()
        case "offer_snapshot":
            return OfferSnapshotResponse(result=int(m.result))
        case "load_snapshot_chunk":
            return LoadSnapshotChunkResponse(chunk=bytes(m.chunk))
        case "apply_snapshot_chunk":
            return ApplySnapshotChunkResponse(result=int(m.result))
        case "prepare_proposal":
            return PrepareProposalResponse(txs=_txs(m.txs))
        case "process_proposal":
            return ProcessProposalResponse(accept=int(m.status) == PROPOSAL_ACCEPT)
        case "extend_vote":
            return ExtendVoteResponse(vote_extension=bytes(m.vote_extension))
        case "verify_vote_extension":
            return VerifyVoteExtensionResponse(accept=int(m.status) == VERIFY_ACCEPT)
        case "finalize_block":
            return FinalizeBlockResult(
                tx_results=tuple(_tx_result_from_pb(r) for r in m.tx_results),
                events=_events_from_pb(m.events),
                validator_updates=tuple(_validator_update_from_pb(v) for v in m.validator_updates),
                app_hash=bytes(m.app_hash),
            )
    raise TranslationError(f"unknown ABCI response method {method!r}")
