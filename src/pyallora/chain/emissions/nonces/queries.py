"""Nonce and window queries: the actors' polling surface (PROTOCOL.md §4.3).

Lists are newest first (the Go node takes the first worker nonce and the *last* reputer
nonce). A missing topic answers an empty list / false, as the reference's getters do.
"""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.nonces.state import (
    get_unfulfilled_reputer_nonces,
    get_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.query_support import build_query_route
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q


def query_unfulfilled_worker_nonces(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetUnfulfilledWorkerNoncesRequest
) -> q.GetUnfulfilledWorkerNoncesResponse:
    """GetUnfulfilledWorkerNonces: open worker nonces, newest first."""
    nonces = get_unfulfilled_worker_nonces(store, request.topic_id)
    return q.GetUnfulfilledWorkerNoncesResponse(
        nonces=types_pb2.Nonces(nonces=[types_pb2.Nonce(block_height=n) for n in nonces])
    )


def query_unfulfilled_reputer_nonces(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetUnfulfilledReputerNoncesRequest
) -> q.GetUnfulfilledReputerNoncesResponse:
    """GetUnfulfilledReputerNonces: open reputer nonces, newest first."""
    nonces = get_unfulfilled_reputer_nonces(store, request.topic_id)
    return q.GetUnfulfilledReputerNoncesResponse(
        nonces=types_pb2.ReputerRequestNonces(
            nonces=[
                types_pb2.ReputerRequestNonce(reputer_nonce=types_pb2.Nonce(block_height=n))
                for n in nonces
            ]
        )
    )


def query_is_worker_nonce_unfulfilled(
    ctx: QueryContext, store: ReadableKVStore, request: q.IsWorkerNonceUnfulfilledRequest
) -> q.IsWorkerNonceUnfulfilledResponse:
    """IsWorkerNonceUnfulfilled."""
    return q.IsWorkerNonceUnfulfilledResponse(
        is_worker_nonce_unfulfilled=request.block_height
        in get_unfulfilled_worker_nonces(store, request.topic_id)
    )


def query_is_reputer_nonce_unfulfilled(
    ctx: QueryContext, store: ReadableKVStore, request: q.IsReputerNonceUnfulfilledRequest
) -> q.IsReputerNonceUnfulfilledResponse:
    """IsReputerNonceUnfulfilled."""
    return q.IsReputerNonceUnfulfilledResponse(
        is_reputer_nonce_unfulfilled=request.block_height
        in get_unfulfilled_reputer_nonces(store, request.topic_id)
    )


QUERY_ROUTES: Final[tuple[QueryHandler[Any, Any], ...]] = (
    build_query_route(
        "GetUnfulfilledWorkerNonces",
        q.GetUnfulfilledWorkerNoncesRequest,
        query_unfulfilled_worker_nonces,
    ),
    build_query_route(
        "GetUnfulfilledReputerNonces",
        q.GetUnfulfilledReputerNoncesRequest,
        query_unfulfilled_reputer_nonces,
    ),
    build_query_route(
        "IsWorkerNonceUnfulfilled",
        q.IsWorkerNonceUnfulfilledRequest,
        query_is_worker_nonce_unfulfilled,
    ),
    build_query_route(
        "IsReputerNonceUnfulfilled",
        q.IsReputerNonceUnfulfilledRequest,
        query_is_reputer_nonce_unfulfilled,
    ),
)
"""The §4.3 query routes."""
