"""Handlers of CreateNewTopic (PROTOCOL.md §3.1) and FundTopic (§3.11).

Each handler's checklist is its spec section's numbered steps, in order; ``validate_basic``
already ran the parameter-free part of step 1.
"""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.errors import (
    GroundTruthLagTooBigError,
    TopicCadenceBelowMinimumError,
)
from pyallora.chain.emissions.events import build_topic_created_event, build_topic_funded_event
from pyallora.chain.emissions.params import get_params
from pyallora.chain.emissions.topics.activation import charge_fee, charge_topic_fee
from pyallora.chain.emissions.topics.msgs import CreateNewTopic, FundTopic
from pyallora.chain.emissions.topics.state import (
    Topic,
    add_topic_fee_revenue,
    allocate_topic_id,
    has_topic,
    set_topic,
)
from pyallora.chain.module import MsgHandler
from pyallora.chain.store.kv import KVStore
from pyallora.chain.tx.errors import InvalidRequestError, NotFoundError
from pyallora.proto.emissions.v5 import tx_pb2


def _byte_length(text: str) -> int:
    """Length as the reference measures strings (UTF-8 bytes)."""
    return len(text.encode("utf-8"))


def handle_create_new_topic(
    ctx: Context, store: KVStore, msg: CreateNewTopic
) -> tx_pb2.CreateNewTopicResponse:
    """Create a topic (§3.1); the creator pays ``create_topic_fee``, counted as its revenue.

    Creation does not activate the topic (§5.3).

    Raises
    ------
    InvalidRequestError
        If the loss method or metadata is longer than ``max_string_length``.
    TopicCadenceBelowMinimumError
        If the epoch length is below ``min_epoch_length`` (40).
    GroundTruthLagTooBigError
        If the ground-truth lag exceeds ``max_unfulfilled_reputer_requests`` × E (74).
    InsufficientFundsError
        If the creator cannot pay the fee.
    """
    params = get_params(store)
    if _byte_length(msg.loss_method) > params.max_string_length:
        raise InvalidRequestError(
            f"loss method cannot be longer than {params.max_string_length} characters"
        )
    if _byte_length(msg.metadata) > params.max_string_length:
        raise InvalidRequestError(
            f"metadata cannot be longer than {params.max_string_length} characters"
        )
    if msg.epoch_length < params.min_epoch_length:
        raise TopicCadenceBelowMinimumError(
            f"epoch length {msg.epoch_length} < minimum {params.min_epoch_length}"
        )
    if msg.ground_truth_lag > params.max_unfulfilled_reputer_requests * msg.epoch_length:
        raise GroundTruthLagTooBigError(
            f"ground truth lag {msg.ground_truth_lag} > "
            f"{params.max_unfulfilled_reputer_requests} × {msg.epoch_length}"
        )
    charge_fee(ctx, store, msg.creator, params.create_topic_fee)
    topic_id = allocate_topic_id(store)
    set_topic(
        store,
        Topic(
            id=topic_id,
            creator=msg.creator,
            metadata=msg.metadata,
            loss_method=msg.loss_method,
            epoch_last_ended=0,
            epoch_length=msg.epoch_length,
            ground_truth_lag=msg.ground_truth_lag,
            p_norm=msg.p_norm,
            alpha_regret=msg.alpha_regret,
            allow_negative=msg.allow_negative,
            epsilon=msg.epsilon,
            initial_regret="0",
            worker_submission_window=msg.worker_submission_window,
            merit_sortition_alpha=msg.merit_sortition_alpha,
            active_inferer_quantile=msg.active_inferer_quantile,
            active_forecaster_quantile=msg.active_forecaster_quantile,
            active_reputer_quantile=msg.active_reputer_quantile,
        ),
    )
    add_topic_fee_revenue(store, topic_id, params.create_topic_fee)
    ctx.events.emit(build_topic_created_event(topic_id, msg.creator, params.create_topic_fee))
    return tx_pb2.CreateNewTopicResponse(topic_id=topic_id)


def handle_fund_topic(ctx: Context, store: KVStore, msg: FundTopic) -> tx_pb2.FundTopicResponse:
    """Pay ``amount`` (any, 0 included) to ``ecosystem`` as topic revenue; activation check.

    Raises
    ------
    NotFoundError
        If the topic does not exist (the reference's gRPC NotFound; sdk 38 here).
    InsufficientFundsError
        If the sender holds less than the amount.
    """
    amount = msg.amount if msg.amount is not None else 0
    if not has_topic(store, msg.topic_id):
        raise NotFoundError(f"topic {msg.topic_id} not found")
    charge_topic_fee(ctx, store, msg.sender, msg.topic_id, amount)
    ctx.events.emit(build_topic_funded_event(msg.topic_id, msg.sender, amount))
    return tx_pb2.FundTopicResponse()


ROUTES: Final[tuple[MsgHandler[Any], ...]] = (
    MsgHandler(
        type_url=CreateNewTopic.TYPE_URL,
        decode=CreateNewTopic.from_bytes,
        validate_basic=CreateNewTopic.validate_basic,
        get_signers=CreateNewTopic.get_signers,
        handle=handle_create_new_topic,
    ),
    MsgHandler(
        type_url=FundTopic.TYPE_URL,
        decode=FundTopic.from_bytes,
        validate_basic=FundTopic.validate_basic,
        get_signers=FundTopic.get_signers,
        handle=handle_fund_topic,
    ),
)
"""The topic messages' routes."""
