"""The mint module: emission schedule and per-block emission (PROTOCOL.md §5.2, §6).

Begin block (after distribution, PROTOCOL.md §5.1):
:func:`~pyallora.chain.mint.tokenomics.process_mint_begin_block`. Messages
``mint.v2.UpdateParamsRequest`` and ``RecalculateTargetEmissionRequest`` (whitelist admins
only); queries ``mint.v1beta1.Query`` Params, Inflation, EmissionInfo. The emissions-owned
values it uses come through an :class:`~pyallora.chain.mint.bridge.EmissionsBridge`.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.context import Context
from pyallora.chain.mint import genesis, handlers, msgs, queries
from pyallora.chain.mint.bridge import EmissionsBridge, StandaloneEmissionsBridge
from pyallora.chain.mint.tokenomics import process_mint_begin_block
from pyallora.chain.module import BaseModule, JSONObject, MsgHandler, QueryHandler
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.proto.mint.v1beta1 import query_pb2 as mint_query

MODULE_NAME: Final = "mint"
"""Name of the module and of its genesis section."""

QUERY_PREFIX: Final = "/mint.v1beta1.Query/"
"""gRPC service path of the mint queries."""


class MintModule(BaseModule):
    """Token emission.

    Parameters
    ----------
    bridge
        Access to the emissions-owned values (default: the stand-ins kept by the mint).
    """

    name = MODULE_NAME

    def __init__(self, bridge: EmissionsBridge | None = None) -> None:
        self.bridge: EmissionsBridge = bridge if bridge is not None else StandaloneEmissionsBridge()

    def default_genesis(self) -> JSONObject:
        """Default params, nothing emitted yet."""
        return genesis.compute_default_genesis(self.bridge)

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load params and the emission state."""
        genesis.init_genesis(store, state, self.bridge)
        return ()

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """Params and the emission state."""
        return genesis.export_genesis(store, self.bridge)

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        """Recalculate monthly; mint the shortfall; pay the two cuts."""
        process_mint_begin_block(ctx, store, self.bridge)

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """UpdateParams, RecalculateTargetEmission."""
        return (
            MsgHandler(
                type_url=msgs.MsgUpdateParams.TYPE_URL,
                decode=msgs.decode_msg_update_params,
                validate_basic=msgs.MsgUpdateParams.validate_basic,
                get_signers=msgs.MsgUpdateParams.get_signers,
                handle=partial(handlers.handle_update_params, bridge=self.bridge),
            ),
            MsgHandler(
                type_url=msgs.MsgRecalculateTargetEmission.TYPE_URL,
                decode=msgs.decode_msg_recalculate_target_emission,
                validate_basic=msgs.MsgRecalculateTargetEmission.validate_basic,
                get_signers=msgs.MsgRecalculateTargetEmission.get_signers,
                handle=partial(handlers.handle_recalculate_target_emission, bridge=self.bridge),
            ),
        )

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """Params, Inflation, EmissionInfo."""
        return (
            QueryHandler(
                path=QUERY_PREFIX + "Params",
                request_type=mint_query.QueryParamsRequest,
                handle=queries.query_params,
            ),
            QueryHandler(
                path=QUERY_PREFIX + "Inflation",
                request_type=mint_query.QueryInflationRequest,
                handle=partial(queries.query_inflation, bridge=self.bridge),
            ),
            QueryHandler(
                path=QUERY_PREFIX + "EmissionInfo",
                request_type=mint_query.QueryEmissionInfoRequest,
                handle=partial(queries.query_emission_info, bridge=self.bridge),
            ),
        )
