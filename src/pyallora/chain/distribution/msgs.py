"""Distribution messages (``cosmos.distribution.v1beta1``; PROTOCOL.md §3.18).

Malformed addresses are ``sdk`` InvalidAddress (7); a community-pool deposit must be a
positive ``uallo`` amount (``sdk`` InvalidCoins 10, as ``MsgSend``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cosmpy.protos.cosmos.distribution.v1beta1 import tx_pb2 as distribution_tx

from pyallora.chain.bank.msgs import Coin, parse_coin_amount, validate_coins
from pyallora.chain.staking.msgs import validate_delegator_address, validate_validator_address
from pyallora.chain.staking.state import compute_operator_account
from pyallora.chain.tx.decode import AnyMsg, decode_message


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgWithdrawDelegatorReward:
    """Withdraw a delegation's rewards to the delegator's withdraw address."""

    TYPE_URL: ClassVar[str] = "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward"

    delegator_address: str
    validator_address: str

    def validate_basic(self) -> None:
        """Addresses (``sdk`` 7)."""
        validate_delegator_address(self.delegator_address)
        validate_validator_address(self.validator_address)

    def get_signers(self) -> tuple[str, ...]:
        """The delegator."""
        return (self.delegator_address,)


def decode_msg_withdraw_delegator_reward(value: bytes) -> MsgWithdrawDelegatorReward:
    """Decode the protobuf bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgWithdrawDelegatorReward.TYPE_URL, value=value),
        distribution_tx.MsgWithdrawDelegatorReward,
    )
    return MsgWithdrawDelegatorReward(
        delegator_address=proto.delegator_address, validator_address=proto.validator_address
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgWithdrawValidatorCommission:
    """Withdraw a validator's accumulated commission to the operator's withdraw address."""

    TYPE_URL: ClassVar[str] = "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission"

    validator_address: str

    def validate_basic(self) -> None:
        """Address (``sdk`` 7)."""
        validate_validator_address(self.validator_address)

    def get_signers(self) -> tuple[str, ...]:
        """The operator's account."""
        return (compute_operator_account(self.validator_address),)


def decode_msg_withdraw_validator_commission(value: bytes) -> MsgWithdrawValidatorCommission:
    """Decode the protobuf bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgWithdrawValidatorCommission.TYPE_URL, value=value),
        distribution_tx.MsgWithdrawValidatorCommission,
    )
    return MsgWithdrawValidatorCommission(validator_address=proto.validator_address)


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgSetWithdrawAddress:
    """Send future rewards of the delegator to another address."""

    TYPE_URL: ClassVar[str] = "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress"

    delegator_address: str
    withdraw_address: str

    def validate_basic(self) -> None:
        """Addresses (``sdk`` 7)."""
        validate_delegator_address(self.delegator_address)
        validate_delegator_address(self.withdraw_address)

    def get_signers(self) -> tuple[str, ...]:
        """The delegator."""
        return (self.delegator_address,)


def decode_msg_set_withdraw_address(value: bytes) -> MsgSetWithdrawAddress:
    """Decode the protobuf bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgSetWithdrawAddress.TYPE_URL, value=value),
        distribution_tx.MsgSetWithdrawAddress,
    )
    return MsgSetWithdrawAddress(
        delegator_address=proto.delegator_address, withdraw_address=proto.withdraw_address
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgFundCommunityPool:
    """Give uallo to the community pool."""

    TYPE_URL: ClassVar[str] = "/cosmos.distribution.v1beta1.MsgFundCommunityPool"

    amount: tuple[Coin, ...]
    depositor: str

    def validate_basic(self) -> None:
        """Depositor address (``sdk`` 7) and a positive uallo amount (``sdk`` 10)."""
        validate_delegator_address(self.depositor)
        validate_coins(self.amount)

    def get_signers(self) -> tuple[str, ...]:
        """The depositor."""
        return (self.depositor,)

    @property
    def total(self) -> int:
        """The uallo amount (after validation)."""
        return sum(coin.amount for coin in self.amount)


def decode_msg_fund_community_pool(value: bytes) -> MsgFundCommunityPool:
    """Decode the protobuf bytes (``TxDecodeError`` on failure)."""
    proto = decode_message(
        AnyMsg(type_url=MsgFundCommunityPool.TYPE_URL, value=value),
        distribution_tx.MsgFundCommunityPool,
    )
    return MsgFundCommunityPool(
        amount=tuple(
            Coin(denom=coin.denom, amount=parse_coin_amount(coin.amount)) for coin in proto.amount
        ),
        depositor=proto.depositor,
    )
