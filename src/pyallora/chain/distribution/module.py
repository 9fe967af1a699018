"""The distribution module: pays validators their share of emission and fees (PROTOCOL.md
§1.4, §6.4).

Begin block (first in the standard order, before mint — so the validator cut minted at
height h is distributed at h + 1, PROTOCOL.md §5.1): allocate the fee collector's balance to
the validators of the last commit (``rewards.process_allocate_tokens``). Messages: withdraw
delegator reward, withdraw validator commission, set withdraw address, fund community pool.
The staking hooks (``rewards.DistributionHooks``) settle a delegation's rewards whenever its
shares change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from cosmpy.protos.cosmos.distribution.v1beta1 import query_pb2 as distribution_query
from google.protobuf.message import Message

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.context import Context
from pyallora.chain.distribution import genesis, handlers, msgs, queries
from pyallora.chain.distribution.rewards import DistributionHooks, process_allocate_tokens
from pyallora.chain.module import BaseModule, JSONObject, MsgHandler, QueryHandler
from pyallora.chain.staking.block_info import get_decided_last_commit
from pyallora.chain.store.kv import KVStore, ReadableKVStore

MODULE_NAME: Final = "distribution"
"""Name of the module and of its genesis section."""

QUERY_PREFIX: Final = "/cosmos.distribution.v1beta1.Query/"
"""gRPC service path of the distribution queries."""


class DistributionModule(BaseModule):
    """Validator rewards and delegator claims."""

    name = MODULE_NAME

    def __init__(self) -> None:
        self.hooks = DistributionHooks()

    def default_genesis(self) -> JSONObject:
        """Default params, nothing accumulated."""
        return genesis.compute_default_genesis()

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load params, pools and starting points."""
        genesis.init_genesis(store, state)
        return ()

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """Params, pools and starting points."""
        return genesis.export_genesis(store)

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        """Allocate the fee collector's balance."""
        process_allocate_tokens(ctx, store, get_decided_last_commit(ctx))

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """Withdraw reward/commission, set withdraw address, fund community pool."""
        routes: tuple[tuple[Any, Callable[[bytes], Any], Callable[..., Message]], ...] = (
            (
                msgs.MsgWithdrawDelegatorReward,
                msgs.decode_msg_withdraw_delegator_reward,
                handlers.handle_withdraw_delegator_reward,
            ),
            (
                msgs.MsgWithdrawValidatorCommission,
                msgs.decode_msg_withdraw_validator_commission,
                handlers.handle_withdraw_validator_commission,
            ),
            (
                msgs.MsgSetWithdrawAddress,
                msgs.decode_msg_set_withdraw_address,
                handlers.handle_set_withdraw_address,
            ),
            (
                msgs.MsgFundCommunityPool,
                msgs.decode_msg_fund_community_pool,
                handlers.handle_fund_community_pool,
            ),
        )
        return tuple(
            MsgHandler(
                type_url=message_type.TYPE_URL,
                decode=decode,
                validate_basic=message_type.validate_basic,
                get_signers=message_type.get_signers,
                handle=handle,
            )
            for message_type, decode, handle in routes
        )

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """The ``cosmos.distribution.v1beta1.Query`` methods pyallora serves."""
        routes: tuple[tuple[str, type[Message], Callable[..., Message]], ...] = (
            ("Params", distribution_query.QueryParamsRequest, queries.query_params),
            (
                "DelegationRewards",
                distribution_query.QueryDelegationRewardsRequest,
                queries.query_delegation_rewards,
            ),
            (
                "DelegationTotalRewards",
                distribution_query.QueryDelegationTotalRewardsRequest,
                queries.query_delegation_total_rewards,
            ),
            (
                "ValidatorCommission",
                distribution_query.QueryValidatorCommissionRequest,
                queries.query_validator_commission,
            ),
            (
                "ValidatorOutstandingRewards",
                distribution_query.QueryValidatorOutstandingRewardsRequest,
                queries.query_validator_outstanding_rewards,
            ),
            (
                "CommunityPool",
                distribution_query.QueryCommunityPoolRequest,
                queries.query_community_pool,
            ),
            (
                "DelegatorWithdrawAddress",
                distribution_query.QueryDelegatorWithdrawAddressRequest,
                queries.query_delegator_withdraw_address,
            ),
        )
        return tuple(
            QueryHandler(path=QUERY_PREFIX + method, request_type=request_type, handle=handle)
            for method, request_type, handle in routes
        )
