"""Slashing messages: ``/cosmos.slashing.v1beta1.MsgUnjail``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cosmpy.protos.cosmos.slashing.v1beta1 import tx_pb2 as slashing_tx

from pyallora.chain.staking.msgs import validate_validator_address
from pyallora.chain.staking.state import compute_operator_account
from pyallora.chain.tx.decode import AnyMsg, decode_message


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgUnjail:
    """Release a jailed validator (signed by its operator)."""

    TYPE_URL: ClassVar[str] = "/cosmos.slashing.v1beta1.MsgUnjail"

    validator_addr: str

    def validate_basic(self) -> None:
        """An ``allovaloper1…`` address (``sdk`` 7)."""
        validate_validator_address(self.validator_addr)

    def get_signers(self) -> tuple[str, ...]:
        """The operator's account."""
        return (compute_operator_account(self.validator_addr),)


def decode_msg_unjail(value: bytes) -> MsgUnjail:
    """Decode the protobuf bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(AnyMsg(type_url=MsgUnjail.TYPE_URL, value=value), slashing_tx.MsgUnjail)
    return MsgUnjail(validator_addr=proto.validator_addr)
