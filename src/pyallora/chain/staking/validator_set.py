"""The staking end block: active-set selection, validator updates and maturity queues.

Order (the SDK's ``BlockValidatorUpdates``), each a ``process_`` step:

1. :func:`process_validator_set_updates` — the top ``max_validators`` validators by power
   (not jailed, power ≥ 1; ties broken by operator address bytes, ascending) form the active
   set. Newcomers are bonded (tokens move to the bonded pool), leavers start unbonding
   (tokens move to the not-bonded pool, completion after the unbonding period), and a
   :class:`~pyallora.chain.abci_types.ValidatorUpdate` is returned **only for changes**
   (power 0 removes a validator from CometBFT's set);
2. :func:`process_mature_validators` — unbonding validators whose period ended become
   unbonded (and are deleted when no share is left);
3. :func:`process_mature_unbondings` — matured unbonding entries are paid out of the
   not-bonded pool to the delegators;
4. :func:`process_mature_redelegations` — matured redelegation entries are dropped (their
   source stake is no longer slashable).

Voting power is ``⌊tokens / power_reduction⌋`` (PROTOCOL.md §1.1: validator bonded stake).
"""

from __future__ import annotations

from dataclasses import replace

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.bank.state import send_coins_from_module_to_account
from pyallora.chain.context import Context
from pyallora.chain.events import make_event
from pyallora.chain.staking.delegation import move_between_pools, remove_validator
from pyallora.chain.staking.hooks import StakingHooks
from pyallora.chain.staking.state import (
    NOT_BONDED_POOL,
    compute_operator_sort_key,
    delete_validator_queue_entry,
    get_params,
    get_redelegation_entries,
    get_unbonding_entries,
    get_validator,
    iterate_due_redelegations,
    iterate_due_unbonding_pairs,
    iterate_due_validators,
    iterate_last_validator_powers,
    iterate_validators,
    set_last_total_power,
    set_last_validator_power,
    set_redelegation_entries,
    set_unbonding_entries,
    set_validator,
    set_validator_queue_entry,
)
from pyallora.chain.staking.types import BondStatus, Validator
from pyallora.chain.store.kv import KVStore
from pyallora.core.amounts import DENOM


def compute_active_set(
    validators: list[Validator], *, max_validators: int, power_reduction: int
) -> list[Validator]:
    """The validators that should be bonded: not jailed, power ≥ 1, top ``max_validators``
    by (power descending, operator address bytes ascending)."""
    candidates = [
        validator
        for validator in validators
        if not validator.jailed and validator.compute_power(power_reduction) > 0
    ]
    candidates.sort(
        key=lambda validator: (
            -validator.compute_power(power_reduction),
            compute_operator_sort_key(validator.operator_address),
        )
    )
    return candidates[:max_validators]


def bond_validator(
    ctx: Context, store: KVStore, hooks: StakingHooks, validator: Validator
) -> Validator:
    """Move a validator into the bonded state (tokens to the bonded pool)."""
    if validator.status == BondStatus.UNBONDING:
        delete_validator_queue_entry(store, validator.unbonding_time_ns, validator.operator_address)
    move_between_pools(ctx, store, from_bonded=False, to_bonded=True, amount=validator.tokens)
    bonded = replace(validator, status=BondStatus.BONDED)
    set_validator(store, bonded)
    hooks.after_validator_bonded(ctx, store, bonded)
    return bonded


def begin_unbonding_validator(ctx: Context, store: KVStore, validator: Validator) -> Validator:
    """Move a bonded validator to unbonding (tokens to the not-bonded pool)."""
    params = get_params(store)
    completion = ctx.time_ns + params.unbonding_time_ns
    move_between_pools(ctx, store, from_bonded=True, to_bonded=False, amount=validator.tokens)
    unbonding = replace(
        validator,
        status=BondStatus.UNBONDING,
        unbonding_height=ctx.height,
        unbonding_time_ns=completion,
    )
    set_validator(store, unbonding)
    set_validator_queue_entry(store, completion, validator.operator_address)
    return unbonding


def process_validator_set_updates(
    ctx: Context, store: KVStore, hooks: StakingHooks
) -> tuple[ValidatorUpdate, ...]:
    """Select the active set and return CometBFT's validator updates (module docstring).

    Returns
    -------
    tuple[ValidatorUpdate, ...]
        Changed powers of the new set in selection order, then power-0 updates of the
        validators that left, in operator order.
    """
    params = get_params(store)
    last = dict(iterate_last_validator_powers(store))
    selected = compute_active_set(
        list(iterate_validators(store)),
        max_validators=params.max_validators,
        power_reduction=params.power_reduction,
    )
    updates: list[ValidatorUpdate] = []
    new_powers: dict[str, int] = {}
    for validator in selected:
        if not validator.is_bonded:
            validator = bond_validator(ctx, store, hooks, validator)
        power = validator.compute_power(params.power_reduction)
        new_powers[validator.operator_address] = power
        if last.get(validator.operator_address) != power:
            updates.append(ValidatorUpdate(pub_key=validator.consensus_pubkey, power=power))
    for operator in sorted(last):
        if operator in new_powers:
            continue
        leaving = get_validator(store, operator)
        set_last_validator_power(store, operator, 0)
        if leaving is None:
            continue
        if leaving.is_bonded:
            begin_unbonding_validator(ctx, store, leaving)
        updates.append(ValidatorUpdate(pub_key=leaving.consensus_pubkey, power=0))
    for operator in sorted(new_powers):
        set_last_validator_power(store, operator, new_powers[operator])
    set_last_total_power(store, sum(new_powers.values()))
    return tuple(updates)


def process_mature_validators(ctx: Context, store: KVStore, hooks: StakingHooks) -> None:
    """Finish the unbonding of validators whose unbonding period has ended."""
    for time_ns, operator in list(iterate_due_validators(store, ctx.time_ns)):
        delete_validator_queue_entry(store, time_ns, operator)
        validator = get_validator(store, operator)
        if validator is None or validator.status != BondStatus.UNBONDING:
            continue
        if validator.unbonding_time_ns != time_ns:
            continue
        unbonded = replace(validator, status=BondStatus.UNBONDED)
        if unbonded.delegator_shares == 0:
            remove_validator(ctx, store, hooks, unbonded)
        else:
            set_validator(store, unbonded)


def process_mature_unbondings(ctx: Context, store: KVStore) -> None:
    """Pay every matured unbonding entry from the not-bonded pool to its delegator."""
    seen: list[tuple[str, str]] = []
    for pair in list(iterate_due_unbonding_pairs(store, ctx.time_ns)):
        if pair in seen:
            continue
        seen.append(pair)
        delegator, operator = pair
        entries = get_unbonding_entries(store, delegator, operator)
        kept = tuple(entry for entry in entries if not entry.is_mature(ctx.time_ns))
        paid = sum(entry.balance for entry in entries if entry.is_mature(ctx.time_ns))
        set_unbonding_entries(store, delegator, operator, kept)
        if paid:
            send_coins_from_module_to_account(ctx, store, NOT_BONDED_POOL, delegator, paid)
        ctx.events.emit(
            make_event(
                "complete_unbonding",
                (
                    ("amount", f"{paid}{DENOM}"),
                    ("validator", operator),
                    ("delegator", delegator),
                ),
            )
        )


def process_mature_redelegations(ctx: Context, store: KVStore) -> None:
    """Drop every matured redelegation entry."""
    seen: list[tuple[str, str, str]] = []
    for triple in list(iterate_due_redelegations(store, ctx.time_ns)):
        if triple in seen:
            continue
        seen.append(triple)
        delegator, src, dst = triple
        entries = get_redelegation_entries(store, delegator, src, dst)
        kept = tuple(entry for entry in entries if not entry.is_mature(ctx.time_ns))
        set_redelegation_entries(store, delegator, src, dst, kept)
        ctx.events.emit(
            make_event(
                "complete_redelegation",
                (
                    ("delegator", delegator),
                    ("source_validator", src),
                    ("destination_validator", dst),
                ),
            )
        )


def process_staking_end_block(
    ctx: Context, store: KVStore, hooks: StakingHooks
) -> tuple[ValidatorUpdate, ...]:
    """The whole staking end block (module docstring); returns the validator updates."""
    updates = process_validator_set_updates(ctx, store, hooks)
    process_mature_validators(ctx, store, hooks)
    process_mature_unbondings(ctx, store)
    process_mature_redelegations(ctx, store)
    return updates
