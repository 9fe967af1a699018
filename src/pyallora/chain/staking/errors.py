"""Errors of the ``staking`` codespace, with the Cosmos SDK's stable codes.

The codes are those of the SDK's ``x/staking/types/errors.go`` (v0.50), registered once here
and never renumbered; the messages append what to do about the rejection. Malformed requests
that the SDK reports with its generic errors (invalid address, invalid amount) use
:mod:`pyallora.chain.tx.errors` instead.
"""

from __future__ import annotations

from typing import ClassVar, Final

from pyallora.core.errors import ConsensusError

STAKING_CODESPACE: Final = "staking"
"""Codespace of the staking module."""


class StakingError(ConsensusError):
    """A rejection by the staking module."""

    codespace: ClassVar[str] = STAKING_CODESPACE


class EmptyValidatorAddressError(StakingError):
    """The validator address is empty."""

    code = 2


class ValidatorNotFoundError(StakingError):
    """No validator has this operator address."""

    code = 3


class ValidatorOwnerExistsError(StakingError):
    """A validator already exists for this operator address."""

    code = 4


class ValidatorPubKeyExistsError(StakingError):
    """A validator already uses this consensus public key."""

    code = 5


class ValidatorPubKeyTypeNotSupportedError(StakingError):
    """The consensus public key is not an ed25519 key."""

    code = 6


class ValidatorJailedError(StakingError):
    """The validator is jailed."""

    code = 7


class CommissionNegativeError(StakingError):
    """A commission rate is negative."""

    code = 9


class CommissionHugeError(StakingError):
    """A commission rate is above 100 %."""

    code = 10


class CommissionGTMaxRateError(StakingError):
    """The commission rate is above the validator's maximum rate."""

    code = 11


class CommissionUpdateTimeError(StakingError):
    """The commission was already changed in the last 24 hours."""

    code = 12


class CommissionChangeRateNegativeError(StakingError):
    """The maximum change rate is negative."""

    code = 13


class CommissionChangeRateGTMaxRateError(StakingError):
    """The maximum change rate is above the maximum rate."""

    code = 14


class CommissionGTMaxChangeRateError(StakingError):
    """The commission changes by more than the maximum change rate."""

    code = 15


class SelfDelegationBelowMinimumError(StakingError):
    """The validator's self-delegation is below its minimum self-delegation."""

    code = 16


class MinSelfDelegationDecreasedError(StakingError):
    """The minimum self-delegation may only be raised."""

    code = 17


class NoDelegationError(StakingError):
    """No delegation exists for this (delegator, validator) pair."""

    code = 19


class InsufficientSharesError(StakingError):
    """The delegation holds fewer shares than the request needs."""

    code = 22


class DelegationValidatorEmptyError(StakingError):
    """The validator holds no tokens (cannot price new shares)."""

    code = 23


class NoUnbondingDelegationError(StakingError):
    """No unbonding delegation (entry) matches the request."""

    code = 26


class MaxUnbondingDelegationEntriesError(StakingError):
    """Too many unbonding entries for this (delegator, validator) pair."""

    code = 27


class SelfRedelegationError(StakingError):
    """Source and destination validators are the same."""

    code = 29


class TinyRedelegationAmountError(StakingError):
    """The amount is too small to move a whole token."""

    code = 30


class BadRedelegationDstError(StakingError):
    """The destination validator does not exist."""

    code = 31


class TransitiveRedelegationError(StakingError):
    """Tokens redelegated *into* the source validator are still maturing."""

    code = 32


class MaxRedelegationEntriesError(StakingError):
    """Too many redelegation entries for this (delegator, source, destination)."""

    code = 33


class DelegatorShareExRateInvalidError(StakingError):
    """The validator has shares but no tokens (slashed to zero): shares cannot be priced."""

    code = 34


class EmptyValidatorPubKeyError(StakingError):
    """The consensus public key is missing."""

    code = 39


class CommissionLTMinRateError(StakingError):
    """The commission rate is below the chain's minimum commission rate."""

    code = 40
