"""The slashing module: downtime and double-sign punishment, jail and unjail.

Begin block (after distribution, before staking's end block): count the last commit's votes
and handle the block's double-sign evidence
(:mod:`pyallora.chain.slashing.infractions`). Message: ``MsgUnjail``. The staking hooks
(:class:`~pyallora.chain.slashing.infractions.SlashingHooks`) start a validator's signing
window when it is bonded.
"""

from __future__ import annotations

from typing import Any, Final

from cosmpy.protos.cosmos.slashing.v1beta1 import query_pb2 as slashing_query

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.context import Context
from pyallora.chain.module import BaseModule, JSONObject, MsgHandler, QueryHandler
from pyallora.chain.slashing import genesis, queries
from pyallora.chain.slashing.handlers import handle_unjail
from pyallora.chain.slashing.infractions import (
    SlashingHooks,
    process_misbehavior,
    process_validator_signatures,
)
from pyallora.chain.slashing.msgs import MsgUnjail, decode_msg_unjail
from pyallora.chain.staking.block_info import get_decided_last_commit, get_misbehavior
from pyallora.chain.staking.hooks import NoStakingHooks, StakingHooks
from pyallora.chain.store.kv import KVStore, ReadableKVStore

MODULE_NAME: Final = "slashing"
"""Name of the module and of its genesis section."""

QUERY_PREFIX: Final = "/cosmos.slashing.v1beta1.Query/"
"""gRPC service path of the slashing queries."""


class SlashingModule(BaseModule):
    """Downtime and double-sign punishment.

    Parameters
    ----------
    staking_hooks
        The staking hooks of the application (a slash of redelegated stake changes
        delegations, which distribution must settle first).
    """

    name = MODULE_NAME

    def __init__(self, staking_hooks: StakingHooks | None = None) -> None:
        self.hooks = SlashingHooks()
        self.staking_hooks: StakingHooks = (
            staking_hooks if staking_hooks is not None else NoStakingHooks()
        )

    def default_genesis(self) -> JSONObject:
        """Default params, no signing infos."""
        return genesis.compute_default_genesis()

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load params and signing infos."""
        genesis.init_genesis(store, state)
        return ()

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """Params and signing infos."""
        return genesis.export_genesis(store)

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        """Count the last commit's signatures, then handle double-sign evidence."""
        process_validator_signatures(ctx, store, self.staking_hooks, get_decided_last_commit(ctx))
        process_misbehavior(ctx, store, self.staking_hooks, get_misbehavior(ctx))

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """``MsgUnjail``."""
        return (
            MsgHandler(
                type_url=MsgUnjail.TYPE_URL,
                decode=decode_msg_unjail,
                validate_basic=MsgUnjail.validate_basic,
                get_signers=MsgUnjail.get_signers,
                handle=handle_unjail,
            ),
        )

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """Params, SigningInfo, SigningInfos."""
        return (
            QueryHandler(
                path=QUERY_PREFIX + "Params",
                request_type=slashing_query.QueryParamsRequest,
                handle=queries.query_params,
            ),
            QueryHandler(
                path=QUERY_PREFIX + "SigningInfo",
                request_type=slashing_query.QuerySigningInfoRequest,
                handle=queries.query_signing_info,
            ),
            QueryHandler(
                path=QUERY_PREFIX + "SigningInfos",
                request_type=slashing_query.QuerySigningInfosRequest,
                handle=queries.query_signing_infos,
            ),
        )
