"""Fixtures for the tests that run a real CometBFT v0.38.25 against the pyallora ABCI server.

Every test here is marked ``integration`` and skipped, loudly, when the binary is missing (build
it with ``make cometbft``). Processes are always stopped in teardown, even after a failure, and
their logs are printed then (pytest shows them for failing tests).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyallora.node.cometbft import (
    CometBftNotFoundError,
    CometBftProcess,
    CometHome,
    CometRpc,
    find_cometbft,
    init_home,
)

HERE = Path(__file__).resolve().parent
APP_SCRIPT = HERE / "abci_kvstore_app.py"
START_TIMEOUT = 30.0


@pytest.fixture(scope="session")
def cometbft_binary() -> Path:
    """The CometBFT binary, or a loud skip telling how to build it."""
    try:
        return find_cometbft()
    except CometBftNotFoundError as exc:
        pytest.skip(f"INTEGRATION TESTS SKIPPED: {exc}")


class KVNode:
    """One validator: CometBFT plus the key=value test application in its own process."""

    def __init__(
        self,
        base: Path,
        binary: Path,
        *,
        chain_id: str,
        app_state: dict[str, Any],
        timeout_commit_ms: int = 200,
    ) -> None:
        self.base = base
        self.binary = binary
        self.comet_home: CometHome = init_home(
            base / "cometbft",
            chain_id=chain_id,
            app_state=app_state,
            timeout_commit_ms=timeout_commit_ms,
            timeout_propose_ms=1000,
            timeout_vote_ms=200,
            binary=binary,
        )
        self.app_home = base / "app"
        self.app_home.mkdir()
        self.app_log = base / "app.log"
        self.app: subprocess.Popen[bytes] | None = None
        self.comet: CometBftProcess | None = None
        self.rpc = CometRpc(self.comet_home.rpc_url, timeout=30)

    @property
    def socket_path(self) -> Path:
        """The ABCI unix socket (``proxy_app`` of the home)."""
        return Path(self.comet_home.proxy_app.removeprefix("unix://"))

    def start_app(self, *, commit_delay_ms: int = 0) -> None:
        """Start the application process and wait until it listens."""
        self.socket_path.unlink(missing_ok=True)  # a stale socket of a killed run
        with self.app_log.open("ab") as log:
            self.app = subprocess.Popen(
                [
                    sys.executable,
                    str(APP_SCRIPT),
                    "--home",
                    str(self.app_home),
                    "--address",
                    self.comet_home.proxy_app,
                    "--commit-delay-ms",
                    str(commit_delay_ms),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._app_listening():
            if self.app.poll() is not None:
                raise RuntimeError(f"the application exited: {self.app_log.read_text()}")
            if time.monotonic() > deadline:
                raise TimeoutError("the application did not start listening")
            time.sleep(0.02)

    def _app_listening(self) -> bool:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(self.socket_path))
        except OSError:
            return False
        finally:
            probe.close()
        return True

    def start_comet(self, *, wait_height: int = 1) -> None:
        """Start CometBFT and wait until it produced ``wait_height``."""
        self.comet = CometBftProcess(self.comet_home, binary=self.binary)
        self.comet.start()
        self.rpc.wait_for_height(wait_height, timeout=START_TIMEOUT, process=self.comet)

    def start(self, *, commit_delay_ms: int = 0) -> None:
        """Start the application, then CometBFT (the order an operator uses)."""
        self.start_app(commit_delay_ms=commit_delay_ms)
        self.start_comet()

    def kill_app(self) -> None:
        """SIGKILL the application (a crash)."""
        if self.app is not None and self.app.poll() is None:
            self.app.kill()
            self.app.wait(timeout=10)

    def stop(self) -> None:
        """Stop CometBFT, then the application (SIGTERM, SIGKILL after a timeout)."""
        if self.comet is not None:
            self.comet.stop(timeout=10)
        if self.app is not None and self.app.poll() is None:
            self.app.terminate()
            try:
                self.app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.app.kill()
                self.app.wait(timeout=10)

    def journal(self) -> list[list[str]]:
        """The application's journal, one list of fields per line."""
        path = self.app_home / "journal.log"
        return [line.split() for line in path.read_text().splitlines()] if path.exists() else []

    def close(self) -> None:
        """Stop everything and print the log tails (shown by pytest when a test fails)."""
        try:
            self.stop()
        finally:
            self.rpc.close()
            for name, path in (("app", self.app_log), ("cometbft", self.comet_home.log_path)):
                if path.exists():
                    tail = path.read_text(errors="replace").splitlines()[-40:]
                    print(f"----- {name} log tail -----", *tail, sep="\n")


@pytest.fixture
def kv_node_factory(tmp_path: Path, cometbft_binary: Path) -> Iterator[Callable[..., KVNode]]:
    """Make :class:`KVNode` instances that are always stopped at teardown."""
    nodes: list[KVNode] = []

    def make(name: str = "node", **options: Any) -> KVNode:
        node = KVNode(tmp_path / name, cometbft_binary, **options)
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.close()
