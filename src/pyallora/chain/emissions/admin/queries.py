"""Params and admin queries (PROTOCOL.md §4.2)."""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.admin.state import is_whitelist_admin
from pyallora.chain.emissions.params import get_params, params_to_proto
from pyallora.chain.emissions.query_support import build_query_route
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.proto.emissions.v5 import query_pb2 as q


def query_params(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetParamsRequest
) -> q.GetParamsResponse:
    """GetParams."""
    return q.GetParamsResponse(params=params_to_proto(get_params(store)))


def query_is_whitelist_admin(
    ctx: QueryContext, store: ReadableKVStore, request: q.IsWhitelistAdminRequest
) -> q.IsWhitelistAdminResponse:
    """IsWhitelistAdmin."""
    return q.IsWhitelistAdminResponse(is_admin=is_whitelist_admin(store, request.address))


QUERY_ROUTES: Final[tuple[QueryHandler[Any, Any], ...]] = (
    build_query_route("GetParams", q.GetParamsRequest, query_params),
    build_query_route("IsWhitelistAdmin", q.IsWhitelistAdminRequest, query_is_whitelist_admin),
)
"""The params and admin query routes."""
