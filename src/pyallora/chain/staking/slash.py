"""Slashing and jailing a validator's stake (the SDK's ``Keeper.Slash``, ``Jail``, ``Unjail``).

Called by the slashing module for double signs and downtime. A slash of ``fraction`` for an
infraction at height ``H`` by a validator that had ``power`` then:

1. computes the amount ``⌊power × power_reduction × fraction⌋``;
2. when ``H`` is in the past, slashes the stake that was bonded to the validator at ``H`` and
   has left since: unbonding entries and redelegation entries created at or after ``H`` and not
   yet mature lose ``⌊initial_balance × fraction⌋`` each (capped at what is left; redelegated
   stake is unbonded at the destination validator and burned);
3. burns the rest of the amount from the validator's tokens (at most all of them), from the
   pool that holds them.

Shares are not touched: every delegator of the validator loses the same fraction of value.
Burned tokens leave the supply (``bank.burn_coins``).
"""

from __future__ import annotations

from dataclasses import replace

from pyallora.chain.bank.state import burn_coins
from pyallora.chain.context import Context
from pyallora.chain.events import make_event
from pyallora.chain.staking.delegation import unbond
from pyallora.chain.staking.hooks import StakingHooks
from pyallora.chain.staking.state import (
    BONDED_POOL,
    NOT_BONDED_POOL,
    get_delegation,
    get_params,
    get_pool_name,
    get_redelegation_entries,
    get_unbonding_entries,
    get_validator,
    get_validator_by_consensus_address,
    iterate_redelegations_from,
    iterate_validator_unbonding_delegators,
    set_unbonding_entries,
    set_validator,
)
from pyallora.chain.staking.types import BondStatus, Validator
from pyallora.chain.store.kv import KVStore
from pyallora.core.amounts import DENOM
from pyallora.core.legacy_dec import (
    ONE,
    compute_div_round_half_even,
    compute_mul_int_floor,
)


def slash_unbonding_delegations(
    ctx: Context, store: KVStore, operator: str, infraction_height: int, fraction: int
) -> int:
    """Slash unbonding entries from ``operator`` created at or after the infraction.

    Returns the amount the entries *should* have lost (the SDK counts it against the
    validator's slash even where an entry held less).
    """
    total = 0
    burned = 0
    for delegator in list(iterate_validator_unbonding_delegators(store, operator)):
        entries = list(get_unbonding_entries(store, delegator, operator))
        changed = False
        for index, entry in enumerate(entries):
            if entry.creation_height < infraction_height or entry.is_mature(ctx.time_ns):
                continue
            amount = compute_mul_int_floor(entry.initial_balance, fraction)
            total += amount
            taken = min(amount, entry.balance)
            if taken == 0:
                continue
            burned += taken
            entries[index] = replace(entry, balance=entry.balance - taken)
            changed = True
        if changed:
            set_unbonding_entries(store, delegator, operator, tuple(entries))
    burn_coins(ctx, store, NOT_BONDED_POOL, burned)
    return total


def slash_redelegations(
    ctx: Context,
    store: KVStore,
    hooks: StakingHooks,
    src: str,
    infraction_height: int,
    fraction: int,
) -> int:
    """Slash redelegations out of ``src`` created at or after the infraction.

    The slashed shares are unbonded from the destination validator and their tokens burned
    from the destination's pool. Returns the amount the entries should have lost.
    """
    total = 0
    for delegator, dst in list(iterate_redelegations_from(store, src)):
        for entry in get_redelegation_entries(store, delegator, src, dst):
            if entry.creation_height < infraction_height or entry.is_mature(ctx.time_ns):
                continue
            total += compute_mul_int_floor(entry.initial_balance, fraction)
            shares = compute_div_round_half_even(fraction * entry.shares_dst, ONE)
            if shares == 0:
                continue
            held = get_delegation(store, delegator, dst)
            if held is None:
                continue
            shares = min(shares, held)
            destination = get_validator(store, dst)
            if destination is None:
                continue
            pool = get_pool_name(destination)
            _, tokens = unbond(ctx, store, hooks, delegator=delegator, operator=dst, shares=shares)
            burn_coins(ctx, store, pool, tokens)
    return total


def slash(
    ctx: Context,
    store: KVStore,
    hooks: StakingHooks,
    *,
    cons_address: bytes,
    infraction_height: int,
    power: int,
    fraction: int,
) -> int:
    """Slash the validator with consensus address ``cons_address`` (module docstring).

    Parameters
    ----------
    ctx, store, hooks
        Execution context, state, staking hooks.
    cons_address
        20-byte consensus address.
    infraction_height
        Height at which the stake to slash was bonded.
    power
        The validator's consensus power at the infraction.
    fraction
        LegacyDec units in [0, 1].

    Returns
    -------
    int
        uallo burned from the validator's tokens (not counting unbonding/redelegated stake).
    """
    validator = get_validator_by_consensus_address(store, cons_address)
    if validator is None or validator.status == BondStatus.UNBONDED:
        return 0
    operator = validator.operator_address
    params = get_params(store)
    amount = compute_mul_int_floor(power * params.power_reduction, fraction)
    remaining = amount
    if infraction_height < ctx.height:
        remaining -= slash_unbonding_delegations(ctx, store, operator, infraction_height, fraction)
        remaining -= slash_redelegations(ctx, store, hooks, operator, infraction_height, fraction)
    current = get_validator(store, operator)
    if current is None:
        return 0
    burned = max(0, min(remaining, current.tokens))
    if burned:
        set_validator(store, replace(current, tokens=current.tokens - burned))
        burn_coins(ctx, store, BONDED_POOL if current.is_bonded else NOT_BONDED_POOL, burned)
    ctx.events.emit(
        make_event(
            "slash",
            (
                ("validator", operator),
                ("infraction_height", str(infraction_height)),
                ("power", str(power)),
                ("burned", f"{burned}{DENOM}"),
            ),
        )
    )
    return burned


def jail(ctx: Context, store: KVStore, validator: Validator) -> Validator:
    """Jail a validator: it leaves the active set at the end of the block."""
    jailed = replace(validator, jailed=True)
    set_validator(store, jailed)
    ctx.events.emit(make_event("jail", (("validator", validator.operator_address),)))
    return jailed


def unjail(ctx: Context, store: KVStore, validator: Validator) -> Validator:
    """Release a validator from jail: it may rejoin the active set at the end of the block."""
    free = replace(validator, jailed=False)
    set_validator(store, free)
    ctx.events.emit(make_event("unjail", (("validator", validator.operator_address),)))
    return free
