"""Handlers of the distribution messages (SDK 0.50 ``msgServer``)."""

from __future__ import annotations

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.distribution.v1beta1 import tx_pb2 as distribution_tx

from pyallora.chain.auth.state import is_blocked_address
from pyallora.chain.bank.state import send_coins_from_account_to_module
from pyallora.chain.context import Context
from pyallora.chain.distribution.errors import (
    NoValidatorCommissionError,
    SetWithdrawAddrDisabledError,
)
from pyallora.chain.distribution.msgs import (
    MsgFundCommunityPool,
    MsgSetWithdrawAddress,
    MsgWithdrawDelegatorReward,
    MsgWithdrawValidatorCommission,
)
from pyallora.chain.distribution.rewards import (
    withdraw_delegation_rewards,
    withdraw_validator_commission,
)
from pyallora.chain.distribution.state import (
    DISTRIBUTION_MODULE_ACCOUNT,
    get_commission,
    get_community_pool,
    get_params,
    set_community_pool,
    set_withdraw_address,
)
from pyallora.chain.events import make_event
from pyallora.chain.staking.delegation import require_validator
from pyallora.chain.staking.errors import NoDelegationError
from pyallora.chain.staking.state import get_delegation
from pyallora.chain.store.kv import KVStore
from pyallora.chain.tx.errors import UnauthorizedError
from pyallora.core.amounts import DENOM


def _coins(amount: int) -> list[coin_pb2.Coin]:
    return [coin_pb2.Coin(denom=DENOM, amount=str(amount))] if amount else []


def handle_withdraw_delegator_reward(
    ctx: Context, store: KVStore, msg: MsgWithdrawDelegatorReward
) -> distribution_tx.MsgWithdrawDelegatorRewardResponse:
    """``MsgWithdrawDelegatorReward``: the validator (staking 3) and the delegation (staking
    19) exist; the pending rewards go to the withdraw address (possibly 0 uallo)."""
    require_validator(store, msg.validator_address)
    if get_delegation(store, msg.delegator_address, msg.validator_address) is None:
        raise NoDelegationError(
            f"no delegation from {msg.delegator_address} to {msg.validator_address}; "
            "nothing to withdraw"
        )
    amount = withdraw_delegation_rewards(ctx, store, msg.delegator_address, msg.validator_address)
    return distribution_tx.MsgWithdrawDelegatorRewardResponse(amount=_coins(amount))


def handle_withdraw_validator_commission(
    ctx: Context, store: KVStore, msg: MsgWithdrawValidatorCommission
) -> distribution_tx.MsgWithdrawValidatorCommissionResponse:
    """``MsgWithdrawValidatorCommission``: the validator exists (staking 3) and has commission
    (distribution 7)."""
    require_validator(store, msg.validator_address)
    if get_commission(store, msg.validator_address) == 0:
        raise NoValidatorCommissionError(
            f"no validator commission to withdraw for {msg.validator_address}"
        )
    amount = withdraw_validator_commission(ctx, store, msg.validator_address)
    return distribution_tx.MsgWithdrawValidatorCommissionResponse(amount=_coins(amount))


def handle_set_withdraw_address(
    ctx: Context, store: KVStore, msg: MsgSetWithdrawAddress
) -> distribution_tx.MsgSetWithdrawAddressResponse:
    """``MsgSetWithdrawAddress``: allowed by the params (distribution 8); not a blocked module
    address (``sdk`` 4)."""
    if is_blocked_address(msg.withdraw_address):
        raise UnauthorizedError(f"{msg.withdraw_address} is not allowed to receive external funds")
    if not get_params(store).withdraw_addr_enabled:
        raise SetWithdrawAddrDisabledError("set withdraw address disabled by the params")
    set_withdraw_address(store, msg.delegator_address, msg.withdraw_address)
    ctx.events.emit(
        make_event("set_withdraw_address", (("withdraw_address", msg.withdraw_address),))
    )
    return distribution_tx.MsgSetWithdrawAddressResponse()


def handle_fund_community_pool(
    ctx: Context, store: KVStore, msg: MsgFundCommunityPool
) -> distribution_tx.MsgFundCommunityPoolResponse:
    """``MsgFundCommunityPool``: the depositor pays (``sdk`` 5 when it cannot)."""
    send_coins_from_account_to_module(
        ctx, store, msg.depositor, DISTRIBUTION_MODULE_ACCOUNT, msg.total
    )
    set_community_pool(store, get_community_pool(store) + msg.total)
    return distribution_tx.MsgFundCommunityPoolResponse()
