"""Errors of the ``distribution`` codespace, with the Cosmos SDK's stable codes (v0.50
``x/distribution/types/errors.go``), registered once and never renumbered."""

from __future__ import annotations

from typing import ClassVar, Final

from pyallora.core.errors import ConsensusError

DISTRIBUTION_CODESPACE: Final = "distribution"
"""Codespace of the distribution module."""


class DistributionError(ConsensusError):
    """A rejection by the distribution module."""

    codespace: ClassVar[str] = DISTRIBUTION_CODESPACE


class EmptyDelegatorAddressError(DistributionError):
    """The delegator address is empty."""

    code = 2


class EmptyWithdrawAddressError(DistributionError):
    """The withdraw address is empty."""

    code = 3


class EmptyValidatorAddressError(DistributionError):
    """The validator address is empty."""

    code = 4


class EmptyDelegationDistInfoError(DistributionError):
    """No reward bookkeeping exists for the delegation."""

    code = 5


class NoValidatorDistInfoError(DistributionError):
    """No reward bookkeeping exists for the validator."""

    code = 6


class NoValidatorCommissionError(DistributionError):
    """The validator has no commission to withdraw."""

    code = 7


class SetWithdrawAddrDisabledError(DistributionError):
    """Changing the withdraw address is disabled by the params."""

    code = 8
