"""The state machine: the ABCI 2.0 :class:`~pyallora.chain.abci_types.Application` (INFRA.md §4).

:class:`App` keeps three kinds of state apart (INFRA.md §4.5, §4.7):

* the **committed store** (:class:`~pyallora.chain.store.committed.CommittedStore`), changed
  only by :meth:`App.commit`, in one atomic write carrying the block's changes, the bucket
  hashes, ``last_height`` and the app hash; ``info`` and ``query`` read it;
* the **block branch**: ``finalize_block`` executes begin-block hooks, transactions and
  end-block hooks into a :class:`~pyallora.chain.store.kv.Branch` of the committed store and
  computes the app hash of the result without persisting anything;
* the **check state**: a branch of the committed store in which ``check_tx`` applies the
  mempool's transactions, discarded at every commit (CometBFT then rechecks the mempool).
  ``check_tx`` runs the messages too, so that a message that would fail is refused at
  broadcast; a success is answered as the Cosmos SDK answers it, with the gas and no events
  or data (those come with the block's result).

A proposer's block is executed once: ``prepare_proposal`` (for the next height) runs the block
as ``finalize_block`` would (begin-block hooks, the txs that fit and succeed, end-block hooks,
with the request's last commit and misbehaviour as the decided ones) and keeps the result;
``finalize_block`` reuses it when its request has the same height, time, proposer, last
commit, misbehaviour and txs, i.e. every input of the execution, on the same committed state
(``commit`` and ``init_chain`` drop it). Any other decision is executed afresh. A tx that fails
while proposing leaves no write, so the kept state is that of the returned txs alone.

``commit`` also records the block's time under the unhashed ``meta`` namespace
(:data:`~pyallora.chain.store.schema.META_LAST_BLOCK_TIME`, outside the app hash), so that
after a restart ``check_tx`` runs at the last block's time instead of 0.

``init_chain`` loads genesis into a branch that the first block builds on; the genesis writes
reach the disk with the first commit, so a crash before it simply repeats ``init_chain``.

Each transaction (:meth:`App._run_tx`) goes through these checks, in this order, the first
failure deciding the result's code:

1. it decodes (:func:`~pyallora.chain.tx.decode.decode_tx`: ``TxDecode`` 2 and the other
   structural codes listed there);
2. its size is within ``max_tx_bytes`` (``TxTooLarge`` 21);
3. its messages are known (``TxDecode`` 2) and pass ``validate_basic`` (the message's code);
4. the signer matches: the messages name one signer (``Unauthorized`` 4), the tx key's
   address (``InvalidPubKey`` 8); then, in the ante handler, that account exists
   (``UnknownAddress`` 9) and any key it stored is this key (``InvalidPubKey`` 8);
5. the signature is valid and low-s for the chain id and the stored account number
   (``Unauthorized`` 4: a wrong account number fails here, as its signature cannot verify);
6. the sequence is the account's (``WrongSequence`` 32: replays fail here);
7. in the mempool modes, the fee is at least the node's minimum gas price × gas wanted, in
   uallo (``InsufficientFee`` 13).

The ante handler (:mod:`pyallora.chain.ante`, where the deliberate additions to this list are
documented: timeout height, gas) then moves the fee to ``fee_collector`` and increments the
sequence, and the messages run in a branch of their own. In a block a failed message drops
every message's writes and events but keeps the ante's (the fee stays paid, the sequence
used); in the mempool modes a failed tx leaves nothing. Results carry the stable
``(codespace, code)`` of the :class:`~pyallora.core.errors.ConsensusError` raised. A message
naming a store key that cannot be encoded
(:class:`~pyallora.chain.store.collections.KeyEncodingError`: a NUL in an address, a height
beyond int64) fails with ``InvalidRequest`` 18, deterministically, instead of halting every
node; any other exception is a bug and propagates (the node halts).

Queries (:meth:`App.query`) are routed by path to the modules' :class:`QueryHandler` and read
committed state only:

* ``/cosmos.bank.v1beta1.Query/Balance`` (any registered gRPC method path): protobuf request
  bytes in, protobuf response bytes out, as CometBFT's ``abci_query`` does;
* ``/json/cosmos.bank.v1beta1.Query/Balance``: the same query with a proto-JSON request
  (empty = all defaults) and a compact proto-JSON response (proto field names, 64-bit
  integers as strings, defaults included), for tools and the HTTP API.

Only the latest state is kept: ``height`` must be 0 or the last committed height. Queries are
read-only and anyone can send them, so a request that cannot even be turned into store keys
(:class:`~pyallora.chain.store.collections.KeyEncodingError`) is answered with
``InvalidRequest`` 18, like an undecodable request; it never escapes to the ABCI server.

Every ABCI entry point runs under :func:`~pyallora.core.dec.dec_context`: gmpy2 keeps its
precision per thread, and the ABCI server may call the application from a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from cosmpy.protos.cosmos.base.abci.v1beta1 import abci_pb2
from google.protobuf import any_pb2, json_format
from google.protobuf.message import DecodeError, Message

from pyallora.chain.abci_types import (
    CommitResult,
    Event,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    InfoResult,
    InitChainRequest,
    InitChainResult,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
    QueryResult,
    TxResult,
    ValidatorUpdate,
)
from pyallora.chain.ante import SignatureCache, process_ante
from pyallora.chain.auth.module import AuthModule
from pyallora.chain.auth.state import get_params
from pyallora.chain.bank.module import BankModule
from pyallora.chain.context import (
    BlockContext,
    Context,
    ExecMode,
    GasMeter,
    QueryContext,
)
from pyallora.chain.events import (
    MODE_BEGIN_BLOCK,
    MODE_END_BLOCK,
    EventCollector,
    NullTracer,
    Tracer,
    make_event,
    with_mode,
)
from pyallora.chain.genesis import parse_app_state
from pyallora.chain.module import GenesisError, JSONObject, Module, MsgHandler, QueryHandler
from pyallora.chain.params import AuthParams
from pyallora.chain.store import schema
from pyallora.chain.store.collections import INT_VALUE, STR_VALUE, Item, KeyEncodingError
from pyallora.chain.store.commitment import (
    UNHASHED_BUCKET,
    BucketTree,
    TreeUpdate,
    compute_bucket_updates,
    compute_write_buckets,
    group_by_bucket,
)
from pyallora.chain.store.committed import CommitBatch, CommittedStore
from pyallora.chain.store.gaskv import GasKVStore
from pyallora.chain.store.kv import Branch, KVStore, ReadableKVStore
from pyallora.chain.store.memo import MemoTable
from pyallora.chain.tx.decode import DecodedTx, decode_tx
from pyallora.chain.tx.errors import (
    InvalidPubKeyError,
    InvalidRequestError,
    TxDecodeError,
    TxTooLargeError,
    UnauthorizedError,
    UnknownRequestError,
)
from pyallora.core.crypto import sha256
from pyallora.core.dec import with_dec_context
from pyallora.core.encoding import encode_uvarint
from pyallora.core.errors import ConsensusError, PyAlloraError

APP_NAME: Final = "pyallora"
"""``InfoResult.data``."""

APP_VERSION: Final = 1
"""``InfoResult.app_version`` (the protocol version of the state machine)."""

JSON_QUERY_PREFIX: Final = "/json"
"""Query path prefix selecting the proto-JSON form."""

CHAIN_ID: Final = Item(schema.APP_CHAIN_ID, STR_VALUE)
"""The chain id, stored by ``init_chain``."""

LAST_BLOCK_TIME: Final = Item(schema.META_LAST_BLOCK_TIME, INT_VALUE)
"""The last committed block's time (unhashed ``meta``; written by ``commit`` only)."""

_MEMPOOL_MODES: Final = (ExecMode.CHECK, ExecMode.RECHECK, ExecMode.PREPARE)

_MEMPOOL_ANSWER_MODES: Final = (ExecMode.CHECK, ExecMode.RECHECK)
"""Modes whose successful result is a CheckTx answer: codes and gas, no events and no data,
as the Cosmos SDK answers CheckTx (the events and message responses belong to the block)."""

_Routed = tuple[tuple[str, MsgHandler[Any], Any], ...]
"""A tx's messages: ``(module name, route, decoded message)`` each."""


class AppStateError(PyAlloraError):
    """The application was driven out of the ABCI order (a bug in the caller), or its store
    is inconsistent."""


def compute_default_modules() -> tuple[Module, ...]:
    """The foundation modules, in lifecycle order: auth, bank."""
    return (AuthModule(), BankModule())


@dataclass(frozen=True, slots=True, kw_only=True)
class _PendingBlock:
    """What ``finalize_block`` computed and ``commit`` persists (``changes`` are hashed)."""

    height: int
    time_ns: int
    changes: tuple[tuple[bytes, bytes | None], ...]
    write_buckets: tuple[int, ...]
    tree_update: TreeUpdate


@dataclass(frozen=True, slots=True, kw_only=True)
class _Proposal:
    """A block executed by ``prepare_proposal`` for the txs it returned (module docstring):
    ``finalize_block`` reuses it when it is asked for exactly this block."""

    block: BlockContext
    txs: tuple[bytes, ...]
    result: FinalizeBlockResult
    pending: _PendingBlock

    def matches(self, request: FinalizeBlockRequest) -> bool:
        """Whether ``request`` decides this block: every input of the execution is equal."""
        block = self.block
        return (
            request.height == block.height
            and request.time_ns == block.time_ns
            and request.proposer_address == block.proposer_address
            and request.decided_last_commit == block.decided_last_commit
            and request.misbehavior == block.misbehavior
            and request.txs == self.txs
        )


def _error_result(
    exc: ConsensusError,
    *,
    gas_wanted: int = 0,
    gas_used: int = 0,
    events: tuple[Event, ...] = (),
) -> TxResult:
    return TxResult(
        code=exc.code,
        codespace=exc.codespace,
        log=exc.message,
        gas_wanted=gas_wanted,
        gas_used=gas_used,
        events=events,
    )


def _decode_without_size_limit(key: tuple[bytes, int]) -> DecodedTx:
    # The size limit is the next check (module docstring), so it must not decide here.
    raw, max_memo_characters = key
    return decode_tx(raw, max_tx_bytes=len(raw), max_memo_characters=max_memo_characters)


def _validate_tx_size(raw: bytes, params: AuthParams) -> None:
    if len(raw) > params.max_tx_bytes:
        raise TxTooLargeError(f"tx is {len(raw)} bytes; the limit is {params.max_tx_bytes} bytes")


def _compute_key_request_error(exc: KeyEncodingError) -> InvalidRequestError:
    """The answer to a request naming a store key that cannot be encoded (module docstring)."""
    return InvalidRequestError(f"invalid request: {exc}")


def _compute_proto_tx_size(raw: bytes) -> int:
    """Bytes ``raw`` takes inside CometBFT's ``Data.txs`` (tag, length, bytes)."""
    return 1 + len(encode_uvarint(len(raw))) + len(raw)


class _ConsensusStateView:
    """The committed store without the unhashed ``meta`` namespace: exactly the pairs the app
    hash commits to."""

    __slots__ = ("_store",)

    def __init__(self, store: ReadableKVStore) -> None:
        self._store = store

    def get(self, key: bytes) -> bytes | None:
        """The committed value (``None`` for ``meta`` keys)."""
        return None if key[:1] >= schema.META_NAMESPACE else self._store.get(key)

    def has(self, key: bytes) -> bool:
        """Whether ``key`` is committed state."""
        return key[:1] < schema.META_NAMESPACE and self._store.has(key)

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Committed pairs of ``[start, end)`` below the ``meta`` namespace."""
        limit = schema.META_NAMESPACE
        if end is None or end > limit:
            end = limit
        if start is not None and start >= end:
            return iter(())
        return self._store.iterate(start, end, reverse=reverse)


def _merge_changes(
    first: Sequence[tuple[bytes, bytes | None]], second: Sequence[tuple[bytes, bytes | None]]
) -> tuple[tuple[bytes, bytes | None], ...]:
    merged = dict(first)
    merged.update(second)
    return tuple((key, merged[key]) for key in sorted(merged))


class App:
    """The pyallora application.

    Parameters
    ----------
    store
        The committed store (``pyallora.storage`` backends).
    modules
        Modules in lifecycle order (default: :func:`compute_default_modules`).
    genesis_order, begin_block_order, end_block_order
        Module names, when an order differs from the list order.
    min_gas_price
        The node's minimum gas price in uallo per gas (mempool policy only).
    tracer
        Observer of block execution.
    """

    def __init__(
        self,
        store: CommittedStore,
        *,
        modules: Sequence[Module] | None = None,
        genesis_order: Sequence[str] | None = None,
        begin_block_order: Sequence[str] | None = None,
        end_block_order: Sequence[str] | None = None,
        min_gas_price: int = 0,
        tracer: Tracer | None = None,
    ) -> None:
        self._store = store
        self._modules = tuple(modules) if modules is not None else compute_default_modules()
        by_name: dict[str, Module] = {}
        for module in self._modules:
            if module.name in by_name:
                raise ValueError(f"module {module.name!r} listed twice")
            by_name[module.name] = module
        self._genesis_order = self._order(by_name, genesis_order)
        self._begin_order = self._order(by_name, begin_block_order)
        self._end_order = self._order(by_name, end_block_order)
        self._routes: dict[str, tuple[str, MsgHandler[Any]]] = {}
        self._queries: dict[str, QueryHandler[Any, Any]] = {}
        for module in self._modules:
            for route in module.msg_handlers():
                if route.type_url in self._routes:
                    raise ValueError(f"message {route.type_url} routed twice")
                self._routes[route.type_url] = (module.name, route)
            for query in module.query_handlers():
                if query.path in self._queries:
                    raise ValueError(f"query {query.path} routed twice")
                self._queries[query.path] = query
        if min_gas_price < 0:
            raise ValueError("min_gas_price must not be negative")
        self._min_gas_price = min_gas_price
        self._tracer: Tracer = tracer if tracer is not None else NullTracer()
        self._signatures = SignatureCache()
        self._decoded: MemoTable[tuple[bytes, int], DecodedTx] = MemoTable(20_000)
        self._routed: MemoTable[DecodedTx, _Routed] = MemoTable(20_000)
        self._tree = BucketTree.from_stored(store.iterate_bucket_hashes())
        if store.get_last_height() > 0 and self._tree.root != store.get_app_hash():
            raise AppStateError("the stored bucket hashes do not match the stored app hash")
        self._chain_id = CHAIN_ID.get_or(store, "")
        self._initial_height = 1
        self._genesis: Branch | None = None
        self._pending: _PendingBlock | None = None
        self._proposal: _Proposal | None = None
        self._check_state = Branch(store)
        self._last_time_ns = LAST_BLOCK_TIME.get_or(store, 0)

    @staticmethod
    def _order(by_name: dict[str, Module], names: Sequence[str] | None) -> tuple[Module, ...]:
        if names is None:
            return tuple(by_name.values())
        if sorted(names) != sorted(by_name):
            raise ValueError(f"module order {list(names)} is not a permutation of the modules")
        return tuple(by_name[name] for name in names)

    # -----------------------------------------------------------------------------------------
    # Introspection

    @property
    def modules(self) -> tuple[Module, ...]:
        """The modules, in list order."""
        return self._modules

    @property
    def committed_store(self) -> ReadableKVStore:
        """Read access to the committed state (for tests and exports): the pairs the app hash
        commits to, without the application's unhashed ``meta`` bookkeeping."""
        return _ConsensusStateView(self._store)

    @property
    def last_block_time_ns(self) -> int:
        """Time of the last committed block (after ``init_chain``: the genesis time; it
        survives restarts), the time ``check_tx`` runs at."""
        return self._last_time_ns

    @property
    def chain_id(self) -> str:
        """The chain id ("" before ``init_chain``)."""
        return self._chain_id

    @property
    def last_height(self) -> int:
        """Height of the last commit."""
        return self._store.get_last_height()

    @property
    def next_height(self) -> int:
        """Height of the next block (after genesis: the genesis ``initial_height``)."""
        last = self._store.get_last_height()
        return last + 1 if last > 0 else self._initial_height

    def _base_state(self) -> ReadableKVStore:
        return self._genesis if self._genesis is not None else self._store

    # -----------------------------------------------------------------------------------------
    # ABCI

    def info(self) -> InfoResult:
        """The last committed height and app hash (0 and ``b""`` before the first commit)."""
        return InfoResult(
            data=APP_NAME,
            app_version=APP_VERSION,
            last_block_height=self._store.get_last_height(),
            last_block_app_hash=self._store.get_app_hash(),
        )

    @with_dec_context
    def init_chain(self, request: InitChainRequest) -> InitChainResult:
        """Load genesis into a pending branch; return its app hash and the validators.

        Validators returned by a module's ``init_genesis`` (staking) replace the request's;
        otherwise the request's are echoed.

        Raises
        ------
        AppStateError
            If the chain already has committed blocks.
        GenesisError
            If the genesis is invalid.
        """
        if self._store.get_last_height() != 0:
            raise AppStateError("init_chain called on a chain with committed blocks")
        if not request.chain_id:
            raise GenesisError("the chain id must not be empty")
        if request.initial_height < 1:
            raise GenesisError("the initial height must be at least 1")
        app_state = parse_app_state(request.app_state_bytes)
        known = {module.name for module in self._modules}
        unknown = sorted(name for name in app_state if name not in known)
        if unknown:
            raise GenesisError(f"app_state has sections for unknown modules: {unknown}")
        branch = Branch(self._store)
        CHAIN_ID.set(branch, request.chain_id)
        ctx = Context(
            block=BlockContext(
                height=request.initial_height, time_ns=request.time_ns, chain_id=request.chain_id
            ),
            mode=ExecMode.GENESIS,
        )
        validators: tuple[ValidatorUpdate, ...] = ()
        for module in self._genesis_order:
            section = app_state.get(module.name)
            if section is None:
                section = module.default_genesis()
            if not isinstance(section, dict):
                raise GenesisError(f"genesis section {module.name!r} must be a JSON object")
            returned = module.init_genesis(ctx, branch, section)
            if returned:
                if validators:
                    raise GenesisError("more than one module returned genesis validators")
                validators = returned
        update, _ = self._compute_commitment(branch.get_changes())
        self._chain_id = request.chain_id
        self._initial_height = request.initial_height
        self._genesis = branch
        self._pending = None
        self._proposal = None
        self._check_state = Branch(branch)
        self._last_time_ns = request.time_ns
        return InitChainResult(app_hash=update.root, validators=validators or request.validators)

    @with_dec_context
    def check_tx(self, tx: bytes, *, recheck: bool = False) -> TxResult:
        """Run ``tx`` against the check state; on success the check state keeps its effects."""
        block = BlockContext(
            height=self.next_height, time_ns=self._last_time_ns, chain_id=self._chain_id
        )
        mode = ExecMode.RECHECK if recheck else ExecMode.CHECK
        return self._run_tx(self._check_state, tx, block, mode)

    @with_dec_context
    def prepare_proposal(self, request: PrepareProposalRequest) -> tuple[bytes, ...]:
        """The mempool txs that still fit ``max_tx_bytes`` and pass, in order.

        When the request is for the next block, the block is executed here as
        ``finalize_block`` will execute it (begin-block hooks, the txs, end-block hooks, with
        the request's last commit and misbehaviour): a tx is kept only if it succeeds, and
        failed txs leave no write, so the state reached equals the execution of the returned
        txs alone. ``finalize_block`` reuses that execution when it decides exactly this block
        (module docstring); otherwise txs are tried on a scratch branch of the last state.
        """
        if request.height == self.next_height and (
            self._store.get_last_height() > 0 or self._genesis is not None
        ):
            block = BlockContext(
                height=request.height,
                time_ns=request.time_ns,
                chain_id=self._chain_id,
                proposer_address=request.proposer_address,
                decided_last_commit=request.local_last_commit,
                misbehavior=request.misbehavior,
            )
            proposal = self._execute_block(block, request.txs, max_bytes=request.max_tx_bytes)
            self._proposal = proposal
            return proposal.txs
        scratch = Branch(self._base_state())
        block = BlockContext(
            height=request.height,
            time_ns=request.time_ns,
            chain_id=self._chain_id,
            proposer_address=request.proposer_address,
        )
        selected: list[bytes] = []
        total = 0
        for raw in request.txs:
            size = _compute_proto_tx_size(raw)
            if total + size > request.max_tx_bytes:
                continue
            if self._run_tx(scratch, raw, block, ExecMode.PREPARE).code != 0:
                continue
            selected.append(raw)
            total += size
        return tuple(selected)

    @with_dec_context
    def process_proposal(self, request: ProcessProposalRequest) -> bool:
        """Accept iff every tx decodes within the size limit (a pure function of the block)."""
        params = get_params(self._base_state())
        for raw in request.txs:
            try:
                self._decode(raw, params)
                _validate_tx_size(raw, params)
            except ConsensusError:
                return False
        return True

    @with_dec_context
    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResult:
        """Execute a decided block into a pending state and compute its app hash.

        A block this node proposed is not executed again: ``prepare_proposal`` executed it
        already, from the same state and with the same inputs.

        Raises
        ------
        AppStateError
            If the height is not the next one, or ``init_chain`` has not run on a fresh chain.
        """
        expected = self.next_height
        if request.height != expected:
            raise AppStateError(f"finalize_block at height {request.height}; expected {expected}")
        if self._store.get_last_height() == 0 and self._genesis is None:
            raise AppStateError("finalize_block before init_chain")
        proposal, self._proposal = self._proposal, None
        if proposal is None or not proposal.matches(request):
            block = BlockContext(
                height=request.height,
                time_ns=request.time_ns,
                chain_id=self._chain_id,
                proposer_address=request.proposer_address,
                decided_last_commit=request.decided_last_commit,
                misbehavior=request.misbehavior,
            )
            proposal = self._execute_block(block, request.txs, max_bytes=None)
        result = proposal.result
        for index, (raw, tx_result) in enumerate(zip(request.txs, result.tx_results, strict=True)):
            self._tracer.on_tx_result(request.height, index, sha256(raw), tx_result.code)
        self._pending = proposal.pending
        self._tracer.on_block_end(request.height, result.app_hash)
        return result

    def _execute_block(
        self, block: BlockContext, txs: Sequence[bytes], *, max_bytes: int | None
    ) -> _Proposal:
        """Begin-block hooks, the txs, end-block hooks, on a branch of the last state.

        With ``max_bytes`` (proposing), txs beyond the byte budget and txs that fail are left
        out, leaving nothing behind; without it (a decided block), every tx is executed and
        gets a result.
        """
        block_state = Branch(self._base_state())
        events: list[Event] = []
        for module in self._begin_order:
            collector = EventCollector()
            module.begin_block(
                Context(block=block, mode=ExecMode.BEGIN_BLOCK, events=collector), block_state
            )
            events.extend(with_mode(event, MODE_BEGIN_BLOCK) for event in collector.events)
        results: list[TxResult] = []
        if max_bytes is None:
            included = tuple(txs)
            results.extend(
                self._run_tx(block_state, raw, block, ExecMode.FINALIZE) for raw in included
            )
        else:
            chosen: list[bytes] = []
            total = 0
            for raw in txs:
                size = _compute_proto_tx_size(raw)
                if total + size > max_bytes:
                    continue
                tried = self._run_tx(block_state, raw, block, ExecMode.FINALIZE, proposing=True)
                if tried.code != 0:
                    continue
                chosen.append(raw)
                results.append(tried)
                total += size
            included = tuple(chosen)
        validator_updates: tuple[ValidatorUpdate, ...] = ()
        for module in self._end_order:
            collector = EventCollector()
            returned = module.end_block(
                Context(block=block, mode=ExecMode.END_BLOCK, events=collector), block_state
            )
            events.extend(with_mode(event, MODE_END_BLOCK) for event in collector.events)
            if returned:
                if validator_updates:
                    raise AppStateError("more than one module returned validator updates")
                validator_updates = returned
        changes = block_state.get_changes()
        if self._genesis is not None:
            changes = _merge_changes(self._genesis.get_changes(), changes)
        if changes and changes[-1][0][:1] >= schema.META_NAMESPACE:
            raise AppStateError(f"a module wrote the reserved meta key {changes[-1][0]!r:.60}")
        update, write_buckets = self._compute_commitment(changes)
        pending = _PendingBlock(
            height=block.height,
            time_ns=block.time_ns,
            changes=changes,
            write_buckets=write_buckets,
            tree_update=update,
        )
        return _Proposal(
            block=block,
            txs=included,
            result=FinalizeBlockResult(
                tx_results=tuple(results),
                events=tuple(events),
                validator_updates=validator_updates,
                app_hash=update.root,
            ),
            pending=pending,
        )

    def commit(self) -> CommitResult:
        """Persist the finalized block atomically; reset the check state.

        Raises
        ------
        AppStateError
            If no block was finalized since the last commit.
        """
        pending = self._pending
        if pending is None:
            raise AppStateError("commit without a finalized block")
        # The block time goes last (0xFF sorts after every hashed key), outside the tree.
        time_write = (LAST_BLOCK_TIME.prefix, LAST_BLOCK_TIME.codec.encode(pending.time_ns))
        self._store.commit(
            CommitBatch(
                height=pending.height,
                app_hash=pending.tree_update.root,
                writes=(*pending.changes, time_write),
                write_buckets=(*pending.write_buckets, UNHASHED_BUCKET),
                bucket_hashes=pending.tree_update.bucket_hashes,
            )
        )
        self._tree.apply(pending.tree_update)
        self._pending = None
        self._proposal = None
        self._genesis = None
        self._check_state = Branch(self._store)
        self._last_time_ns = pending.time_ns
        return CommitResult(retain_height=0)

    @with_dec_context
    def query(self, request: QueryRequest) -> QueryResult:
        """Answer a query from committed state (module docstring: paths and forms)."""
        height = self._store.get_last_height()
        try:
            if request.height not in (0, height):
                raise InvalidRequestError(
                    f"only the latest state (height {height}) is kept; query height 0"
                )
            path = request.path
            as_json = path.startswith(JSON_QUERY_PREFIX + "/")
            if as_json:
                path = path[len(JSON_QUERY_PREFIX) :]
            handler = self._queries.get(path)
            if handler is None:
                raise UnknownRequestError(f"unknown query path {path[:200]!r}")
            query_request = self._parse_query_request(handler, request.data, as_json=as_json)
            try:
                response = handler.handle(
                    QueryContext(height=height, chain_id=self._chain_id),
                    self._store,
                    query_request,
                )
            except KeyEncodingError as exc:
                raise _compute_key_request_error(exc) from exc
        except ConsensusError as exc:
            return QueryResult(
                code=exc.code, codespace=exc.codespace, log=exc.message, height=height
            )
        if as_json:
            value = json.dumps(
                json_format.MessageToDict(
                    response,
                    preserving_proto_field_name=True,
                    always_print_fields_with_no_presence=True,
                ),
                separators=(",", ":"),
                sort_keys=True,
            ).encode("utf-8")
        else:
            value = response.SerializeToString(deterministic=True)
        return QueryResult(value=value, height=height)

    @staticmethod
    def _parse_query_request(
        handler: QueryHandler[Any, Any], data: bytes, *, as_json: bool
    ) -> Message:
        message: Message = handler.request_type()
        try:
            if as_json:
                if data.strip():
                    json_format.Parse(data.decode("utf-8"), message)
            else:
                message.ParseFromString(data)
        except (DecodeError, json_format.ParseError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidRequestError(f"cannot decode the query request: {exc}") from exc
        return message

    def close(self) -> None:
        """Close the committed store (pending, uncommitted state is dropped)."""
        self._pending = None
        self._store.close()

    # -----------------------------------------------------------------------------------------
    # Genesis export

    @with_dec_context
    def export_genesis(self) -> JSONObject:
        """The ``app_state`` reproducing the committed state (import with the same chain id)."""
        return {module.name: module.export_genesis(self._store) for module in self._genesis_order}

    # -----------------------------------------------------------------------------------------
    # Internals

    def _compute_commitment(
        self, changes: tuple[tuple[bytes, bytes | None], ...]
    ) -> tuple[TreeUpdate, tuple[int, ...]]:
        buckets = compute_write_buckets(changes)
        leaves = compute_bucket_updates(self._store, group_by_bucket(changes, buckets))
        return self._tree.compute_update(leaves), buckets

    def _decode(self, raw: bytes, params: AuthParams) -> DecodedTx:
        """:func:`~pyallora.chain.tx.decode.decode_tx` without the size limit (checked next),
        memoised (a pure function)."""
        return self._decoded.get_or_compute(
            (raw, params.max_memo_characters), _decode_without_size_limit
        )

    def _route_messages(self, tx: DecodedTx) -> _Routed:
        """Decode and validate every message; check that the tx's key signs them all.

        A pure function of the tx, memoised.

        Raises
        ------
        ConsensusError
            The first failed check (a key-encoding failure as ``InvalidRequest``).
        """
        try:
            return self._routed.get_or_compute(tx, self._compute_routes)
        except KeyEncodingError as exc:
            raise _compute_key_request_error(exc) from exc

    def _compute_routes(self, tx: DecodedTx) -> _Routed:
        routed: list[tuple[str, MsgHandler[Any], Any]] = []
        for message in tx.messages:
            entry = self._routes.get(message.type_url)
            if entry is None:
                raise TxDecodeError(f"unable to resolve type URL {message.type_url[:200]}")
            module_name, route = entry
            routed.append((module_name, route, route.decode(message.value)))
        signers: list[str] = []
        for _, route, msg in routed:
            route.validate_basic(msg)
            for signer in route.get_signers(msg):
                if signer not in signers:
                    signers.append(signer)
        if len(signers) != 1:
            raise UnauthorizedError(f"wrong number of signers; expected 1, got {len(signers)}")
        if signers[0] != tx.signer:
            raise InvalidPubKeyError(
                f"pubKey does not match signer address {signers[0]} with signer index: 0"
            )
        return tuple(routed)

    def _run_tx(
        self,
        parent: KVStore,
        raw: bytes,
        block: BlockContext,
        mode: ExecMode,
        *,
        proposing: bool = False,
    ) -> TxResult:
        """Execute one tx on ``parent`` (module docstring); write its effects on success.

        ``proposing`` (with ``FINALIZE``): executed as in a block, but checked against the
        minimum gas price and, on failure, leaving nothing, as in the mempool modes.
        """
        admission = proposing or mode in _MEMPOOL_MODES
        params = get_params(parent)
        try:
            tx = self._decode(raw, params)
            _validate_tx_size(raw, params)
        except ConsensusError as exc:
            return _error_result(exc)
        gas_wanted = tx.gas_limit
        try:
            routed = self._route_messages(tx)
        except ConsensusError as exc:
            return _error_result(exc, gas_wanted=gas_wanted)
        gas = GasMeter(gas_wanted)
        ante_state = Branch(parent)
        ante_events = EventCollector()
        ctx = Context(block=block, mode=mode, gas=gas, events=ante_events)
        try:
            process_ante(
                ctx,
                GasKVStore(ante_state, gas),
                tx,
                params=params,
                min_gas_price=self._min_gas_price if admission else None,
                verify_signature=mode is not ExecMode.RECHECK,
                signature_cache=self._signatures,
            )
        except ConsensusError as exc:
            return _error_result(exc, gas_wanted=gas_wanted, gas_used=gas.used)
        msg_state = Branch(ante_state)
        msg_store = GasKVStore(msg_state, gas)
        msg_events = EventCollector()
        msg_ctx = Context(block=block, mode=mode, gas=gas, events=msg_events)
        responses: list[any_pb2.Any] = []
        try:
            for index, (module_name, route, msg) in enumerate(routed):
                gas.consume(params.msg_gas_cost, "msg")
                msg_events.emit(
                    make_event(
                        "message",
                        (
                            ("action", route.type_url),
                            ("sender", tx.signer),
                            ("module", module_name),
                            ("msg_index", str(index)),
                        ),
                    )
                )
                try:
                    response = route.handle(msg_ctx, msg_store, msg)
                except KeyEncodingError as exc:
                    raise _compute_key_request_error(exc) from exc
                if mode not in _MEMPOOL_ANSWER_MODES:
                    responses.append(
                        any_pb2.Any(
                            type_url="/" + response.DESCRIPTOR.full_name,
                            value=response.SerializeToString(deterministic=True),
                        )
                    )
        except ConsensusError as exc:
            if admission:
                return _error_result(exc, gas_wanted=gas_wanted, gas_used=gas.used)
            ante_state.write()
            return _error_result(
                exc, gas_wanted=gas_wanted, gas_used=gas.used, events=ante_events.events
            )
        msg_state.write()
        ante_state.write()
        if mode in _MEMPOOL_ANSWER_MODES:
            return TxResult(gas_wanted=gas_wanted, gas_used=gas.used, sender=tx.signer)
        data = abci_pb2.TxMsgData(msg_responses=responses).SerializeToString(deterministic=True)
        return TxResult(
            data=data,
            gas_wanted=gas_wanted,
            gas_used=gas.used,
            events=ante_events.events + msg_events.events,
            sender=tx.signer,
        )
