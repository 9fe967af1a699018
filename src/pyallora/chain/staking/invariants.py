"""Staking invariants (tests check them after every block; genesis import checks them once).

1. bonded pool balance = Σ tokens of bonded validators;
2. not-bonded pool balance = Σ tokens of the other validators + Σ unbonding entry balances;
3. each validator's ``delegator_shares`` = Σ shares of its delegations;
4. the last-power table holds exactly the bonded validators, with ``last_total_power`` their
   sum.
"""

from __future__ import annotations

from pyallora.chain.staking.state import (
    get_bonded_tokens,
    get_last_total_power,
    get_not_bonded_tokens,
    iterate_delegations,
    iterate_last_validator_powers,
    iterate_unbonding_delegations,
    iterate_validators,
)
from pyallora.chain.store.kv import ReadableKVStore
from pyallora.core.errors import PyAlloraError


class StakingInvariantError(PyAlloraError):
    """A staking invariant does not hold: a bug in the state machine (or a bad genesis)."""


def validate_staking_invariants(store: ReadableKVStore) -> None:
    """Check the invariants of the module docstring.

    Raises
    ------
    StakingInvariantError
        Naming the violated relation.
    """
    bonded = 0
    not_bonded = 0
    shares: dict[str, int] = {}
    bonded_operators: list[str] = []
    for validator in iterate_validators(store):
        if validator.is_bonded:
            bonded += validator.tokens
            bonded_operators.append(validator.operator_address)
        else:
            not_bonded += validator.tokens
        shares[validator.operator_address] = validator.delegator_shares
    for _, _, entries in iterate_unbonding_delegations(store):
        not_bonded += sum(entry.balance for entry in entries)
    if get_bonded_tokens(store) != bonded:
        raise StakingInvariantError(
            f"bonded pool holds {get_bonded_tokens(store)}, bonded validators {bonded}"
        )
    if get_not_bonded_tokens(store) != not_bonded:
        raise StakingInvariantError(
            f"not-bonded pool holds {get_not_bonded_tokens(store)}, expected {not_bonded}"
        )
    for _, operator, amount in iterate_delegations(store):
        if operator not in shares:
            raise StakingInvariantError(f"delegation to unknown validator {operator}")
        shares[operator] -= amount
    for operator in sorted(shares):
        if shares[operator] != 0:
            raise StakingInvariantError(
                f"validator {operator} shares differ from its delegations by {shares[operator]}"
            )
    powers = dict(iterate_last_validator_powers(store))
    if sorted(powers) != sorted(bonded_operators):
        raise StakingInvariantError("last validator powers do not list exactly the bonded set")
    if sum(powers.values()) != get_last_total_power(store):
        raise StakingInvariantError("last total power differs from the sum of last powers")
