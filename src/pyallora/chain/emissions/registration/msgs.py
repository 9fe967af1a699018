"""Registration messages: Register (PROTOCOL.md §3.2) and RemoveRegistration (§3.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pyallora.chain.emissions.validation import decode_request, validate_bech32
from pyallora.proto.emissions.v5 import tx_pb2


@dataclass(frozen=True, slots=True, kw_only=True)
class Register:
    """``/emissions.v5.RegisterRequest``: register the sender as worker or reputer."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.RegisterRequest"

    sender: str
    topic_id: int
    owner: str
    is_reputer: bool

    @classmethod
    def from_bytes(cls, data: bytes) -> Register:
        """Decode the protobuf bytes (tags 2 and 3 are reserved).

        Raises
        ------
        TxDecodeError
            If the bytes do not parse.
        """
        proto = decode_request(data, tx_pb2.RegisterRequest)
        return cls(
            sender=proto.sender,
            topic_id=proto.topic_id,
            owner=proto.owner,
            is_reputer=proto.is_reputer,
        )

    def validate_basic(self) -> None:
        """§3.2 step 1: sender and owner are bech32.

        Raises
        ------
        InvalidAddressError
            Otherwise.
        """
        validate_bech32(self.sender, "sender")
        validate_bech32(self.owner, "owner")

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveRegistration:
    """``/emissions.v5.RemoveRegistrationRequest``: leave a topic in one role."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.RemoveRegistrationRequest"

    sender: str
    topic_id: int
    is_reputer: bool

    @classmethod
    def from_bytes(cls, data: bytes) -> RemoveRegistration:
        """Decode the protobuf bytes.

        Raises
        ------
        TxDecodeError
            If the bytes do not parse.
        """
        proto = decode_request(data, tx_pb2.RemoveRegistrationRequest)
        return cls(sender=proto.sender, topic_id=proto.topic_id, is_reputer=proto.is_reputer)

    def validate_basic(self) -> None:
        """§3.3 step 1: sender is bech32.

        Raises
        ------
        InvalidAddressError
            Otherwise.
        """
        validate_bech32(self.sender, "sender")

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)
