"""Staking records: validators, delegations, unbonding and redelegation entries.

Exactness choice (documented once, used everywhere): **shares are LegacyDecs held as ints of
units** (10^-18 share), exactly the SDK's representation. A validator's first delegation
issues ``amount × 10^18`` units (one share per uallo); later delegations issue
``⌊units × amount / tokens⌋`` and removing ``s`` units pays ``⌊s × tokens / units⌋`` uallo,
except that removing the last units pays every remaining token. Remainders therefore stay
with the validator, to the benefit of the remaining delegators, and no base unit is created
or lost (``tests/chain/test_staking_*.py`` check the pool invariants).

Records are stored as canonical JSON (integers as decimal strings, keys sorted).
"""

from __future__ import annotations

import base64
import binascii
import enum
from dataclasses import dataclass, field, replace
from typing import Any

from pyallora.chain.store.collections import CodecError
from pyallora.core.legacy_dec import ONE


class BondStatus(enum.IntEnum):
    """``cosmos.staking.v1beta1.BondStatus``."""

    UNBONDED = 1
    UNBONDING = 2
    BONDED = 3


def _int(data: dict[str, Any], name: str) -> int:
    value = data[name]
    if not isinstance(value, str) or not value.lstrip("-").isdigit():
        raise CodecError(f"stored staking field {name} is not an integer: {value!r:.40}")
    return int(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Description:
    """A validator's self-description (``cosmos.staking.v1beta1.Description``)."""

    moniker: str = ""
    identity: str = ""
    website: str = ""
    security_contact: str = ""
    details: str = ""

    def to_json(self) -> dict[str, str]:
        """JSON object."""
        return {
            "moniker": self.moniker,
            "identity": self.identity,
            "website": self.website,
            "security_contact": self.security_contact,
            "details": self.details,
        }

    @classmethod
    def from_json(cls, data: Any) -> Description:
        """Inverse of :meth:`to_json` (missing fields are empty)."""
        if not isinstance(data, dict):
            raise CodecError("a description is a JSON object")
        return cls(
            moniker=str(data.get("moniker", "")),
            identity=str(data.get("identity", "")),
            website=str(data.get("website", "")),
            security_contact=str(data.get("security_contact", "")),
            details=str(data.get("details", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Commission:
    """Commission rates (LegacyDec units) and the time of the last rate change."""

    rate: int
    """Current rate charged on the validator's rewards."""
    max_rate: int
    """Highest rate the validator may ever charge."""
    max_change_rate: int
    """Largest change of the rate per 24 h."""
    update_time_ns: int = 0
    """Block time of the last change (creation time at first)."""

    def to_json(self) -> dict[str, str]:
        """JSON object."""
        return {
            "rate": str(self.rate),
            "max_rate": str(self.max_rate),
            "max_change_rate": str(self.max_change_rate),
            "update_time_ns": str(self.update_time_ns),
        }

    @classmethod
    def from_json(cls, data: Any) -> Commission:
        """Inverse of :meth:`to_json`."""
        if not isinstance(data, dict):
            raise CodecError("a commission is a JSON object")
        return cls(
            rate=_int(data, "rate"),
            max_rate=_int(data, "max_rate"),
            max_change_rate=_int(data, "max_change_rate"),
            update_time_ns=_int(data, "update_time_ns"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Validator:
    """A validator (``cosmos.staking.v1beta1.Validator``)."""

    operator_address: str
    """``allovaloper1…``: the operator's account bytes with the validator prefix."""
    consensus_pubkey: bytes
    """32-byte ed25519 consensus key."""
    jailed: bool = False
    """Jailed validators are never in the active set."""
    status: BondStatus = BondStatus.UNBONDED
    """Bonded (in the active set), unbonding or unbonded."""
    tokens: int = 0
    """uallo delegated to the validator (after slashes)."""
    delegator_shares: int = 0
    """Total shares issued, in LegacyDec units."""
    description: Description = field(default_factory=Description)
    """Self-description."""
    unbonding_height: int = 0
    """Height at which unbonding started (when unbonding)."""
    unbonding_time_ns: int = 0
    """Block time at which unbonding completes (when unbonding)."""
    commission: Commission
    """Commission rates."""
    min_self_delegation: int = 1
    """Least self-delegated uallo the operator promises to keep."""

    @property
    def is_bonded(self) -> bool:
        """Whether the validator is in the active set."""
        return self.status == BondStatus.BONDED

    def compute_power(self, power_reduction: int) -> int:
        """Potential consensus power: ``⌊tokens / power_reduction⌋``."""
        return self.tokens // power_reduction

    def compute_shares_from_tokens(self, amount: int) -> int:
        """Share units issued for ``amount`` uallo (truncated; module docstring).

        The caller has checked that shares can be priced (tokens > 0 or no shares).
        """
        if self.delegator_shares == 0:
            return amount * ONE
        return self.delegator_shares * amount // self.tokens

    def compute_tokens_from_shares(self, shares: int) -> int:
        """uallo worth of ``shares`` units, truncated (SDK ``TokensFromShares().TruncateInt``)."""
        if self.delegator_shares == 0:
            return 0
        return shares * self.tokens // self.delegator_shares

    def add_tokens_from_delegation(self, amount: int) -> tuple[Validator, int]:
        """The validator after a delegation of ``amount`` and the share units issued."""
        issued = self.compute_shares_from_tokens(amount)
        updated = replace(
            self, tokens=self.tokens + amount, delegator_shares=self.delegator_shares + issued
        )
        return updated, issued

    def remove_delegator_shares(self, shares: int) -> tuple[Validator, int]:
        """The validator after ``shares`` units are removed, and the uallo they carried.

        Removing every remaining share takes every remaining token (no dust is left behind).
        """
        remaining = self.delegator_shares - shares
        issued = self.tokens if remaining == 0 else self.compute_tokens_from_shares(shares)
        updated = replace(self, tokens=self.tokens - issued, delegator_shares=remaining)
        return updated, issued

    def to_json(self) -> dict[str, Any]:
        """JSON object (genesis and store form)."""
        return {
            "operator_address": self.operator_address,
            "consensus_pubkey": base64.b64encode(self.consensus_pubkey).decode("ascii"),
            "jailed": self.jailed,
            "status": self.status.name,
            "tokens": str(self.tokens),
            "delegator_shares": str(self.delegator_shares),
            "description": self.description.to_json(),
            "unbonding_height": str(self.unbonding_height),
            "unbonding_time_ns": str(self.unbonding_time_ns),
            "commission": self.commission.to_json(),
            "min_self_delegation": str(self.min_self_delegation),
        }

    @classmethod
    def from_json(cls, data: Any) -> Validator:
        """Inverse of :meth:`to_json`.

        Raises
        ------
        CodecError
            For a malformed object.
        """
        if not isinstance(data, dict):
            raise CodecError("a validator is a JSON object")
        try:
            pubkey = base64.b64decode(str(data["consensus_pubkey"]), validate=True)
            status = BondStatus[str(data["status"])]
            jailed = data["jailed"]
            if not isinstance(jailed, bool):
                raise CodecError("validator field jailed must be a boolean")
            return cls(
                operator_address=str(data["operator_address"]),
                consensus_pubkey=pubkey,
                jailed=jailed,
                status=status,
                tokens=_int(data, "tokens"),
                delegator_shares=_int(data, "delegator_shares"),
                description=Description.from_json(data["description"]),
                unbonding_height=_int(data, "unbonding_height"),
                unbonding_time_ns=_int(data, "unbonding_time_ns"),
                commission=Commission.from_json(data["commission"]),
                min_self_delegation=_int(data, "min_self_delegation"),
            )
        except (KeyError, binascii.Error) as exc:
            raise CodecError(f"malformed validator record: {exc!r}") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class UnbondingEntry:
    """One undelegation waiting for the unbonding period."""

    creation_height: int
    completion_time_ns: int
    initial_balance: int
    """uallo at creation."""
    balance: int
    """uallo still owed (after slashes)."""

    def is_mature(self, time_ns: int) -> bool:
        """Whether the entry completes at block time ``time_ns``."""
        return self.completion_time_ns <= time_ns

    def to_json(self) -> dict[str, str]:
        """JSON object."""
        return {
            "creation_height": str(self.creation_height),
            "completion_time_ns": str(self.completion_time_ns),
            "initial_balance": str(self.initial_balance),
            "balance": str(self.balance),
        }

    @classmethod
    def from_json(cls, data: Any) -> UnbondingEntry:
        """Inverse of :meth:`to_json`."""
        if not isinstance(data, dict):
            raise CodecError("an unbonding entry is a JSON object")
        try:
            return cls(
                creation_height=_int(data, "creation_height"),
                completion_time_ns=_int(data, "completion_time_ns"),
                initial_balance=_int(data, "initial_balance"),
                balance=_int(data, "balance"),
            )
        except KeyError as exc:
            raise CodecError(f"malformed unbonding entry: {exc!r}") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class RedelegationEntry:
    """One redelegation whose source stake is still slashable."""

    creation_height: int
    completion_time_ns: int
    initial_balance: int
    """uallo moved."""
    shares_dst: int
    """Share units received at the destination validator."""

    def is_mature(self, time_ns: int) -> bool:
        """Whether the entry completes at block time ``time_ns``."""
        return self.completion_time_ns <= time_ns

    def to_json(self) -> dict[str, str]:
        """JSON object."""
        return {
            "creation_height": str(self.creation_height),
            "completion_time_ns": str(self.completion_time_ns),
            "initial_balance": str(self.initial_balance),
            "shares_dst": str(self.shares_dst),
        }

    @classmethod
    def from_json(cls, data: Any) -> RedelegationEntry:
        """Inverse of :meth:`to_json`."""
        if not isinstance(data, dict):
            raise CodecError("a redelegation entry is a JSON object")
        try:
            return cls(
                creation_height=_int(data, "creation_height"),
                completion_time_ns=_int(data, "completion_time_ns"),
                initial_balance=_int(data, "initial_balance"),
                shares_dst=_int(data, "shares_dst"),
            )
        except KeyError as exc:
            raise CodecError(f"malformed redelegation entry: {exc!r}") from exc


def encode_unbonding_entries(entries: tuple[UnbondingEntry, ...]) -> list[dict[str, str]]:
    """JSON list of entries."""
    return [entry.to_json() for entry in entries]


def decode_unbonding_entries(data: Any) -> tuple[UnbondingEntry, ...]:
    """Inverse of :func:`encode_unbonding_entries`."""
    if not isinstance(data, list):
        raise CodecError("unbonding entries are a JSON list")
    return tuple(UnbondingEntry.from_json(item) for item in data)


def encode_redelegation_entries(entries: tuple[RedelegationEntry, ...]) -> list[dict[str, str]]:
    """JSON list of entries."""
    return [entry.to_json() for entry in entries]


def decode_redelegation_entries(data: Any) -> tuple[RedelegationEntry, ...]:
    """Inverse of :func:`encode_redelegation_entries`."""
    if not isinstance(data, list):
        raise CodecError("redelegation entries are a JSON list")
    return tuple(RedelegationEntry.from_json(item) for item in data)
