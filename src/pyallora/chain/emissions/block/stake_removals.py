"""End-block stage 1: stake-removal maturation (PROTOCOL.md §5.8).

Matured self-stake removals are processed first (:func:`process_stake_removals`), then
matured delegated removals (:func:`process_delegate_stake_removals`). Each queue takes at
most ``half_max_process_stake_removals_end_block`` entries per block, in key order
(completion height, topic, actor).

Failure policy: **drop and continue**. Each removal runs in its own branch with its own
event collector; a :class:`~pyallora.core.errors.ConsensusError` (an underflow re-check, a
failed transfer) drops that removal's writes and events and leaves it queued. Any other
exception is a bug and halts the node.

Quirks (fixed by default, reproduced under ``reference_compat``):

* C1: when more removals are due than the limit, the reference processes none of them;
  the fix processes the first ``limit`` in key order;
* C2: the reference deletes a self-stake removal keyed by the *current* height, so an entry
  not processed exactly at its completion block fails forever; the fix deletes it by its own
  completion height (as the delegated path always does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Final, TypeVar

from pyallora.chain.bank.state import send_coins_from_module_to_account
from pyallora.chain.context import Context
from pyallora.chain.emissions.block.state import EndBlockState
from pyallora.chain.emissions.errors import StakeRemovalNotFoundError
from pyallora.chain.emissions.events import build_stake_removal_event
from pyallora.chain.emissions.params import get_params, is_reference_compat
from pyallora.chain.emissions.stake.accounting import (
    STAKING_MODULE,
    remove_delegate_stake,
    remove_reputer_stake,
)
from pyallora.chain.emissions.stake.state import (
    DelegateStakeRemoval,
    StakeRemoval,
    delete_delegate_stake_removal,
    delete_stake_removal,
    get_stake_removal,
    iterate_delegate_stake_removals_up_until,
    iterate_stake_removals_up_until,
)
from pyallora.chain.events import EventCollector
from pyallora.chain.store.kv import Branch, KVStore
from pyallora.core.errors import ConsensusError

FAILURE_POLICY: Final = "drop-and-continue"
"""Per removal: a consensus error leaves that removal queued and untouched."""

R = TypeVar("R")


def _select_due(due: Sequence[R], limit: int, *, compat: bool) -> Sequence[R]:
    if compat and len(due) > limit:
        return ()
    return due[:limit]


def _run_isolated(ctx: Context, store: KVStore, step: Callable[[Context, KVStore], None]) -> bool:
    """Run ``step`` in a branch; keep its writes and events only if it succeeds."""
    branch = Branch(store)
    events = EventCollector()
    try:
        step(ctx.with_events(events), branch)
    except ConsensusError:
        return False
    branch.write()
    ctx.events.extend(events.events)
    return True


def mature_stake_removal(
    ctx: Context, store: KVStore, removal: StakeRemoval, *, compat: bool
) -> None:
    """Pay out one self-stake removal (§5.8 step 2).

    Raises
    ------
    IntegerUnderflowTopicReputerStakeError, IntegerUnderflowTopicStakeError,
    IntegerUnderflowTotalStakeError
        If the amount no longer fits the stakes.
    StakeRemovalNotFoundError
        Under ``reference_compat``, when the entry's completion height is not the current
        height (C2).
    InsufficientFundsError
        If ``allorastaking`` cannot pay (a broken invariant).
    """
    remove_reputer_stake(store, removal.topic_id, removal.reputer, removal.amount)
    keyed_height = ctx.height if compat else removal.block_removal_completed
    if get_stake_removal(store, keyed_height, removal.topic_id, removal.reputer) is None:
        raise StakeRemovalNotFoundError(
            f"stake removal of {removal.reputer} in topic {removal.topic_id} at {keyed_height}"
        )
    delete_stake_removal(store, keyed_height, removal.topic_id, removal.reputer)
    send_coins_from_module_to_account(ctx, store, STAKING_MODULE, removal.reputer, removal.amount)
    ctx.events.emit(
        build_stake_removal_event(
            "Paid",
            topic_id=removal.topic_id,
            reputer=removal.reputer,
            amount=removal.amount,
            completion=removal.block_removal_completed,
        )
    )


def mature_delegate_stake_removal(
    ctx: Context, store: KVStore, removal: DelegateStakeRemoval
) -> None:
    """Pay out one delegated removal (§5.8 step 3): the pending reward, then the principal.

    Raises
    ------
    EmissionsError
        The underflow errors of
        :func:`~pyallora.chain.emissions.stake.accounting.remove_delegate_stake`.
    InsufficientFundsError
        If a module account cannot pay (a broken invariant).
    """
    remove_delegate_stake(
        ctx, store, removal.topic_id, removal.delegator, removal.reputer, removal.amount
    )
    delete_delegate_stake_removal(
        store,
        removal.block_removal_completed,
        removal.topic_id,
        removal.delegator,
        removal.reputer,
    )
    send_coins_from_module_to_account(ctx, store, STAKING_MODULE, removal.delegator, removal.amount)
    ctx.events.emit(
        build_stake_removal_event(
            "Paid",
            topic_id=removal.topic_id,
            reputer=removal.reputer,
            amount=removal.amount,
            completion=removal.block_removal_completed,
            delegator=removal.delegator,
        )
    )


def process_stake_removals(ctx: Context, store: KVStore, state: EndBlockState) -> EndBlockState:
    """Pay the matured self-stake removals of this block (see the module docstring)."""
    compat = is_reference_compat(store)
    limit = get_params(store).half_max_process_stake_removals_end_block
    due = list(iterate_stake_removals_up_until(store, ctx.height))
    for removal in _select_due(due, limit, compat=compat):
        _run_isolated(
            ctx,
            store,
            partial(mature_stake_removal, removal=removal, compat=compat),
        )
    return state


def process_delegate_stake_removals(
    ctx: Context, store: KVStore, state: EndBlockState
) -> EndBlockState:
    """Pay the matured delegated removals of this block (see the module docstring)."""
    compat = is_reference_compat(store)
    limit = get_params(store).half_max_process_stake_removals_end_block
    due = list(iterate_delegate_stake_removals_up_until(store, ctx.height))
    for removal in _select_due(due, limit, compat=compat):
        _run_isolated(
            ctx,
            store,
            partial(mature_delegate_stake_removal, removal=removal),
        )
    return state
