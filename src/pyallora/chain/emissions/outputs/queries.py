"""Submission and network-output queries (PROTOCOL.md §4.4) and the window checks.

Not-found answers follow §4: a missing topic or nothing archived is sdk ``NotFound`` (38) for
the network-inference queries and ``GetWorkerLatestInferenceByTopicId``; the plain getters
answer empty lists or a zero bundle.

Besides the ``emissions.v5.QueryService`` methods, two pyallora queries answer "can I submit
now?" (:mod:`.windows`) under :data:`WINDOW_QUERY_PREFIX`, with ``google.protobuf.Struct``
requests and responses (every value a string or a bool, so no float ever appears):
``CanSubmitWorkerPayload`` and ``CanSubmitReputerPayload`` take ``{"topic_id": "1",
"address": "allo1…"}`` and answer ``{"can_submit": true, "nonce": "110", "window_start":
"110", "window_end": "114", "reason": "ok"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from google.protobuf import struct_pb2

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.nonces.state import (
    get_archived_forecasts,
    get_archived_inferences,
    get_archived_loss_bundles,
    get_last_reputer_commit,
    get_last_worker_commit,
    get_latest_archived_inference_nonce,
    get_latest_network_loss_bundle,
    get_network_loss_bundle,
)
from pyallora.chain.emissions.outputs.network import NetworkOutput, compute_network_output
from pyallora.chain.emissions.outputs.windows import (
    WindowStatus,
    compute_reputer_window_status,
    compute_worker_window_status,
)
from pyallora.chain.emissions.query_support import build_query_route
from pyallora.chain.emissions.rewards.state import FORECASTER, INFERER, REPUTER
from pyallora.chain.emissions.submissions.state import get_active_set, get_latest_inference
from pyallora.chain.emissions.topics.state import Topic, get_topic
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError, NotFoundError
from pyallora.core.crypto import is_valid_address
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q

WINDOW_QUERY_PREFIX: Final = "/pyallora.emissions.v1.QueryService/"
"""Path prefix of the pyallora window queries."""


def _require_topic(store: ReadableKVStore, topic_id: int) -> Topic:
    topic = get_topic(store, topic_id) if topic_id != 0 else None
    if topic is None:
        raise NotFoundError(f"topic {topic_id} not found")
    return topic


# ---------------------------------------------------------------------------------------------
# Network inferences


def query_network_inferences_at_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetNetworkInferencesAtBlockRequest
) -> q.GetNetworkInferencesAtBlockResponse:
    """GetNetworkInferencesAtBlock: the value bundle of the inferences archived at a nonce (the
    reputers' input). The bundle's nonce is the requested one.

    Raises
    ------
    NotFoundError
        If the topic does not exist or never ended an epoch, or nothing is archived there.
    """
    topic = _require_topic(store, request.topic_id)
    if topic.epoch_last_ended == 0:
        raise NotFoundError(f"topic {topic.id} has not ended an epoch yet")
    nonce = request.block_height_last_inference
    output = compute_network_output(store, topic, nonce, reply_nonce=nonce)
    return q.GetNetworkInferencesAtBlockResponse(network_inferences=output.bundle)


def _latest_response(
    output: NetworkOutput, inference_nonce: int, loss_nonce: int
) -> dict[str, Any]:
    return {
        "network_inferences": output.bundle,
        "inferer_weights": list(output.inferer_weights),
        "forecaster_weights": list(output.forecaster_weights),
        "inference_block_height": inference_nonce,
        "loss_block_height": loss_nonce,
        "confidence_interval_raw_percentiles": list(output.percentiles),
        "confidence_interval_values": list(output.interval_values),
    }


def query_latest_network_inferences(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetLatestNetworkInferencesRequest
) -> q.GetLatestNetworkInferencesResponse:
    """GetLatestNetworkInferences: at the highest nonce with archived inferences, with the
    weights and the confidence band; the bundle's nonce is the current height.

    Raises
    ------
    NotFoundError
        If the topic does not exist or nothing is archived.
    """
    topic = _require_topic(store, request.topic_id)
    nonce = get_latest_archived_inference_nonce(store, topic.id)
    if nonce is None:
        raise NotFoundError(f"no inferences archived for topic {topic.id}")
    output = compute_network_output(store, topic, nonce, reply_nonce=ctx.height)
    latest_loss = get_latest_network_loss_bundle(store, topic.id)
    loss_nonce = 0 if latest_loss is None else latest_loss[0]
    return q.GetLatestNetworkInferencesResponse(**_latest_response(output, nonce, loss_nonce))


def query_latest_available_network_inferences(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetLatestAvailableNetworkInferencesRequest,
) -> q.GetLatestAvailableNetworkInferencesResponse:
    """GetLatestAvailableNetworkInferences: at the last closed worker nonce, reporting the last
    closed reputer nonce as the loss height.

    Raises
    ------
    NotFoundError
        If the topic does not exist, either commit is missing, or nothing is archived.
    """
    topic = _require_topic(store, request.topic_id)
    worker = get_last_worker_commit(store, topic.id)
    reputer = get_last_reputer_commit(store, topic.id)
    if worker is None or reputer is None:
        raise NotFoundError(f"topic {topic.id} has no closed worker and reputer nonce yet")
    output = compute_network_output(store, topic, worker.nonce, reply_nonce=ctx.height)
    return q.GetLatestAvailableNetworkInferencesResponse(
        **_latest_response(output, worker.nonce, reputer.nonce)
    )


# ---------------------------------------------------------------------------------------------
# Archived submissions


def query_inferences_at_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetInferencesAtBlockRequest
) -> q.GetInferencesAtBlockResponse:
    """GetInferencesAtBlock: the archived inferences (empty when none)."""
    inferences = get_archived_inferences(store, request.topic_id, request.block_height)
    return q.GetInferencesAtBlockResponse(inferences=types_pb2.Inferences(inferences=inferences))


def query_latest_topic_inferences(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetLatestTopicInferencesRequest
) -> q.GetLatestTopicInferencesResponse:
    """GetLatestTopicInferences: the inferences of the highest archived nonce (0 and empty
    when none)."""
    nonce = get_latest_archived_inference_nonce(store, request.topic_id)
    if nonce is None:
        return q.GetLatestTopicInferencesResponse(block_height=0)
    return q.GetLatestTopicInferencesResponse(
        inferences=get_archived_inferences(store, request.topic_id, nonce), block_height=nonce
    )


def query_forecasts_at_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetForecastsAtBlockRequest
) -> q.GetForecastsAtBlockResponse:
    """GetForecastsAtBlock: the archived forecasts (empty when none)."""
    forecasts = get_archived_forecasts(store, request.topic_id, request.block_height)
    return q.GetForecastsAtBlockResponse(forecasts=types_pb2.Forecasts(forecasts=forecasts))


def query_worker_latest_inference(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetWorkerLatestInferenceByTopicIdRequest
) -> q.GetWorkerLatestInferenceByTopicIdResponse:
    """GetWorkerLatestInferenceByTopicId: the worker's inference in the current window.

    Raises
    ------
    NotFoundError
        If the topic does not exist or the worker has none.
    """
    _require_topic(store, request.topic_id)
    inference = get_latest_inference(store, request.topic_id, request.worker_address)
    if inference is None:
        raise NotFoundError(
            f"no inference of {request.worker_address} in the current window of topic "
            f"{request.topic_id}"
        )
    return q.GetWorkerLatestInferenceByTopicIdResponse(latest_inference=inference)


def query_network_loss_bundle_at_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetNetworkLossBundleAtBlockRequest
) -> q.GetNetworkLossBundleAtBlockResponse:
    """GetNetworkLossBundleAtBlock: the network losses (a zero bundle when absent)."""
    bundle = get_network_loss_bundle(store, request.topic_id, request.block_height)
    return q.GetNetworkLossBundleAtBlockResponse(
        loss_bundle=bundle if bundle is not None else types_pb2.ValueBundle()
    )


def query_reputer_loss_bundles_at_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetReputerLossBundlesAtBlockRequest
) -> q.GetReputerLossBundlesAtBlockResponse:
    """GetReputerLossBundlesAtBlock: the archived, filtered reputer bundles."""
    bundles = get_archived_loss_bundles(store, request.topic_id, request.block_height)
    return q.GetReputerLossBundlesAtBlockResponse(
        loss_bundles=types_pb2.ReputerValueBundles(reputer_value_bundles=bundles)
    )


def query_active_inferers(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetActiveInferersForTopicRequest
) -> q.GetActiveInferersForTopicResponse:
    """GetActiveInferersForTopic: the current window's inferers."""
    return q.GetActiveInferersForTopicResponse(
        inferers=get_active_set(store, INFERER, request.topic_id)
    )


def query_active_forecasters(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetActiveForecastersForTopicRequest
) -> q.GetActiveForecastersForTopicResponse:
    """GetActiveForecastersForTopic: the current window's forecasters."""
    return q.GetActiveForecastersForTopicResponse(
        forecasters=get_active_set(store, FORECASTER, request.topic_id)
    )


def query_active_reputers(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetActiveReputersForTopicRequest
) -> q.GetActiveReputersForTopicResponse:
    """GetActiveReputersForTopic: the reputers holding a bundle in the active set."""
    return q.GetActiveReputersForTopicResponse(
        reputers=get_active_set(store, REPUTER, request.topic_id)
    )


# ---------------------------------------------------------------------------------------------
# Window checks (pyallora)


def _string_field(request: struct_pb2.Struct, name: str) -> str:
    value = request.fields.get(name)
    if value is None or value.WhichOneof("kind") != "string_value":
        raise InvalidRequestError(f"{name} must be given as a string")
    text: str = value.string_value
    return text


def _parse_window_request(request: struct_pb2.Struct) -> tuple[int, str]:
    text = _string_field(request, "topic_id")
    if not text.isascii() or not text.isdigit() or len(text) > 20 or int(text) >= 1 << 64:
        raise InvalidRequestError(f"topic_id must be a decimal uint64, got {text[:40]!r}")
    address = _string_field(request, "address")
    if not is_valid_address(address):
        raise InvalidRequestError(f"address: {address[:64]!r} is not a bech32 allo address")
    return int(text), address


def _window_response(status: WindowStatus) -> struct_pb2.Struct:
    response = struct_pb2.Struct()
    response.fields["can_submit"].bool_value = status.can_submit
    response.fields["nonce"].string_value = str(status.nonce)
    response.fields["window_start"].string_value = str(status.window_start)
    response.fields["window_end"].string_value = str(status.window_end)
    response.fields["reason"].string_value = status.reason
    return response


def _window_query(
    compute: Callable[[ReadableKVStore, int, int, str], WindowStatus],
) -> Callable[[QueryContext, ReadableKVStore, struct_pb2.Struct], struct_pb2.Struct]:
    def handle(
        ctx: QueryContext, store: ReadableKVStore, request: struct_pb2.Struct
    ) -> struct_pb2.Struct:
        topic_id, address = _parse_window_request(request)
        return _window_response(compute(store, ctx.height + 1, topic_id, address))

    return handle


query_can_submit_worker_payload = _window_query(compute_worker_window_status)
"""CanSubmitWorkerPayload (pyallora): can the worker submit in the next block?"""

query_can_submit_reputer_payload = _window_query(compute_reputer_window_status)
"""CanSubmitReputerPayload (pyallora): can the reputer submit in the next block?"""


QUERY_ROUTES: Final[tuple[QueryHandler[Any, Any], ...]] = (
    build_query_route(
        "GetNetworkInferencesAtBlock",
        q.GetNetworkInferencesAtBlockRequest,
        query_network_inferences_at_block,
    ),
    build_query_route(
        "GetLatestNetworkInferences",
        q.GetLatestNetworkInferencesRequest,
        query_latest_network_inferences,
    ),
    build_query_route(
        "GetLatestAvailableNetworkInferences",
        q.GetLatestAvailableNetworkInferencesRequest,
        query_latest_available_network_inferences,
    ),
    build_query_route(
        "GetInferencesAtBlock", q.GetInferencesAtBlockRequest, query_inferences_at_block
    ),
    build_query_route(
        "GetLatestTopicInferences",
        q.GetLatestTopicInferencesRequest,
        query_latest_topic_inferences,
    ),
    build_query_route(
        "GetForecastsAtBlock", q.GetForecastsAtBlockRequest, query_forecasts_at_block
    ),
    build_query_route(
        "GetWorkerLatestInferenceByTopicId",
        q.GetWorkerLatestInferenceByTopicIdRequest,
        query_worker_latest_inference,
    ),
    build_query_route(
        "GetNetworkLossBundleAtBlock",
        q.GetNetworkLossBundleAtBlockRequest,
        query_network_loss_bundle_at_block,
    ),
    build_query_route(
        "GetReputerLossBundlesAtBlock",
        q.GetReputerLossBundlesAtBlockRequest,
        query_reputer_loss_bundles_at_block,
    ),
    build_query_route(
        "GetActiveInferersForTopic", q.GetActiveInferersForTopicRequest, query_active_inferers
    ),
    build_query_route(
        "GetActiveForecastersForTopic",
        q.GetActiveForecastersForTopicRequest,
        query_active_forecasters,
    ),
    build_query_route(
        "GetActiveReputersForTopic", q.GetActiveReputersForTopicRequest, query_active_reputers
    ),
    QueryHandler(
        path=WINDOW_QUERY_PREFIX + "CanSubmitWorkerPayload",
        request_type=struct_pb2.Struct,
        handle=query_can_submit_worker_payload,
    ),
    QueryHandler(
        path=WINDOW_QUERY_PREFIX + "CanSubmitReputerPayload",
        request_type=struct_pb2.Struct,
        handle=query_can_submit_reputer_payload,
    ),
)
"""The §4.4 query routes and the pyallora window checks."""
