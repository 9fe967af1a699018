"""Staking hooks: how distribution and slashing learn about staking changes.

The staking module knows nothing of rewards or signing windows; it calls a
:class:`StakingHooks` object at the points where other modules must act (the Cosmos SDK's
``StakingHooks``, trimmed to what pyallora's modules use). The application wires the hooks of
distribution and slashing together with :class:`CombinedStakingHooks`
(:func:`pyallora.chain.modules.build_standard_modules`); tests of staking alone use
:class:`NoStakingHooks`.

Call order around a change of a delegation's shares (delegate, undelegate, redelegate, a
slash of a redelegation):

1. ``before_delegation_shares_modified`` (only when the delegation already exists):
   distribution pays the delegation's pending rewards;
2. the shares change;
3. ``after_delegation_modified`` (the delegation still exists) or
   ``after_delegation_removed`` (its last share is gone): distribution restarts or drops its
   reward bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pyallora.chain.context import Context
from pyallora.chain.staking.types import Validator
from pyallora.chain.store.kv import KVStore


class StakingHooks(Protocol):
    """Callbacks from the staking module (see the module docstring)."""

    def after_validator_created(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """A validator was created (before its self-delegation)."""
        ...

    def after_validator_bonded(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """A validator entered the active set."""
        ...

    def after_validator_removed(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """An unbonded validator without shares was deleted."""
        ...

    def before_delegation_shares_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """An existing delegation's shares are about to change."""
        ...

    def after_delegation_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """A delegation was created or its shares changed (it still exists)."""
        ...

    def after_delegation_removed(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """A delegation lost its last share and was deleted."""
        ...


class NoStakingHooks:
    """Hooks that do nothing."""

    __slots__ = ()

    def after_validator_created(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Nothing."""

    def after_validator_bonded(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Nothing."""

    def after_validator_removed(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Nothing."""

    def before_delegation_shares_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Nothing."""

    def after_delegation_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Nothing."""

    def after_delegation_removed(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Nothing."""


class CombinedStakingHooks:
    """Several hook objects called in order (distribution first, then slashing).

    Parameters
    ----------
    hooks
        The hook objects, in call order.
    """

    __slots__ = ("_hooks",)

    def __init__(self, hooks: Sequence[StakingHooks]) -> None:
        self._hooks = tuple(hooks)

    def after_validator_created(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Call every hook."""
        for hook in self._hooks:
            hook.after_validator_created(ctx, store, validator)

    def after_validator_bonded(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Call every hook."""
        for hook in self._hooks:
            hook.after_validator_bonded(ctx, store, validator)

    def after_validator_removed(self, ctx: Context, store: KVStore, validator: Validator) -> None:
        """Call every hook."""
        for hook in self._hooks:
            hook.after_validator_removed(ctx, store, validator)

    def before_delegation_shares_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Call every hook."""
        for hook in self._hooks:
            hook.before_delegation_shares_modified(ctx, store, delegator, operator)

    def after_delegation_modified(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Call every hook."""
        for hook in self._hooks:
            hook.after_delegation_modified(ctx, store, delegator, operator)

    def after_delegation_removed(
        self, ctx: Context, store: KVStore, delegator: str, operator: str
    ) -> None:
        """Call every hook."""
        for hook in self._hooks:
            hook.after_delegation_removed(ctx, store, delegator, operator)
