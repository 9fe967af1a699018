"""Stake, delegation and removal queries (PROTOCOL.md §4.5).

Amounts are decimal ``Int`` text; delegator bookkeeping (placement, reward per share) is Dec
text in the canonical 34-digit form. Absent positions read as zero. Two list queries are
bounded by ``max_page_limit`` (§9): more addresses in GetMultiReputerStakeInTopic, or more due
removals in Get(Delegate)StakeRemovalsUpUntilBlock, is InvalidArgument (sdk invalid-request).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, TypeVar

from pyallora.chain.context import QueryContext
from pyallora.chain.emissions.dec_text import dec_to_field_text
from pyallora.chain.emissions.params import get_params
from pyallora.chain.emissions.query_support import build_query_route
from pyallora.chain.emissions.stake.state import (
    delegate_stake_removal_to_proto,
    get_delegate_reward_per_share,
    get_delegate_stake_placement,
    get_delegate_stake_removal,
    get_delegate_stake_removal_for_delegator,
    get_delegate_stake_upon_reputer,
    get_stake_removal_for_reputer_and_topic,
    get_stake_reputer_authority,
    get_stake_reputer_self,
    get_stake_sum_from_delegator,
    get_topic_stake,
    get_total_stake,
    iterate_delegate_stake_removals_up_until,
    iterate_stake_removals_up_until,
    stake_removal_to_proto,
)
from pyallora.chain.module import QueryHandler
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError, NotFoundError
from pyallora.core.crypto import is_valid_address
from pyallora.core.dec import to_int_floor
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q


def query_total_stake(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTotalStakeRequest
) -> q.GetTotalStakeResponse:
    """GetTotalStake."""
    return q.GetTotalStakeResponse(amount=str(get_total_stake(store)))


def query_topic_stake(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetTopicStakeRequest
) -> q.GetTopicStakeResponse:
    """GetTopicStake."""
    return q.GetTopicStakeResponse(amount=str(get_topic_stake(store, request.topic_id)))


def query_reputer_stake_in_topic(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetReputerStakeInTopicRequest
) -> q.GetReputerStakeInTopicResponse:
    """GetReputerStakeInTopic: the authority (self + delegated, incl. stake being removed)."""
    return q.GetReputerStakeInTopicResponse(
        amount=str(get_stake_reputer_authority(store, request.topic_id, request.address))
    )


def query_multi_reputer_stake_in_topic(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetMultiReputerStakeInTopicRequest
) -> q.GetMultiReputerStakeInTopicResponse:
    """GetMultiReputerStakeInTopic: one StakeInfo per address (unknown or invalid: 0).

    Raises
    ------
    InvalidRequestError
        If more than ``max_page_limit`` addresses are asked for.
    """
    limit = get_params(store).max_page_limit
    if len(request.addresses) > limit:
        raise InvalidRequestError(
            f"cannot query more than {limit} addresses at once, got {len(request.addresses)}"
        )
    return q.GetMultiReputerStakeInTopicResponse(
        amounts=[
            types_pb2.StakeInfo(
                topic_id=request.topic_id,
                reputer=address,
                amount=str(
                    get_stake_reputer_authority(store, request.topic_id, address)
                    if is_valid_address(address)
                    else 0
                ),
            )
            for address in request.addresses
        ]
    )


def query_stake_from_reputer_in_topic_in_self(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetStakeFromReputerInTopicInSelfRequest
) -> q.GetStakeFromReputerInTopicInSelfResponse:
    """GetStakeFromReputerInTopicInSelf: authority − delegated upon."""
    return q.GetStakeFromReputerInTopicInSelfResponse(
        amount=str(get_stake_reputer_self(store, request.topic_id, request.reputer_address))
    )


def query_delegate_stake_in_topic_in_reputer(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetDelegateStakeInTopicInReputerRequest
) -> q.GetDelegateStakeInTopicInReputerResponse:
    """GetDelegateStakeInTopicInReputer: the stake delegated upon the reputer."""
    return q.GetDelegateStakeInTopicInReputerResponse(
        amount=str(
            get_delegate_stake_upon_reputer(store, request.topic_id, request.reputer_address)
        )
    )


def query_stake_from_delegator_in_topic_in_reputer(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetStakeFromDelegatorInTopicInReputerRequest,
) -> q.GetStakeFromDelegatorInTopicInReputerResponse:
    """GetStakeFromDelegatorInTopicInReputer: the integer part of the placement."""
    placement = get_delegate_stake_placement(
        store, request.topic_id, request.delegator_address, request.reputer_address
    )
    return q.GetStakeFromDelegatorInTopicInReputerResponse(
        amount=str(to_int_floor(placement.amount))
    )


def query_stake_from_delegator_in_topic(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetStakeFromDelegatorInTopicRequest
) -> q.GetStakeFromDelegatorInTopicResponse:
    """GetStakeFromDelegatorInTopic: Σ of the delegator's placements in the topic."""
    return q.GetStakeFromDelegatorInTopicResponse(
        amount=str(get_stake_sum_from_delegator(store, request.topic_id, request.delegator_address))
    )


def query_stake_reputer_authority(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetStakeReputerAuthorityRequest
) -> q.GetStakeReputerAuthorityResponse:
    """GetStakeReputerAuthority."""
    return q.GetStakeReputerAuthorityResponse(
        authority=str(get_stake_reputer_authority(store, request.topic_id, request.reputer))
    )


def query_delegate_stake_placement(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetDelegateStakePlacementRequest
) -> q.GetDelegateStakePlacementResponse:
    """GetDelegateStakePlacement: ``{amount, reward_debt}`` (zero when absent)."""
    placement = get_delegate_stake_placement(
        store, request.topic_id, request.delegator, request.target
    )
    return q.GetDelegateStakePlacementResponse(
        delegator_info=types_pb2.DelegatorInfo(
            amount=dec_to_field_text(placement.amount),
            reward_debt=dec_to_field_text(placement.reward_debt),
        )
    )


def query_delegate_stake_upon_reputer(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetDelegateStakeUponReputerRequest
) -> q.GetDelegateStakeUponReputerResponse:
    """GetDelegateStakeUponReputer."""
    return q.GetDelegateStakeUponReputerResponse(
        stake=str(get_delegate_stake_upon_reputer(store, request.topic_id, request.target))
    )


def query_delegate_reward_per_share(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetDelegateRewardPerShareRequest
) -> q.GetDelegateRewardPerShareResponse:
    """GetDelegateRewardPerShare."""
    return q.GetDelegateRewardPerShareResponse(
        reward_per_share=dec_to_field_text(
            get_delegate_reward_per_share(store, request.topic_id, request.reputer)
        )
    )


_R = TypeVar("_R")


def _take_due(store: ReadableKVStore, due: Iterable[_R]) -> list[_R]:
    """The removals of ``due``, refused when more than ``max_page_limit`` of them exist."""
    limit = get_params(store).max_page_limit
    taken: list[_R] = []
    for removal in due:
        if len(taken) == limit:
            raise InvalidRequestError(
                f"more than {limit} removals are due by this height; query an earlier height"
            )
        taken.append(removal)
    return taken


def query_stake_removals_up_until_block(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetStakeRemovalsUpUntilBlockRequest
) -> q.GetStakeRemovalsUpUntilBlockResponse:
    """GetStakeRemovalsUpUntilBlock: pending self-stake removals completing ≤ the height.

    Raises
    ------
    InvalidRequestError
        If more than ``max_page_limit`` of them exist.
    """
    due = iterate_stake_removals_up_until(store, request.block_height)
    removals = [stake_removal_to_proto(removal) for removal in _take_due(store, due)]
    return q.GetStakeRemovalsUpUntilBlockResponse(removals=removals)


def query_delegate_stake_removals_up_until_block(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetDelegateStakeRemovalsUpUntilBlockRequest,
) -> q.GetDelegateStakeRemovalsUpUntilBlockResponse:
    """GetDelegateStakeRemovalsUpUntilBlock: pending delegated removals completing ≤ height.

    Raises
    ------
    InvalidRequestError
        If more than ``max_page_limit`` of them exist.
    """
    due = iterate_delegate_stake_removals_up_until(store, request.block_height)
    removals = [delegate_stake_removal_to_proto(removal) for removal in _take_due(store, due)]
    return q.GetDelegateStakeRemovalsUpUntilBlockResponse(removals=removals)


def _stake_removal(
    store: ReadableKVStore, reputer: str, topic_id: int
) -> types_pb2.StakeRemovalInfo:
    removal = get_stake_removal_for_reputer_and_topic(store, reputer, topic_id)
    if removal is None:
        raise NotFoundError(f"no pending stake removal for {reputer[:100]} in topic {topic_id}")
    return stake_removal_to_proto(removal)


def query_stake_removal_info(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetStakeRemovalInfoRequest
) -> q.GetStakeRemovalInfoResponse:
    """GetStakeRemovalInfo (topic, reputer).

    Raises
    ------
    NotFoundError
        If nothing is pending.
    InvariantFailureError
        If the removal index is inconsistent.
    """
    return q.GetStakeRemovalInfoResponse(
        removal=_stake_removal(store, request.reputer, request.topic_id)
    )


def query_stake_removal_for_reputer_and_topic(
    ctx: QueryContext,
    store: ReadableKVStore,
    request: q.GetStakeRemovalForReputerAndTopicIdRequest,
) -> q.GetStakeRemovalForReputerAndTopicIdResponse:
    """GetStakeRemovalForReputerAndTopicId (reputer, topic).

    Raises
    ------
    NotFoundError
        If nothing is pending.
    """
    return q.GetStakeRemovalForReputerAndTopicIdResponse(
        stake_removal_info=_stake_removal(store, request.reputer, request.topic_id)
    )


def query_delegate_stake_removal_info(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetDelegateStakeRemovalInfoRequest
) -> q.GetDelegateStakeRemovalInfoResponse:
    """GetDelegateStakeRemovalInfo (topic, delegator, reputer).

    Raises
    ------
    NotFoundError
        If nothing is pending.
    """
    removal = get_delegate_stake_removal_for_delegator(
        store, request.delegator, request.reputer, request.topic_id
    )
    if removal is None:
        raise NotFoundError(
            f"no pending delegate stake removal for {request.delegator[:100]} on "
            f"{request.reputer[:100]} in topic {request.topic_id}"
        )
    return q.GetDelegateStakeRemovalInfoResponse(removal=delegate_stake_removal_to_proto(removal))


def query_delegate_stake_removal(
    ctx: QueryContext, store: ReadableKVStore, request: q.GetDelegateStakeRemovalRequest
) -> q.GetDelegateStakeRemovalResponse:
    """GetDelegateStakeRemoval: the removal queued with exactly that completion height.

    Raises
    ------
    NotFoundError
        If there is none.
    """
    removal = get_delegate_stake_removal(
        store, request.block_height, request.topic_id, request.delegator, request.reputer
    )
    if removal is None:
        raise NotFoundError(
            f"no delegate stake removal completing at {request.block_height} for "
            f"{request.delegator[:100]} on {request.reputer[:100]} in topic {request.topic_id}"
        )
    return q.GetDelegateStakeRemovalResponse(
        stake_removal_info=delegate_stake_removal_to_proto(removal)
    )


QUERY_ROUTES: Final[tuple[QueryHandler[Any, Any], ...]] = (
    build_query_route("GetTotalStake", q.GetTotalStakeRequest, query_total_stake),
    build_query_route("GetTopicStake", q.GetTopicStakeRequest, query_topic_stake),
    build_query_route(
        "GetReputerStakeInTopic", q.GetReputerStakeInTopicRequest, query_reputer_stake_in_topic
    ),
    build_query_route(
        "GetMultiReputerStakeInTopic",
        q.GetMultiReputerStakeInTopicRequest,
        query_multi_reputer_stake_in_topic,
        lenient=("addresses",),
    ),
    build_query_route(
        "GetStakeFromReputerInTopicInSelf",
        q.GetStakeFromReputerInTopicInSelfRequest,
        query_stake_from_reputer_in_topic_in_self,
    ),
    build_query_route(
        "GetDelegateStakeInTopicInReputer",
        q.GetDelegateStakeInTopicInReputerRequest,
        query_delegate_stake_in_topic_in_reputer,
    ),
    build_query_route(
        "GetStakeFromDelegatorInTopicInReputer",
        q.GetStakeFromDelegatorInTopicInReputerRequest,
        query_stake_from_delegator_in_topic_in_reputer,
    ),
    build_query_route(
        "GetStakeFromDelegatorInTopic",
        q.GetStakeFromDelegatorInTopicRequest,
        query_stake_from_delegator_in_topic,
    ),
    build_query_route(
        "GetStakeReputerAuthority",
        q.GetStakeReputerAuthorityRequest,
        query_stake_reputer_authority,
    ),
    build_query_route(
        "GetDelegateStakePlacement",
        q.GetDelegateStakePlacementRequest,
        query_delegate_stake_placement,
    ),
    build_query_route(
        "GetDelegateStakeUponReputer",
        q.GetDelegateStakeUponReputerRequest,
        query_delegate_stake_upon_reputer,
    ),
    build_query_route(
        "GetDelegateRewardPerShare",
        q.GetDelegateRewardPerShareRequest,
        query_delegate_reward_per_share,
    ),
    build_query_route(
        "GetStakeRemovalsUpUntilBlock",
        q.GetStakeRemovalsUpUntilBlockRequest,
        query_stake_removals_up_until_block,
    ),
    build_query_route(
        "GetDelegateStakeRemovalsUpUntilBlock",
        q.GetDelegateStakeRemovalsUpUntilBlockRequest,
        query_delegate_stake_removals_up_until_block,
    ),
    build_query_route(
        "GetStakeRemovalInfo", q.GetStakeRemovalInfoRequest, query_stake_removal_info
    ),
    build_query_route(
        "GetStakeRemovalForReputerAndTopicId",
        q.GetStakeRemovalForReputerAndTopicIdRequest,
        query_stake_removal_for_reputer_and_topic,
    ),
    build_query_route(
        "GetDelegateStakeRemovalInfo",
        q.GetDelegateStakeRemovalInfoRequest,
        query_delegate_stake_removal_info,
    ),
    build_query_route(
        "GetDelegateStakeRemoval",
        q.GetDelegateStakeRemovalRequest,
        query_delegate_stake_removal,
    ),
)
"""The §4.5 query routes."""
