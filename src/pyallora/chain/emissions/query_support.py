"""Shared pieces of the emissions queries (PROTOCOL.md §4).

Every method is served under its gRPC path ``/emissions.v5.QueryService/<Method>``
(:data:`QUERY_SERVICE_PREFIX`). Not-found behaviour follows §4: methods that check topic
existence answer gRPC NotFound, which pyallora reports as sdk ``NotFound`` (38); bad
arguments (a list longer than ``max_page_limit``) are gRPC InvalidArgument, reported as sdk
``InvalidRequest`` (18), as the bank queries do; most per-key getters answer a zero or
default value when the key is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from google.protobuf.message import Message

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.topics.state import has_topic
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import NotFoundError

QUERY_SERVICE_PREFIX: Final = "/emissions.v5.QueryService/"
"""Path prefix of every emissions query method."""


def require_topic(store: ReadableKVStore, topic_id: int) -> None:
    """Answer NotFound for a missing topic.

    Raises
    ------
    NotFoundError
        ``"topic X not found"``.
    """
    if not has_topic(store, topic_id):
        raise NotFoundError(f"topic {topic_id} not found")


def build_query_route(
    method: str,
    request_type: type[Message],
    handle: Callable[[QueryContext, ReadableKVStore, Any], Message],
) -> QueryHandler[Any, Any]:
    """The route of ``/emissions.v5.QueryService/<method>``."""
    return QueryHandler(
        path=QUERY_SERVICE_PREFIX + method, request_type=request_type, handle=handle
    )
