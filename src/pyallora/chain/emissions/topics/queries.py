"""Topic and activation queries (PROTOCOL.md §4.1)."""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.dec_text import dec_to_field_text
from pyallora.chain.emissions.query_support import build_query_route
from pyallora.chain.emissions.stores import (
    TOPIC_LAST_REPUTER_COMMIT,
    TOPIC_LAST_WORKER_COMMIT,
    TOPIC_REWARD_NONCE,
)
from pyallora.chain.emissions.topics.activation import get_current_topic_weight
from pyallora.chain.emissions.topics.state import (
    get_active_topics_at_block,
    get_next_churning_block,
    get_next_topic_id,
    get_previous_topic_weight,
    get_topic,
    get_topic_fee_revenue,
    get_total_sum_previous_topic_weights,
    has_topic,
    is_topic_active,
    topic_to_proto,
)
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import NotFoundError
from pyallora.core.dec import ZERO
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q


def query_next_topic_id(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetNextTopicIdRequest
) -> q.GetNextTopicIdResponse:
    """GetNextTopicId: the id the next topic will get."""
    return q.GetNextTopicIdResponse(next_topic_id=get_next_topic_id(store))


def query_topic(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTopicRequest
) -> q.GetTopicResponse:
    """GetTopic: the topic, its *current* weight (computed now) and its fee revenue.

    Raises
    ------
    NotFoundError
        If the topic does not exist.
    """
    topic = get_topic(store, request.topic_id)
    if topic is None:
        raise NotFoundError(f"topic {request.topic_id} not found")
    return q.GetTopicResponse(
        topic=topic_to_proto(topic),
        weight=dec_to_field_text(get_current_topic_weight(store, topic.id)),
        effective_revenue=str(get_topic_fee_revenue(store, topic.id)),
    )


def query_topic_exists(
    ctx: QueryContext, store: ReadableKVStore, request: q.TopicExistsRequest
) -> q.TopicExistsResponse:
    """TopicExists."""
    return q.TopicExistsResponse(exists=has_topic(store, request.topic_id))


def query_is_topic_active(
    ctx: QueryContext, store: ReadableKVStore, request: q.IsTopicActiveRequest
) -> q.IsTopicActiveResponse:
    """IsTopicActive: a next churning block exists and is ≥ the committed height."""
    return q.IsTopicActiveResponse(is_active=is_topic_active(store, request.topic_id, ctx.height))


def query_active_topics_at_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetActiveTopicsAtBlockRequest
) -> q.GetActiveTopicsAtBlockResponse:
    """GetActiveTopicsAtBlock: the topics whose epoch ends at the height (pagination empty)."""
    topics = [
        topic_to_proto(topic)
        for topic_id in get_active_topics_at_block(store, request.block_height)
        if (topic := get_topic(store, topic_id)) is not None
    ]
    return q.GetActiveTopicsAtBlockResponse(
        topics=topics, pagination=types_pb2.SimpleCursorPaginationResponse()
    )


def query_next_churning_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetNextChurningBlockByTopicIdRequest
) -> q.GetNextChurningBlockByTopicIdResponse:
    """GetNextChurningBlockByTopicId: the next epoch end, 0 when unscheduled."""
    block = get_next_churning_block(store, request.topic_id)
    return q.GetNextChurningBlockByTopicIdResponse(block_height=block or 0)


def query_topic_fee_revenue(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTopicFeeRevenueRequest
) -> q.GetTopicFeeRevenueResponse:
    """GetTopicFeeRevenue."""
    return q.GetTopicFeeRevenueResponse(
        fee_revenue=str(get_topic_fee_revenue(store, request.topic_id))
    )


def query_previous_topic_weight(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetPreviousTopicWeightRequest
) -> q.GetPreviousTopicWeightResponse:
    """GetPreviousTopicWeight: the stored weight, or 0 with ``not_found``."""
    weight = get_previous_topic_weight(store, request.topic_id)
    return q.GetPreviousTopicWeightResponse(
        weight=dec_to_field_text(ZERO if weight is None else weight), not_found=weight is None
    )


def query_total_sum_previous_topic_weights(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTotalSumPreviousTopicWeightsRequest
) -> q.GetTotalSumPreviousTopicWeightsResponse:
    """GetTotalSumPreviousTopicWeights."""
    return q.GetTotalSumPreviousTopicWeightsResponse(
        weight=dec_to_field_text(get_total_sum_previous_topic_weights(store))
    )


def query_topic_reward_nonce(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTopicRewardNonceRequest
) -> q.GetTopicRewardNonceResponse:
    """GetTopicRewardNonce: 0 when none."""
    return q.GetTopicRewardNonceResponse(nonce=TOPIC_REWARD_NONCE.get(store, request.topic_id) or 0)


def query_topic_last_worker_commit(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTopicLastWorkerCommitInfoRequest
) -> q.GetTopicLastWorkerCommitInfoResponse:
    """GetTopicLastWorkerCommitInfo.

    Raises
    ------
    NotFoundError
        If no worker nonce of the topic was ever closed.
    """
    commit = TOPIC_LAST_WORKER_COMMIT.get(store, request.topic_id)
    if commit is None:
        raise NotFoundError(f"no worker commit for topic {request.topic_id}")
    return q.GetTopicLastWorkerCommitInfoResponse(last_commit=commit)


def query_topic_last_reputer_commit(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTopicLastReputerCommitInfoRequest
) -> q.GetTopicLastReputerCommitInfoResponse:
    """GetTopicLastReputerCommitInfo.

    Raises
    ------
    NotFoundError
        If no reputer nonce of the topic was ever closed.
    """
    commit = TOPIC_LAST_REPUTER_COMMIT.get(store, request.topic_id)
    if commit is None:
        raise NotFoundError(f"no reputer commit for topic {request.topic_id}")
    return q.GetTopicLastReputerCommitInfoResponse(last_commit=commit)


QUERY_ROUTES: Final[tuple[QueryHandler[Any, Any], ...]] = (
    build_query_route("GetNextTopicId", q.GetNextTopicIdRequest, query_next_topic_id),
    build_query_route("GetTopic", q.GetTopicRequest, query_topic),
    build_query_route("TopicExists", q.TopicExistsRequest, query_topic_exists),
    build_query_route("IsTopicActive", q.IsTopicActiveRequest, query_is_topic_active),
    build_query_route(
        "GetActiveTopicsAtBlock", q.GetActiveTopicsAtBlockRequest, query_active_topics_at_block
    ),
    build_query_route(
        "GetNextChurningBlockByTopicId",
        q.GetNextChurningBlockByTopicIdRequest,
        query_next_churning_block,
    ),
    build_query_route("GetTopicFeeRevenue", q.GetTopicFeeRevenueRequest, query_topic_fee_revenue),
    build_query_route(
        "GetPreviousTopicWeight", q.GetPreviousTopicWeightRequest, query_previous_topic_weight
    ),
    build_query_route(
        "GetTotalSumPreviousTopicWeights",
        q.GetTotalSumPreviousTopicWeightsRequest,
        query_total_sum_previous_topic_weights,
    ),
    build_query_route(
        "GetTopicRewardNonce", q.GetTopicRewardNonceRequest, query_topic_reward_nonce
    ),
    build_query_route(
        "GetTopicLastWorkerCommitInfo",
        q.GetTopicLastWorkerCommitInfoRequest,
        query_topic_last_worker_commit,
    ),
    build_query_route(
        "GetTopicLastReputerCommitInfo",
        q.GetTopicLastReputerCommitInfoRequest,
        query_topic_last_reputer_commit,
    ),
)
"""The §4.1 query routes."""
