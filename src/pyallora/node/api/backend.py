"""What the HTTP API needs from the running engine, and its two implementations.

:class:`Backend` is the API's only view of the node: committed-state queries (the
application's ``/json/<gRPC method path>`` form, :mod:`pyallora.chain.app`), broadcasting,
tx lookup, the consensus validator set, and the :class:`~pyallora.node.events.EventLog`.

* :class:`SoloBackend` drives the application with the in-process block driver
  (:class:`~pyallora.node.solo.SoloNode`): the mempool is the driver's, blocks are made by
  :meth:`SoloBackend.produce_block` (on a timer in ``allora start --solo``, or on demand).
* :class:`CometBackend` serves the application to CometBFT through the ABCI server; it
  broadcasts with CometBFT's ``broadcast_tx_sync`` and records blocks from the server's
  post-commit hook.

Every application call happens on the node's event loop, between blocks (the solo driver is
synchronous; the ABCI server's lock serialises queries with consensus calls), so a query always
reads the last commit, never a half-finished block.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

import httpx

from pyallora.abci.server import AbciServer, CommittedBlock, RequestStats
from pyallora.chain.abci_types import InfoResult, QueryRequest, TxResult
from pyallora.chain.app import App
from pyallora.chain.genesis import GenesisDoc
from pyallora.core.crypto import consensus_address
from pyallora.core.errors import PyAlloraError
from pyallora.node.cometbft import AsyncCometRpc, CometRpcError
from pyallora.node.events import BlockRecord, EventLog, TxRecord, make_block_record
from pyallora.node.solo import SoloConfig, SoloNode

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

EMISSIONS_QUERY: Final = "/emissions.v5.QueryService/"
"""gRPC method path prefix of the emissions queries."""

SNAPSHOT_PREFIX: Final = "network_inference"
"""Event-log snapshot key prefix: ``network_inference/<topic>/<nonce>``."""

UNKNOWN_QUERY_CODE: Final = ("sdk", 6)
"""``UnknownRequest``: the application has no such query path (module not present)."""


class BackendError(PyAlloraError):
    """The engine could not do what the API asked (e.g. CometBFT unreachable)."""


class QueryFailedError(PyAlloraError):
    """A query returned an error result.

    Attributes
    ----------
    code, codespace, log
        The application's result fields.
    """

    def __init__(self, path: str, code: int, codespace: str, log: str) -> None:
        super().__init__(f"{path}: {log} [{codespace}:{code}]")
        self.path = path
        self.code = code
        self.codespace = codespace
        self.log = log

    @property
    def is_unknown_path(self) -> bool:
        """The application has no handler for the path."""
        return (self.codespace, self.code) == UNKNOWN_QUERY_CODE


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsensusValidator:
    """A member of the consensus validator set."""

    address: bytes
    """20-byte consensus address."""
    pub_key: bytes
    """32-byte ed25519 key."""
    power: int


_MEMPOOL_REFUSALS: Final = (
    ("already exists in cache", 19),
    ("mempool is full", 20),
    ("too large", 21),
)
"""CometBFT mempool refusals (RPC errors) -> the ``sdk`` code the solo mempool uses."""


def compute_mempool_refusal(text: str) -> TxResult:
    """The CheckTx-like result of a tx CometBFT's mempool refused before CheckTx.

    >>> compute_mempool_refusal("tx already exists in cache").code
    19
    """
    lowered = text.lower()
    for needle, code in _MEMPOOL_REFUSALS:
        if needle in lowered:
            return TxResult(code=code, codespace="sdk", log=text)
    return TxResult(code=1, codespace="cometbft", log=text)


def make_snapshot_key(topic_id: int, nonce: int) -> str:
    """Event-log key of the network inference recorded when ``nonce`` closed."""
    return f"{SNAPSHOT_PREFIX}/{topic_id}/{nonce}"


class Backend(Protocol):
    """The API's view of the running node (module docstring)."""

    @property
    def engine(self) -> str:
        """``"solo"`` or ``"cometbft"``."""
        ...

    @property
    def chain_id(self) -> str:
        """The chain id."""
        ...

    @property
    def rpc_url(self) -> str | None:
        """CometBFT's RPC URL (``None`` for solo)."""
        ...

    @property
    def event_log(self) -> EventLog:
        """Committed blocks, tx index, event stream."""
        ...

    def info(self) -> InfoResult:
        """The application's last committed height and app hash."""
        ...

    def request_stats(self) -> dict[str, RequestStats]:
        """ABCI requests answered, by kind (empty without an ABCI server)."""
        ...

    async def query(self, path: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """A committed-state query in proto-JSON (raises :class:`QueryFailedError`)."""
        ...

    async def broadcast(self, tx: bytes) -> TxResult:
        """Submit a tx; the CheckTx result."""
        ...

    async def get_tx(self, tx_hash: bytes) -> TxRecord | None:
        """A committed tx by SHA-256."""
        ...

    async def get_validators(self) -> list[ConsensusValidator]:
        """The current consensus validator set."""
        ...


class AppBackend:
    """What both engines share: JSON queries, block recording, inference snapshots.

    Parameters
    ----------
    app
        The application.
    event_log
        Where committed blocks are recorded.
    """

    engine_name = "app"

    def __init__(self, app: App, event_log: EventLog) -> None:
        self._app = app
        self._event_log = event_log

    @property
    def engine(self) -> str:
        """The engine's name."""
        return self.engine_name

    @property
    def chain_id(self) -> str:
        """The chain id."""
        return self._app.chain_id

    @property
    def rpc_url(self) -> str | None:
        """No RPC by default."""
        return None

    @property
    def event_log(self) -> EventLog:
        """The event log."""
        return self._event_log

    @property
    def app(self) -> App:
        """The application."""
        return self._app

    def request_stats(self) -> dict[str, RequestStats]:
        """The ABCI server's requests by kind (none without one: the solo engine)."""
        return {}

    def info(self) -> InfoResult:
        """The application's ``info``."""
        return self._app.info()

    async def _exclusive(self, function: Callable[[], _T]) -> _T:
        return function()

    def query_now(self, path: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """A synchronous JSON query (only from the event loop, between blocks).

        Raises
        ------
        QueryFailedError
            If the application answers with an error code.
        """
        data = json.dumps(request or {}).encode("utf-8")
        result = self._app.query(QueryRequest(path="/json" + path, data=data))
        if result.code != 0:
            raise QueryFailedError(path, result.code, result.codespace, result.log)
        parsed = json.loads(result.value) if result.value else {}
        return parsed if isinstance(parsed, dict) else {"value": parsed}

    async def query(self, path: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
        """:meth:`query_now` under the engine's exclusion."""
        return await self._exclusive(lambda: self.query_now(path, request))

    def record_block(self, block: BlockRecord) -> None:
        """Record a committed block and keep the network inference of each closed worker
        nonce (the consumer endpoint's history)."""
        self._event_log.record(block)
        for event in block.events:
            if not event.type.endswith(".EventWorkerLastCommitSet"):
                continue
            attributes = dict(event.attributes)
            try:
                topic_id = int(json.loads(attributes.get("topic_id", "0")))
                nonce_value = json.loads(attributes.get("nonce", "{}"))
                nonce = int(
                    nonce_value.get("block_height", 0)
                    if isinstance(nonce_value, dict)
                    else nonce_value
                )
            except (ValueError, TypeError):
                continue
            self._snapshot_inference(topic_id, nonce, block)

    def _snapshot_inference(self, topic_id: int, nonce: int, block: BlockRecord) -> None:
        try:
            latest = self.query_now(
                EMISSIONS_QUERY + "GetLatestNetworkInferences", {"topic_id": str(topic_id)}
            )
        except QueryFailedError as exc:
            logger.info("no network inference for topic %d nonce %d: %s", topic_id, nonce, exc)
            return
        self._event_log.put_snapshot(
            make_snapshot_key(topic_id, nonce),
            {"recorded_height": block.height, "recorded_time_ns": str(block.time_ns), **latest},
        )


class SoloBackend(AppBackend):
    """The in-process engine (module docstring).

    Parameters
    ----------
    app, event_log
        See :class:`AppBackend`.
    genesis
        The genesis (``init_chain`` on a fresh store).
    block_interval_ns
        Block time step of the driver's deterministic clock.
    """

    engine_name = "solo"

    def __init__(
        self,
        app: App,
        event_log: EventLog,
        genesis: GenesisDoc,
        *,
        block_interval_ns: int = 1_000_000_000,
        state_path: Path | None = None,
    ) -> None:
        super().__init__(app, event_log)
        self._captured: tuple[int, int, tuple[bytes, ...]] | None = None
        self._node = SoloNode(
            app,
            genesis,
            config=SoloConfig(block_interval_ns=max(block_interval_ns, 1)),
            on_block=self._capture,
            state_path=state_path,
        )

    def _capture(self, height: int, time_ns: int, txs: tuple[bytes, ...]) -> None:
        self._captured = (height, time_ns, txs)

    @property
    def node(self) -> SoloNode:
        """The block driver."""
        return self._node

    def produce_block(self) -> BlockRecord:
        """Make, execute, commit and record the next block."""
        result = self._node.produce_block()
        captured, self._captured = self._captured, None
        if captured is None:
            raise BackendError("the solo driver did not report its block")
        height, time_ns, txs = captured
        block = make_block_record(
            height=height,
            time_ns=time_ns,
            app_hash=result.app_hash,
            txs=txs,
            tx_results=result.tx_results,
            events=result.events,
            validator_updates=result.validator_updates,
        )
        self.record_block(block)
        return block

    async def run_blocks(self, interval_s: float) -> None:
        """Produce a block every ``interval_s`` seconds until cancelled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            deadline += interval_s
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            self.produce_block()

    async def broadcast(self, tx: bytes) -> TxResult:
        """CheckTx into the driver's mempool."""
        return self._node.submit(tx)

    async def get_tx(self, tx_hash: bytes) -> TxRecord | None:
        """From the event log."""
        return self._event_log.get_tx(tx_hash)

    async def get_validators(self) -> list[ConsensusValidator]:
        """The validator set of the next block, as the driver tracks it (CometBFT timing)."""
        return sorted(
            (
                ConsensusValidator(address=consensus_address(key), pub_key=key, power=power)
                for key, power in self._node.state.validators.items()
            ),
            key=lambda validator: validator.address,
        )


class CometBackend(AppBackend):
    """The CometBFT engine (module docstring).

    Parameters
    ----------
    app, event_log
        See :class:`AppBackend`.
    rpc_url
        CometBFT's JSON-RPC URL.

    The ABCI server serving ``app`` is attached with :meth:`attach`; its ``on_commit`` must
    be :meth:`on_commit`. Application calls run inline on the event loop (the server's
    default), so the commit hook and queries never overlap a consensus call.
    """

    engine_name = "cometbft"

    def __init__(self, app: App, event_log: EventLog, *, rpc_url: str) -> None:
        super().__init__(app, event_log)
        self._abci: AbciServer | None = None
        self._rpc_url = rpc_url
        self._rpc = AsyncCometRpc(rpc_url, timeout=30)

    def attach(self, abci: AbciServer) -> None:
        """Use ``abci``'s lock for queries."""
        self._abci = abci

    def request_stats(self) -> dict[str, RequestStats]:
        """The attached ABCI server's requests by kind."""
        return {} if self._abci is None else self._abci.request_stats

    @property
    def rpc_url(self) -> str | None:
        """CometBFT's RPC URL."""
        return self._rpc_url

    @property
    def rpc(self) -> AsyncCometRpc:
        """The JSON-RPC client."""
        return self._rpc

    async def _exclusive(self, function: Callable[[], _T]) -> _T:
        if self._abci is None:
            return function()
        return await self._abci.run_exclusive(function)

    def on_commit(self, block: CommittedBlock) -> None:
        """The ABCI server's post-commit hook: record the block."""
        request, result = block.request, block.result
        self.record_block(
            make_block_record(
                height=block.height,
                time_ns=request.time_ns,
                app_hash=result.app_hash,
                block_hash=request.hash,
                proposer=request.proposer_address,
                txs=request.txs,
                tx_results=result.tx_results,
                events=result.events,
                validator_updates=result.validator_updates,
            )
        )

    async def _call(self, call: Awaitable[_T]) -> _T:
        try:
            return await call
        except httpx.HTTPError as exc:
            raise BackendError(f"CometBFT RPC unreachable: {exc}") from exc

    async def broadcast(self, tx: bytes) -> TxResult:
        """``broadcast_tx_sync``: the CheckTx result."""
        try:
            answer = await self._call(self._rpc.broadcast_tx_sync(tx))
        except CometRpcError as exc:
            return compute_mempool_refusal(exc.data or exc.message)
        return TxResult(
            code=answer.code, codespace=answer.codespace, log=answer.log, data=answer.data
        )

    async def get_tx(self, tx_hash: bytes) -> TxRecord | None:
        """From the event log, else CometBFT's ``tx`` index."""
        found = self._event_log.get_tx(tx_hash)
        if found is not None:
            return found
        try:
            lookup = await self._call(self._rpc.tx(tx_hash))
        except CometRpcError:
            return None
        return TxRecord(
            hash=lookup.hash.upper(),
            height=lookup.height,
            index=lookup.index,
            tx=lookup.tx,
            result=lookup.tx_result,
        )

    async def get_validators(self) -> list[ConsensusValidator]:
        """CometBFT's ``validators`` (the current set)."""
        try:
            raw = await self._call(self._rpc.call("validators", per_page="100"))
        except CometRpcError as exc:
            raise BackendError(f"CometBFT validators: {exc}") from exc
        validators = []
        for entry in raw.get("validators") or ():
            key = base64.b64decode(entry["pub_key"]["value"])
            validators.append(
                ConsensusValidator(
                    address=bytes.fromhex(entry["address"]),
                    pub_key=key,
                    power=int(entry["voting_power"]),
                )
            )
        return sorted(validators, key=lambda validator: validator.address)

    async def aclose(self) -> None:
        """Close the RPC client."""
        await self._rpc.aclose()
