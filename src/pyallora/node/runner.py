"""The node process: application, engine and HTTP API on one event loop (``allora start``).

:class:`NodeRunner` opens the home's lmdb state under an :class:`~pyallora.chain.app.App`,
the node's :class:`~pyallora.node.events.EventLog`, and then either

* **cometbft**: the ABCI server on the home's ``proxy_app`` address, then a ``cometbft
  start`` child process (creating its home first if ``allora init`` ran without the binary);
  blocks are recorded from the ABCI post-commit hook; or
* **solo**: the in-process block driver, producing a block every ``block_time_ms``;

and serves the API (:func:`~pyallora.node.api.app.create_api`) with uvicorn on the same loop.
While it runs, ``<home>/run.json`` names the process id, engine and URLs (``allora status``
reads it).

Stopping (SIGINT, SIGTERM, or the ``stop`` event): CometBFT first (SIGTERM, waited for off
the loop so the application keeps answering it until it exits), then the ABCI server, so the
application's last commit is complete; then the event stream (subscribers are told the node
is going away), the API, and the store. If CometBFT, the ABCI server or the block loop fails,
the node stops the same way and :meth:`NodeRunner.run` raises :class:`NodeRunError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeVar

import uvicorn
from fastapi import FastAPI

from pyallora.abci.server import AbciServer
from pyallora.chain.app import App
from pyallora.core.errors import PyAlloraError
from pyallora.node.api.app import create_api
from pyallora.node.api.backend import CometBackend, SoloBackend
from pyallora.node.cometbft import CometBftProcess, find_cometbft
from pyallora.node.config import Engine, NodeConfig, load_node_config
from pyallora.node.events import EventLog
from pyallora.node.home import (
    NodeHome,
    NodeHomeError,
    compute_node_modules,
    ensure_cometbft_home,
    load_genesis,
)
from pyallora.storage import open_committed_store

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

ENGINE_MARKER: Final = "engine"
"""File in ``<home>/data`` naming the engine that produced the chain."""

COMETBFT_STOP_TIMEOUT: Final = 20.0
"""Seconds CometBFT gets to exit after SIGTERM before SIGKILL."""

API_STOP_TIMEOUT: Final = 10.0
"""Seconds the API gets to close its connections."""

API_BACKLOG: Final = 2048
"""Pending connections the API's socket queues (uvicorn's default; 128 drops bursts of
consumers connecting at once)."""

API_KEEP_ALIVE_S: Final = 30
"""Seconds an idle kept-alive API connection stays open (consumers poll once per block or
so; a reconnect costs more than the request)."""

DEFAULT_SOLO_CLOCK_MS: Final = 1000
"""Solo clock step when the configured block time is 0 (blocks on demand)."""


NODE_GC_THRESHOLDS: Final = (20_000, 50, 100)
"""Python's collector thresholds in a running node (default ``(700, 10, 10)``). A tx creates
a few hundred short-lived objects, nearly all freed by reference counting; with the default
the young generation is scanned every few txs. Measured on the benchmark's bank sends (check,
block execution, commit; in process): 3–6 % less CPU per tx."""


def _freeze_startup_heap() -> None:
    """Move everything alive after start-up out of the garbage collector's reach, and make
    young collections rarer (:data:`NODE_GC_THRESHOLDS`).

    The modules, the application and the caches built at start-up live as long as the node;
    without this every full collection walks them again, a pause of tens of milliseconds that
    lands in whichever block is running (measured with ``allora bench epoch``).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*NODE_GC_THRESHOLDS)


class NodeRunError(PyAlloraError):
    """The node could not start, or one of its parts failed while running."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeAddresses:
    """Where a running node listens (also written to ``run.json``)."""

    pid: int
    engine: str
    chain_id: str
    api: str
    rpc: str | None
    home: str

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


class _ApiServer(uvicorn.Server):
    """uvicorn without its own signal handling (the runner owns the signals)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only for
    # sockets whose proto is TCP; without it every keep-alive response waits ~40 ms (Nagle
    # against delayed ACKs).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise NodeRunError(f"the API cannot listen on {host}:{port}: {exc}") from exc
    sock.listen(API_BACKLOG)
    sock.setblocking(False)
    return sock


def _format_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def check_engine_marker(home: NodeHome, engine: str, last_height: int) -> None:
    """Refuse to continue a chain with another engine than the one that produced it.

    Raises
    ------
    NodeRunError
        If blocks exist and ``<home>/data/engine`` names another engine.
    """
    marker = home.path / "data" / ENGINE_MARKER
    recorded = marker.read_text(encoding="utf-8").strip() if marker.exists() else ""
    if recorded and recorded != engine and last_height > 0:
        raise NodeRunError(
            f"this home's chain was produced with the {recorded} engine (height "
            f"{last_height}); start it with the same engine"
            + (" (--solo)" if recorded == "solo" else " (without --solo)")
        )
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(engine + "\n", encoding="utf-8")


class NodeRunner:
    """One node process (module docstring).

    Parameters
    ----------
    home
        An initialised node home.
    engine
        Override of the configured engine.
    api_host, api_port
        Override of the API address (port 0: a free port).
    block_time_ms
        Solo: override of the block pace (0: blocks only via :meth:`produce_block`).
    cometbft_binary
        Explicit CometBFT binary.
    """

    def __init__(
        self,
        home: Path,
        *,
        engine: Engine | None = None,
        api_host: str | None = None,
        api_port: int | None = None,
        block_time_ms: int | None = None,
        cometbft_binary: str | Path | None = None,
    ) -> None:
        self.home = NodeHome(path=Path(home).expanduser().resolve())
        if not self.home.is_initialised():
            raise NodeHomeError(
                f"{self.home.path} is not a node home: run `allora init --home {self.home.path}`"
            )
        base = load_node_config(self.home.path)
        self.config: NodeConfig = base.with_overrides(
            engine=engine, api_host=api_host, api_port=api_port
        )
        self._clock_ms = base.block_time_ms or DEFAULT_SOLO_CLOCK_MS
        self._pace_ms = base.block_time_ms if block_time_ms is None else block_time_ms
        if self._pace_ms < 0:
            raise NodeRunError("the block time must not be negative")
        self._binary = cometbft_binary
        self._backend: CometBackend | SoloBackend | None = None
        self._addresses: NodeAddresses | None = None
        self._api: FastAPI | None = None

    @property
    def api(self) -> FastAPI:
        """The running HTTP API application.

        Raises
        ------
        NodeRunError
            Before the node has started.
        """
        if self._api is None:
            raise NodeRunError("the node is not running")
        return self._api

    @property
    def backend(self) -> CometBackend | SoloBackend:
        """The running backend.

        Raises
        ------
        NodeRunError
            Before the node has started.
        """
        if self._backend is None:
            raise NodeRunError("the node is not running")
        return self._backend

    @property
    def addresses(self) -> NodeAddresses | None:
        """Where the node listens, once started."""
        return self._addresses

    def produce_block(self) -> int:
        """Solo: make one block now (on the node's loop); returns its height.

        Raises
        ------
        NodeRunError
            If the engine is not solo.
        """
        backend = self.backend
        if not isinstance(backend, SoloBackend):
            raise NodeRunError("blocks on demand need the solo engine")
        return backend.produce_block().height

    async def run(
        self,
        *,
        stop: asyncio.Event | None = None,
        on_ready: Callable[[NodeAddresses], object] | None = None,
    ) -> None:
        """Run until ``stop`` is set (or a part fails); always shuts down cleanly.

        Raises
        ------
        NodeRunError
            If the node cannot start, or a part failed while running.
        """
        stop = stop if stop is not None else asyncio.Event()
        config = self.config
        genesis = load_genesis(self.home)
        if genesis.chain_id != config.chain_id:
            raise NodeRunError(
                f"config.toml names chain {config.chain_id!r} but genesis.json {genesis.chain_id!r}"
            )
        store = open_committed_store(self.home.application_dir)
        try:
            check_engine_marker(self.home, config.engine, store.get_last_height())
            comet_home = None
            if config.engine == "cometbft":
                binary = find_cometbft(self._binary)
                comet_home = ensure_cometbft_home(self.home, config, genesis, binary=binary)
            sock = _bind(config.api_host, config.api_port)
        except BaseException:
            store.close()
            raise
        app = App(store, modules=compute_node_modules(), min_gas_price=config.min_gas_price)
        event_log = EventLog(self.home.index_dir)
        _freeze_startup_heap()
        tasks: dict[str, asyncio.Task[Any]] = {}
        process: CometBftProcess | None = None
        abci: AbciServer | None = None
        server: _ApiServer | None = None
        failure: BaseException | None = None
        try:
            api_url = _format_url(config.api_host, int(sock.getsockname()[1]))
            backend: CometBackend | SoloBackend
            if comet_home is not None:
                comet = CometBackend(app, event_log, rpc_url=comet_home.rpc_url)
                backend = self._backend = comet
                abci = AbciServer(app, on_commit=comet.on_commit, index_events=config.index_events)
                comet.attach(abci)
                await abci.start(comet_home.proxy_app)
                tasks["abci"] = asyncio.create_task(abci.wait())
                process = CometBftProcess(comet_home, binary=find_cometbft(self._binary))
                process.start()
                tasks["cometbft"] = asyncio.create_task(_watch_process(process))
            else:
                solo = SoloBackend(
                    app,
                    event_log,
                    genesis,
                    block_interval_ns=self._clock_ms * 1_000_000,
                    state_path=self.home.application_dir / "solo_driver.json",
                )
                backend = self._backend = solo
                if self._pace_ms > 0:
                    tasks["blocks"] = asyncio.create_task(solo.run_blocks(self._pace_ms / 1000))
            api = self._api = create_api(
                backend,
                api_url=api_url,
                max_page_size=config.max_page_size,
                max_wait_ms=config.max_wait_ms,
            )
            server = _ApiServer(
                uvicorn.Config(
                    api,
                    # httptools when installed (several times faster than h11), else h11
                    http="auto",
                    interface="asgi3",
                    log_level="warning",
                    access_log=False,
                    # no reverse proxy in front by default; it would wrap every request
                    proxy_headers=False,
                    server_header=False,
                    backlog=API_BACKLOG,
                    timeout_keep_alive=API_KEEP_ALIVE_S,
                    lifespan="off",
                    timeout_graceful_shutdown=int(API_STOP_TIMEOUT),
                )
            )
            tasks["api"] = asyncio.create_task(server.serve(sockets=[sock]))
            while not server.started:
                if tasks["api"].done():
                    break
                await asyncio.sleep(0.01)
            self._addresses = NodeAddresses(
                pid=os.getpid(),
                engine=config.engine,
                chain_id=config.chain_id,
                api=api_url,
                rpc=backend.rpc_url,
                home=str(self.home.path),
            )
            self.home.run_file.write_text(json.dumps(self._addresses.to_json()) + "\n")
            if on_ready is not None and not tasks["api"].done():
                on_ready(self._addresses)
            stopper = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait(
                {stopper, *tasks.values()}, return_when=asyncio.FIRST_COMPLETED
            )
            stopper.cancel()
            for name, task in tasks.items():
                if task in done:
                    failure = _describe_failure(name, task, process)
                    break
        finally:
            await self._shutdown(tasks, process, abci, server, event_log, app)
            with contextlib.suppress(FileNotFoundError):
                self.home.run_file.unlink()
            sock.close()
        if failure is not None:
            raise NodeRunError(str(failure)) from failure

    async def _shutdown(
        self,
        tasks: dict[str, asyncio.Task[Any]],
        process: CometBftProcess | None,
        abci: AbciServer | None,
        server: _ApiServer | None,
        event_log: EventLog,
        app: App,
    ) -> None:
        if process is not None:
            logger.info("stopping CometBFT")
            await asyncio.to_thread(process.stop, COMETBFT_STOP_TIMEOUT)
        if abci is not None:
            await abci.stop()
        for name in ("blocks", "cometbft"):
            task = tasks.get(name)
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        event_log.close()
        if server is not None:
            server.should_exit = True
            api_task = tasks.get("api")
            if api_task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(api_task, API_STOP_TIMEOUT + 5)
        if isinstance(self._backend, CometBackend):
            await self._backend.aclose()
        abci_task = tasks.get("abci")
        if abci_task is not None and not abci_task.done():
            abci_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            if abci_task is not None:
                await abci_task
        app.close()
        self._backend = None
        self._api = None


async def _watch_process(process: CometBftProcess) -> int:
    while True:
        code = process.returncode
        if code is not None:
            return code
        await asyncio.sleep(0.2)


def _describe_failure(
    name: str, task: asyncio.Task[Any], process: CometBftProcess | None
) -> BaseException:
    if task.cancelled():
        return NodeRunError(f"{name} was cancelled")
    exc = task.exception()
    if name == "cometbft":
        tail = "\n".join(process.read_log().splitlines()[-20:]) if process else ""
        return NodeRunError(f"CometBFT exited with status {task.result()}:\n{tail}")
    if exc is not None:
        return NodeRunError(f"{name} failed: {exc!r}") if not isinstance(exc, Exception) else exc
    return NodeRunError(f"{name} stopped unexpectedly")


def run_node(
    home: Path,
    *,
    engine: Engine | None = None,
    api_port: int | None = None,
    block_time_ms: int | None = None,
    cometbft_binary: str | Path | None = None,
    on_ready: Callable[[NodeAddresses], object] | None = None,
) -> None:
    """Run a node in this process until SIGINT or SIGTERM (``allora start``).

    Raises
    ------
    NodeRunError, NodeHomeError
        If the node cannot start or a part fails.
    """
    runner = NodeRunner(
        home,
        engine=engine,
        api_port=api_port,
        block_time_ms=block_time_ms,
        cometbft_binary=cometbft_binary,
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await runner.run(stop=stop, on_ready=on_ready)
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

    asyncio.run(main())


class BackgroundNode:
    """A :class:`NodeRunner` on its own thread and event loop (tests, notebooks, agents).

    Use as a context manager; :meth:`call` runs a function on the node's loop.

    Parameters
    ----------
    home
        An initialised node home.
    start_timeout
        Seconds to wait for the API to listen.
    options
        Passed to :class:`NodeRunner`.
    """

    def __init__(self, home: Path, *, start_timeout: float = 60.0, **options: Any) -> None:
        self.runner = NodeRunner(home, **options)
        self._start_timeout = start_timeout
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def addresses(self) -> NodeAddresses:
        """Where the node listens.

        Raises
        ------
        NodeRunError
            Before it started.
        """
        if self.runner.addresses is None:
            raise NodeRunError("the node has not started")
        return self.runner.addresses

    @property
    def api_url(self) -> str:
        """The API's base URL."""
        return self.addresses.api

    def _main(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await self.runner.run(stop=self._stop, on_ready=lambda _: self._ready.set())

        try:
            asyncio.run(main())
        except BaseException as exc:
            self._error = exc
        finally:
            self._ready.set()

    def start(self) -> BackgroundNode:
        """Start the node and wait until its API listens.

        Raises
        ------
        NodeRunError
            If it does not start in time or fails while starting.
        """
        self._thread = threading.Thread(target=self._main, name="pyallora-node", daemon=True)
        self._thread.start()
        if not self._ready.wait(self._start_timeout):
            self.stop()
            raise NodeRunError(f"the node did not start within {self._start_timeout} s")
        if self._error is not None:
            error, self._error = self._error, None
            raise NodeRunError(f"the node failed to start: {error}") from error
        return self

    def call(self, function: Callable[[], _T], timeout: float = 30.0) -> _T:
        """Run ``function`` on the node's event loop and return its result."""

        async def wrapper() -> _T:
            return function()

        return self.run_coroutine(wrapper(), timeout)

    def run_coroutine(self, coroutine: Coroutine[Any, Any, _T], timeout: float = 30.0) -> _T:
        """Run a coroutine on the node's event loop and return its result."""
        if self._loop is None:
            coroutine.close()
            raise NodeRunError("the node is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def produce_block(self) -> int:
        """Solo: make one block now; returns its height."""
        return self.call(self.runner.produce_block)

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the node and wait for its thread (idempotent).

        Raises
        ------
        NodeRunError
            If the node had failed while running.
        """
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            deadline = time.monotonic() + timeout
            self._thread.join(max(0.0, deadline - time.monotonic()))
            if self._thread.is_alive():
                raise NodeRunError("the node thread did not stop in time")
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise NodeRunError(f"the node failed: {error}") from error

    def __enter__(self) -> BackgroundNode:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
