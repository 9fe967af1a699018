"""Admin messages: AddToWhitelistAdmin / RemoveFromWhitelistAdmin (PROTOCOL.md §3.12) and
UpdateParams (§3.13).

Only the sender is validated statelessly: the reference checks the sender's admin status
*before* the target address (and before the merged params), so those checks open the
handlers, keeping a non-admin's rejection at 28 whatever else the message carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pyallora.chain.emissions.params import compute_param_changes
from pyallora.chain.emissions.validation import decode_request, validate_bech32
from pyallora.chain.store.collections import CodecError
from pyallora.chain.tx.errors import TxDecodeError
from pyallora.proto.emissions.v5 import tx_pb2


@dataclass(frozen=True, slots=True, kw_only=True)
class AddToWhitelistAdmin:
    """``/emissions.v5.AddToWhitelistAdminRequest``."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.AddToWhitelistAdminRequest"

    sender: str
    address: str

    @classmethod
    def from_bytes(cls, data: bytes) -> AddToWhitelistAdmin:
        """Decode (``TxDecode`` if the bytes do not parse)."""
        proto = decode_request(data, tx_pb2.AddToWhitelistAdminRequest)
        return cls(sender=proto.sender, address=proto.address)

    def validate_basic(self) -> None:
        """Sender bech32 (invalid-address)."""
        validate_bech32(self.sender, "sender")

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveFromWhitelistAdmin:
    """``/emissions.v5.RemoveFromWhitelistAdminRequest``."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.RemoveFromWhitelistAdminRequest"

    sender: str
    address: str

    @classmethod
    def from_bytes(cls, data: bytes) -> RemoveFromWhitelistAdmin:
        """Decode (``TxDecode`` if the bytes do not parse)."""
        proto = decode_request(data, tx_pb2.RemoveFromWhitelistAdminRequest)
        return cls(sender=proto.sender, address=proto.address)

    def validate_basic(self) -> None:
        """Sender bech32 (invalid-address)."""
        validate_bech32(self.sender, "sender")

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateParams:
    """``/emissions.v5.UpdateParamsRequest``: set some parameters (admins only)."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.UpdateParamsRequest"

    sender: str
    changes: tuple[tuple[str, Any], ...]
    """``(name, value)`` of every ``OptionalParams`` field carrying exactly one element, in
    tag order (Dec values as canonical text, Ints as ``int``)."""

    @classmethod
    def from_bytes(cls, data: bytes) -> UpdateParams:
        """Decode; every provided Dec and Int text must decode as the reference decodes it.

        Raises
        ------
        TxDecodeError
            If the bytes do not parse, or a provided Dec or Int text does not.
        """
        proto = decode_request(data, tx_pb2.UpdateParamsRequest)
        try:
            changes = compute_param_changes(proto.params)
        except CodecError as exc:
            raise TxDecodeError(str(exc)) from exc
        return cls(sender=proto.sender, changes=changes)

    def validate_basic(self) -> None:
        """Sender bech32 (invalid-address)."""
        validate_bech32(self.sender, "sender")

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)
