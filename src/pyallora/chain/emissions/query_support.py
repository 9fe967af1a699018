"""Shared pieces of the emissions queries (PROTOCOL.md §4).

Every method is served under its gRPC path ``/emissions.v5.QueryService/<Method>``
(:data:`QUERY_SERVICE_PREFIX`). Not-found behaviour follows §4: methods that check topic
existence answer gRPC NotFound, which pyallora reports as sdk ``NotFound`` (38); bad
arguments (a list longer than ``max_page_limit``) are gRPC InvalidArgument, reported as sdk
``InvalidRequest`` (18), as the bank queries do; most per-key getters answer a zero or
default value when the key is absent.

Arguments are checked before any handler runs (:func:`validate_query_request`, applied by
every route :func:`build_query_route` builds): every text field of an
``emissions.v5`` query request is an address and must be a bech32 ``allo`` address (§1.2; the
empty string included), every ``int64`` field is a block height and must be ≥ 0. Either
failure is InvalidArgument (sdk 18), so a NUL byte or any other garbage never reaches a store
key. The one exception is GetMultiReputerStakeInTopic's address list, whose invalid entries
read as stake 0 (§4.5); its handler skips them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Final

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.topics.state import has_topic
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError, NotFoundError
from pyallora.core.crypto import is_valid_address

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


def validate_query_request(request: Message, *, lenient: Collection[str] = ()) -> None:
    """Check the arguments of an emissions query request (module docstring).

    Parameters
    ----------
    request
        The decoded request.
    lenient
        Fields left to the handler (GetMultiReputerStakeInTopic's ``addresses``).

    Raises
    ------
    InvalidRequestError
        Naming the first text field that is not a bech32 ``allo`` address, or the first
        negative height.
    """
    for field in request.DESCRIPTOR.fields:
        if field.name in lenient:
            continue
        value = getattr(request, field.name)
        repeated = field.label == FieldDescriptor.LABEL_REPEATED
        values = list(value) if repeated else [value]
        if field.type == FieldDescriptor.TYPE_STRING:
            for text in values:
                if not is_valid_address(text):
                    raise InvalidRequestError(
                        f"{field.name}: {text[:64]!r} is not a bech32 allo address"
                    )
        elif field.type == FieldDescriptor.TYPE_INT64:
            for height in values:
                if height < 0:
                    raise InvalidRequestError(f"{field.name}: height {height} is negative")


def build_query_route(
    method: str,
    request_type: type[Message],
    handle: Callable[[QueryContext, ReadableKVStore, Any], Message],
    *,
    lenient: Collection[str] = (),
) -> QueryHandler[Any, Any]:
    """The route of ``/emissions.v5.QueryService/<method>``: the arguments are checked by
    :func:`validate_query_request` (but for the ``lenient`` fields), then ``handle``
    answers."""
    skipped = frozenset(lenient)

    def checked(ctx: QueryContext, store: ReadableKVStore, request: Any) -> Message:
        validate_query_request(request, lenient=skipped)
        return handle(ctx, store, request)

    return QueryHandler(
        path=QUERY_SERVICE_PREFIX + method, request_type=request_type, handle=checked
    )
