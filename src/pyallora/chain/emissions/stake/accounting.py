"""Stake bookkeeping shared by the handlers and the end blocker (PROTOCOL.md §3.4-§3.10, §5.8).

* :func:`add_reputer_stake` / :func:`remove_reputer_stake`: self-stake moves the reputer's
  authority, the topic stake and the total stake together;
* :func:`add_delegate_stake` / :func:`remove_delegate_stake`: a delegation also moves the
  delegator's topic sum, the stake delegated upon the reputer and the placement, settling the
  delegator's pending reward first;
* :func:`claim_delegator_reward`: MasterChef-style accounting. pending = amount × reward per
  share − reward debt; when positive, ⌊pending⌋ uallo moves from ``allorapendingrewards`` to
  the delegator and the debt becomes amount × reward per share (the sub-uallo remainder is
  forfeited, as in the reference).

These functions only touch state; the bank transfers of principal (to and from
``allorastaking``) are the callers'.
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.bank.state import send_coins_from_module_to_account
from pyallora.chain.context import Context
from pyallora.chain.emissions.errors import (
    IntegerUnderflowDelegateStakePlacementError,
    IntegerUnderflowDelegateStakeUponReputerError,
    IntegerUnderflowReputerStakeAuthorityError,
    IntegerUnderflowStakeFromDelegatorError,
    IntegerUnderflowTopicReputerStakeError,
    IntegerUnderflowTopicStakeError,
    IntegerUnderflowTotalStakeError,
)
from pyallora.chain.emissions.events import build_delegate_reward_claimed_event
from pyallora.chain.emissions.stake.state import (
    Placement,
    get_delegate_reward_per_share,
    get_delegate_stake_placement,
    get_delegate_stake_upon_reputer,
    get_stake_reputer_authority,
    get_stake_sum_from_delegator,
    get_topic_stake,
    get_total_stake,
    set_delegate_stake_placement,
    set_delegate_stake_upon_reputer,
    set_stake_reputer_authority,
    set_stake_sum_from_delegator,
    set_topic_stake,
    set_total_stake,
)
from pyallora.chain.store.kv import KVStore
from pyallora.core.dec import Dec, dec, to_int_floor, with_dec_context

STAKING_MODULE: Final = "allorastaking"
"""Module account holding every stake."""

PENDING_REWARDS_MODULE: Final = "allorapendingrewards"
"""Module account holding delegators' unclaimed rewards."""


def _add_topic_and_total(store: KVStore, topic_id: int, amount: int) -> None:
    set_topic_stake(store, topic_id, get_topic_stake(store, topic_id) + amount)
    set_total_stake(store, get_total_stake(store) + amount)


def _check_topic_and_total(store: KVStore, topic_id: int, amount: int) -> None:
    if amount > get_topic_stake(store, topic_id):
        raise IntegerUnderflowTopicStakeError(f"removing {amount} from topic {topic_id}")
    if amount > get_total_stake(store):
        raise IntegerUnderflowTotalStakeError(f"removing {amount} from the total stake")


def add_reputer_stake(store: KVStore, topic_id: int, reputer: str, amount: int) -> None:
    """Add self-stake: authority, topic stake and total stake all grow by ``amount``."""
    authority = get_stake_reputer_authority(store, topic_id, reputer)
    set_stake_reputer_authority(store, topic_id, reputer, authority + amount)
    _add_topic_and_total(store, topic_id, amount)


def remove_reputer_stake(store: KVStore, topic_id: int, reputer: str, amount: int) -> None:
    """Remove self-stake (a matured removal).

    Raises
    ------
    IntegerUnderflowTopicReputerStakeError
        If ``amount`` exceeds the self-stake (authority − delegated upon).
    IntegerUnderflowTopicStakeError, IntegerUnderflowTotalStakeError
        If it exceeds the topic or total stake.
    """
    authority = get_stake_reputer_authority(store, topic_id, reputer)
    delegated = get_delegate_stake_upon_reputer(store, topic_id, reputer)
    if amount > authority - delegated:
        raise IntegerUnderflowTopicReputerStakeError(
            f"removing {amount} from the self-stake {authority - delegated} of {reputer}"
        )
    _check_topic_and_total(store, topic_id, amount)
    set_stake_reputer_authority(store, topic_id, reputer, authority - amount)
    _add_topic_and_total(store, topic_id, -amount)


@with_dec_context
def compute_pending_delegator_reward(placement: Placement, reward_per_share: Dec) -> Dec:
    """pending = amount × reward per share − reward debt (may be ≤ 0)."""
    pending: Dec = placement.amount * reward_per_share - placement.reward_debt
    return pending


@with_dec_context
def _settle(amount: Dec, reward_per_share: Dec) -> Placement:
    debt: Dec = amount * reward_per_share
    return Placement(amount=amount, reward_debt=debt)


def claim_delegator_reward(
    ctx: Context, store: KVStore, topic_id: int, delegator: str, reputer: str
) -> int:
    """Pay the delegator's pending reward on a placement, if positive (§3.8).

    Returns
    -------
    int
        The uallo paid (0 when nothing was pending).

    Raises
    ------
    InsufficientFundsError
        If ``allorapendingrewards`` holds less than the amount due.
    """
    placement = get_delegate_stake_placement(store, topic_id, delegator, reputer)
    share = get_delegate_reward_per_share(store, topic_id, reputer)
    pending = compute_pending_delegator_reward(placement, share)
    if not pending > 0:
        return 0
    paid = to_int_floor(pending)
    if paid > 0:
        send_coins_from_module_to_account(ctx, store, PENDING_REWARDS_MODULE, delegator, paid)
        ctx.events.emit(build_delegate_reward_claimed_event(topic_id, delegator, reputer, paid))
    set_delegate_stake_placement(
        store, topic_id, delegator, reputer, _settle(placement.amount, share)
    )
    return paid


@with_dec_context
def add_delegate_stake(
    ctx: Context, store: KVStore, topic_id: int, delegator: str, reputer: str, amount: int
) -> None:
    """Record a delegation (§3.7 step 5): settle the pending reward of an existing placement,
    grow the placement (debt = new amount × share) and every sum by ``amount``.

    Raises
    ------
    InsufficientFundsError
        If the pending reward cannot be paid.
    """
    placement = get_delegate_stake_placement(store, topic_id, delegator, reputer)
    if placement.amount > 0:
        claim_delegator_reward(ctx, store, topic_id, delegator, reputer)
    share = get_delegate_reward_per_share(store, topic_id, reputer)
    new_amount: Dec = placement.amount + dec(amount)
    set_delegate_stake_placement(store, topic_id, delegator, reputer, _settle(new_amount, share))
    set_stake_sum_from_delegator(
        store,
        topic_id,
        delegator,
        get_stake_sum_from_delegator(store, topic_id, delegator) + amount,
    )
    set_delegate_stake_upon_reputer(
        store, topic_id, reputer, get_delegate_stake_upon_reputer(store, topic_id, reputer) + amount
    )
    set_stake_reputer_authority(
        store, topic_id, reputer, get_stake_reputer_authority(store, topic_id, reputer) + amount
    )
    _add_topic_and_total(store, topic_id, amount)


@with_dec_context
def remove_delegate_stake(
    ctx: Context, store: KVStore, topic_id: int, delegator: str, reputer: str, amount: int
) -> None:
    """Undo a delegation (a matured delegated removal, §5.8 step 3).

    Checks every sum first, then pays the pending reward, shrinks the placement (debt = new
    amount × share) and every sum by ``amount``.

    Raises
    ------
    IntegerUnderflowStakeFromDelegatorError, IntegerUnderflowDelegateStakePlacementError,
    IntegerUnderflowDelegateStakeUponReputerError, IntegerUnderflowReputerStakeAuthorityError,
    IntegerUnderflowTopicStakeError, IntegerUnderflowTotalStakeError
        If ``amount`` exceeds the corresponding position (codes 32, 33, 34, 66, 3, 4).
    InsufficientFundsError
        If the pending reward cannot be paid.
    """
    delegator_sum = get_stake_sum_from_delegator(store, topic_id, delegator)
    if amount > delegator_sum:
        raise IntegerUnderflowStakeFromDelegatorError(
            f"removing {amount} from {delegator}'s topic sum {delegator_sum}"
        )
    placement = get_delegate_stake_placement(store, topic_id, delegator, reputer)
    removed = dec(amount)
    if removed > placement.amount:
        raise IntegerUnderflowDelegateStakePlacementError(
            f"removing {amount} from a placement of {placement.amount}"
        )
    upon = get_delegate_stake_upon_reputer(store, topic_id, reputer)
    if amount > upon:
        raise IntegerUnderflowDelegateStakeUponReputerError(
            f"removing {amount} from the {upon} delegated upon {reputer}"
        )
    authority = get_stake_reputer_authority(store, topic_id, reputer)
    if amount > authority:
        raise IntegerUnderflowReputerStakeAuthorityError(
            f"removing {amount} from the authority {authority} of {reputer}"
        )
    _check_topic_and_total(store, topic_id, amount)
    if placement.amount > 0:
        claim_delegator_reward(ctx, store, topic_id, delegator, reputer)
    share = get_delegate_reward_per_share(store, topic_id, reputer)
    remaining: Dec = placement.amount - removed
    set_delegate_stake_placement(store, topic_id, delegator, reputer, _settle(remaining, share))
    set_stake_sum_from_delegator(store, topic_id, delegator, delegator_sum - amount)
    set_delegate_stake_upon_reputer(store, topic_id, reputer, upon - amount)
    set_stake_reputer_authority(store, topic_id, reputer, authority - amount)
    _add_topic_and_total(store, topic_id, -amount)
