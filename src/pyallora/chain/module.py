"""How a module plugs into the application (the Cosmos "module manager", kept small).

A module is an object with a :attr:`~Module.name` and six hooks; derive from
:class:`BaseModule` and override what you need. The application calls them as follows
(:mod:`pyallora.chain.app`):

============================  ===============================================================
hook                          when, with what
============================  ===============================================================
``default_genesis()``         building a fresh genesis: the module's JSON section
``init_genesis(ctx, store,    ``init_chain``, in genesis order: load the module's JSON section
state)``                      (missing section: ``default_genesis()``); may return the
                              genesis validator set (staking)
``export_genesis(store)``     export at any height: the JSON that ``init_genesis`` reloads
                              **byte for byte** (same keys and values => same app hash)
``begin_block(ctx, store)``   every block, before the transactions, in begin-block order
``end_block(ctx, store)``     every block, after the transactions, in end-block order;
                              returns validator updates (at most one module may)
``msg_handlers()``            the messages it handles, by type URL (:class:`MsgHandler`)
``query_handlers()``          the queries it answers, by gRPC method path (:class:`QueryHandler`)
============================  ===============================================================

The application is built from an ordered module list; unless an explicit order is given for
genesis, begin block or end block, **the list order is the lifecycle order** of all three
(PROTOCOL.md §5.1: e.g. ``[auth, bank, distribution, slashing, staking, mint, emissions]``
runs the mint begin block after distribution and the emissions end block last).

Block hooks run unmetered on the block's branch, with events written to ``ctx.events``
(the application adds ``mode=BeginBlock``/``EndBlock``). A hook that raises is a bug and halts
the node (STYLE.md §3.3); a hook that wants "drop and continue" semantics runs its step in a
:class:`~pyallora.chain.store.kv.Branch` itself and catches its own
:class:`~pyallora.core.errors.ConsensusError` (STYLE.md §3.6).

Message handling (:class:`MsgHandler`): ``decode`` (protobuf bytes -> frozen message, raising
:class:`~pyallora.chain.tx.errors.TxDecodeError`), ``validate_basic`` (stateless; runs in
``check_tx`` and ``finalize_block``), ``get_signers`` (the addresses that must sign: pyallora
txs have one signer, which must equal every message's signers), then
``handle(ctx, store, msg)``, which returns the protobuf response message (packed into the
result's ``TxMsgData``) and raises a ``ConsensusError`` to fail the transaction (all its writes
and events are then dropped; the fee stays paid).

Queries (:class:`QueryHandler`) read committed state only. ``handle(ctx, store, request)``
takes and returns protobuf messages; the application serves them as protobuf bytes under
the method path and as proto-JSON under ``/json`` + the method path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from google.protobuf.message import Message

from pyallora.chain.abci_types import ValidatorUpdate
from pyallora.chain.context import Context, QueryContext
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.errors import PyAlloraError

M = TypeVar("M")
Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)

JSONObject = dict[str, Any]
"""A module's genesis section (JSON object: strings, ints, bools, lists, objects; no floats)."""


class GenesisError(PyAlloraError, ValueError):
    """A genesis document or a module's genesis section is invalid (the chain cannot start)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgHandler(Generic[M]):
    """The route of one message type."""

    type_url: str
    """``/`` + full protobuf name, e.g. ``/cosmos.bank.v1beta1.MsgSend``."""
    decode: Callable[[bytes], M]
    """Protobuf bytes -> message (raises ``TxDecodeError``)."""
    validate_basic: Callable[[M], None]
    """Stateless checks (raises a ``ConsensusError``)."""
    get_signers: Callable[[M], tuple[str, ...]]
    """Bech32 addresses that must sign."""
    handle: Callable[[Context, KVStore, M], Message]
    """Execute; returns the protobuf response."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryHandler(Generic[Req, Resp]):
    """The route of one query method."""

    path: str
    """gRPC method path, e.g. ``/cosmos.bank.v1beta1.Query/Balance``."""
    request_type: type[Req]
    """Protobuf request class."""
    handle: Callable[[QueryContext, ReadableKVStore, Req], Resp]
    """Answer from committed state (raises a ``ConsensusError`` for bad requests)."""


class Module(Protocol):
    """What the application needs from a module (see the module docstring)."""

    @property
    def name(self) -> str:
        """Unique module name; also its key in the genesis ``app_state``."""
        ...

    def default_genesis(self) -> JSONObject:
        """The module's genesis section for a fresh chain."""
        ...

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Load the genesis section; return genesis validators (or nothing)."""
        ...

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """The genesis section that reproduces the module's current state."""
        ...

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        """Begin-block hook."""
        ...

    def end_block(self, ctx: Context, store: KVStore) -> tuple[ValidatorUpdate, ...]:
        """End-block hook; returns validator updates (or nothing)."""
        ...

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """Routes of the messages the module handles."""
        ...

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """Routes of the queries the module answers."""
        ...


class BaseModule:
    """A module that does nothing; subclass it and override the hooks you need."""

    name: str = "base"

    def default_genesis(self) -> JSONObject:
        """An empty section."""
        return {}

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        """Nothing to load."""
        return ()

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        """An empty section."""
        return {}

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        """No begin-block work."""

    def end_block(self, ctx: Context, store: KVStore) -> tuple[ValidatorUpdate, ...]:
        """No end-block work."""
        return ()

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        """No messages."""
        return ()

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        """No queries."""
        return ()
