"""Handlers of the mint admin messages (PROTOCOL.md §3.16-§3.17)."""

from __future__ import annotations

from pyallora.chain.context import Context
from pyallora.chain.mint.bridge import EmissionsBridge
from pyallora.chain.mint.errors import MintUnauthorizedError
from pyallora.chain.mint.msgs import MsgRecalculateTargetEmission, MsgUpdateParams
from pyallora.chain.mint.state import set_params
from pyallora.chain.mint.tokenomics import recalculate_emission
from pyallora.chain.params import ParamsError
from pyallora.chain.store.kv import KVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.proto.mint.v2 import tx_pb2 as mint_tx


def _require_admin(store: KVStore, bridge: EmissionsBridge, sender: str) -> None:
    if not bridge.is_whitelist_admin(store, sender):
        raise MintUnauthorizedError(
            f"{sender} is not a whitelist admin; only admins may change mint params or "
            "recalculate the emission"
        )


def handle_update_params(
    ctx: Context, store: KVStore, msg: MsgUpdateParams, *, bridge: EmissionsBridge
) -> mint_tx.UpdateParamsResponse:
    """``UpdateParamsRequest``.

    Checklist (§3.16): the sender is an admin (mint 8); the params satisfy §6.1 (``sdk`` 18);
    ``blocks_per_month`` > 0 (``sdk`` 18). Then store both and, if asked, recalculate now
    (its failures, mint 5/6, fail the message).
    """
    _require_admin(store, bridge, msg.sender)
    try:
        msg.params.validate()
    except ParamsError as exc:
        raise InvalidRequestError(f"invalid mint params: {exc}") from exc
    if msg.blocks_per_month <= 0:
        raise InvalidRequestError("blocks_per_month must be greater than 0")
    set_params(store, msg.params)
    bridge.set_blocks_per_month(store, msg.blocks_per_month)
    if msg.recalculate_target_emission:
        recalculate_emission(ctx, store, bridge)
    return mint_tx.UpdateParamsResponse()


def handle_recalculate_target_emission(
    ctx: Context, store: KVStore, msg: MsgRecalculateTargetEmission, *, bridge: EmissionsBridge
) -> mint_tx.RecalculateTargetEmissionResponse:
    """``RecalculateTargetEmissionRequest``: admin only (mint 8); recalculate now (mint 5/6
    when the emission cannot be computed)."""
    _require_admin(store, bridge, msg.sender)
    recalculate_emission(ctx, store, bridge)
    return mint_tx.RecalculateTargetEmissionResponse()
