"""Validator rewards: allocation from the fee collector, commission, delegator claims.

Implements the validators' side of PROTOCOL.md §6.4 ("validators receive ⌊v × B⌋ via
``fee_collector`` and x/distribution: commission, then pro-rata to delegators").

Allocation (:func:`process_allocate_tokens`, every begin block, before mint): everything in
``fee_collector`` (the previous block's validator cut and the tx fees since) moves to the
``distribution`` account and is split, with integers only:

* ``⌊F × (1 − tax) × p_v / P⌋`` to each validator ``v`` of the last commit with power
  ``p_v`` (``P`` = Σ powers; every vote counts, signed or absent, as in the SDK 0.50; with no
  votes, the stored active set and its powers stand in for them);
* the rest, community tax and rounding remainders included, to the community pool.

Per validator, commission ``⌊r × c⌋`` (rate ``c``) accumulates for the operator, and the
delegators' part ``d`` is credited to the validator's *outstanding* pool while the
accumulator grows by ``⌊d × 10^60 / S⌋`` (``S`` = the validator's share units).

A delegation of ``s`` share units whose starting point is ``a₀`` is owed
``⌊s × (a − a₀) / 10^60⌋``. Shares never change between settlements (every change of shares
settles first, through the staking hooks, and restarts at the current accumulator), and
slashing only changes a validator's tokens, not its shares, so the per-share accumulator is
exact for every delegator. Floors make Σ owed ≤ outstanding: the difference is dust (less
than one uallo per delegator per settlement, plus the accumulator's truncation), which stays in
the validator's outstanding pool and moves to the community pool when the validator is
removed. No base unit is created or lost:
``balance(distribution) = community pool + Σ commission + Σ outstanding``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pyallora.chain.abci_types import CommitInfo
from pyallora.chain.auth.state import FEE_COLLECTOR, get_module_address
from pyallora.chain.bank.state import (
    get_balance,
    send_coins_from_module_to_account,
    send_coins_from_module_to_module,
)
from pyallora.chain.context import Context
from pyallora.chain.distribution.state import (
    DISTRIBUTION_MODULE_ACCOUNT,
    get_commission,
    get_community_pool,
    get_outstanding,
    get_params,
    get_reward_per_share,
    get_starting_point,
    get_withdraw_address,
    iterate_commissions,
    iterate_outstanding,
    iterate_reward_per_share,
    set_commission,
    set_community_pool,
    set_outstanding,
    set_reward_per_share,
    set_starting_point,
)
from pyallora.chain.events import make_event
from pyallora.chain.staking.state import (
    compute_operator_account,
    get_delegation,
    get_validator,
    get_validator_by_consensus_address,
    iterate_delegations,
    iterate_last_validator_powers,
)
from pyallora.chain.staking.types import Validator
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.amounts import DENOM
from pyallora.core.errors import PyAlloraError
from pyallora.core.legacy_dec import ONE

REWARD_SCALE: Final = 10**60
"""Scale of the per-share accumulator. Share units are 10^-18 share and a validator holds at
most 10^27 uallo, i.e. at most 10^45 units, so truncating each growth step loses less than
10^-15 uallo per allocation."""


class DistributionInvariantError(PyAlloraError):
    """A distribution invariant does not hold: a bug in the state machine."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationVote:
    """A validator's claim on one allocation: operator (or ``None`` when unknown) and power."""

    operator: str | None
    power: int


def compute_pending_rewards(store: ReadableKVStore, delegator: str, operator: str) -> int:
    """uallo a delegation could withdraw now (0 without a delegation)."""
    shares = get_delegation(store, delegator, operator)
    if shares is None:
        return 0
    growth = get_reward_per_share(store, operator) - get_starting_point(store, operator, delegator)
    return shares * growth // REWARD_SCALE


def compute_pending_rewards_units(store: ReadableKVStore, delegator: str, operator: str) -> int:
    """A delegation's rewards as a LegacyDec (units of 10^-18 uallo), for queries."""
    shares = get_delegation(store, delegator, operator)
    if shares is None:
        return 0
    growth = get_reward_per_share(store, operator) - get_starting_point(store, operator, delegator)
    return shares * growth * ONE // REWARD_SCALE


def withdraw_delegation_rewards(ctx: Context, store: KVStore, delegator: str, operator: str) -> int:
    """Pay a delegation's pending rewards to its withdraw address and restart its count.

    Returns the uallo paid (the delegation must exist).
    """
    owed = min(
        compute_pending_rewards(store, delegator, operator), get_outstanding(store, operator)
    )
    set_starting_point(store, operator, delegator, get_reward_per_share(store, operator))
    if owed:
        set_outstanding(store, operator, get_outstanding(store, operator) - owed)
        send_coins_from_module_to_account(
            ctx, store, DISTRIBUTION_MODULE_ACCOUNT, get_withdraw_address(store, delegator), owed
        )
    ctx.events.emit(
        make_event(
            "withdraw_rewards",
            (("amount", f"{owed}{DENOM}"), ("validator", operator), ("delegator", delegator)),
        )
    )
    return owed


def withdraw_validator_commission(ctx: Context, store: KVStore, operator: str) -> int:
    """Pay a validator's accumulated commission to the operator's withdraw address."""
    amount = get_commission(store, operator)
    set_commission(store, operator, 0)
    if amount:
        recipient = get_withdraw_address(store, compute_operator_account(operator))
        send_coins_from_module_to_account(
            ctx, store, DISTRIBUTION_MODULE_ACCOUNT, recipient, amount
        )
    ctx.events.emit(
        make_event("withdraw_commission", (("amount", f"{amount}{DENOM}"), ("validator", operator)))
    )
    return amount


def allocate_tokens_to_validator(
    ctx: Context, store: KVStore, validator: Validator, reward: int
) -> None:
    """Credit ``reward`` (already in the distribution account) to ``validator``."""
    operator = validator.operator_address
    commission = reward * validator.commission.rate // ONE
    shared = reward - commission
    set_commission(store, operator, get_commission(store, operator) + commission)
    if validator.delegator_shares == 0:
        set_community_pool(store, get_community_pool(store) + shared)
    else:
        growth = shared * REWARD_SCALE // validator.delegator_shares
        set_reward_per_share(store, operator, get_reward_per_share(store, operator) + growth)
        set_outstanding(store, operator, get_outstanding(store, operator) + shared)
    ctx.events.emit(
        make_event("commission", (("amount", f"{commission}{DENOM}"), ("validator", operator)))
    )
    ctx.events.emit(
        make_event("rewards", (("amount", f"{shared}{DENOM}"), ("validator", operator)))
    )


def compute_allocation_votes(store: ReadableKVStore, commit: CommitInfo) -> list[AllocationVote]:
    """Who shares an allocation: the last commit's votes, or the stored active set."""
    if commit.votes:
        votes = []
        for vote in commit.votes:
            validator = get_validator_by_consensus_address(store, vote.validator_address)
            votes.append(
                AllocationVote(
                    operator=None if validator is None else validator.operator_address,
                    power=vote.power,
                )
            )
        return votes
    return [
        AllocationVote(operator=operator, power=power)
        for operator, power in iterate_last_validator_powers(store)
    ]


def process_allocate_tokens(ctx: Context, store: KVStore, commit: CommitInfo) -> int:
    """Move the fee collector's balance into the distribution account and allocate it.

    Returns the amount allocated (0 when the fee collector was empty).
    """
    fees = get_balance(store, get_module_address(FEE_COLLECTOR))
    if fees == 0:
        return 0
    send_coins_from_module_to_module(ctx, store, FEE_COLLECTOR, DISTRIBUTION_MODULE_ACCOUNT, fees)
    votes = [vote for vote in compute_allocation_votes(store, commit) if vote.power > 0]
    total_power = sum(vote.power for vote in votes)
    remaining = fees
    if total_power > 0:
        keep = ONE - get_params(store).community_tax
        for vote in votes:
            if vote.operator is None:
                continue
            validator = get_validator(store, vote.operator)
            if validator is None:
                continue
            reward = fees * keep * vote.power // (ONE * total_power)
            allocate_tokens_to_validator(ctx, store, validator, reward)
            remaining -= reward
    set_community_pool(store, get_community_pool(store) + remaining)
    return fees


def validate_distribution_invariants(store: ReadableKVStore) -> None:
    """Check that the module's balance is fully accounted for and that no validator owes its
    delegators more than its outstanding pool.

    Raises
    ------
    DistributionInvariantError
        Naming the violated relation.
    """
    balance = get_balance(store, get_module_address(DISTRIBUTION_MODULE_ACCOUNT))
    commission = sum(amount for _, amount in iterate_commissions(store))
    outstanding = dict(iterate_outstanding(store))
    accounted = get_community_pool(store) + commission + sum(outstanding.values())
    if balance != accounted:
        raise DistributionInvariantError(
            f"distribution account holds {balance}, accounted {accounted}"
        )
    owed: dict[str, int] = {}
    for delegator, operator, _ in iterate_delegations(store):
        owed[operator] = owed.get(operator, 0) + compute_pending_rewards(store, delegator, operator)
    for operator in sorted(owed):
        if owed[operator] > outstanding.get(operator, 0):
            raise DistributionInvariantError(
                f"validator {operator} owes {owed[operator]} but holds "
                f"{outstanding.get(operator, 0)}"
            )
    for operator, _ in iterate_reward_per_share(store):
        if get_validator(store, operator) is None:
            raise DistributionInvariantError(f"accumulator of removed validator {operator}")


class DistributionHooks:
    """The distribution side of the staking hooks (see :mod:`pyallora.chain.staking.hooks`)."""

    __slots__ = ()

    def after_validator_created(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Nothing to set up (absent values are zero)."""

    def after_validator_bonded(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Nothing."""

    def after_validator_removed(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Pay the remaining commission to the operator; move the dust to the community pool."""
        operator = validator.operator_address
        withdraw_validator_commission(ctx, store, operator)
        set_community_pool(store, get_community_pool(store) + get_outstanding(store, operator))
        set_outstanding(store, operator, 0)
        set_reward_per_share(store, operator, 0)

    def before_delegation_shares_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Pay the delegation's pending rewards (auto-withdraw on every change)."""
        withdraw_delegation_rewards(ctx, store, delegator, operator)

    def after_delegation_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Start counting from the current accumulator."""
        set_starting_point(store, operator, delegator, get_reward_per_share(store, operator))

    def after_delegation_removed(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Forget the delegation's starting point."""
        set_starting_point(store, operator, delegator, 0)
