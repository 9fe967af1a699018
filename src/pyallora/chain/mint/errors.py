"""Errors of the ``mint`` codespace (PROTOCOL.md Appendix A), registered once, never renumbered.

Invalid parameters and a malformed ``blocks_per_month`` are ``sdk`` InvalidRequest (18); the
reference returns unregistered errors there.
"""

from __future__ import annotations

from typing import ClassVar, Final

from pyallora.core.errors import ConsensusError, PyAlloraError

MINT_CODESPACE: Final = "mint"
"""Codespace of the mint module."""


class MintError(ConsensusError):
    """A rejection by the mint module."""

    codespace: ClassVar[str] = MINT_CODESPACE


class NegativeTargetEmissionError(MintError):
    """The target emission per staked token came out negative."""

    code = 2


class InvalidPreviousRewardError(MintError):
    """The stored previous emission per staked token is invalid."""

    code = 3


class InvalidTokensMintedError(MintError):
    """The stored count of ecosystem tokens minted is invalid."""

    code = 4


class ZeroDenominatorError(MintError):
    """No staked tokens (or a zero stakers' share): the emission per token is undefined."""

    code = 5


class NegativeCirculatingSupplyError(MintError):
    """The circulating-supply estimate came out negative."""

    code = 6


class MintNotFoundError(MintError):
    """A mint record was not found."""

    code = 7


class MintUnauthorizedError(MintError):
    """The sender is not a whitelist admin."""

    code = 8


class MintHaltError(PyAlloraError):
    """Under ``reference_compat``, a begin-block failure that halts the reference chain
    (PROTOCOL.md §6.3, §6.4, Appendix C23) halts this node too (any non-consensus exception
    from a block hook does)."""
