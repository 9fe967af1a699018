"""Node, block and transaction endpoints: status, blocks, broadcast, tx lookup, validators,
and the generic state query."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from pyallora.chain.abci_types import TxResult
from pyallora.core.crypto import sha256
from pyallora.node.api.backend import BackendError, QueryFailedError
from pyallora.node.api.deps import (
    MAX_INT64,
    ApiError,
    BackendDep,
    PageDep,
    SettingsDep,
    format_hex,
    parse_tx_hash,
    run_query,
)
from pyallora.node.api.schemas import (
    BlockList,
    BlockResponse,
    BlockSummary,
    BroadcastRequest,
    BroadcastResponse,
    ConsensusValidatorModel,
    ErrorResponse,
    EventModel,
    NodeStatus,
    QueryRequestBody,
    QueryResult,
    TxResponse,
    TxResultModel,
    TxSummary,
    ValidatorsResponse,
)
from pyallora.node.cometbft import format_genesis_time
from pyallora.node.events import BlockRecord, TxRecord, encode_event_json, get_tx_sender

router = APIRouter(prefix="/v1", responses={400: {"model": ErrorResponse}})

STAKING_VALIDATORS = "/cosmos.staking.v1beta1.Query/Validators"
"""The staking module's validator listing."""

MAX_TX_BYTES_BASE64 = 2_000_000
"""Largest accepted ``tx_bytes`` text."""


def _events(result: TxResult) -> list[EventModel]:
    return [EventModel.model_validate(encode_event_json(event)) for event in result.events]


def to_tx_result_model(result: TxResult) -> TxResultModel:
    """The API form of a tx result."""
    return TxResultModel(
        code=result.code,
        codespace=result.codespace,
        log=result.log,
        gas_wanted=result.gas_wanted,
        gas_used=result.gas_used,
        data=base64.b64encode(result.data).decode("ascii"),
        events=_events(result),
    )


def to_tx_response(tx: TxRecord) -> TxResponse:
    """The API form of a committed tx."""
    return TxResponse(
        hash=tx.hash,
        height=tx.height,
        index=tx.index,
        tx=base64.b64encode(tx.tx).decode("ascii"),
        sender=get_tx_sender(tx.result),
        result=to_tx_result_model(tx.result),
    )


def to_block_response(block: BlockRecord) -> BlockResponse:
    """The API form of a recorded block."""
    return BlockResponse(
        height=block.height,
        time=format_genesis_time(block.time_ns),
        time_ns=str(block.time_ns),
        app_hash=format_hex(block.app_hash),
        block_hash=format_hex(block.block_hash),
        proposer=format_hex(block.proposer),
        num_txs=len(block.txs),
        txs=[
            TxSummary(
                hash=tx.hash,
                index=tx.index,
                code=tx.result.code,
                codespace=tx.result.codespace,
                log=tx.result.log,
                gas_wanted=tx.result.gas_wanted,
                gas_used=tx.result.gas_used,
                sender=get_tx_sender(tx.result),
            )
            for tx in block.txs
        ],
        events=[EventModel.model_validate(encode_event_json(event)) for event in block.events],
    )


@router.get("/status", response_model=NodeStatus, summary="Height, app hash and engine")
async def get_status(backend: BackendDep, settings: SettingsDep) -> NodeStatus:
    """The node's last committed block, its engine and where it listens."""
    info = backend.info()
    log = backend.event_log
    latest = log.get_block(log.latest_height) if log.latest_height else None
    engine: Literal["cometbft", "solo"] = "cometbft" if backend.engine == "cometbft" else "solo"
    return NodeStatus(
        height=info.last_block_height,
        app_hash=format_hex(info.last_block_app_hash),
        engine=engine,
        api=settings.api_url,
        chain_id=backend.chain_id,
        rpc=backend.rpc_url,
        latest_block_time=format_genesis_time(latest.time_ns) if latest else None,
        earliest_height=log.earliest_height,
        version=settings.version,
    )


METRICS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""Prometheus' text exposition format."""


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@router.get(
    "/metrics",
    response_class=Response,
    summary="Node metrics (Prometheus text format)",
    responses={200: {"content": {METRICS_MEDIA_TYPE: {}}}},
)
async def get_metrics(backend: BackendDep) -> Response:
    """Height, event stream subscribers, and the ABCI requests the application answered by
    kind (``check_tx``, ``recheck_tx``, ``prepare_proposal``, ``finalize_block``, ``commit``,
    ``on_commit`` for recording the block, ...) with the seconds they took, in Prometheus' text
    format: where a node's time goes. The ABCI series are empty on the solo engine."""
    log = backend.event_log
    stats = backend.request_stats()
    node_labels = f'{{engine="{_label(backend.engine)}",chain_id="{_label(backend.chain_id)}"}}'
    families: list[tuple[str, str, str, list[tuple[str, object]]]] = [
        ("pyallora_node_info", "gauge", "The node's engine and chain id.", [(node_labels, 1)]),
        (
            "pyallora_block_height",
            "gauge",
            "Height of the last committed block.",
            [("", backend.info().last_block_height)],
        ),
        (
            "pyallora_event_log_latest_height",
            "gauge",
            "Height of the last block in the node's event log.",
            [("", log.latest_height)],
        ),
        (
            "pyallora_event_stream_subscribers",
            "gauge",
            "Live subscribers of the event stream.",
            [("", log.subscriber_count)],
        ),
        (
            "pyallora_abci_requests_total",
            "counter",
            "ABCI requests answered, by kind.",
            [(f'{{method="{_label(name)}"}}', entry.count) for name, entry in stats.items()],
        ),
        (
            "pyallora_abci_request_seconds_total",
            "counter",
            "Seconds the application spent answering ABCI requests, by kind.",
            [
                (f'{{method="{_label(name)}"}}', f"{entry.seconds:.6f}")
                for name, entry in stats.items()
            ],
        ),
    ]
    lines: list[str] = []
    for name, kind, text, samples in families:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        lines += [f"{name}{labels} {value}" for labels, value in samples]
    return Response(content="\n".join(lines) + "\n", media_type=METRICS_MEDIA_TYPE)


@router.get("/blocks", response_model=BlockList, summary="Recent blocks")
async def list_blocks(
    backend: BackendDep,
    page: PageDep,
    from_height: Annotated[
        int | None, Query(ge=1, le=MAX_INT64, description="First height (default: newest page).")
    ] = None,
) -> BlockList:
    """Blocks in ascending height order from ``from_height`` (default: the latest page)."""
    log = backend.event_log
    latest = log.latest_height
    if from_height is None:
        start = max(log.earliest_height, latest - page.limit + 1)
    else:
        start = from_height
    start = min(start + page.offset, MAX_INT64)
    end = min(start + page.limit - 1, latest)
    blocks = [
        BlockSummary(
            height=block.height,
            time=format_genesis_time(block.time_ns),
            app_hash=format_hex(block.app_hash),
            num_txs=len(block.txs),
        )
        for block in log.iterate_blocks(start, end)
    ]
    return BlockList(blocks=blocks, earliest_height=log.earliest_height, latest_height=latest)


@router.get(
    "/blocks/latest",
    response_model=BlockResponse,
    responses={404: {"model": ErrorResponse}},
    summary="The last committed block",
)
async def get_latest_block(backend: BackendDep) -> BlockResponse:
    """The last committed block."""
    block = backend.event_log.get_block(backend.event_log.latest_height)
    if block is None:
        raise ApiError(404, "no block has been committed yet")
    return to_block_response(block)


@router.get(
    "/blocks/{height}",
    response_model=BlockResponse,
    responses={404: {"model": ErrorResponse}},
    summary="A block by height",
)
async def get_block(
    backend: BackendDep, height: Annotated[int, Path(ge=1, le=MAX_INT64)]
) -> BlockResponse:
    """A block with its transactions' results and its begin/end-block events."""
    block = backend.event_log.get_block(height)
    if block is None:
        log = backend.event_log
        raise ApiError(
            404,
            f"block {height} is not in the node's log "
            f"(heights {log.earliest_height}..{log.latest_height})",
        )
    return to_block_response(block)


@router.post(
    "/txs",
    response_model=BroadcastResponse,
    responses={202: {"model": BroadcastResponse}, 503: {"model": ErrorResponse}},
    summary="Broadcast a signed transaction",
)
async def broadcast_tx(
    body: BroadcastRequest, backend: BackendDep, settings: SettingsDep, response: Response
) -> BroadcastResponse:
    """Submit a signed ``TxRaw``. Returns the CheckTx result; with ``wait`` also waits until
    the tx is in a committed block (202 with ``included: false`` if the wait runs out)."""
    try:
        raw = base64.b64decode(body.tx_bytes, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, f"tx_bytes is not valid base64: {exc}") from exc
    if not raw:
        raise ApiError(400, "tx_bytes is empty")
    tx_hash = sha256(raw)
    try:
        check = await backend.broadcast(raw)
    except BackendError as exc:
        raise ApiError(503, str(exc)) from exc
    answer = BroadcastResponse(
        tx_hash=format_hex(tx_hash),
        code=check.code,
        codespace=check.codespace,
        log=check.log,
        gas_wanted=check.gas_wanted,
        gas_used=check.gas_used,
        included=False,
    )
    if not body.wait or check.code != 0:
        return answer
    found = await backend.event_log.wait_for_tx(tx_hash, settings.cap_wait(body.timeout_ms))
    if found is None:
        response.status_code = 202
        return answer
    return answer.model_copy(
        update={
            "included": True,
            "height": found.height,
            "tx_result": to_tx_result_model(found.result),
        }
    )


@router.get(
    "/txs/{tx_hash}",
    response_model=TxResponse,
    responses={404: {"model": ErrorResponse}},
    summary="A committed transaction by hash",
)
async def get_tx(
    backend: BackendDep,
    settings: SettingsDep,
    tx_hash: Annotated[str, Path(description="SHA-256 of the tx bytes, hex.")],
    wait_ms: Annotated[
        int, Query(ge=0, le=60_000, description="Wait up to this long for inclusion.")
    ] = 0,
) -> TxResponse:
    """A committed transaction, its block height and result (404 if unknown)."""
    digest = parse_tx_hash(tx_hash)
    try:
        found = await backend.get_tx(digest)
    except BackendError as exc:
        raise ApiError(503, str(exc)) from exc
    if found is None and wait_ms:
        found = await backend.event_log.wait_for_tx(digest, settings.cap_wait(wait_ms))
    if found is None:
        raise ApiError(404, f"tx {tx_hash.upper()} not found")
    return to_tx_response(found)


@router.get("/validators", response_model=ValidatorsResponse, summary="The validator set")
async def get_validators(backend: BackendDep, page: PageDep) -> ValidatorsResponse:
    """The consensus validator set, and the staking module's validators when it exists."""
    try:
        consensus = await backend.get_validators()
    except BackendError as exc:
        raise ApiError(503, str(exc)) from exc
    models = [
        ConsensusValidatorModel(
            address=format_hex(v.address),
            pub_key=base64.b64encode(v.pub_key).decode("ascii"),
            power=v.power,
        )
        for v in consensus
    ]
    height = backend.info().last_block_height
    staking: list[dict[str, Any]] | None = None
    try:
        answer = await backend.query(
            STAKING_VALIDATORS,
            {"pagination": {"limit": str(page.limit), "offset": str(page.offset)}},
        )
    except QueryFailedError:
        answer = None
    if answer is not None:
        staking = [v for v in answer.get("validators", []) if isinstance(v, dict)]
        total = int(answer.get("pagination", {}).get("total") or len(staking))
        return ValidatorsResponse(
            source="staking",
            height=height,
            consensus=models,
            staking=staking,
            total=total,
        )
    window = models[page.offset : page.offset + page.limit]
    return ValidatorsResponse(
        source="consensus", height=height, consensus=window, total=len(models)
    )


@router.post(
    "/query",
    response_model=QueryResult,
    responses={404: {"model": ErrorResponse}},
    summary="Any state query by gRPC method path",
)
async def post_query(body: QueryRequestBody, backend: BackendDep) -> QueryResult:
    """Run any query the application serves (``/cosmos.bank.v1beta1.Query/Balance``,
    ``/emissions.v5.QueryService/GetTopic``, ...) with a proto-JSON request."""
    result = await run_query(backend, body.path, body.request)
    return QueryResult(height=backend.info().last_block_height, result=result)
