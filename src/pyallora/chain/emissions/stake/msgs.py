"""Stake messages (PROTOCOL.md §3.4-§3.10): reputer self-stake, delegation, removals, claims.

``validate_basic`` holds each message's first step, in the reference order: amounts (sdk
invalid-coins 10) and addresses (sdk invalid-address 7); DelegateStake first refuses
self-delegation (sdk invalid-request 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pyallora.chain.emissions.validation import (
    decode_request,
    parse_int_field,
    validate_bech32,
    validate_positive_amount,
)
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.proto.emissions.v5 import tx_pb2


class _SignedBySender:
    """What every stake message shares: its ``sender`` (the reputer, or the delegator) signs
    it."""

    __slots__ = ()

    sender: str

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)


def _get_self_stake_fields(
    proto: tx_pb2.AddStakeRequest | tx_pb2.RemoveStakeRequest,
) -> tuple[str, int, int | None]:
    """``(sender, topic_id, amount)`` of an AddStake or RemoveStake request."""
    return proto.sender, proto.topic_id, parse_int_field(proto.amount, "amount")


@dataclass(frozen=True, slots=True, kw_only=True)
class AddStake(_SignedBySender):
    """``/emissions.v5.AddStakeRequest``: a registered reputer adds self-stake (§3.4)."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.AddStakeRequest"

    sender: str
    topic_id: int
    amount: int | None

    @classmethod
    def from_bytes(cls, data: bytes) -> AddStake:
        """Decode (``TxDecode`` if the bytes or the amount do not parse)."""
        proto = decode_request(data, tx_pb2.AddStakeRequest)
        sender, topic_id, amount = _get_self_stake_fields(proto)
        return cls(sender=sender, topic_id=topic_id, amount=amount)

    def validate_basic(self) -> None:
        """Amount > 0 (invalid-coins), sender bech32 (invalid-address)."""
        validate_positive_amount(self.amount)
        validate_bech32(self.sender, "sender")


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveStake(_SignedBySender):
    """``/emissions.v5.RemoveStakeRequest``: request a delayed self-stake removal (§3.5)."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.RemoveStakeRequest"

    sender: str
    topic_id: int
    amount: int | None

    @classmethod
    def from_bytes(cls, data: bytes) -> RemoveStake:
        """Decode (``TxDecode`` if the bytes or the amount do not parse)."""
        proto = decode_request(data, tx_pb2.RemoveStakeRequest)
        sender, topic_id, amount = _get_self_stake_fields(proto)
        return cls(sender=sender, topic_id=topic_id, amount=amount)

    def validate_basic(self) -> None:
        """Amount > 0 (invalid-coins), sender bech32 (invalid-address)."""
        validate_positive_amount(self.amount)
        validate_bech32(self.sender, "sender")


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRemoveStake(_SignedBySender):
    """``/emissions.v5.CancelRemoveStakeRequest``: drop the pending self-stake removal."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.CancelRemoveStakeRequest"

    sender: str
    topic_id: int

    @classmethod
    def from_bytes(cls, data: bytes) -> CancelRemoveStake:
        """Decode (``TxDecode`` if the bytes do not parse)."""
        proto = decode_request(data, tx_pb2.CancelRemoveStakeRequest)
        return cls(sender=proto.sender, topic_id=proto.topic_id)

    def validate_basic(self) -> None:
        """Sender bech32 (invalid-address)."""
        validate_bech32(self.sender, "sender")


@dataclass(frozen=True, slots=True, kw_only=True)
class DelegateStake(_SignedBySender):
    """``/emissions.v5.DelegateStakeRequest``: place stake on a reputer in a topic (§3.7)."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.DelegateStakeRequest"

    sender: str
    topic_id: int
    reputer: str
    amount: int | None

    @classmethod
    def from_bytes(cls, data: bytes) -> DelegateStake:
        """Decode (``TxDecode`` if the bytes or the amount do not parse)."""
        proto = decode_request(data, tx_pb2.DelegateStakeRequest)
        return cls(
            sender=proto.sender,
            topic_id=proto.topic_id,
            reputer=proto.reputer,
            amount=parse_int_field(proto.amount, "amount"),
        )

    def validate_basic(self) -> None:
        """Not to oneself (invalid-request), amount > 0 (invalid-coins), both bech32."""
        if self.sender == self.reputer:
            raise InvalidRequestError("cannot self delegate")
        validate_positive_amount(self.amount)
        validate_bech32(self.sender, "sender")
        validate_bech32(self.reputer, "reputer")


@dataclass(frozen=True, slots=True, kw_only=True)
class RewardDelegateStake(_SignedBySender):
    """``/emissions.v5.RewardDelegateStakeRequest``: claim the pending delegator reward."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.RewardDelegateStakeRequest"

    sender: str
    topic_id: int
    reputer: str

    @classmethod
    def from_bytes(cls, data: bytes) -> RewardDelegateStake:
        """Decode (``TxDecode`` if the bytes do not parse)."""
        proto = decode_request(data, tx_pb2.RewardDelegateStakeRequest)
        return cls(sender=proto.sender, topic_id=proto.topic_id, reputer=proto.reputer)

    def validate_basic(self) -> None:
        """Both addresses bech32 (invalid-address)."""
        validate_bech32(self.sender, "sender")
        validate_bech32(self.reputer, "reputer")


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveDelegateStake(_SignedBySender):
    """``/emissions.v5.RemoveDelegateStakeRequest``: request a delayed removal (§3.9).

    Field order on the wire: sender 1, reputer 2, topic_id 3, amount 4.
    """

    TYPE_URL: ClassVar[str] = "/emissions.v5.RemoveDelegateStakeRequest"

    sender: str
    reputer: str
    topic_id: int
    amount: int | None

    @classmethod
    def from_bytes(cls, data: bytes) -> RemoveDelegateStake:
        """Decode (``TxDecode`` if the bytes or the amount do not parse)."""
        proto = decode_request(data, tx_pb2.RemoveDelegateStakeRequest)
        return cls(
            sender=proto.sender,
            reputer=proto.reputer,
            topic_id=proto.topic_id,
            amount=parse_int_field(proto.amount, "amount"),
        )

    def validate_basic(self) -> None:
        """Amount > 0 (invalid-coins), both addresses bech32 (invalid-address)."""
        validate_positive_amount(self.amount)
        validate_bech32(self.sender, "sender")
        validate_bech32(self.reputer, "reputer")


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRemoveDelegateStake(_SignedBySender):
    """``/emissions.v5.CancelRemoveDelegateStakeRequest`` (§3.10).

    The handler treats the *sender* as the delegator; the ``delegator`` field is decoded but
    ignored, as in the reference (quirk C12, reproduced).
    """

    TYPE_URL: ClassVar[str] = "/emissions.v5.CancelRemoveDelegateStakeRequest"

    sender: str
    topic_id: int
    delegator: str
    reputer: str

    @classmethod
    def from_bytes(cls, data: bytes) -> CancelRemoveDelegateStake:
        """Decode (``TxDecode`` if the bytes do not parse)."""
        proto = decode_request(data, tx_pb2.CancelRemoveDelegateStakeRequest)
        return cls(
            sender=proto.sender,
            topic_id=proto.topic_id,
            delegator=proto.delegator,
            reputer=proto.reputer,
        )

    def validate_basic(self) -> None:
        """Sender bech32 (invalid-address)."""
        validate_bech32(self.sender, "sender")
