"""Handlers of the stake messages (PROTOCOL.md §3.4-§3.10).

Stake deposits move tokens to ``allorastaking``; they come back only through the delayed
removal queues, paid by the end blocker (:mod:`pyallora.chain.emissions.block.stake_removals`,
§5.8). A removal request deducts nothing: the stake stays fully counted until payout, so
cancelling restores nothing. A new request for the same position *replaces* the pending one
and restarts the delay.

Quirk C9 (fixed by default): the reference refuses RewardDelegateStake,
RemoveDelegateStake and CancelRemoveDelegateStake once the reputer has unregistered, leaving
the delegator's funds stuck; outside ``reference_compat`` those three messages do not check
the reputer's registration. DelegateStake always requires it.
"""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.bank.state import send_coins_from_account_to_module
from pyallora.chain.context import Context
from pyallora.chain.emissions.errors import (
    AddressIsNotRegisteredInThisTopicError,
    InsufficientDelegateStakeToRemoveError,
    InsufficientStakeToRemoveError,
    StakeRemovalNotFoundError,
    TopicDoesNotExistError,
)
from pyallora.chain.emissions.events import (
    build_delegate_stake_added_event,
    build_stake_added_event,
    build_stake_removal_event,
)
from pyallora.chain.emissions.heights import compute_later_height
from pyallora.chain.emissions.params import get_params, is_reference_compat
from pyallora.chain.emissions.registration.state import is_reputer_registered
from pyallora.chain.emissions.stake.accounting import (
    STAKING_MODULE,
    add_delegate_stake,
    add_reputer_stake,
    claim_delegator_reward,
)
from pyallora.chain.emissions.stake.msgs import (
    AddStake,
    CancelRemoveDelegateStake,
    CancelRemoveStake,
    DelegateStake,
    RemoveDelegateStake,
    RemoveStake,
    RewardDelegateStake,
)
from pyallora.chain.emissions.stake.state import (
    DelegateStakeRemoval,
    StakeRemoval,
    delete_delegate_stake_removal,
    delete_stake_removal,
    get_delegate_stake_placement,
    get_delegate_stake_removal,
    get_delegate_stake_removal_heights,
    get_stake_removal,
    get_stake_removal_heights,
    get_stake_reputer_authority,
    get_stake_reputer_self,
    set_delegate_stake_removal,
    set_stake_removal,
)
from pyallora.chain.emissions.topics.activation import activate_topic_if_weight_sufficient
from pyallora.chain.emissions.topics.state import has_topic
from pyallora.chain.module import MsgHandler
from pyallora.chain.store.kv import KVStore
from pyallora.core.dec import dec, with_dec_context
from pyallora.proto.emissions.v5 import tx_pb2


def _require_topic(store: KVStore, topic_id: int) -> None:
    if not has_topic(store, topic_id):
        raise TopicDoesNotExistError(f"topic {topic_id}")


def _require_reputer(store: KVStore, topic_id: int, reputer: str) -> None:
    if not is_reputer_registered(store, topic_id, reputer):
        raise AddressIsNotRegisteredInThisTopicError(
            f"{reputer} is not a reputer of topic {topic_id}"
        )


def _require_reputer_unless_fixed(store: KVStore, topic_id: int, reputer: str) -> None:
    """The registration check of C9, kept only under ``reference_compat``."""
    if is_reference_compat(store):
        _require_reputer(store, topic_id, reputer)


def _amount(value: int | None) -> int:
    """The amount of a message whose ``validate_basic`` passed (present and positive)."""
    return value if value is not None else 0


# ---------------------------------------------------------------------------------------------
# Self-stake


def handle_add_stake(ctx: Context, store: KVStore, msg: AddStake) -> tx_pb2.AddStakeResponse:
    """Add self-stake to a topic (§3.4).

    Checklist: topic exists (23); the sender is a registered reputer (10); the amount moves
    sender → ``allorastaking``; authority, topic and total stake grow; activation check.

    Raises
    ------
    TopicDoesNotExistError, AddressIsNotRegisteredInThisTopicError
        As listed above.
    InsufficientFundsError
        If the sender holds less than the amount.
    """
    amount = _amount(msg.amount)
    _require_topic(store, msg.topic_id)
    _require_reputer(store, msg.topic_id, msg.sender)
    send_coins_from_account_to_module(ctx, store, msg.sender, STAKING_MODULE, amount)
    add_reputer_stake(store, msg.topic_id, msg.sender, amount)
    activate_topic_if_weight_sufficient(ctx, store, msg.topic_id)
    ctx.events.emit(build_stake_added_event(msg.topic_id, msg.sender, amount))
    return tx_pb2.AddStakeResponse()


def _drop_stake_removals(ctx: Context, store: KVStore, reputer: str, topic_id: int) -> bool:
    """Delete every queued self-stake removal of (reputer, topic); tolerate a broken index."""
    heights = get_stake_removal_heights(store, reputer, topic_id)
    for completed in heights:
        removal = get_stake_removal(store, completed, topic_id, reputer)
        delete_stake_removal(store, completed, topic_id, reputer)
        ctx.events.emit(
            build_stake_removal_event(
                "Cancelled",
                topic_id=topic_id,
                reputer=reputer,
                amount=removal.amount if removal is not None else 0,
                completion=completed,
            )
        )
    return bool(heights)


def handle_remove_stake(
    ctx: Context, store: KVStore, msg: RemoveStake
) -> tx_pb2.RemoveStakeResponse:
    """Queue a self-stake removal completing at h + ``remove_stake_delay_window`` (§3.5).

    Registration is not required. A pending request of the same reputer in the topic is
    replaced.

    Raises
    ------
    TopicDoesNotExistError
        If the topic does not exist (23).
    InsufficientStakeToRemoveError
        If the amount exceeds the self-stake (authority − delegated upon) (14).
    InvalidValueError
        If the completion height is outside ``int64`` (52, :mod:`..heights`).
    """
    amount = _amount(msg.amount)
    _require_topic(store, msg.topic_id)
    self_stake = get_stake_reputer_self(store, msg.topic_id, msg.sender)
    if amount > self_stake:
        raise InsufficientStakeToRemoveError(
            f"cannot remove {amount}: self-stake of {msg.sender} in topic {msg.topic_id} "
            f"is {self_stake}"
        )
    completed = compute_later_height(
        ctx.height, get_params(store).remove_stake_delay_window, "stake removal"
    )
    _drop_stake_removals(ctx, store, msg.sender, msg.topic_id)
    set_stake_removal(
        store,
        StakeRemoval(
            block_removal_started=ctx.height,
            topic_id=msg.topic_id,
            reputer=msg.sender,
            amount=amount,
            block_removal_completed=completed,
        ),
    )
    ctx.events.emit(
        build_stake_removal_event(
            "Requested",
            topic_id=msg.topic_id,
            reputer=msg.sender,
            amount=amount,
            completion=completed,
        )
    )
    return tx_pb2.RemoveStakeResponse()


def handle_cancel_remove_stake(
    ctx: Context, store: KVStore, msg: CancelRemoveStake
) -> tx_pb2.CancelRemoveStakeResponse:
    """Drop the pending self-stake removal of (sender, topic) (§3.6).

    A broken index (duplicate or dangling entries) does not prevent the cancellation.

    Raises
    ------
    TopicDoesNotExistError
        If the topic does not exist (23).
    StakeRemovalNotFoundError
        If nothing is pending (64).
    """
    _require_topic(store, msg.topic_id)
    if not _drop_stake_removals(ctx, store, msg.sender, msg.topic_id):
        raise StakeRemovalNotFoundError(
            f"no pending stake removal for {msg.sender} in topic {msg.topic_id}"
        )
    return tx_pb2.CancelRemoveStakeResponse()


# ---------------------------------------------------------------------------------------------
# Delegation


def handle_delegate_stake(
    ctx: Context, store: KVStore, msg: DelegateStake
) -> tx_pb2.DelegateStakeResponse:
    """Delegate stake to a registered reputer (§3.7).

    Checklist: topic exists (23); the reputer is registered (10); the amount moves sender →
    ``allorastaking``; an existing placement's pending reward is paid first; placement and
    all sums grow; activation check.

    Raises
    ------
    TopicDoesNotExistError, AddressIsNotRegisteredInThisTopicError
        As listed above.
    InsufficientFundsError
        If the sender holds less than the amount.
    """
    amount = _amount(msg.amount)
    _require_topic(store, msg.topic_id)
    _require_reputer(store, msg.topic_id, msg.reputer)
    send_coins_from_account_to_module(ctx, store, msg.sender, STAKING_MODULE, amount)
    add_delegate_stake(ctx, store, msg.topic_id, msg.sender, msg.reputer, amount)
    activate_topic_if_weight_sufficient(ctx, store, msg.topic_id)
    ctx.events.emit(build_delegate_stake_added_event(msg.topic_id, msg.sender, msg.reputer, amount))
    return tx_pb2.DelegateStakeResponse()


def handle_reward_delegate_stake(
    ctx: Context, store: KVStore, msg: RewardDelegateStake
) -> tx_pb2.RewardDelegateStakeResponse:
    """Claim the delegator's pending reward on a reputer (§3.8); nothing pending is success.

    Raises
    ------
    TopicDoesNotExistError
        If the topic does not exist (23).
    AddressIsNotRegisteredInThisTopicError
        Under ``reference_compat`` only, if the reputer is not registered (10, C9).
    """
    _require_topic(store, msg.topic_id)
    _require_reputer_unless_fixed(store, msg.topic_id, msg.reputer)
    claim_delegator_reward(ctx, store, msg.topic_id, msg.sender, msg.reputer)
    return tx_pb2.RewardDelegateStakeResponse()


def _drop_delegate_stake_removals(
    ctx: Context, store: KVStore, delegator: str, reputer: str, topic_id: int
) -> bool:
    """Delete every queued removal of (delegator, reputer, topic); tolerate a broken index."""
    heights = get_delegate_stake_removal_heights(store, delegator, reputer, topic_id)
    for completed in heights:
        removal = get_delegate_stake_removal(store, completed, topic_id, delegator, reputer)
        delete_delegate_stake_removal(store, completed, topic_id, delegator, reputer)
        ctx.events.emit(
            build_stake_removal_event(
                "Cancelled",
                topic_id=topic_id,
                reputer=reputer,
                amount=removal.amount if removal is not None else 0,
                completion=completed,
                delegator=delegator,
            )
        )
    return bool(heights)


@with_dec_context
def handle_remove_delegate_stake(
    ctx: Context, store: KVStore, msg: RemoveDelegateStake
) -> tx_pb2.RemoveDelegateStakeResponse:
    """Queue a delegated removal completing at h + ``remove_stake_delay_window`` (§3.9).

    Raises
    ------
    TopicDoesNotExistError
        If the topic does not exist (23).
    AddressIsNotRegisteredInThisTopicError
        Under ``reference_compat`` only, if the reputer is not registered (10, C9).
    InsufficientDelegateStakeToRemoveError
        If the amount exceeds the placement (49).
    InsufficientStakeToRemoveError
        If it exceeds the reputer's authority (14).
    InvalidValueError
        If the completion height is outside ``int64`` (52, :mod:`..heights`).
    """
    amount = _amount(msg.amount)
    _require_topic(store, msg.topic_id)
    _require_reputer_unless_fixed(store, msg.topic_id, msg.reputer)
    placement = get_delegate_stake_placement(store, msg.topic_id, msg.sender, msg.reputer)
    if placement.amount < dec(amount):
        raise InsufficientDelegateStakeToRemoveError(
            f"cannot remove {amount}: placement of {msg.sender} on {msg.reputer} is "
            f"{placement.amount}"
        )
    authority = get_stake_reputer_authority(store, msg.topic_id, msg.reputer)
    if authority < amount:
        raise InsufficientStakeToRemoveError(
            f"cannot remove {amount}: authority of {msg.reputer} is {authority}"
        )
    completed = compute_later_height(
        ctx.height, get_params(store).remove_stake_delay_window, "delegate stake removal"
    )
    _drop_delegate_stake_removals(ctx, store, msg.sender, msg.reputer, msg.topic_id)
    set_delegate_stake_removal(
        store,
        DelegateStakeRemoval(
            block_removal_started=ctx.height,
            topic_id=msg.topic_id,
            delegator=msg.sender,
            reputer=msg.reputer,
            amount=amount,
            block_removal_completed=completed,
        ),
    )
    ctx.events.emit(
        build_stake_removal_event(
            "Requested",
            topic_id=msg.topic_id,
            reputer=msg.reputer,
            amount=amount,
            completion=completed,
            delegator=msg.sender,
        )
    )
    return tx_pb2.RemoveDelegateStakeResponse()


def handle_cancel_remove_delegate_stake(
    ctx: Context, store: KVStore, msg: CancelRemoveDelegateStake
) -> tx_pb2.CancelRemoveDelegateStakeResponse:
    """Drop the pending delegated removal of (sender, reputer, topic) (§3.10, C12).

    Raises
    ------
    TopicDoesNotExistError
        If the topic does not exist (23).
    AddressIsNotRegisteredInThisTopicError
        Under ``reference_compat`` only, if the reputer is not registered (10, C9).
    StakeRemovalNotFoundError
        If nothing is pending (64).
    """
    _require_topic(store, msg.topic_id)
    _require_reputer_unless_fixed(store, msg.topic_id, msg.reputer)
    if not _drop_delegate_stake_removals(ctx, store, msg.sender, msg.reputer, msg.topic_id):
        raise StakeRemovalNotFoundError(
            f"no pending delegate stake removal for {msg.sender} on {msg.reputer} "
            f"in topic {msg.topic_id}"
        )
    return tx_pb2.CancelRemoveDelegateStakeResponse()


def _route(message: Any, handle: Any) -> MsgHandler[Any]:
    return MsgHandler(
        type_url=message.TYPE_URL,
        decode=message.from_bytes,
        validate_basic=message.validate_basic,
        get_signers=message.get_signers,
        handle=handle,
    )


ROUTES: Final[tuple[MsgHandler[Any], ...]] = (
    _route(AddStake, handle_add_stake),
    _route(RemoveStake, handle_remove_stake),
    _route(CancelRemoveStake, handle_cancel_remove_stake),
    _route(DelegateStake, handle_delegate_stake),
    _route(RewardDelegateStake, handle_reward_delegate_stake),
    _route(RemoveDelegateStake, handle_remove_delegate_stake),
    _route(CancelRemoveDelegateStake, handle_cancel_remove_delegate_stake),
)
"""The stake messages' routes."""
