"""Topic weight, activation, deactivation and slot contests (PROTOCOL.md §5.3, §1.5).

**Weight** (SYNTHESIS.md §14, :mod:`pyallora.synthesis.topic_weights`): target
S^μ·(R/E)^ν from the topic stake S, the fee revenue R and the epoch length E; 0 when R = 0;
otherwise the EMA with the stored previous weight, or the target when none is stored.
:func:`get_current_topic_weight` computes it on demand (activation checks, slot contests,
GetTopic); it is *stored* only at the topic's epoch end (:mod:`..block.topic_weights`).

**Slots.** A topic is scheduled in the slot of its next epoch end (``block_to_active_topics``)
and is active while its next churning block exists and is ≥ the current height. A slot holds
at most ``max_active_topics_per_block`` topics; a newcomer at least as heavy as the slot's
cached lowest weight evicts that topic, a lighter one is refused
(:func:`schedule_topic_in_slot`). The cache is recomputed from current weights after every
insertion (first lowest in list order wins ties).

**Activation check** (:func:`activate_topic_if_weight_sufficient`, after Register, AddStake,
DelegateStake, FundTopic and the payload messages, never after CreateNewTopic): an inactive
topic whose current weight is ≥ ``min_topic_weight`` is scheduled at h + E.

**Weight sum** (quirk C11). ``total_sum_previous_topic_weights`` is meant to be Σ previous
weights of the active topics. It is an exact accumulator (a rational stored as its exact
decimal expansion, :mod:`..keys`), read as a Dec rounded toward zero, so updates never
drift. By default (the fix) a topic's previous weight enters the sum when the topic gets a
next churning block and leaves it when it loses it, and an epoch end adds the difference of
the stored weights: the invariant "sum = Σ previous weights of scheduled topics" holds
exactly. Under ``reference_compat`` the reference's updates are reproduced instead: an
activation adds the topic's previous weight even when the slot refused it (again on every
failed attempt), an eviction or deactivation subtracts it, a lost reschedule contest leaves
it in, and an epoch end adds the difference.

**Fees** (§1.5 item 2): :func:`charge_fee` checks the payer's balance and moves the fee to
``ecosystem``; :func:`charge_topic_fee` also counts it as the topic's revenue and runs the
activation check.
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.auth.state import ECOSYSTEM
from pyallora.chain.bank.state import get_balance, send_coins_from_account_to_module
from pyallora.chain.context import Context
from pyallora.chain.emissions.events import (
    build_topic_activated_event,
    build_topic_deactivated_event,
)
from pyallora.chain.emissions.heights import compute_later_height
from pyallora.chain.emissions.params import (
    EmissionsParams,
    compute_topic_weight_params,
    get_params,
    is_reference_compat,
)
from pyallora.chain.emissions.stake.state import get_topic_stake
from pyallora.chain.emissions.topics.state import (
    Topic,
    add_to_total_sum_previous_topic_weights,
    add_topic_fee_revenue,
    delete_next_churning_block,
    get_active_topics_at_block,
    get_lowest_active_topic_weight_at_block,
    get_next_churning_block,
    get_previous_topic_weight,
    get_topic,
    get_topic_fee_revenue,
    is_topic_active,
    set_active_topics_at_block,
    set_legacy_active,
    set_lowest_active_topic_weight_at_block,
    set_next_churning_block,
    set_previous_topic_weight,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.tx.errors import InsufficientFundsError
from pyallora.core.amounts import DENOM
from pyallora.core.dec import ZERO, Dec, dec_context, with_dec_context
from pyallora.synthesis.topic_weights import compute_topic_weight

REASON_EVICTED: Final = "evicted"
"""Deactivation reason: a heavier topic took the slot."""

REASON_BELOW_MIN_WEIGHT: Final = "below_min_weight"
"""Deactivation reason: the weight stored at an epoch end is below ``min_topic_weight``."""

REASON_LOST_SLOT: Final = "lost_slot"
"""Deactivation reason: the reschedule at an epoch end lost its slot contest."""

REASON_HEIGHT_OVERFLOW: Final = "height_overflow"
"""Deactivation reason: the next epoch end h + E would not fit a 64-bit height."""


class TopicStateError(RuntimeError):
    """The scheduling state is inconsistent (a bug): a scheduled topic does not exist."""


def _require_topic(store: ReadableKVStore, topic_id: int) -> Topic:
    topic = get_topic(store, topic_id)
    if topic is None:
        raise TopicStateError(f"topic {topic_id} is scheduled or weighed but does not exist")
    return topic


@with_dec_context
def get_current_topic_weight(
    store: ReadableKVStore, topic_id: int, params: EmissionsParams | None = None
) -> Dec:
    """The topic's weight now (§5.3), from its stake, revenue and stored previous weight.

    Raises
    ------
    TopicStateError
        If the topic does not exist.
    """
    params = params if params is not None else get_params(store)
    topic = _require_topic(store, topic_id)
    return compute_topic_weight(
        stake=get_topic_stake(store, topic_id),
        fee_revenue=get_topic_fee_revenue(store, topic_id),
        epoch_length=topic.epoch_length,
        previous_weight=get_previous_topic_weight(store, topic_id),
        params=compute_topic_weight_params(params),
    )


def _previous_weight_or_zero(store: ReadableKVStore, topic_id: int) -> Dec:
    previous = get_previous_topic_weight(store, topic_id)
    return ZERO if previous is None else previous


def _set_scheduled(store: KVStore, topic_id: int, height: int) -> None:
    """Set the next churning block; outside compat, a newly scheduled topic's previous weight
    joins the weight sum."""
    was_scheduled = get_next_churning_block(store, topic_id) is not None
    set_next_churning_block(store, topic_id, height)
    if not was_scheduled and not is_reference_compat(store):
        add_to_total_sum_previous_topic_weights(store, _previous_weight_or_zero(store, topic_id))


def _set_unscheduled(store: KVStore, topic_id: int) -> None:
    """Delete the next churning block; outside compat, the topic's previous weight leaves the
    weight sum."""
    was_scheduled = get_next_churning_block(store, topic_id) is not None
    delete_next_churning_block(store, topic_id)
    if was_scheduled and not is_reference_compat(store):
        add_to_total_sum_previous_topic_weights(store, -_previous_weight_or_zero(store, topic_id))


def reset_lowest_active_topic_weight_at_block(
    store: KVStore, height: int, params: EmissionsParams
) -> None:
    """Recompute the slot's cached lowest-weight topic from current weights.

    The first topic (in slot order) with the strictly lowest weight wins; an empty slot is
    deleted with its cache.
    """
    topic_ids = get_active_topics_at_block(store, height)
    if not topic_ids:
        set_active_topics_at_block(store, height, ())
        return
    lowest_id = topic_ids[0]
    lowest = get_current_topic_weight(store, lowest_id, params)
    for topic_id in topic_ids[1:]:
        weight = get_current_topic_weight(store, topic_id, params)
        if weight < lowest:
            lowest_id, lowest = topic_id, weight
    set_lowest_active_topic_weight_at_block(store, height, lowest_id, lowest)


def remove_topic_from_slot(store: KVStore, height: int, topic_id: int) -> None:
    """Remove the first occurrence of ``topic_id`` from the slot (its cache is kept)."""
    topic_ids = list(get_active_topics_at_block(store, height))
    if topic_id in topic_ids:
        topic_ids.remove(topic_id)
        set_active_topics_at_block(store, height, tuple(topic_ids))


def deactivate_topic(ctx: Context, store: KVStore, topic_id: int, reason: str) -> bool:
    """Unschedule an active topic: slot, next churning block, legacy flag, weight sum.

    A topic that is not active (or does not exist) is left alone.

    Returns
    -------
    bool
        Whether the topic was active and is now inactive.
    """
    block = get_next_churning_block(store, topic_id)
    if block is None or block < ctx.height or get_topic(store, topic_id) is None:
        return False
    remove_topic_from_slot(store, block, topic_id)
    _set_unscheduled(store, topic_id)
    set_legacy_active(store, topic_id, active=False)
    if is_reference_compat(store):
        add_to_total_sum_previous_topic_weights(store, -_previous_weight_or_zero(store, topic_id))
    ctx.events.emit(build_topic_deactivated_event(topic_id, reason))
    return True


def schedule_topic_in_slot(
    ctx: Context, store: KVStore, topic_id: int, height: int, params: EmissionsParams
) -> bool:
    """Put the topic in the slot at ``height`` under the contest rules (§5.3 steps 2-3).

    If the slot is full, the topic's current weight is compared with the slot's cached
    lowest weight: lower is refused; otherwise the cached topic is evicted
    (:func:`deactivate_topic`). On success the topic's next churning block is ``height`` and
    the slot's cache is recomputed. The weight sum is not touched here.

    Returns
    -------
    bool
        Whether the topic was scheduled.
    """
    existing = list(get_active_topics_at_block(store, height))
    if topic_id in existing:
        return False
    if len(existing) >= params.max_active_topics_per_block:
        cached = get_lowest_active_topic_weight_at_block(store, height)
        lowest_id, lowest_weight = cached if cached is not None else (0, ZERO)
        if get_current_topic_weight(store, topic_id, params) < lowest_weight:
            return False
        deactivate_topic(ctx, store, lowest_id, REASON_EVICTED)
        existing = list(get_active_topics_at_block(store, height))
        if lowest_id in existing:
            existing.remove(lowest_id)
    existing.append(topic_id)
    set_active_topics_at_block(store, height, tuple(existing))
    _set_scheduled(store, topic_id, height)
    reset_lowest_active_topic_weight_at_block(store, height, params)
    ctx.events.emit(build_topic_activated_event(topic_id, height))
    return True


def activate_topic(ctx: Context, store: KVStore, topic_id: int, params: EmissionsParams) -> bool:
    """Schedule an inactive topic at h + E and account for it (§5.3 steps 1-4).

    Returns
    -------
    bool
        Whether the topic got the slot.

    Raises
    ------
    InvalidValueError
        If h + E is outside ``int64`` (:mod:`..heights`; nothing is written then).
    """
    topic = _require_topic(store, topic_id)
    slot = compute_later_height(ctx.height, topic.epoch_length, f"topic {topic_id} activation")
    scheduled = schedule_topic_in_slot(ctx, store, topic_id, slot, params)
    if is_reference_compat(store):
        # C11: the reference marks the topic and adds its weight even when refused.
        set_legacy_active(store, topic_id, active=True)
        add_to_total_sum_previous_topic_weights(store, _previous_weight_or_zero(store, topic_id))
    elif scheduled:
        set_legacy_active(store, topic_id, active=True)
    return scheduled


def activate_topic_if_weight_sufficient(ctx: Context, store: KVStore, topic_id: int) -> bool:
    """The activation check of §5.3: activate an inactive topic whose weight is enough.

    Returns
    -------
    bool
        Whether the topic was (newly) scheduled.

    Raises
    ------
    InvalidValueError
        If h + E is outside ``int64``.
    """
    if is_topic_active(store, topic_id, ctx.height):
        return False
    params = get_params(store)
    weight = get_current_topic_weight(store, topic_id, params)
    if weight < params.get_dec("min_topic_weight"):
        return False
    return activate_topic(ctx, store, topic_id, params)


def reschedule_topic(ctx: Context, store: KVStore, topic_id: int, params: EmissionsParams) -> bool:
    """Move a topic whose epoch ends now from slot h to slot h + E (§5.4 step 2).

    A lost contest leaves the topic without a next epoch end (inactive); by default it then
    also leaves the weight sum and the legacy set, under ``reference_compat`` it stays in
    both (C11).

    Returns
    -------
    bool
        Whether the topic got the slot at h + E.

    Raises
    ------
    InvalidValueError
        If h + E is outside ``int64``; checked before anything is written.
    """
    topic = _require_topic(store, topic_id)
    slot = compute_later_height(ctx.height, topic.epoch_length, f"topic {topic_id} reschedule")
    remove_topic_from_slot(store, ctx.height, topic_id)
    # The reference deletes the entry without touching the sum (C11); the fix takes the
    # weight out here and puts it back if the topic wins the next slot.
    _set_unscheduled(store, topic_id)
    scheduled = schedule_topic_in_slot(ctx, store, topic_id, slot, params)
    if not scheduled and not is_reference_compat(store):
        set_legacy_active(store, topic_id, active=False)
    if not scheduled:
        ctx.events.emit(build_topic_deactivated_event(topic_id, REASON_LOST_SLOT))
    return scheduled


def store_topic_weight(store: KVStore, topic_id: int, weight: Dec) -> None:
    """Store the weight computed at the topic's epoch end; the weight sum moves by the
    difference (outside compat only while the topic is scheduled, which it is at its epoch
    end)."""
    previous = _previous_weight_or_zero(store, topic_id)
    set_previous_topic_weight(store, topic_id, weight)
    if is_reference_compat(store) or get_next_churning_block(store, topic_id) is not None:
        with dec_context():
            # Exact: the sum is an exact accumulator, and so is this difference of two Decs.
            add_to_total_sum_previous_topic_weights(store, weight)
            add_to_total_sum_previous_topic_weights(store, -previous)


# ---------------------------------------------------------------------------------------------
# Fees


def charge_fee(ctx: Context, store: KVStore, payer: str, amount: int) -> None:
    """Check the payer's balance and move ``amount`` uallo to ``ecosystem``.

    Raises
    ------
    InsufficientFundsError
        If the payer's uallo balance is below ``amount``.
    """
    balance = get_balance(store, payer)
    if balance < amount:
        raise InsufficientFundsError(
            f"sender has insufficient balance to cover fees: {balance}{DENOM} < {amount}{DENOM}"
        )
    send_coins_from_account_to_module(ctx, store, payer, ECOSYSTEM, amount)


def charge_topic_fee(ctx: Context, store: KVStore, payer: str, topic_id: int, amount: int) -> None:
    """Charge a topic fee (§1.5 item 2): to ``ecosystem``, counted as topic revenue, then the
    activation check.

    Raises
    ------
    InsufficientFundsError
        If the payer's uallo balance is below ``amount``.
    InvalidValueError
        If the activation would schedule the topic outside ``int64`` (:mod:`..heights`).
    """
    charge_fee(ctx, store, payer, amount)
    add_topic_fee_revenue(store, topic_id, amount)
    activate_topic_if_weight_sufficient(ctx, store, topic_id)
