"""Handlers of the bank messages."""

from __future__ import annotations

from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx

from pyallora.chain.auth.state import is_blocked_address
from pyallora.chain.bank.msgs import MsgSend
from pyallora.chain.bank.state import send_coins
from pyallora.chain.context import Context
from pyallora.chain.store.kv import KVStore
from pyallora.chain.tx.errors import UnauthorizedError


def handle_send(ctx: Context, store: KVStore, msg: MsgSend) -> bank_tx.MsgSendResponse:
    """Execute a validated ``MsgSend``.

    Checklist: the recipient is not a blocked module account; the sender holds the amount.

    Raises
    ------
    UnauthorizedError
        If the recipient is blocked (every module account except ``ecosystem``).
    InsufficientFundsError
        If the sender's balance is below the amount.
    """
    if is_blocked_address(msg.to_address):
        raise UnauthorizedError(f"{msg.to_address} is not allowed to receive funds")
    send_coins(ctx, store, msg.from_address, msg.to_address, msg.total)
    return bank_tx.MsgSendResponse()
