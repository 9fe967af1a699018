"""Handlers of Register (PROTOCOL.md §3.2) and RemoveRegistration (§3.3)."""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.errors import (
    AddressAlreadyRegisteredInATopicError,
    AddressIsNotRegisteredInThisTopicError,
    TopicDoesNotExistError,
)
from pyallora.chain.emissions.events import build_registered_event, build_unregistered_event
from pyallora.chain.emissions.params import get_params
from pyallora.chain.emissions.registration.msgs import Register, RemoveRegistration
from pyallora.chain.emissions.registration.state import (
    NodeInfo,
    delete_registered,
    is_registered,
    set_node_info,
    set_registered,
)
from pyallora.chain.emissions.topics.activation import charge_topic_fee
from pyallora.chain.emissions.topics.state import has_topic
from pyallora.chain.module import MsgHandler
from pyallora.chain.store.kv import KVStore
from pyallora.proto.emissions.v5 import tx_pb2

REGISTERED_MESSAGE: Final = "Node successfully registered"
"""``RegisterResponse.message`` on success."""

REMOVED_MESSAGE: Final = "Node successfully removed"
"""``RemoveRegistrationResponse.message`` on success."""


def _role(is_reputer: bool) -> str:
    return "reputer" if is_reputer else "worker"


def handle_register(ctx: Context, store: KVStore, msg: Register) -> tx_pb2.RegisterResponse:
    """Register the sender in a topic as worker or reputer, for ``registration_fee`` (§3.2).

    Checklist: topic exists (23); not yet registered in that role (8); the fee is paid to
    ``ecosystem``, counted as topic revenue, and the activation check runs; then the
    registry entry and the node info ``{node_address: sender, owner}`` are written.

    Raises
    ------
    TopicDoesNotExistError, AddressAlreadyRegisteredInATopicError
        As listed above.
    InsufficientFundsError
        If the sender cannot pay the fee.
    """
    if not has_topic(store, msg.topic_id):
        raise TopicDoesNotExistError(f"topic {msg.topic_id}")
    if is_registered(store, msg.topic_id, msg.sender, is_reputer=msg.is_reputer):
        raise AddressAlreadyRegisteredInATopicError(
            f"{msg.sender} is already a {_role(msg.is_reputer)} of topic {msg.topic_id}"
        )
    charge_topic_fee(ctx, store, msg.sender, msg.topic_id, get_params(store).registration_fee)
    set_registered(store, msg.topic_id, msg.sender, is_reputer=msg.is_reputer)
    set_node_info(
        store,
        msg.sender,
        NodeInfo(owner=msg.owner, node_address=msg.sender),
        is_reputer=msg.is_reputer,
    )
    ctx.events.emit(
        build_registered_event(msg.topic_id, msg.sender, msg.owner, is_reputer=msg.is_reputer)
    )
    return tx_pb2.RegisterResponse(success=True, message=REGISTERED_MESSAGE)


def handle_remove_registration(
    ctx: Context, store: KVStore, msg: RemoveRegistration
) -> tx_pb2.RemoveRegistrationResponse:
    """Remove the sender from a topic's registry in one role (§3.3).

    Stakes, scores, pending removals, node info and submissions already in the active set
    are untouched; nothing is refunded.

    Raises
    ------
    TopicDoesNotExistError
        If the topic does not exist (23).
    AddressIsNotRegisteredInThisTopicError
        If the sender is not registered in that role (10).
    """
    if not has_topic(store, msg.topic_id):
        raise TopicDoesNotExistError(f"topic {msg.topic_id}")
    if not is_registered(store, msg.topic_id, msg.sender, is_reputer=msg.is_reputer):
        raise AddressIsNotRegisteredInThisTopicError(
            f"{msg.sender} is not a {_role(msg.is_reputer)} of topic {msg.topic_id}"
        )
    delete_registered(store, msg.topic_id, msg.sender, is_reputer=msg.is_reputer)
    ctx.events.emit(build_unregistered_event(msg.topic_id, msg.sender, is_reputer=msg.is_reputer))
    return tx_pb2.RemoveRegistrationResponse(success=True, message=REMOVED_MESSAGE)


ROUTES: Final[tuple[MsgHandler[Any], ...]] = (
    MsgHandler(
        type_url=Register.TYPE_URL,
        decode=Register.from_bytes,
        validate_basic=Register.validate_basic,
        get_signers=Register.get_signers,
        handle=handle_register,
    ),
    MsgHandler(
        type_url=RemoveRegistration.TYPE_URL,
        decode=RemoveRegistration.from_bytes,
        validate_basic=RemoveRegistration.validate_basic,
        get_signers=RemoveRegistration.get_signers,
        handle=handle_remove_registration,
    ),
)
"""The registration messages' routes."""
