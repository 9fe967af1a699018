"""Delegating, unbonding and redelegating: the state transitions behind the staking messages.

These functions are shared by the message handlers, genesis (gentx-style validator
creation) and slashing (redelegated stake is unbonded at the destination when slashed). They
move tokens through the bank only (:mod:`pyallora.chain.bank.state`) and call the
:class:`~pyallora.chain.staking.hooks.StakingHooks` around every change of a delegation's
shares (see that module for the order). Share arithmetic is exact (see
:mod:`pyallora.chain.staking.types`).
"""

from __future__ import annotations

import enum
from dataclasses import replace

from pyallora.chain.bank.state import (
    send_coins_from_account_to_module,
    send_coins_from_module_to_module,
)
from pyallora.chain.context import Context
from pyallora.chain.events import make_event
from pyallora.chain.staking.errors import (
    DelegatorShareExRateInvalidError,
    InsufficientSharesError,
    NoDelegationError,
    ValidatorNotFoundError,
)
from pyallora.chain.staking.hooks import StakingHooks
from pyallora.chain.staking.state import (
    BONDED_POOL,
    NOT_BONDED_POOL,
    compute_operator_account,
    delete_validator,
    get_delegation,
    get_pool_name,
    get_validator,
    set_delegation,
    set_validator,
)
from pyallora.chain.staking.types import BondStatus, Validator
from pyallora.chain.store.kv import KVStore
from pyallora.core.amounts import DENOM
from pyallora.core.legacy_dec import compute_div_round_half_even


class TokenSource(enum.Enum):
    """Where the tokens of a delegation come from."""

    ACCOUNT = "account"
    """The delegator's balance (``MsgDelegate``, validator creation)."""
    BONDED_POOL = "bonded"
    """A redelegation out of a bonded validator."""
    NOT_BONDED_POOL = "not_bonded"
    """A redelegation out of an unbonding/unbonded validator, or a cancelled unbonding."""


def require_validator(store: KVStore, operator: str) -> Validator:
    """The validator ``operator``.

    Raises
    ------
    ValidatorNotFoundError
        If there is none (staking 3).
    """
    validator = get_validator(store, operator)
    if validator is None:
        raise ValidatorNotFoundError(
            f"validator {operator} does not exist; check the allovaloper address"
        )
    return validator


def move_between_pools(
    ctx: Context, store: KVStore, *, from_bonded: bool, to_bonded: bool, amount: int
) -> None:
    """Move ``amount`` between the bonded and not-bonded pools (no-op when they coincide)."""
    if from_bonded == to_bonded or amount == 0:
        return
    sender = BONDED_POOL if from_bonded else NOT_BONDED_POOL
    recipient = BONDED_POOL if to_bonded else NOT_BONDED_POOL
    send_coins_from_module_to_module(ctx, store, sender, recipient, amount)


def delegate(
    ctx: Context,
    store: KVStore,
    hooks: StakingHooks,
    *,
    delegator: str,
    validator: Validator,
    amount: int,
    source: TokenSource,
) -> tuple[Validator, int]:
    """Add ``amount`` uallo to ``delegator``'s delegation with ``validator``.

    Parameters
    ----------
    ctx, store, hooks
        Execution context, state, staking hooks.
    delegator
        ``allo1…`` address.
    validator
        The current record of the validator.
    amount
        uallo to delegate (> 0).
    source
        Where the tokens are taken from (module docstring).

    Returns
    -------
    tuple[Validator, int]
        The updated validator and the share units issued.

    Raises
    ------
    DelegatorShareExRateInvalidError
        The validator has shares but no tokens (staking 34).
    InsufficientFundsError
        The delegator's balance is below ``amount`` (``sdk`` 5).
    """
    if validator.tokens == 0 and validator.delegator_shares > 0:
        raise DelegatorShareExRateInvalidError(
            f"validator {validator.operator_address} has shares but no tokens "
            "(slashed to zero); delegate to another validator"
        )
    operator = validator.operator_address
    existing = get_delegation(store, delegator, operator)
    if existing is not None:
        hooks.before_delegation_shares_modified(ctx, store, delegator, operator)
        validator = require_validator(store, operator)
    pool = get_pool_name(validator)
    if source is TokenSource.ACCOUNT:
        send_coins_from_account_to_module(ctx, store, delegator, pool, amount)
    else:
        move_between_pools(
            ctx,
            store,
            from_bonded=source is TokenSource.BONDED_POOL,
            to_bonded=validator.is_bonded,
            amount=amount,
        )
    validator, issued = validator.add_tokens_from_delegation(amount)
    set_validator(store, validator)
    set_delegation(store, delegator, operator, (existing or 0) + issued)
    hooks.after_delegation_modified(ctx, store, delegator, operator)
    return validator, issued


def compute_unbond_shares(store: KVStore, validator: Validator, delegator: str, amount: int) -> int:
    """Share units to remove for ``amount`` uallo (SDK ``ValidateUnbondAmount``).

    The shares are rounded half to even, refused when even the truncated count exceeds the
    delegation, and capped at the delegation so that a delegator can always withdraw all.

    Raises
    ------
    NoDelegationError
        No delegation (staking 19).
    InsufficientSharesError
        The delegation is worth less than ``amount`` (staking 22).
    """
    held = get_delegation(store, delegator, validator.operator_address)
    if held is None:
        raise NoDelegationError(f"no delegation from {delegator} to {validator.operator_address}")
    if validator.tokens == 0:
        raise InsufficientSharesError(
            f"validator {validator.operator_address} holds no tokens; nothing to unbond"
        )
    numerator = validator.delegator_shares * amount
    truncated = numerator // validator.tokens
    if truncated > held:
        worth = validator.compute_tokens_from_shares(held)
        raise InsufficientSharesError(
            f"invalid shares amount: the delegation is worth {worth}{DENOM}, "
            f"less than {amount}{DENOM}"
        )
    return min(compute_div_round_half_even(numerator, validator.tokens), held)


def unbond(
    ctx: Context,
    store: KVStore,
    hooks: StakingHooks,
    *,
    delegator: str,
    operator: str,
    shares: int,
) -> tuple[Validator | None, int]:
    """Remove ``shares`` units from a delegation; return the validator and the uallo freed.

    The tokens stay in the validator's pool (callers move them). If the operator takes its
    self-delegation below the minimum, the validator is jailed (SDK behaviour). A validator
    left unbonded without shares is deleted (``None`` is returned for it).

    Raises
    ------
    NoDelegationError, InsufficientSharesError
        The delegation is missing or holds fewer shares.
    ValidatorNotFoundError
        The validator is missing.
    """
    held = get_delegation(store, delegator, operator)
    if held is None:
        raise NoDelegationError(f"no delegation from {delegator} to {operator}")
    if shares > held:
        raise InsufficientSharesError(
            f"cannot remove {shares} share units; the delegation holds {held}"
        )
    hooks.before_delegation_shares_modified(ctx, store, delegator, operator)
    validator = require_validator(store, operator)
    remaining = held - shares
    if (
        delegator == compute_operator_account(operator)
        and not validator.jailed
        and validator.compute_tokens_from_shares(remaining) < validator.min_self_delegation
    ):
        validator = replace(validator, jailed=True)
        ctx.events.emit(
            make_event("jail_self_delegation_below_minimum", (("validator", operator),))
        )
    set_delegation(store, delegator, operator, remaining)
    if remaining == 0:
        hooks.after_delegation_removed(ctx, store, delegator, operator)
    else:
        hooks.after_delegation_modified(ctx, store, delegator, operator)
    validator, amount = validator.remove_delegator_shares(shares)
    if validator.delegator_shares == 0 and validator.status == BondStatus.UNBONDED:
        remove_validator(ctx, store, hooks, validator)
        return None, amount
    set_validator(store, validator)
    return validator, amount


def remove_validator(
    ctx: Context, store: KVStore, hooks: StakingHooks, validator: Validator
) -> None:
    """Delete an unbonded validator that has no shares (and hence no tokens)."""
    delete_validator(store, validator)
    hooks.after_validator_removed(ctx, store, validator)
    ctx.events.emit(make_event("remove_validator", (("validator", validator.operator_address),)))
