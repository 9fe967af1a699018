"""The staking module: validators, delegations, the active set (PROTOCOL.md §1.1, §3.18).

Wiring: messages and queries of ``cosmos.staking.v1beta1``; no begin block; the end block
(:func:`~pyallora.chain.staking.validator_set.process_staking_end_block`) selects the active
set, returns CometBFT's validator updates and matures the queues; genesis returns the genesis
validator set. The :class:`~pyallora.chain.staking.hooks.StakingHooks` given to the
constructor are called on every validator and delegation change (distribution and slashing
in the standard app, :func:`pyallora.chain.modules.build_standard_modules`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Final, TypeVar

from cosmpy.protos.cosmos.staking.v1beta1 import query_pb2 as staking_query
from google.protobuf.message import Message

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.context import Context
from pyallora.chain.module import BaseModule, JSONObject, MsgHandler, QueryHandler
from pyallora.chain.staking import genesis, handlers, msgs, queries
from pyallora.chain.staking.hooks import NoStakingHooks, StakingHooks
from pyallora.chain.staking.validator_set import process_staking_end_block
from pyallora.chain.store.kv import KVStore, ReadableKVStore

MODULE_NAME: Final = "staking"
"""Name of the module and of its genesis section."""

QUERY_PREFIX: Final = "/cosmos.staking.v1beta1.Query/"
"""gRPC service path of the staking queries."""

M = TypeVar("M")


class StakingModule(BaseModule):
    """Delegated proof of stake.

    Parameters
    ----------
    hooks
        Called on validator and delegation changes (default: none).
    """

    name = MODULE_NAME

    def __init__(self, hooks: StakingHooks | None = None) -> None:
        self.hooks: StakingHooks = hooks if hooks is not None else NoStakingHooks()

    def default_genesis(self) -> JSONObject:
        """Default params, no validators."""
        return genesis.compute_default_genesis()

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load records, run gentxs, return the genesis validator set."""
        return genesis.init_genesis(ctx, store, state, self.hooks)

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """Every staking record."""
        return genesis.export_genesis(store)

    def end_block(self, ctx: Context, store: KVStore) -> tuple[ValidatorUpdate, ...]:
        """Active set, validator updates, maturity queues."""
        return process_staking_end_block(ctx, store, self.hooks)

    def _bind(self, handler: Callable[..., Message]) -> Callable[[Context, KVStore, Any], Message]:
        bound: Callable[[Context, KVStore, Any], Message] = partial(handler, hooks=self.hooks)
        return bound

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """Create/edit validator, delegate, undelegate, redelegate, cancel unbonding."""
        routes: tuple[tuple[Any, Callable[[bytes], Any], Callable[..., Message]], ...] = (
            (
                msgs.MsgCreateValidator,
                msgs.decode_msg_create_validator,
                handlers.handle_create_validator,
            ),
            (msgs.MsgEditValidator, msgs.decode_msg_edit_validator, handlers.handle_edit_validator),
            (msgs.MsgDelegate, msgs.decode_msg_delegate, handlers.handle_delegate),
            (msgs.MsgUndelegate, msgs.decode_msg_undelegate, handlers.handle_undelegate),
            (
                msgs.MsgBeginRedelegate,
                msgs.decode_msg_begin_redelegate,
                handlers.handle_begin_redelegate,
            ),
            (
                msgs.MsgCancelUnbondingDelegation,
                msgs.decode_msg_cancel_unbonding_delegation,
                handlers.handle_cancel_unbonding_delegation,
            ),
        )
        return tuple(
            MsgHandler(
                type_url=message_type.TYPE_URL,
                decode=decode,
                validate_basic=message_type.validate_basic,
                get_signers=message_type.get_signers,
                handle=self._bind(handle),
            )
            for message_type, decode, handle in routes
        )

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """The ``cosmos.staking.v1beta1.Query`` methods pyallora serves."""
        routes: tuple[tuple[str, type[Message], Callable[..., Message]], ...] = (
            ("Validators", staking_query.QueryValidatorsRequest, queries.query_validators),
            ("Validator", staking_query.QueryValidatorRequest, queries.query_validator),
            (
                "ValidatorDelegations",
                staking_query.QueryValidatorDelegationsRequest,
                queries.query_validator_delegations,
            ),
            ("Delegation", staking_query.QueryDelegationRequest, queries.query_delegation),
            (
                "DelegatorDelegations",
                staking_query.QueryDelegatorDelegationsRequest,
                queries.query_delegator_delegations,
            ),
            (
                "UnbondingDelegation",
                staking_query.QueryUnbondingDelegationRequest,
                queries.query_unbonding_delegation,
            ),
            (
                "DelegatorUnbondingDelegations",
                staking_query.QueryDelegatorUnbondingDelegationsRequest,
                queries.query_delegator_unbonding_delegations,
            ),
            ("Redelegations", staking_query.QueryRedelegationsRequest, queries.query_redelegations),
            ("Params", staking_query.QueryParamsRequest, queries.query_params),
            ("Pool", staking_query.QueryPoolRequest, queries.query_pool),
        )
        return tuple(
            QueryHandler(path=QUERY_PREFIX + method, request_type=request_type, handle=handle)
            for method, request_type, handle in routes
        )
