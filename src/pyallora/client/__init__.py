"""pyallora.client: the Python SDK of a pyallora node (HTTP and websocket only).

* :class:`Client` / :class:`AsyncClient`: typed queries, transaction sending with automatic
  account-sequence handling, the live event stream (:mod:`.client`, :mod:`.async_client`);
* :class:`Wallet`: a key from a mnemonic, a raw key or the keyring, with its sequence
  manager (:mod:`.wallet`);
* keys, keyring and transaction building (:mod:`.keys`, :mod:`.keyring`, :mod:`.tx`);
* typed answers (:mod:`.types`) and errors (:mod:`.errors`).

The names below are imported lazily, so ``pyallora.client.keys`` stays usable without the
HTTP libraries of the ``node`` extra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyallora.client.async_client import AsyncClient
    from pyallora.client.client import Client
    from pyallora.client.errors import (
        ClientError,
        NodeApiError,
        NodeUnreachableError,
        NotFoundError,
        OutOfGasError,
        SequenceMismatchError,
        SubscriptionError,
        TxError,
        TxFailedError,
        TxRejectedError,
        TxTimeoutError,
    )
    from pyallora.client.events import AsyncEventSubscription, EventSubscription
    from pyallora.client.types import (
        Account,
        BlockInfo,
        BroadcastResult,
        ChainEvent,
        Coin,
        NodeStatus,
        TxInfo,
        TxResult,
    )
    from pyallora.client.wallet import SequenceManager, Wallet

_EXPORTS = {
    "AsyncClient": "pyallora.client.async_client",
    "Client": "pyallora.client.client",
    "ClientError": "pyallora.client.errors",
    "NodeApiError": "pyallora.client.errors",
    "NodeUnreachableError": "pyallora.client.errors",
    "NotFoundError": "pyallora.client.errors",
    "OutOfGasError": "pyallora.client.errors",
    "SequenceMismatchError": "pyallora.client.errors",
    "SubscriptionError": "pyallora.client.errors",
    "TxError": "pyallora.client.errors",
    "TxFailedError": "pyallora.client.errors",
    "TxRejectedError": "pyallora.client.errors",
    "TxTimeoutError": "pyallora.client.errors",
    "AsyncEventSubscription": "pyallora.client.events",
    "EventSubscription": "pyallora.client.events",
    "Account": "pyallora.client.types",
    "BlockInfo": "pyallora.client.types",
    "BroadcastResult": "pyallora.client.types",
    "ChainEvent": "pyallora.client.types",
    "Coin": "pyallora.client.types",
    "NodeStatus": "pyallora.client.types",
    "TxInfo": "pyallora.client.types",
    "TxResult": "pyallora.client.types",
    "SequenceManager": "pyallora.client.wallet",
    "Wallet": "pyallora.client.wallet",
}

__all__ = [
    "Account",
    "AsyncClient",
    "AsyncEventSubscription",
    "BlockInfo",
    "BroadcastResult",
    "ChainEvent",
    "Client",
    "ClientError",
    "Coin",
    "EventSubscription",
    "NodeApiError",
    "NodeStatus",
    "NodeUnreachableError",
    "NotFoundError",
    "OutOfGasError",
    "SequenceManager",
    "SequenceMismatchError",
    "SubscriptionError",
    "TxError",
    "TxFailedError",
    "TxInfo",
    "TxRejectedError",
    "TxResult",
    "TxTimeoutError",
    "Wallet",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pyallora.client' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
