"""State invariants of the emissions module (PROTOCOL.md Appendix D), as reusable checks.

Tests run :func:`validate_emissions_invariants` after every block of every multi-block
scenario. Each check raises :class:`EmissionsInvariantError` naming the violated relation.
Checks 1-5 and 8 are here; 6 and 7 are :mod:`.invariants_part2`'s, and
:data:`INVARIANT_CHECKS` lists all of them in Appendix D order. The part of 7 that needs the
registration history runs when the caller passes a
:class:`~pyallora.chain.emissions.invariants_part2.RegistrationHistory`.

=====  =========================================================================  ==========
D      relation                                                                   check
=====  =========================================================================  ==========
1      total_stake = balance(allorastaking) = Σ topic_stake = Σ authority         stake
2      delegated_upon = Σ placements on the reputer ≤ authority; delegator sum =  stake
       Σ of its placements
3      balance(allorapendingrewards) ≥ Σ (amount × reward_per_share − debt)        stake
4      the two indices of each removal queue agree; ≤ 1 removal per position;      removals
       started ≤ completed
5      |slot| ≤ max_active_topics_per_block; a topic is in at most one slot, and    schedule
       its next churning block is that slot (and lies after the finished block)
8      total_sum_previous_topic_weights = Σ previous weights of active topics       weights
       (C11 fixed; skipped under ``reference_compat``)
=====  =========================================================================  ==========

(D 9, the mint's, belongs to the mint module.)
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Final

import gmpy2

from pyallora.chain.auth.state import get_module_address
from pyallora.chain.bank.state import get_balance
from pyallora.chain.emissions.errors import EmissionsInvariantError
from pyallora.chain.emissions.invariants_part2 import (
    RegistrationHistory,
    validate_nonce_invariants,
    validate_working_set_invariants,
)
from pyallora.chain.emissions.keys import to_fraction
from pyallora.chain.emissions.params import get_params, is_reference_compat
from pyallora.chain.emissions.stake.accounting import (
    PENDING_REWARDS_MODULE,
    STAKING_MODULE,
    compute_pending_delegator_reward,
)
from pyallora.chain.emissions.stake.state import (
    DELEGATE_STAKE_REMOVALS_BY_BLOCK,
    STAKE_REMOVALS_BY_BLOCK,
    delegate_stake_removal_from_proto,
    get_delegate_reward_per_share,
    get_total_stake,
    iterate_delegate_stake_placements,
    iterate_delegate_stake_removals_by_actor,
    iterate_delegate_stakes_upon_reputers,
    iterate_stake_removals_by_actor,
    iterate_stake_reputer_authorities,
    iterate_stake_sums_from_delegators,
    iterate_topic_stakes,
    stake_removal_from_proto,
)
from pyallora.chain.emissions.topics.state import (
    get_next_churning_block,
    get_previous_topic_weight,
    get_total_sum_previous_topic_weights_exact,
    iterate_active_topics_by_block,
    iterate_next_churning_blocks,
)
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.core.dec import ZERO, Dec, dec, with_dec_context


def _integral(value: Dec, what: str) -> int:
    numerator, denominator = (int(part) for part in value.as_integer_ratio())
    if denominator != 1:
        raise EmissionsInvariantError(f"{what} is not an integer: {value}")
    return numerator


@with_dec_context
def validate_stake_invariants(store: ReadableKVStore, height: int) -> None:
    """Invariants 1, 2 and 3 (stake totals, delegation sums, pending rewards).

    Raises
    ------
    EmissionsInvariantError
        Naming the violated relation.
    """
    total = get_total_stake(store)
    staking_balance = get_balance(store, get_module_address(STAKING_MODULE))
    topic_sum = sum(amount for _, amount in iterate_topic_stakes(store))
    authorities = dict(iterate_stake_reputer_authorities(store))
    authority_sum = sum(authorities.values())
    if not total == staking_balance == topic_sum == authority_sum:
        raise EmissionsInvariantError(
            f"D1: total_stake {total}, allorastaking balance {staking_balance}, "
            f"Σ topic_stake {topic_sum}, Σ authority {authority_sum} differ"
        )
    per_topic: dict[int, int] = {}
    for (topic_id, _), amount in sorted(authorities.items()):
        per_topic[topic_id] = per_topic.get(topic_id, 0) + amount
    if per_topic != dict(iterate_topic_stakes(store)):
        raise EmissionsInvariantError("D1: a topic_stake differs from its Σ authority")
    upon: dict[tuple[int, str], int] = {}
    by_delegator: dict[tuple[int, str], int] = {}
    pending: list[Dec] = []
    for (topic_id, delegator, reputer), placement in iterate_delegate_stake_placements(store):
        amount = _integral(placement.amount, f"placement of {delegator} on {reputer}")
        upon[(topic_id, reputer)] = upon.get((topic_id, reputer), 0) + amount
        by_delegator[(topic_id, delegator)] = by_delegator.get((topic_id, delegator), 0) + amount
        share = get_delegate_reward_per_share(store, topic_id, reputer)
        pending.append(compute_pending_delegator_reward(placement, share))
    stored_upon = dict(iterate_delegate_stakes_upon_reputers(store))
    if {key: value for key, value in sorted(upon.items()) if value} != stored_upon:
        raise EmissionsInvariantError("D2: delegated_upon differs from Σ placements")
    for (topic_id, reputer), delegated in sorted(stored_upon.items()):
        if authorities.get((topic_id, reputer), 0) < delegated:
            raise EmissionsInvariantError(
                f"D2: authority of {reputer} in {topic_id} is below its delegated stake"
            )
    stored_sums = dict(iterate_stake_sums_from_delegators(store))
    if {key: value for key, value in sorted(by_delegator.items()) if value} != stored_sums:
        raise EmissionsInvariantError("D2: stake_sum_from_delegator differs from Σ placements")
    owed: Dec = gmpy2.fsum(pending) if pending else ZERO
    pending_balance = get_balance(store, get_module_address(PENDING_REWARDS_MODULE))
    if dec(pending_balance) < owed:
        raise EmissionsInvariantError(
            f"D3: allorapendingrewards holds {pending_balance} but {owed} is owed"
        )


def validate_removal_queue_invariants(store: ReadableKVStore, height: int) -> None:
    """Invariant 4 (both removal queues).

    Raises
    ------
    EmissionsInvariantError
        Naming the violated relation.
    """
    by_block = {
        (key[2], key[1], key[0]): stake_removal_from_proto(value)
        for key, value in STAKE_REMOVALS_BY_BLOCK.iterate(store)
    }
    by_actor = list(iterate_stake_removals_by_actor(store))
    if sorted(by_block) != by_actor:
        raise EmissionsInvariantError("D4: the self-stake removal indices differ")
    positions = [(reputer, topic_id) for reputer, topic_id, _ in by_actor]
    if len(set(positions)) != len(positions):
        raise EmissionsInvariantError("D4: two pending self-stake removals for one position")
    for (reputer, topic_id, completed), removal in sorted(by_block.items()):
        if (removal.reputer, removal.topic_id, removal.block_removal_completed) != (
            reputer,
            topic_id,
            completed,
        ) or removal.block_removal_started > completed:
            raise EmissionsInvariantError(f"D4: inconsistent self-stake removal {removal}")
    delegate_by_block = {
        (key[2], key[3], key[1], key[0]): delegate_stake_removal_from_proto(value)
        for key, value in DELEGATE_STAKE_REMOVALS_BY_BLOCK.iterate(store)
    }
    delegate_by_actor = list(iterate_delegate_stake_removals_by_actor(store))
    if sorted(delegate_by_block) != delegate_by_actor:
        raise EmissionsInvariantError("D4: the delegated removal indices differ")
    delegate_positions = [key[:3] for key in delegate_by_actor]
    if len(set(delegate_positions)) != len(delegate_positions):
        raise EmissionsInvariantError("D4: two pending delegated removals for one position")
    for key, delegated in sorted(delegate_by_block.items()):
        if (
            delegated.delegator,
            delegated.reputer,
            delegated.topic_id,
            delegated.block_removal_completed,
        ) != key or delegated.block_removal_started > delegated.block_removal_completed:
            raise EmissionsInvariantError(f"D4: inconsistent delegated removal {delegated}")


def validate_topic_schedule_invariants(store: ReadableKVStore, height: int) -> None:
    """Invariant 5 (slots), checked after the end block of ``height``.

    Raises
    ------
    EmissionsInvariantError
        Naming the violated relation.
    """
    limit = get_params(store).max_active_topics_per_block
    seen: dict[int, int] = {}
    for block, topic_ids in iterate_active_topics_by_block(store):
        if len(topic_ids) > limit:
            raise EmissionsInvariantError(f"D5: slot {block} holds {len(topic_ids)} > {limit}")
        for topic_id in topic_ids:
            if topic_id in seen:
                raise EmissionsInvariantError(f"D5: topic {topic_id} is in two slots")
            seen[topic_id] = block
            if get_next_churning_block(store, topic_id) != block:
                raise EmissionsInvariantError(
                    f"D5: topic {topic_id} is in slot {block} but churns at "
                    f"{get_next_churning_block(store, topic_id)}"
                )
    for topic_id, block in iterate_next_churning_blocks(store):
        if seen.get(topic_id) != block:
            raise EmissionsInvariantError(f"D5: topic {topic_id} churns at {block}, not in slot")
        if block <= height:
            raise EmissionsInvariantError(
                f"D5: topic {topic_id} still churns at {block} after block {height}"
            )


def validate_topic_weight_sum_invariant(store: ReadableKVStore, height: int) -> None:
    """Invariant 8 (only when C11 is fixed, i.e. outside ``reference_compat``).

    The sum is an exact accumulator, so the check is exact equality of rationals.

    Raises
    ------
    EmissionsInvariantError
        If the stored sum is not Σ previous weights of the scheduled topics.
    """
    if is_reference_compat(store):
        return
    expected = sum(
        (
            to_fraction(weight)
            for topic_id, _ in iterate_next_churning_blocks(store)
            if (weight := get_previous_topic_weight(store, topic_id)) is not None
        ),
        Fraction(0),
    )
    stored = get_total_sum_previous_topic_weights_exact(store)
    if stored != expected:
        raise EmissionsInvariantError(f"D8: weight sum {stored} differs from {expected}")


InvariantCheck = Callable[[ReadableKVStore, int], None]
"""A check: ``check(store, height_of_the_finished_block)``."""

INVARIANT_CHECKS: Final[tuple[InvariantCheck, ...]] = (
    validate_stake_invariants,
    validate_removal_queue_invariants,
    validate_topic_schedule_invariants,
    validate_nonce_invariants,
    validate_working_set_invariants,
    validate_topic_weight_sum_invariant,
)
"""Every stateless emissions invariant check (parts 1 and 2), in Appendix D order."""


def validate_emissions_invariants(
    store: ReadableKVStore, height: int, *, history: RegistrationHistory | None = None
) -> None:
    """Run every check of :data:`INVARIANT_CHECKS` on the state after block ``height``, then
    (given the chain's ``history``) D7's registration-history clause.

    Raises
    ------
    EmissionsInvariantError
        From the first failing check.
    """
    for check in INVARIANT_CHECKS:
        check(store, height)
    if history is not None:
        history.validate_and_record(store, height)
