"""Mint messages (``mint.v2.MsgService``, PROTOCOL.md §3.16-§3.17).

``validate_basic`` checks only the sender's address (``sdk`` InvalidAddress 7): the
authority check (mint 8) comes first in the handlers, before the parameters are validated,
as in the reference. LegacyDec fields that are not integer text fail to decode (``sdk`` 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pyallora.chain.mint.params import MintParamsRecord
from pyallora.chain.params import ParamsError
from pyallora.chain.tx.decode import AnyMsg, decode_message
from pyallora.chain.tx.errors import InvalidAddressError, TxDecodeError
from pyallora.core.crypto import CryptoError, validate_address
from pyallora.proto.mint.v2 import tx_pb2 as mint_tx


def _validate_sender(sender: str) -> None:
    try:
        validate_address(sender)
    except CryptoError as exc:
        raise InvalidAddressError(f"invalid sender address: {exc}") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgUpdateParams:
    """``mint.v2.UpdateParamsRequest``: replace the mint params (admins only)."""

    TYPE_URL: ClassVar[str] = "/mint.v2.UpdateParamsRequest"

    sender: str
    params: MintParamsRecord
    """The complete new parameters (validated by the handler after the authority check)."""
    recalculate_target_emission: bool
    blocks_per_month: int

    def validate_basic(self) -> None:
        """The sender's address (``sdk`` 7)."""
        _validate_sender(self.sender)

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)


def decode_msg_update_params(value: bytes) -> MsgUpdateParams:
    """Decode the protobuf bytes.

    Raises
    ------
    TxDecodeError
        Unparsable bytes or a LegacyDec that is not integer text.
    """
    proto = decode_message(
        AnyMsg(type_url=MsgUpdateParams.TYPE_URL, value=value), mint_tx.UpdateParamsRequest
    )
    try:
        params = MintParamsRecord.from_proto(proto.params)
    except ParamsError as exc:
        raise TxDecodeError(str(exc)) from exc
    return MsgUpdateParams(
        sender=proto.sender,
        params=params,
        recalculate_target_emission=proto.recalculate_target_emission,
        blocks_per_month=int(proto.blocks_per_month),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgRecalculateTargetEmission:
    """``mint.v2.RecalculateTargetEmissionRequest``: recompute e and B now (admins only)."""

    TYPE_URL: ClassVar[str] = "/mint.v2.RecalculateTargetEmissionRequest"

    sender: str

    def validate_basic(self) -> None:
        """The sender's address (``sdk`` 7)."""
        _validate_sender(self.sender)

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)


def decode_msg_recalculate_target_emission(value: bytes) -> MsgRecalculateTargetEmission:
    """Decode the protobuf bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgRecalculateTargetEmission.TYPE_URL, value=value),
        mint_tx.RecalculateTargetEmissionRequest,
    )
    return MsgRecalculateTargetEmission(sender=proto.sender)
