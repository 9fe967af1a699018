"""The ABCI 2.0 socket server that lets CometBFT v0.38.25 drive an :class:`Application`.

Implements INFRA.md §4 (socket protocol) over asyncio:

* listens on ``unix://PATH`` or ``tcp://HOST:PORT`` and accepts the four unlabelled connections
  CometBFT opens (query, snapshot, mempool, consensus); any request is served on any connection;
* per connection, answers in request order, exactly one response per request, including a
  ``ResponseFlush`` for each ``RequestFlush``; responses computed from one socket read are
  written together and the writer is drained on every Flush;
* all application calls, from every connection, pass one at a time through a single FIFO lock, so
  consensus calls are applied in arrival order and no two calls interleave mid-state-change;
  by default they run inline on the event loop (handlers never await while the application
  runs); an optional one-thread executor keeps the loop responsive for a co-hosted HTTP API;
* state sync is not served: ListSnapshots is empty, OfferSnapshot is REJECTed, chunks are empty,
  ApplySnapshotChunk ABORTs; vote extensions are empty and only empty ones are ACCEPTed;
* application errors are result codes inside responses; **an exception escaping the application
  is a bug**: it is logged, nothing is answered, the server stops and :meth:`AbciServer.wait`
  raises :class:`ApplicationFailedError` (``run_abci_server`` exits with status 1). A
  ``ResponseException`` is never sent: it would stop CometBFT after a possibly wrong answer.

Hooks for the node process: :class:`AbciServer` is started and awaited inside any running event
loop (next to an HTTP server), ``on_commit`` receives each :class:`CommittedBlock`, and
:meth:`AbciServer.run_exclusive` runs a callable under the application lock.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Callable, Collection
from concurrent.futures import Executor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Final, TypeVar

from pyallora.abci.framing import FrameDecoder, FramingError, encode_frame
from pyallora.abci.translate import (
    OFFER_SNAPSHOT_REJECT,
    ApplySnapshotChunkRequest,
    ApplySnapshotChunkResponse,
    CheckTxRequest,
    CommitRequest,
    EchoRequest,
    EchoResponse,
    ExtendVoteRequest,
    ExtendVoteResponse,
    FlushRequest,
    FlushResponse,
    InfoRequest,
    ListSnapshotsRequest,
    ListSnapshotsResponse,
    LoadSnapshotChunkRequest,
    LoadSnapshotChunkResponse,
    OfferSnapshotRequest,
    OfferSnapshotResponse,
    PrepareProposalResponse,
    ProcessProposalResponse,
    RequestRecord,
    ResponseRecord,
    TranslationError,
    VerifyVoteExtensionRequest,
    VerifyVoteExtensionResponse,
    decode_request,
    encode_response,
    get_request_method,
)
from pyallora.chain.abci_types import (
    Application,
    CommitResult,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    InitChainRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
)
from pyallora.core.encoding import MAX_MESSAGE_LENGTH
from pyallora.core.errors import PyAlloraError

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

READ_SIZE: Final = 1 << 16
"""Bytes asked for per socket read."""

WRITE_HIGH_WATER: Final = 1 << 20
"""Buffered output above which the writer is drained even without a Flush."""


class AbciServerError(PyAlloraError):
    """The ABCI server cannot run as configured (bad address, socket in use)."""


class ApplicationFailedError(PyAlloraError):
    """The application raised instead of answering: a bug; the server stopped.

    Attributes
    ----------
    method
        The ``Request`` oneof being served (``"finalize_block"``, ...).
    """

    def __init__(self, method: str, cause: BaseException) -> None:
        super().__init__(f"the application failed in {method}: {cause!r}")
        self.method = method
        self.cause = cause


@dataclass(frozen=True, slots=True, kw_only=True)
class CommittedBlock:
    """A block the application has just committed: what ``on_commit`` receives."""

    height: int
    request: FinalizeBlockRequest
    result: FinalizeBlockResult
    commit: CommitResult


@dataclass(slots=True)
class RequestStats:
    """How many requests of one kind the server answered, and the time they took: the
    application call for application methods, the commit observer for ``on_commit``."""

    count: int = 0
    seconds: float = 0.0


CommitCallback = Callable[[CommittedBlock], object]
"""Called on the event loop with each committed block, once the application's ``commit``
returned and before the Commit answer is sent. It must return quickly (e.g. ``put_nowait`` on a
queue) and never wait on CometBFT: a blocking ``broadcast_tx*`` call from here deadlocks the node
(INFRA.md §4.4)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenAddress:
    """A parsed ``unix://PATH`` or ``tcp://HOST:PORT`` address."""

    scheme: str
    path: str = ""
    host: str = ""
    port: int = 0

    def __str__(self) -> str:
        if self.scheme == "unix":
            return f"unix://{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


def parse_address(address: str) -> ListenAddress:
    """Parse a CometBFT ``proxy_app`` style address.

    Parameters
    ----------
    address
        ``unix://PATH`` (``unix:///abs/app.sock`` or ``unix://rel.sock``) or
        ``tcp://HOST:PORT`` (``[::1]`` for IPv6; port 0 picks a free port).

    Returns
    -------
    ListenAddress

    Raises
    ------
    AbciServerError
        For another scheme or a malformed host/port.

    >>> parse_address("tcp://127.0.0.1:26658")
    ListenAddress(scheme='tcp', path='', host='127.0.0.1', port=26658)
    >>> str(parse_address("unix:///tmp/app.sock"))
    'unix:///tmp/app.sock'
    """
    scheme, sep, rest = address.partition("://")
    if not sep or not rest:
        raise AbciServerError(f"expected unix://PATH or tcp://HOST:PORT, got {address!r}")
    if scheme == "unix":
        return ListenAddress(scheme="unix", path=rest)
    if scheme == "tcp":
        host, colon, port_text = rest.rpartition(":")
        if not colon or not host or not port_text.isdigit() or int(port_text) > 65535:
            raise AbciServerError(f"expected tcp://HOST:PORT, got {address!r}")
        return ListenAddress(scheme="tcp", host=host.strip("[]"), port=int(port_text))
    raise AbciServerError(f"unsupported ABCI address scheme {scheme!r} in {address!r}")


class ApplicationContractError(PyAlloraError):
    """The application returned something the protocol cannot carry (a bug in the application)."""


class _StopServing(Exception):
    """Internal: the application failed; this connection must close without answering."""


class AbciServer:
    """An ABCI 2.0 socket server around one :class:`Application`.

    Parameters
    ----------
    app
        The application; only ever called under the server's lock.
    on_commit
        Optional observer of committed blocks (the node's live event stream). Its exceptions
        are logged and ignored: an observer never stops consensus.
    executor
        Optional executor for application calls (use a one-thread pool); ``None`` runs them
        inline on the event loop.
    max_frame_length
        Largest accepted request frame.
    index_events
        The event attributes CometBFT's indexer should index, as ``"type.key"`` strings
        (the Cosmos SDK's ``index-events``); empty: all of them.

    Examples
    --------
    Inside a running event loop, next to another server::

        async with AbciServer(app, on_commit=queue.put_nowait) as abci:
            await abci.start("unix:///home/node/app.sock")
            await asyncio.gather(abci.wait(), http_server.serve())
    """

    def __init__(
        self,
        app: Application,
        *,
        on_commit: CommitCallback | None = None,
        executor: Executor | None = None,
        max_frame_length: int = MAX_MESSAGE_LENGTH,
        index_events: Collection[str] = (),
    ) -> None:
        self._app = app
        self._index_events = frozenset(index_events) or None
        self._on_commit = on_commit
        self._executor = executor
        self._max_frame_length = max_frame_length
        self._lock = asyncio.Lock()
        self._server: asyncio.Server | None = None
        self._address: ListenAddress | None = None
        self._connections: dict[int, asyncio.Task[None]] = {}
        self._next_connection = 0
        self._stopped = asyncio.Event()
        self._failure: ApplicationFailedError | None = None
        self._last_finalize: tuple[FinalizeBlockRequest, FinalizeBlockResult] | None = None
        self._stop_task: asyncio.Task[None] | None = None
        self._stats: dict[str, RequestStats] = {}

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def address(self) -> str:
        """The bound address (``tcp://…:PORT`` shows the real port when 0 was asked)."""
        if self._address is None:
            raise AbciServerError("the ABCI server is not started")
        return str(self._address)

    @property
    def failure(self) -> ApplicationFailedError | None:
        """The application failure that stopped the server, if any."""
        return self._failure

    @property
    def request_stats(self) -> dict[str, RequestStats]:
        """Per kind of request, since the server was made (a copy): the ABCI method names
        (``check_tx``, ``finalize_block``, ...), ``recheck_tx`` for CheckTx of type RECHECK,
        and ``on_commit`` for the commit observer. Wall-clock time on the event loop, for
        operators (``GET /metrics``); nothing of consensus depends on it."""
        return {
            name: RequestStats(count=stats.count, seconds=stats.seconds)
            for name, stats in sorted(self._stats.items())
        }

    def _count(self, name: str, seconds: float) -> None:
        stats = self._stats.get(name)
        if stats is None:
            stats = self._stats[name] = RequestStats()
        stats.count += 1
        stats.seconds += seconds

    @property
    def connection_count(self) -> int:
        """Number of open client connections."""
        return len(self._connections)

    async def start(self, address: str) -> None:
        """Bind ``address`` and start accepting connections (returns once listening).

        Raises
        ------
        AbciServerError
            If the address is malformed or cannot be bound.
        """
        if self._server is not None:
            raise AbciServerError("the ABCI server is already started")
        parsed = parse_address(address)
        try:
            if parsed.scheme == "unix":
                path = Path(parsed.path)
                if path.is_socket():
                    path.unlink()  # a stale socket from a killed run
                self._server = await asyncio.start_unix_server(self._accept, path=parsed.path)
                self._address = parsed
            else:
                self._server = await asyncio.start_server(
                    self._accept, host=parsed.host, port=parsed.port
                )
                bound = self._server.sockets[0].getsockname()
                self._address = ListenAddress(scheme="tcp", host=parsed.host, port=int(bound[1]))
        except OSError as exc:
            raise AbciServerError(f"cannot listen on {address}: {exc}") from exc
        logger.info("ABCI server listening on %s", self._address)

    async def wait(self) -> None:
        """Wait until the server stops.

        Raises
        ------
        ApplicationFailedError
            If it stopped because the application raised.
        """
        await self._stopped.wait()
        if self._failure is not None:
            raise self._failure

    async def stop(self) -> None:
        """Stop listening, close every connection and wait for their handlers (idempotent).

        Concurrent and repeated calls wait for the same shutdown; cancelling the caller does
        not interrupt it.
        """
        await asyncio.shield(self._begin_stop())

    def _begin_stop(self) -> asyncio.Task[None]:
        if self._stop_task is None:
            self._stop_task = asyncio.get_running_loop().create_task(self._shutdown())
        return self._stop_task

    async def _shutdown(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        tasks = list(self._connections.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()
            if self._address is not None and self._address.scheme == "unix":
                with suppress(FileNotFoundError):
                    Path(self._address.path).unlink()
        self._stopped.set()

    async def __aenter__(self) -> AbciServer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def run_exclusive(self, function: Callable[[], _T]) -> _T:
        """Run ``function`` under the application lock (never between two state changes).

        The node's HTTP API uses this to read application state consistently.
        """
        async with self._lock:
            if self._executor is None:
                return function()
            return await asyncio.get_running_loop().run_in_executor(self._executor, function)

    # --- connections ----------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is None or self._server is None:
            writer.close()
            return
        number = self._next_connection
        self._next_connection += 1
        self._connections[number] = task
        logger.debug("ABCI connection %d opened", number)
        try:
            await self._serve_connection(number, reader, writer)
        except asyncio.CancelledError:
            pass
        except (FramingError, TranslationError) as exc:
            logger.error("ABCI connection %d: protocol error, closing it: %s", number, exc)
        except ConnectionError as exc:
            logger.info("ABCI connection %d lost: %s", number, exc)
        except _StopServing:
            pass
        finally:
            del self._connections[number]
            writer.close()
            with suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()
            logger.debug("ABCI connection %d closed", number)

    async def _serve_connection(
        self, number: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        decoder = FrameDecoder(max_length=self._max_frame_length)
        while True:
            data = await reader.read(READ_SIZE)
            if not data:
                logger.debug("ABCI connection %d: end of stream", number)
                return
            frames: list[bytes] = []
            flush = False
            for payload in decoder.feed(data):
                request = decode_request(payload)
                response = await self._respond(request)
                encoded = encode_response(response, index_events=self._index_events)
                frames.append(encode_frame(encoded))
                flush = flush or isinstance(request, FlushRequest)
            if frames:
                writer.write(b"".join(frames))
                transport = writer.transport
                if flush or transport.get_write_buffer_size() > WRITE_HIGH_WATER:
                    await writer.drain()

    # --- requests -------------------------------------------------------------------------

    async def _respond(self, request: RequestRecord) -> ResponseRecord:
        """Compute the response to one request (application calls go through the lock)."""
        match request:
            case FlushRequest():
                response: ResponseRecord = FlushResponse()
            case EchoRequest():
                response = EchoResponse(message=request.message)
            case ListSnapshotsRequest():
                response = ListSnapshotsResponse()
            case OfferSnapshotRequest():
                response = OfferSnapshotResponse(result=OFFER_SNAPSHOT_REJECT)
            case LoadSnapshotChunkRequest():
                response = LoadSnapshotChunkResponse()
            case ApplySnapshotChunkRequest():
                response = ApplySnapshotChunkResponse()
            case ExtendVoteRequest():
                response = ExtendVoteResponse()
            case VerifyVoteExtensionRequest():
                response = VerifyVoteExtensionResponse(accept=not request.vote_extension)
            case _:
                return await self._respond_from_app(request)
        self._count(get_request_method(request), 0.0)
        return response

    async def _respond_from_app(self, request: RequestRecord) -> ResponseRecord:
        method = get_request_method(request)
        async with self._lock:
            if self._failure is not None:
                raise _StopServing
            started = time.perf_counter()
            try:
                if self._executor is None:
                    response = self._call_app(request)
                else:
                    loop = asyncio.get_running_loop()
                    response = await loop.run_in_executor(self._executor, self._call_app, request)
            except Exception as exc:
                self._fail(method, exc)
                raise _StopServing from exc
            recheck = isinstance(request, CheckTxRequest) and request.recheck
            self._count("recheck_tx" if recheck else method, time.perf_counter() - started)
        if isinstance(request, CommitRequest):
            started = time.perf_counter()
            self._notify_commit(response)
            self._count("on_commit", time.perf_counter() - started)
        return response

    def _call_app(self, request: RequestRecord) -> ResponseRecord:
        app = self._app
        match request:
            case InfoRequest():
                return app.info()
            case InitChainRequest():
                return app.init_chain(request)
            case QueryRequest():
                return app.query(request)
            case CheckTxRequest():
                return app.check_tx(request.tx, recheck=request.recheck)
            case PrepareProposalRequest():
                return PrepareProposalResponse(txs=tuple(app.prepare_proposal(request)))
            case ProcessProposalRequest():
                return ProcessProposalResponse(accept=bool(app.process_proposal(request)))
            case FinalizeBlockRequest():
                result = app.finalize_block(request)
                if len(result.tx_results) != len(request.txs):
                    raise ApplicationContractError(
                        f"finalize_block returned {len(result.tx_results)} tx results "
                        f"for {len(request.txs)} transactions at height {request.height}"
                    )
                self._last_finalize = (request, result)
                return result
            case CommitRequest():
                return app.commit()
        raise ApplicationContractError(f"no application call for {type(request).__name__}")

    def _notify_commit(self, response: ResponseRecord) -> None:
        finalized, self._last_finalize = self._last_finalize, None
        if self._on_commit is None or finalized is None or not isinstance(response, CommitResult):
            return
        request, result = finalized
        block = CommittedBlock(
            height=request.height, request=request, result=result, commit=response
        )
        try:
            self._on_commit(block)
        except Exception:
            logger.exception("on_commit observer failed at height %d (ignored)", request.height)

    def _fail(self, method: str, exc: Exception) -> None:
        if self._failure is not None:
            return
        logger.critical(
            "the application raised in %s; stopping the ABCI server", method, exc_info=exc
        )
        self._failure = ApplicationFailedError(method, exc)
        self._begin_stop()


async def serve(
    app: Application,
    address: str,
    *,
    on_commit: CommitCallback | None = None,
    on_ready: Callable[[str], object] | None = None,
    executor: Executor | None = None,
) -> None:
    """Serve ``app`` on ``address`` until cancelled (clean stop) or the application fails.

    Parameters
    ----------
    app
        The application.
    address
        ``unix://PATH`` or ``tcp://HOST:PORT``.
    on_commit
        Observer of committed blocks (see :class:`AbciServer`).
    on_ready
        Called with the bound address once the server listens.
    executor
        Optional executor for application calls.

    Raises
    ------
    ApplicationFailedError
        If the application raised (the server has stopped).
    AbciServerError
        If the address cannot be bound.
    """
    server = AbciServer(app, on_commit=on_commit, executor=executor)
    async with server:
        await server.start(address)
        if on_ready is not None:
            on_ready(server.address)
        await server.wait()


def run_abci_server(
    app: Application, address: str, *, on_commit: CommitCallback | None = None
) -> None:
    """Run :func:`serve` in a fresh event loop until SIGINT/SIGTERM (a process entry point).

    Returns normally after a signal (clean shutdown).

    Raises
    ------
    SystemExit
        With status 1 when the application failed: the process must exit non-zero.
    """

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if task is None:
            raise AbciServerError("run_abci_server needs a task")
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        try:
            await serve(app, address, on_commit=on_commit)
        except asyncio.CancelledError:
            logger.info("ABCI server stopped by signal")

    try:
        asyncio.run(main())
    except ApplicationFailedError as exc:
        logger.critical("exiting: %s", exc)
        raise SystemExit(1) from exc
