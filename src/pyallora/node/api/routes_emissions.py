"""Topics, windows, submissions, losses, scores, stakes, rewards and the consumer endpoint.

Thin translations onto ``/emissions.v5.QueryService/<Method>`` (PROTOCOL.md §4): each endpoint
checks its parameters, asks the application in proto-JSON and reshapes little. A topic that
does not exist answers 404 (checked with ``GetTopic`` first, since many getters return
defaults for unknown keys); while the emissions module is not part of the node's application
every endpoint here answers 404.

Windows (PROTOCOL.md §3.14–3.15, §5.5–5.6): a worker nonce ``n`` accepts payloads in blocks
``n ≤ h < n + W``; a reputer nonce ``N`` in blocks ``N + G ≤ h ≤ N + 2G`` once the worker
nonce ``N`` has closed (and until the topic's epoch end closes it). "Now" is the next block,
``h = last committed height + 1``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from pyallora.node.api.backend import (
    EMISSIONS_QUERY,
    Backend,
    QueryFailedError,
    make_snapshot_key,
)
from pyallora.node.api.cache import NETWORK_INFERENCE, CacheKey
from pyallora.node.api.deps import (
    MAX_INT64,
    MAX_UINT64,
    ApiError,
    BackendDep,
    CacheDep,
    Page,
    PageDep,
    check_account_address,
    raise_for_query,
    run_query,
    try_query,
)
from pyallora.node.api.schemas import (
    ErrorResponse,
    NetworkInferenceResponse,
    QueryResult,
    ReputerNonceWindow,
    RewardEntry,
    RewardsResponse,
    SubmitEligibility,
    WeightedParticipant,
    WindowsResponse,
    WorkerNonceWindow,
)
from pyallora.node.cometbft import format_genesis_time
from pyallora.node.events import compute_stream_events

router = APIRouter(
    prefix="/v1", responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}
)

MAX_REWARD_SCAN: Final = 10_000
"""Most blocks one rewards request scans."""

TopicPath = Annotated[int, Path(ge=1, le=MAX_UINT64, description="Topic id (from 1).")]
AddressPath = Annotated[str, Path(max_length=128, description="An allo1… address.")]
NonceQuery = Annotated[
    int | None, Query(ge=1, le=MAX_INT64, description="Worker nonce (block height).")
]


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


async def _emissions(backend: Backend, method: str, **fields: Any) -> dict[str, Any]:
    request = {
        key: str(value) if isinstance(value, int) else value for key, value in fields.items()
    }
    return await run_query(backend, EMISSIONS_QUERY + method, request)


async def _try_emissions(backend: Backend, method: str, **fields: Any) -> dict[str, Any] | None:
    request = {
        key: str(value) if isinstance(value, int) else value for key, value in fields.items()
    }
    return await try_query(backend, EMISSIONS_QUERY + method, request)


async def require_topic(backend: Backend, topic_id: int) -> dict[str, Any]:
    """The ``GetTopic`` answer of an existing topic.

    Raises
    ------
    ApiError
        404 if the topic does not exist (or the node has no emissions module).
    """
    try:
        answer = await backend.query(EMISSIONS_QUERY + "GetTopic", {"topic_id": str(topic_id)})
    except QueryFailedError as exc:
        error = raise_for_query(exc)
        if error.status == 400:
            raise ApiError(404, f"topic {topic_id} not found: {exc.log}") from exc
        raise error from exc
    topic = answer.get("topic")
    if not isinstance(topic, dict) or _int(topic.get("id")) != topic_id:
        raise ApiError(404, f"topic {topic_id} not found")
    return answer


def _list_of(value: Any, key: str) -> list[Any]:
    """The list in ``value`` (a repeated field) or in ``value[key]`` (a wrapper message)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and isinstance(value.get(key), list):
        return list(value[key])
    return []


def _height(backend: Backend) -> int:
    return backend.info().last_block_height


def _page(values: list[Any], page: Page) -> tuple[list[Any], int]:
    return values[page.offset : page.offset + page.limit], len(values)


@router.get("/topics", response_model=QueryResult, summary="Topics")
async def list_topics(backend: BackendDep, page: PageDep) -> QueryResult:
    """Topics by id, paged: ``result`` is ``{next_topic_id, topics: [GetTopic answers]}``."""
    answer = await _emissions(backend, "GetNextTopicId")
    next_id = _int(answer.get("next_topic_id"))
    first = 1 + page.offset
    last = min(next_id - 1, first + page.limit - 1)
    topics = []
    for topic_id in range(first, last + 1):
        found = await _try_emissions(backend, "GetTopic", topic_id=topic_id)
        if found is not None:
            topics.append(found)
    return QueryResult(
        height=_height(backend), result={"next_topic_id": str(next_id), "topics": topics}
    )


@router.get("/topics/{topic_id}", response_model=QueryResult, summary="A topic")
async def get_topic(topic_id: TopicPath, backend: BackendDep) -> QueryResult:
    """A topic with its parameters, current weight, revenue and whether it is active."""
    answer = await require_topic(backend, topic_id)
    active = await _try_emissions(backend, "IsTopicActive", topic_id=topic_id)
    churn = await _try_emissions(backend, "GetNextChurningBlockByTopicId", topic_id=topic_id)
    result = {
        **answer,
        "is_active": bool(active and active.get("is_active")),
        "next_epoch_end": str(_int(churn.get("block_height")) if churn else 0),
    }
    return QueryResult(height=_height(backend), result=result)


def _worker_nonces(answer: dict[str, Any] | None) -> list[int]:
    entries = _list_of((answer or {}).get("nonces"), "nonces")
    return [_int(entry.get("block_height")) for entry in entries if isinstance(entry, dict)]


def _reputer_nonces(answer: dict[str, Any] | None) -> list[int]:
    entries = _list_of((answer or {}).get("nonces"), "nonces")
    return [
        _int((entry.get("reputer_nonce") or {}).get("block_height"))
        for entry in entries
        if isinstance(entry, dict)
    ]


async def _eligibility(
    backend: Backend,
    topic_id: int,
    address: str,
    *,
    worker_open: bool,
    reputer_open: bool,
) -> SubmitEligibility:
    reasons: list[str] = []
    worker = await _try_emissions(
        backend, "IsWorkerRegisteredInTopicId", topic_id=topic_id, address=address
    )
    reputer = await _try_emissions(
        backend, "IsReputerRegisteredInTopicId", topic_id=topic_id, address=address
    )
    worker_registered = bool(worker and worker.get("is_registered"))
    reputer_registered = bool(reputer and reputer.get("is_registered"))
    can_worker = worker_registered and worker_open
    if not worker_registered:
        reasons.append("not registered as a worker in this topic")
    elif not worker_open:
        reasons.append("no worker nonce is open in the next block")
    else:
        latest = await _try_emissions(
            backend,
            "GetWorkerLatestInferenceByTopicId",
            topic_id=topic_id,
            worker_address=address,
        )
        if latest and (latest.get("latest_inference") or {}).get("inferer"):
            can_worker = False
            reasons.append("an inference from this worker was already accepted in this window")
    can_reputer = reputer_registered and reputer_open
    if not reputer_registered:
        reasons.append("not registered as a reputer in this topic")
    elif not reputer_open:
        reasons.append("no reputer nonce is open in the next block")
    else:
        params = await _try_emissions(backend, "GetParams")
        authority = await _try_emissions(
            backend, "GetStakeReputerAuthority", topic_id=topic_id, reputer=address
        )
        required = _int(((params or {}).get("params") or {}).get("required_minimum_stake"))
        have = _int((authority or {}).get("authority"))
        if have < required:
            can_reputer = False
            reasons.append(f"stake {have} uallo is below the required minimum {required}")
    return SubmitEligibility(
        address=address,
        worker_registered=worker_registered,
        reputer_registered=reputer_registered,
        can_submit_worker=can_worker,
        can_submit_reputer=can_reputer,
        reasons=reasons,
    )


@router.get(
    "/topics/{topic_id}/windows", response_model=WindowsResponse, summary="Submission windows"
)
async def get_windows(
    topic_id: TopicPath,
    backend: BackendDep,
    address: Annotated[
        str | None,
        Query(max_length=128, description="Also say whether this address can submit now."),
    ] = None,
) -> WindowsResponse:
    """Which worker and reputer nonces are open, when they close, and (with ``address``)
    whether that address can submit in the next block."""
    if address is not None:
        check_account_address(address)
    answer = await require_topic(backend, topic_id)
    topic = answer["topic"]
    height = _height(backend)
    next_height = height + 1
    window = _int(topic.get("worker_submission_window"))
    lag = _int(topic.get("ground_truth_lag"))
    churn = await _try_emissions(backend, "GetNextChurningBlockByTopicId", topic_id=topic_id)
    worker_nonces = _worker_nonces(
        await _try_emissions(backend, "GetUnfulfilledWorkerNonces", topic_id=topic_id)
    )
    reputer_nonces = _reputer_nonces(
        await _try_emissions(backend, "GetUnfulfilledReputerNonces", topic_id=topic_id)
    )
    workers = [
        WorkerNonceWindow(
            nonce=nonce,
            opens_at=nonce,
            closes_at=nonce + window,
            open_now=nonce <= next_height < nonce + window,
        )
        for nonce in worker_nonces
    ]
    reputers = [
        ReputerNonceWindow(
            nonce=nonce,
            opens_at=nonce + lag,
            closes_by=nonce + 2 * lag,
            open_now=nonce not in worker_nonces and nonce + lag <= next_height <= nonce + 2 * lag,
        )
        for nonce in reputer_nonces
    ]
    eligibility = None
    if address is not None:
        eligibility = await _eligibility(
            backend,
            topic_id,
            address,
            worker_open=any(w.open_now for w in workers),
            reputer_open=any(r.open_now for r in reputers),
        )
    return WindowsResponse(
        topic_id=topic_id,
        height=height,
        next_height=next_height,
        epoch_length=_int(topic.get("epoch_length")),
        worker_submission_window=window,
        ground_truth_lag=lag,
        epoch_last_ended=_int(topic.get("epoch_last_ended")),
        next_epoch_end=_int(churn.get("block_height")) if churn else 0,
        worker_nonces=workers,
        reputer_nonces=reputers,
        eligibility=eligibility,
    )


async def _latest_nonce(backend: Backend, topic_id: int) -> int:
    answer = await _emissions(backend, "GetLatestTopicInferences", topic_id=topic_id)
    return _int(answer.get("block_height"))


@router.get(
    "/topics/{topic_id}/inferences", response_model=QueryResult, summary="Inferences of a nonce"
)
async def get_inferences(
    topic_id: TopicPath, backend: BackendDep, page: PageDep, nonce: NonceQuery = None
) -> QueryResult:
    """The inferences archived at ``nonce`` (default: the latest archived nonce), paged:
    ``result`` is ``{nonce, total, inferences}``."""
    await require_topic(backend, topic_id)
    if nonce is None:
        answer = await _emissions(backend, "GetLatestTopicInferences", topic_id=topic_id)
        nonce = _int(answer.get("block_height"))
    else:
        answer = await _emissions(
            backend, "GetInferencesAtBlock", topic_id=topic_id, block_height=nonce
        )
    items, total = _page(_list_of(answer.get("inferences"), "inferences"), page)
    return QueryResult(
        height=_height(backend),
        result={"nonce": str(nonce), "total": total, "inferences": items},
    )


@router.get(
    "/topics/{topic_id}/forecasts", response_model=QueryResult, summary="Forecasts of a nonce"
)
async def get_forecasts(
    topic_id: TopicPath, backend: BackendDep, page: PageDep, nonce: NonceQuery = None
) -> QueryResult:
    """The forecasts archived at ``nonce`` (default: the latest archived nonce), paged."""
    await require_topic(backend, topic_id)
    if nonce is None:
        nonce = await _latest_nonce(backend, topic_id)
    answer = await _emissions(backend, "GetForecastsAtBlock", topic_id=topic_id, block_height=nonce)
    items, total = _page(_list_of(answer.get("forecasts"), "forecasts"), page)
    return QueryResult(
        height=_height(backend),
        result={"nonce": str(nonce), "total": total, "forecasts": items},
    )


@router.get(
    "/topics/{topic_id}/losses", response_model=QueryResult, summary="Reputer losses of a nonce"
)
async def get_losses(
    topic_id: TopicPath,
    backend: BackendDep,
    page: PageDep,
    nonce: Annotated[int, Query(ge=1, le=MAX_INT64, description="Reputer nonce.")],
) -> QueryResult:
    """The network loss bundle and the reputers' (filtered) loss bundles of ``nonce``."""
    await require_topic(backend, topic_id)
    network = await _emissions(
        backend, "GetNetworkLossBundleAtBlock", topic_id=topic_id, block_height=nonce
    )
    reputers = await _emissions(
        backend, "GetReputerLossBundlesAtBlock", topic_id=topic_id, block_height=nonce
    )
    items, total = _page(_list_of(reputers.get("loss_bundles"), "reputer_value_bundles"), page)
    return QueryResult(
        height=_height(backend),
        result={
            "nonce": str(nonce),
            "network_loss": network.get("loss_bundle"),
            "total": total,
            "reputer_losses": items,
        },
    )


@router.get("/topics/{topic_id}/scores", response_model=QueryResult, summary="Scores of a nonce")
async def get_scores(
    topic_id: TopicPath,
    backend: BackendDep,
    page: PageDep,
    nonce: Annotated[int, Query(ge=1, le=MAX_INT64, description="Nonce (block height).")],
) -> QueryResult:
    """Inferer, forecaster and reputer scores recorded at ``nonce`` (each list paged)."""
    await require_topic(backend, topic_id)
    result: dict[str, Any] = {"nonce": str(nonce)}
    for key, method in (
        ("inferer_scores", "GetWorkerInferenceScoresAtBlock"),
        ("forecaster_scores", "GetWorkerForecastScoresAtBlock"),
        ("reputer_scores", "GetReputersScoresAtBlock"),
    ):
        answer = await _emissions(backend, method, topic_id=topic_id, block_height=nonce)
        items, _ = _page(_list_of(answer.get("scores"), "scores"), page)
        result[key] = items
    return QueryResult(height=_height(backend), result=result)


@router.get(
    "/topics/{topic_id}/scores/{address}",
    response_model=QueryResult,
    summary="An actor's score EMAs",
)
async def get_actor_scores(
    topic_id: TopicPath, address: AddressPath, backend: BackendDep
) -> QueryResult:
    """The address's inferer, forecaster and reputer score EMAs in the topic."""
    check_account_address(address)
    await require_topic(backend, topic_id)
    inferer = await _emissions(backend, "GetInfererScoreEma", topic_id=topic_id, inferer=address)
    forecaster = await _emissions(
        backend, "GetForecasterScoreEma", topic_id=topic_id, forecaster=address
    )
    reputer = await _emissions(backend, "GetReputerScoreEma", topic_id=topic_id, reputer=address)
    return QueryResult(
        height=_height(backend),
        result={
            "inferer": inferer.get("score"),
            "forecaster": forecaster.get("score"),
            "reputer": reputer.get("score"),
        },
    )


@router.get(
    "/topics/{topic_id}/registrations/{address}",
    response_model=QueryResult,
    summary="Whether an address is registered",
)
async def get_registration(
    topic_id: TopicPath, address: AddressPath, backend: BackendDep
) -> QueryResult:
    """Whether the address is registered as a worker and as a reputer in the topic."""
    check_account_address(address)
    await require_topic(backend, topic_id)
    worker = await _emissions(
        backend, "IsWorkerRegisteredInTopicId", topic_id=topic_id, address=address
    )
    reputer = await _emissions(
        backend, "IsReputerRegisteredInTopicId", topic_id=topic_id, address=address
    )
    return QueryResult(
        height=_height(backend),
        result={
            "worker": bool(worker.get("is_registered")),
            "reputer": bool(reputer.get("is_registered")),
        },
    )


@router.get("/topics/{topic_id}/stake", response_model=QueryResult, summary="Topic stake")
async def get_topic_stake(topic_id: TopicPath, backend: BackendDep) -> QueryResult:
    """All stake in the topic (self and delegated), uallo."""
    await require_topic(backend, topic_id)
    answer = await _emissions(backend, "GetTopicStake", topic_id=topic_id)
    return QueryResult(height=_height(backend), result=answer)


@router.get(
    "/topics/{topic_id}/reputers/{address}/stake",
    response_model=QueryResult,
    summary="A reputer's stake",
)
async def get_reputer_stake(
    topic_id: TopicPath, address: AddressPath, backend: BackendDep
) -> QueryResult:
    """A reputer's authority (self + delegated), its self-stake and the delegated part."""
    check_account_address(address)
    await require_topic(backend, topic_id)
    authority = await _emissions(
        backend, "GetReputerStakeInTopic", topic_id=topic_id, address=address
    )
    own = await _emissions(
        backend, "GetStakeFromReputerInTopicInSelf", topic_id=topic_id, reputer_address=address
    )
    delegated = await _emissions(
        backend, "GetDelegateStakeInTopicInReputer", topic_id=topic_id, reputer_address=address
    )
    return QueryResult(
        height=_height(backend),
        result={
            "authority": str(authority.get("amount", "0")),
            "self": str(own.get("amount", "0")),
            "delegated": str(delegated.get("amount", "0")),
        },
    )


@router.get("/stake", response_model=QueryResult, summary="Total stake")
async def get_total_stake(backend: BackendDep) -> QueryResult:
    """The sum of all reputer and delegated stake over all topics, uallo."""
    answer = await _emissions(backend, "GetTotalStake")
    return QueryResult(height=_height(backend), result=answer)


@router.get("/topics/{topic_id}/rewards", response_model=RewardsResponse, summary="Rewards paid")
async def get_rewards(
    topic_id: TopicPath,
    backend: BackendDep,
    page: PageDep,
    from_height: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
    to_height: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
) -> RewardsResponse:
    """Rewards settled in the topic between two heights (from the node's event log; at
    most 10,000 blocks per request, default the last 1,000)."""
    await require_topic(backend, topic_id)
    log = backend.event_log
    end = min(to_height or log.latest_height, log.latest_height)
    start = from_height if from_height is not None else max(1, end - 999)
    if start > end:
        return RewardsResponse(topic_id=topic_id, from_height=start, to_height=end, entries=[])
    end = min(end, start + MAX_REWARD_SCAN - 1)
    entries: list[RewardEntry] = []
    skipped = 0
    for block in log.iterate_blocks(start, end):
        for event in compute_stream_events(block):
            if event.type != "rewards" or event.data.get("topic_id") != topic_id:
                continue
            if skipped < page.offset:
                skipped += 1
                continue
            entries.append(
                RewardEntry(
                    height=event.height,
                    actor=str(event.data.get("actor", "")),
                    addresses=list(event.data.get("addresses", [])),
                    rewards=list(event.data.get("rewards", [])),
                )
            )
            if len(entries) >= page.limit:
                return RewardsResponse(
                    topic_id=topic_id, from_height=start, to_height=block.height, entries=entries
                )
    return RewardsResponse(topic_id=topic_id, from_height=start, to_height=end, entries=entries)


def _participants(values: Any, weights: Any) -> list[WeightedParticipant]:
    by_worker: dict[str, str] = {}
    for entry in weights if isinstance(weights, list) else ():
        if isinstance(entry, dict):
            by_worker[str(entry.get("worker", ""))] = str(entry.get("weight", ""))
    participants = []
    seen: set[str] = set()
    for entry in values if isinstance(values, list) else ():
        if not isinstance(entry, dict):
            continue
        worker = str(entry.get("worker", ""))
        seen.add(worker)
        participants.append(
            WeightedParticipant(
                address=worker, value=str(entry.get("value", "")), weight=by_worker.get(worker)
            )
        )
    participants.extend(
        WeightedParticipant(address=worker, value=None, weight=weight)
        for worker, weight in sorted(by_worker.items())
        if worker not in seen
    )
    return participants


def _to_network_inference(
    topic_id: int,
    answer: dict[str, Any],
    *,
    source: str,
    block_height: int | None,
    block_time: str | None,
    nonce: int | None = None,
) -> NetworkInferenceResponse:
    bundle = answer.get("network_inferences") or {}
    inference_height = _int(answer.get("inference_block_height")) or (nonce or 0)
    return NetworkInferenceResponse(
        topic_id=topic_id,
        nonce=nonce if nonce is not None else inference_height,
        value=str(bundle.get("combined_value", "")),
        naive_value=bundle.get("naive_value"),
        confidence_interval_percentiles=[
            str(v) for v in answer.get("confidence_interval_raw_percentiles") or ()
        ],
        confidence_interval_values=[str(v) for v in answer.get("confidence_interval_values") or ()],
        inference_block_height=inference_height,
        loss_block_height=_int(answer.get("loss_block_height")),
        block_height=block_height,
        block_time=block_time,
        inferers=_participants(bundle.get("inferer_values"), answer.get("inferer_weights")),
        forecasters=_participants(
            bundle.get("forecaster_values"), answer.get("forecaster_weights")
        ),
        source=source,  # type: ignore[arg-type]
    )


async def compute_network_inference(
    backend: Backend, topic_id: int, nonce: int | None = None
) -> NetworkInferenceResponse:
    """The consumer endpoint's answer, computed from committed state and the event log.

    Without ``nonce``: the topic's latest network inference (``source`` ``latest``). With
    ``nonce``: as recorded when that nonce closed (``recorded``), or, for a nonce closed
    before this node kept records, the archived value bundle without weights
    (``archived``).

    Raises
    ------
    ApiError
        404 if the topic or the inference does not exist.
    """
    await require_topic(backend, topic_id)
    log = backend.event_log
    if nonce is None:
        answer = await _emissions(backend, "GetLatestNetworkInferences", topic_id=topic_id)
        height = _height(backend)
        block = log.get_block(height)
        return _to_network_inference(
            topic_id,
            answer,
            source="latest",
            block_height=height,
            block_time=format_genesis_time(block.time_ns) if block else None,
        )
    recorded = log.get_snapshot(make_snapshot_key(topic_id, nonce))
    if recorded is not None:
        height = _int(recorded.get("recorded_height"))
        return _to_network_inference(
            topic_id,
            recorded,
            source="recorded",
            block_height=height,
            block_time=format_genesis_time(_int(recorded.get("recorded_time_ns"))),
            nonce=nonce,
        )
    answer = await _emissions(
        backend, "GetNetworkInferencesAtBlock", topic_id=topic_id, block_height_last_inference=nonce
    )
    block = log.get_block(nonce)
    return _to_network_inference(
        topic_id,
        answer,
        source="archived",
        block_height=nonce,
        block_time=format_genesis_time(block.time_ns) if block else None,
        nonce=nonce,
    )


@router.get(
    "/topics/{topic_id}/network_inference",
    response_model=NetworkInferenceResponse,
    summary="The network inference (consumer endpoint)",
)
async def get_network_inference(
    topic_id: TopicPath, backend: BackendDep, cache: CacheDep, nonce: NonceQuery = None
) -> Response:
    """The topic's latest network inference with its confidence interval, the block it was
    read at, and the inferers and forecasters behind it with their weights. With ``nonce``:
    the same for a past nonce, as recorded when that nonce closed (or, for a nonce closed
    before this node kept records, the archived value bundle without weights)."""
    key: CacheKey = (NETWORK_INFERENCE, topic_id, nonce)
    before = _height(backend)
    body = cache.get(key, before)
    if body is None:
        answer = await compute_network_inference(backend, topic_id, nonce)
        body = answer.model_dump_json(by_alias=True).encode("utf-8")
        # Cached only if no commit happened while it was computed (it would mix two states).
        if _height(backend) == before:
            cache.put(key, None if answer.source == "recorded" else before, body)
    return Response(content=body, media_type="application/json")
