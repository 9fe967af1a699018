"""Handlers of the admin messages (PROTOCOL.md §3.12, §3.13).

Checklist of each: the sender is a whitelist admin (28), then the payload (target address:
sdk invalid-address 7; merged params: the validation codes 58-62), then the write.
"""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.admin.msgs import (
    AddToWhitelistAdmin,
    RemoveFromWhitelistAdmin,
    UpdateParams,
)
from pyallora.chain.emissions.admin.state import (
    delete_whitelist_admin,
    is_whitelist_admin,
    set_whitelist_admin,
)
from pyallora.chain.emissions.errors import NotWhitelistAdminError
from pyallora.chain.emissions.events import (
    build_params_updated_event,
    build_whitelist_admin_event,
)
from pyallora.chain.emissions.params import compute_merged_params, get_params, set_params
from pyallora.chain.emissions.validation import validate_bech32
from pyallora.chain.module import MsgHandler
from pyallora.chain.store.kv import KVStore
from pyallora.proto.emissions.v5 import tx_pb2


def _require_admin(store: KVStore, sender: str) -> None:
    if not is_whitelist_admin(store, sender):
        raise NotWhitelistAdminError(f"{sender} is not a whitelist admin")


def handle_add_to_whitelist_admin(
    ctx: Context, store: KVStore, msg: AddToWhitelistAdmin
) -> tx_pb2.AddToWhitelistAdminResponse:
    """Make ``address`` an admin (§3.12).

    Raises
    ------
    NotWhitelistAdminError
        If the sender is not an admin (28).
    InvalidAddressError
        If ``address`` is not a bech32 address.
    """
    _require_admin(store, msg.sender)
    validate_bech32(msg.address, "admin")
    set_whitelist_admin(store, msg.address)
    ctx.events.emit(build_whitelist_admin_event("Added", msg.sender, msg.address))
    return tx_pb2.AddToWhitelistAdminResponse()


def handle_remove_from_whitelist_admin(
    ctx: Context, store: KVStore, msg: RemoveFromWhitelistAdmin
) -> tx_pb2.RemoveFromWhitelistAdminResponse:
    """Remove ``address`` from the admins (§3.12); oneself and the last admin included.

    Raises
    ------
    NotWhitelistAdminError
        If the sender is not an admin (28).
    InvalidAddressError
        If ``address`` is not a bech32 address.
    """
    _require_admin(store, msg.sender)
    validate_bech32(msg.address, "admin")
    delete_whitelist_admin(store, msg.address)
    ctx.events.emit(build_whitelist_admin_event("Removed", msg.sender, msg.address))
    return tx_pb2.RemoveFromWhitelistAdminResponse()


def handle_update_params(
    ctx: Context, store: KVStore, msg: UpdateParams
) -> tx_pb2.UpdateParamsResponse:
    """Merge the requested changes into the params, validate the whole set, store (§3.13).

    Raises
    ------
    NotWhitelistAdminError
        If the sender is not an admin (28).
    EmissionsError
        The validation errors of the merged set (58, 59, 61, 62).
    """
    _require_admin(store, msg.sender)
    set_params(store, compute_merged_params(get_params(store), msg.changes))
    ctx.events.emit(build_params_updated_event(msg.sender, [name for name, _ in msg.changes]))
    return tx_pb2.UpdateParamsResponse()


def _route(message: Any, handle: Any) -> MsgHandler[Any]:
    return MsgHandler(
        type_url=message.TYPE_URL,
        decode=message.from_bytes,
        validate_basic=message.validate_basic,
        get_signers=message.get_signers,
        handle=handle,
    )


ROUTES: Final[tuple[MsgHandler[Any], ...]] = (
    _route(UpdateParams, handle_update_params),
    _route(AddToWhitelistAdmin, handle_add_to_whitelist_admin),
    _route(RemoveFromWhitelistAdmin, handle_remove_from_whitelist_admin),
)
"""The admin messages' routes."""
