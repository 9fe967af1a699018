"""Errors of the ``slashing`` codespace, with the Cosmos SDK's stable codes (v0.50
``x/slashing/types/errors.go``), registered once and never renumbered."""

from __future__ import annotations

from typing import ClassVar, Final

from pyallora.core.errors import ConsensusError

SLASHING_CODESPACE: Final = "slashing"
"""Codespace of the slashing module."""


class SlashingError(ConsensusError):
    """A rejection by the slashing module."""

    codespace: ClassVar[str] = SLASHING_CODESPACE


class NoValidatorForAddressError(SlashingError):
    """The address is not a validator's."""

    code = 2


class ValidatorStillJailedError(SlashingError):
    """The validator cannot be unjailed yet (still in its jail period), or ever (tombstoned).

    The SDK uses this one code for both; the message and :attr:`tombstoned` tell them apart.
    """

    code = 4

    def __init__(self, message: str, *, tombstoned: bool, jailed_until_ns: int) -> None:
        super().__init__(message)
        self.tombstoned = tombstoned
        self.jailed_until_ns = jailed_until_ns


class ValidatorNotJailedError(SlashingError):
    """The validator is not jailed."""

    code = 5


class MissingSelfDelegationError(SlashingError):
    """The operator has no self-delegation."""

    code = 6


class SelfDelegationTooLowToUnjailError(SlashingError):
    """The operator's self-delegation is below the validator's minimum."""

    code = 7


class NoSigningInfoFoundError(SlashingError):
    """No signing info exists for the consensus address."""

    code = 8
