"""Registration and node queries (PROTOCOL.md §4.2)."""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.query_support import build_query_route, require_topic
from pyallora.chain.emissions.registration.state import (
    get_node_info,
    is_reputer_registered,
    is_worker_registered,
)
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import NotFoundError
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q


def query_is_worker_registered(
    ctx: QueryContext, store: ReadableKVStore, request: q.IsWorkerRegisteredInTopicIdRequest
) -> q.IsWorkerRegisteredInTopicIdResponse:
    """IsWorkerRegisteredInTopicId.

    Raises
    ------
    NotFoundError
        If the topic does not exist.
    """
    require_topic(store, request.topic_id)
    return q.IsWorkerRegisteredInTopicIdResponse(
        is_registered=is_worker_registered(store, request.topic_id, request.address)
    )


def query_is_reputer_registered(
    ctx: QueryContext, store: ReadableKVStore, request: q.IsReputerRegisteredInTopicIdRequest
) -> q.IsReputerRegisteredInTopicIdResponse:
    """IsReputerRegisteredInTopicId (no topic check)."""
    return q.IsReputerRegisteredInTopicIdResponse(
        is_registered=is_reputer_registered(store, request.topic_id, request.address)
    )


def _node(store: ReadableKVStore, address: str, *, is_reputer: bool) -> types_pb2.OffchainNode:
    info = get_node_info(store, address, is_reputer=is_reputer)
    if info is None:
        role = "reputer" if is_reputer else "worker"
        raise NotFoundError(f"no {role} node info for {address[:100]}")
    return types_pb2.OffchainNode(owner=info.owner, node_address=info.node_address)


def query_worker_node_info(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetWorkerNodeInfoRequest
) -> q.GetWorkerNodeInfoResponse:
    """GetWorkerNodeInfo.

    Raises
    ------
    NotFoundError
        If the address never registered as a worker.
    """
    return q.GetWorkerNodeInfoResponse(node_info=_node(store, request.address, is_reputer=False))


def query_reputer_node_info(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetReputerNodeInfoRequest
) -> q.GetReputerNodeInfoResponse:
    """GetReputerNodeInfo.

    Raises
    ------
    NotFoundError
        If the address never registered as a reputer.
    """
    return q.GetReputerNodeInfoResponse(node_info=_node(store, request.address, is_reputer=True))


QUERY_ROUTES: Final[tuple[QueryHandler[Any, Any], ...]] = (
    build_query_route(
        "IsWorkerRegisteredInTopicId",
        q.IsWorkerRegisteredInTopicIdRequest,
        query_is_worker_registered,
    ),
    build_query_route(
        "IsReputerRegisteredInTopicId",
        q.IsReputerRegisteredInTopicIdRequest,
        query_is_reputer_registered,
    ),
    build_query_route("GetWorkerNodeInfo", q.GetWorkerNodeInfoRequest, query_worker_node_info),
    build_query_route("GetReputerNodeInfo", q.GetReputerNodeInfoRequest, query_reputer_node_info),
)
"""The registration query routes."""
