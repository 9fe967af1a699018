"""CometBFT v0.38.25 tooling: find the binary, prepare a home, run the process, talk JSON-RPC.

Implements INFRA.md §2–§3 for a single local node:

* :func:`find_cometbft` looks for the project-local ``.bin/cometbft`` (built by ``make
  cometbft``), then ``cometbft`` on ``PATH``;
* :func:`init_home` runs ``cometbft init`` and patches ``config.toml`` (proxy app, loopback RPC
  and P2P ports, no PEX, short local timeouts, kv tx indexer, empty blocks on; §3.3) and
  ``genesis.json`` (chain id, ``app_state``, initial height, genesis time; §3.2);
* :class:`CometBftProcess` starts and stops ``cometbft start`` (log in the home; SIGTERM, then
  SIGKILL after a timeout);
* :class:`CometRpc` and :class:`AsyncCometRpc` are thin sync/async twins of one JSON-RPC client
  over httpx (``status``, ``broadcast_tx_sync``/``_commit``, ``abci_query``, ``abci_info``,
  ``tx``, ``block``, ``block_results``); :func:`subscribe_events` follows the websocket.

CometBFT's JSON encodes 64-bit integers as strings, ``[]byte`` parameters and results as base64
and hashes as upper-case hex; the records below hold decoded ``int`` and ``bytes``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import tomllib
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import httpx
import websockets

from pyallora.chain.abci_types import Event, TxResult
from pyallora.core.errors import PyAlloraError
from pyallora.node.processes import stop_process

COMETBFT_VERSION: Final = "0.38.25"
"""The pinned CometBFT version (INFRA.md §2.2)."""

REPO_ROOT: Final = Path(__file__).resolve().parents[3]
"""The source checkout root (``src/pyallora/node/cometbft.py`` → repository)."""

APP_SOCKET_NAME: Final = "app.sock"
"""File name of the ABCI unix socket inside a node home."""

LOG_FILE_NAME: Final = "cometbft.log"
"""File name of the CometBFT log inside a node home."""

LOOPBACK: Final = "127.0.0.1"
"""Every local node listens on loopback only."""


class CometBftError(PyAlloraError):
    """A CometBFT node could not be found, prepared, started or reached."""


class CometBftNotFoundError(CometBftError):
    """No ``cometbft`` binary was found."""


class CometBftTimeoutError(CometBftError):
    """A bounded wait on the node ran out."""


class CometRpcError(CometBftError):
    """A JSON-RPC call returned an error object (or an unusable answer).

    Attributes
    ----------
    code, message, data
        The JSON-RPC error fields (``code`` −32603 is CometBFT's "Internal error").
    """

    def __init__(self, method: str, code: int, message: str, data: str = "") -> None:
        super().__init__(f"{method}: {message} ({code}) {data}".rstrip())
        self.method = method
        self.code = code
        self.message = message
        self.data = data


# --- binary ----------------------------------------------------------------------------------


def find_cometbft(binary: str | Path | None = None) -> Path:
    """Locate the CometBFT binary.

    Parameters
    ----------
    binary
        An explicit path; when given it must exist.

    Returns
    -------
    Path
        The repository's ``.bin/cometbft``, else the current directory's ``.bin/cometbft``,
        else ``cometbft`` on ``PATH``.

    Raises
    ------
    CometBftNotFoundError
        With the instruction to build it (``make cometbft``).
    """
    return _find_program("cometbft", binary, f"the cometbft binary (v{COMETBFT_VERSION})")


def find_abci_cli(binary: str | Path | None = None) -> Path:
    """Locate CometBFT's ``abci-cli`` (its reference Go ABCI socket server, which serves the
    ``kvstore`` application over the socket: ``allora bench node --ceiling``).

    Looked for as :func:`find_cometbft` looks for ``cometbft``: an explicit path, the
    repository's or the current directory's ``.bin/abci-cli``, then ``PATH``.

    Raises
    ------
    CometBftNotFoundError
        With the instruction to build it (``make abci-cli``).
    """
    return _find_program("abci-cli", binary, f"CometBFT's abci-cli (v{COMETBFT_VERSION})")


def _find_program(name: str, binary: str | Path | None, description: str) -> Path:
    """An explicit path (which must be executable), else ``.bin/NAME`` of the repository or
    of the current directory, else ``NAME`` on ``PATH``; else the instruction ``make NAME``."""
    if binary is not None:
        path = Path(binary)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise CometBftNotFoundError(f"no executable {name} at {path}")
    for candidate in (REPO_ROOT / ".bin" / name, Path.cwd() / ".bin" / name):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found is not None:
        return Path(found)
    raise CometBftNotFoundError(
        f"{description} was not found in .bin/ or on PATH: run `make {name}` (needs Go) to "
        "build it"
    )


def get_cometbft_version(binary: str | Path | None = None) -> str:
    """The version the binary reports (``"0.38.25"``)."""
    path = find_cometbft(binary)
    completed = subprocess.run(
        [str(path), "version"], capture_output=True, text=True, timeout=30, check=True
    )
    return completed.stdout.strip()


def find_free_port(host: str = LOOPBACK) -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# --- home ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CometHome:
    """A prepared node home and the addresses written into its ``config.toml``."""

    home: Path
    chain_id: str
    proxy_app: str
    rpc_port: int
    p2p_port: int

    @property
    def rpc_url(self) -> str:
        """HTTP JSON-RPC endpoint."""
        return f"http://{LOOPBACK}:{self.rpc_port}"

    @property
    def websocket_url(self) -> str:
        """JSON-RPC websocket endpoint (subscriptions)."""
        return f"ws://{LOOPBACK}:{self.rpc_port}/websocket"

    @property
    def config_path(self) -> Path:
        """``config/config.toml``."""
        return self.home / "config" / "config.toml"

    @property
    def genesis_path(self) -> Path:
        """``config/genesis.json``."""
        return self.home / "config" / "genesis.json"

    @property
    def log_path(self) -> Path:
        """Where :class:`CometBftProcess` writes the node's log."""
        return self.home / LOG_FILE_NAME


def format_toml_value(value: str | bool | int | Sequence[str]) -> str:
    """A TOML literal for a config value (basic string, boolean, integer or string array).

    >>> format_toml_value("500ms"), format_toml_value(True), format_toml_value(3)
    ('"500ms"', 'true', '3')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(json.dumps(item) for item in value) + "]"


def patch_config_toml(
    text: str, updates: Mapping[str, Mapping[str, str | bool | int | Sequence[str]]]
) -> str:
    """Replace values in a CometBFT ``config.toml`` while keeping its comments and layout.

    Parameters
    ----------
    text
        The file content.
    updates
        ``{section: {key: value}}``; the section ``""`` holds the top-level keys.

    Returns
    -------
    str
        The patched text.

    Raises
    ------
    CometBftError
        If a key is not present in its section (the template is not the expected one).

    >>> patch_config_toml('a = 1\\n[p2p]\\npex = true\\n', {"p2p": {"pex": False}})
    'a = 1\\n[p2p]\\npex = false\\n'
    """
    pending = {(section, key) for section, keys in updates.items() for key in keys}
    lines = text.splitlines(keepends=True)
    section = ""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped.strip("[]").strip()
            continue
        key, equals, _ = stripped.partition("=")
        key = key.strip()
        if not equals or (section, key) not in pending:
            continue
        value = updates[section][key]
        ending = "\n" if line.endswith("\n") else ""
        lines[index] = f"{key} = {format_toml_value(value)}{ending}"
        pending.discard((section, key))
    if pending:
        missing = ", ".join(f"[{s}] {k}" for s, k in sorted(pending))
        raise CometBftError(f"config.toml has no {missing}")
    return "".join(lines)


def format_genesis_time(time_ns: int) -> str:
    """RFC 3339 UTC with up to nine fraction digits, as Go's ``time.RFC3339Nano`` writes it.

    >>> format_genesis_time(1_700_000_000_120_000_000)
    '2023-11-14T22:13:20.12Z'
    """
    seconds, nanos = divmod(time_ns, 1_000_000_000)
    text = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{nanos:09d}".rstrip("0")
    return f"{text}.{fraction}Z" if fraction else f"{text}Z"


def _duration(milliseconds: int) -> str:
    return f"{milliseconds}ms"


def init_home(
    home: str | Path,
    *,
    chain_id: str,
    app_state: Mapping[str, object] | None = None,
    proxy_app: str | None = None,
    rpc_port: int | None = None,
    p2p_port: int | None = None,
    timeout_commit_ms: int = 500,
    timeout_propose_ms: int = 1000,
    timeout_vote_ms: int = 200,
    initial_height: int = 1,
    genesis_time_ns: int | None = None,
    moniker: str = "pyallora",
    log_level: str = "info",
    binary: str | Path | None = None,
) -> CometHome:
    """Create a single-validator CometBFT home ready for a local pyallora node.

    Parameters
    ----------
    home
        Directory to create (it may exist if it has no ``config/genesis.json`` yet).
    chain_id
        The chain id written to ``genesis.json``.
    app_state
        The application genesis (``genesis.json`` ``app_state`` →
        ``RequestInitChain.app_state_bytes``); ``None`` writes ``{}``.
    proxy_app
        The ABCI address; default ``unix://<home>/app.sock`` (absolute).
    rpc_port, p2p_port
        Loopback ports; free ones are chosen when ``None``.
    timeout_commit_ms, timeout_propose_ms, timeout_vote_ms
        ``timeout_commit``, ``timeout_propose`` and both ``timeout_prevote``/``_precommit``.
    initial_height
        The first block height.
    genesis_time_ns
        Genesis time in Unix nanoseconds; default now.
    moniker, log_level
        Node name and CometBFT log level.
    binary
        Explicit binary path (see :func:`find_cometbft`).

    Returns
    -------
    CometHome

    Raises
    ------
    CometBftError
        If ``cometbft init`` fails, the home is already initialised, or the template is unknown.
    """
    path = Path(home).resolve()
    if (path / "config" / "genesis.json").exists():
        raise CometBftError(f"{path} is already a CometBFT home (config/genesis.json exists)")
    executable = find_cometbft(binary)
    completed = subprocess.run(
        [str(executable), "init", "--home", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise CometBftError(f"cometbft init failed: {completed.stderr.strip()}")
    rpc = rpc_port if rpc_port is not None else find_free_port()
    p2p = p2p_port if p2p_port is not None else find_free_port()
    while p2p == rpc:
        p2p = find_free_port()
    proxy = proxy_app if proxy_app is not None else f"unix://{path / APP_SOCKET_NAME}"
    result = CometHome(home=path, chain_id=chain_id, proxy_app=proxy, rpc_port=rpc, p2p_port=p2p)
    config = patch_config_toml(
        result.config_path.read_text(),
        {
            "": {
                "proxy_app": proxy,
                "abci": "socket",
                "moniker": moniker,
                "log_level": log_level,
            },
            "rpc": {"laddr": f"tcp://{LOOPBACK}:{rpc}"},
            "p2p": {
                "laddr": f"tcp://{LOOPBACK}:{p2p}",
                "pex": False,
                "addr_book_strict": False,
                "allow_duplicate_ip": True,
            },
            "consensus": {
                "timeout_commit": _duration(timeout_commit_ms),
                "timeout_propose": _duration(timeout_propose_ms),
                "timeout_prevote": _duration(timeout_vote_ms),
                "timeout_precommit": _duration(timeout_vote_ms),
                "create_empty_blocks": True,
                "create_empty_blocks_interval": "0s",
            },
            "tx_index": {"indexer": "kv"},
        },
    )
    result.config_path.write_text(config)
    genesis = json.loads(result.genesis_path.read_text())
    genesis["chain_id"] = chain_id
    genesis["initial_height"] = str(initial_height)
    genesis["genesis_time"] = format_genesis_time(
        time.time_ns() if genesis_time_ns is None else genesis_time_ns
    )
    genesis["app_state"] = dict(app_state) if app_state is not None else {}
    result.genesis_path.write_text(json.dumps(genesis, indent=2, sort_keys=False) + "\n")
    return result


def load_home(home: str | Path) -> CometHome:
    """Read back the :class:`CometHome` of an initialised home (ports from ``config.toml``)."""
    path = Path(home).resolve()
    config = tomllib.loads((path / "config" / "config.toml").read_text())
    genesis = json.loads((path / "config" / "genesis.json").read_text())
    return CometHome(
        home=path,
        chain_id=str(genesis["chain_id"]),
        proxy_app=str(config["proxy_app"]),
        rpc_port=int(str(config["rpc"]["laddr"]).rsplit(":", 1)[1]),
        p2p_port=int(str(config["p2p"]["laddr"]).rsplit(":", 1)[1]),
    )


# --- process ---------------------------------------------------------------------------------


class CometBftProcess:
    """One ``cometbft start`` process for a home; a context manager that always stops it.

    Parameters
    ----------
    home
        The node home (its ``config.toml`` names the ports and the proxy app).
    binary
        Explicit binary path (see :func:`find_cometbft`).
    extra_args
        More ``cometbft start`` flags (e.g. ``("--proxy_app=kvstore",)``).
    log_path
        Where stdout and stderr go (appended); default ``<home>/cometbft.log``.
    """

    def __init__(
        self,
        home: CometHome | str | Path,
        *,
        binary: str | Path | None = None,
        extra_args: Sequence[str] = (),
        log_path: str | Path | None = None,
    ) -> None:
        self.home = home.home if isinstance(home, CometHome) else Path(home).resolve()
        self.binary = find_cometbft(binary)
        self.extra_args = tuple(extra_args)
        self.log_path = Path(log_path) if log_path is not None else self.home / LOG_FILE_NAME
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The process id while started."""
        return None if self._process is None else self._process.pid

    @property
    def returncode(self) -> int | None:
        """Exit status once the process has ended (``None`` while running or never started)."""
        return None if self._process is None else self._process.poll()

    def is_running(self) -> bool:
        """Whether the process was started and has not exited."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Launch ``cometbft start --home HOME`` in its own process group."""
        if self.is_running():
            raise CometBftError("cometbft is already running for this home")
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [str(self.binary), "start", "--home", str(self.home), *self.extra_args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; returns the exit status."""
        process = self._process
        if process is None:
            return None
        return stop_process(process, timeout, kill_wait=timeout)

    def kill(self) -> int | None:
        """SIGKILL at once (a crash); returns the exit status."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
        return process.wait(timeout=30)

    def read_log(self) -> str:
        """The log written so far (for diagnostics)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self) -> CometBftProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


# --- JSON-RPC records ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStatus:
    """``/status``: identity and sync state of the node."""

    node_id: str
    network: str
    version: str
    latest_block_height: int
    latest_block_hash: bytes
    latest_app_hash: bytes
    latest_block_time: str
    catching_up: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AbciInfo:
    """``/abci_info``: the application's ``ResponseInfo`` as CometBFT relays it."""

    data: str
    version: str
    app_version: int
    last_block_height: int
    last_block_app_hash: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class AbciQueryResponse:
    """``/abci_query``: the application's ``ResponseQuery``."""

    code: int
    codespace: str
    log: str
    key: bytes
    value: bytes
    height: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BroadcastResult:
    """``/broadcast_tx_sync``: the CheckTx outcome and the tx hash (upper-case hex)."""

    hash: str
    code: int
    codespace: str
    log: str
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitBroadcastResult:
    """``/broadcast_tx_commit``: CheckTx and (once in a block) the execution result."""

    hash: str
    height: int
    check_tx: TxResult
    tx_result: TxResult


@dataclass(frozen=True, slots=True, kw_only=True)
class TxLookup:
    """``/tx``: an indexed transaction."""

    hash: str
    height: int
    index: int
    tx: bytes
    tx_result: TxResult


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockInfo:
    """``/block``: the header fields pyallora uses, the transactions and the raw JSON."""

    height: int
    time: str
    hash: bytes
    app_hash: bytes
    last_results_hash: bytes
    proposer_address: bytes
    txs: tuple[bytes, ...]
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockResults:
    """``/block_results``: FinalizeBlock's results as CometBFT stored them."""

    height: int
    tx_results: tuple[TxResult, ...]
    events: tuple[Event, ...]
    app_hash: bytes
    raw: Mapping[str, Any]


def _b64(value: object) -> bytes:
    return base64.b64decode(str(value)) if value else b""


def _hex(value: object) -> bytes:
    return bytes.fromhex(str(value)) if value else b""


def _events(values: object) -> tuple[Event, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(
        Event(
            type=str(event.get("type", "")),
            attributes=tuple(
                (str(a.get("key", "")), str(a.get("value") or ""))
                for a in event.get("attributes") or ()
            ),
        )
        for event in values
    )


def parse_tx_result(raw: Mapping[str, Any]) -> TxResult:
    """A ``ResponseCheckTx``/``ExecTxResult`` JSON object as a :class:`TxResult`."""
    return TxResult(
        code=int(raw.get("code") or 0),
        codespace=str(raw.get("codespace") or ""),
        log=str(raw.get("log") or ""),
        info=str(raw.get("info") or ""),
        data=_b64(raw.get("data")),
        gas_wanted=int(raw.get("gas_wanted") or 0),
        gas_used=int(raw.get("gas_used") or 0),
        events=_events(raw.get("events")),
    )


def _parse_status(raw: Mapping[str, Any]) -> NodeStatus:
    node = raw["node_info"]
    sync = raw["sync_info"]
    return NodeStatus(
        node_id=str(node["id"]),
        network=str(node["network"]),
        version=str(node["version"]),
        latest_block_height=int(sync["latest_block_height"]),
        latest_block_hash=_hex(sync.get("latest_block_hash")),
        latest_app_hash=_hex(sync.get("latest_app_hash")),
        latest_block_time=str(sync.get("latest_block_time", "")),
        catching_up=bool(sync.get("catching_up")),
    )


def _parse_abci_info(raw: Mapping[str, Any]) -> AbciInfo:
    response = raw["response"]
    return AbciInfo(
        data=str(response.get("data") or ""),
        version=str(response.get("version") or ""),
        app_version=int(response.get("app_version") or 0),
        last_block_height=int(response.get("last_block_height") or 0),
        last_block_app_hash=_b64(response.get("last_block_app_hash")),
    )


def _parse_query(raw: Mapping[str, Any]) -> AbciQueryResponse:
    response = raw["response"]
    return AbciQueryResponse(
        code=int(response.get("code") or 0),
        codespace=str(response.get("codespace") or ""),
        log=str(response.get("log") or ""),
        key=_b64(response.get("key")),
        value=_b64(response.get("value")),
        height=int(response.get("height") or 0),
    )


def _parse_broadcast(raw: Mapping[str, Any]) -> BroadcastResult:
    return BroadcastResult(
        hash=str(raw["hash"]),
        code=int(raw.get("code") or 0),
        codespace=str(raw.get("codespace") or ""),
        log=str(raw.get("log") or ""),
        # ResultBroadcastTx.data is HexBytes in CometBFT v0.38 (ExecTxResult.data is base64).
        data=_hex(raw.get("data")),
    )


def _parse_commit_broadcast(raw: Mapping[str, Any]) -> CommitBroadcastResult:
    return CommitBroadcastResult(
        hash=str(raw["hash"]),
        height=int(raw.get("height") or 0),
        check_tx=parse_tx_result(raw.get("check_tx") or {}),
        tx_result=parse_tx_result(raw.get("tx_result") or {}),
    )


def _parse_tx(raw: Mapping[str, Any]) -> TxLookup:
    return TxLookup(
        hash=str(raw["hash"]),
        height=int(raw["height"]),
        index=int(raw.get("index") or 0),
        tx=_b64(raw.get("tx")),
        tx_result=parse_tx_result(raw.get("tx_result") or {}),
    )


def _parse_block(raw: Mapping[str, Any]) -> BlockInfo:
    header = raw["block"]["header"]
    return BlockInfo(
        height=int(header["height"]),
        time=str(header["time"]),
        hash=_hex(raw["block_id"]["hash"]),
        app_hash=_hex(header.get("app_hash")),
        last_results_hash=_hex(header.get("last_results_hash")),
        proposer_address=_hex(header.get("proposer_address")),
        txs=tuple(_b64(tx) for tx in raw["block"]["data"].get("txs") or ()),
        raw=raw,
    )


def _parse_block_results(raw: Mapping[str, Any]) -> BlockResults:
    return BlockResults(
        height=int(raw["height"]),
        tx_results=tuple(parse_tx_result(r) for r in raw.get("txs_results") or ()),
        events=_events(raw.get("finalize_block_events")),
        app_hash=_b64(raw.get("app_hash")),
        raw=raw,
    )


def _tx_hash_param(tx_hash: str | bytes) -> str:
    digest = bytes.fromhex(tx_hash) if isinstance(tx_hash, str) else tx_hash
    return base64.b64encode(digest).decode()


def _height_params(height: int | None) -> dict[str, object]:
    return {} if height is None else {"height": str(height)}


class _RpcBase:
    """Request building and answer checking shared by the sync and async clients."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._next_id = 0

    def _payload(self, method: str, params: Mapping[str, object]) -> dict[str, object]:
        self._next_id += 1
        return {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": dict(params)}

    @staticmethod
    def _result(method: str, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as exc:
            raise CometRpcError(method, response.status_code, "not a JSON answer") from exc
        if not isinstance(body, dict):
            raise CometRpcError(method, response.status_code, "not a JSON-RPC answer")
        error = body.get("error")
        if error:
            raise CometRpcError(
                method,
                int(error.get("code", 0)),
                str(error.get("message", "")),
                str(error.get("data", "")),
            )
        result = body.get("result")
        if not isinstance(result, dict):
            raise CometRpcError(method, response.status_code, "answer without a result")
        return result


class CometRpc(_RpcBase):
    """Synchronous CometBFT JSON-RPC client.

    Parameters
    ----------
    url
        ``http://127.0.0.1:PORT`` (see :attr:`CometHome.rpc_url`).
    timeout
        Per-request timeout in seconds (``broadcast_tx_commit`` waits for a block).
    transport
        Optional httpx transport (tests use ``httpx.MockTransport``).
    """

    def __init__(
        self, url: str, *, timeout: float = 30, transport: httpx.BaseTransport | None = None
    ) -> None:
        super().__init__(url)
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> CometRpc:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def call(self, method: str, **params: object) -> dict[str, Any]:
        """Any JSON-RPC method with already-encoded parameters; the raw ``result`` object.

        Raises
        ------
        CometRpcError
            For an error answer.
        httpx.HTTPError
            When the node cannot be reached.
        """
        response = self._client.post(self.url, json=self._payload(method, params))
        return self._result(method, response)

    def status(self) -> NodeStatus:
        """``/status``."""
        return _parse_status(self.call("status"))

    def abci_info(self) -> AbciInfo:
        """``/abci_info``."""
        return _parse_abci_info(self.call("abci_info"))

    def abci_query(
        self, path: str, data: bytes = b"", *, height: int = 0, prove: bool = False
    ) -> AbciQueryResponse:
        """``/abci_query`` (``data`` travels as hex)."""
        return _parse_query(
            self.call("abci_query", path=path, data=data.hex(), height=str(height), prove=prove)
        )

    def broadcast_tx_sync(self, tx: bytes) -> BroadcastResult:
        """``/broadcast_tx_sync``: returns after CheckTx."""
        return _parse_broadcast(self.call("broadcast_tx_sync", tx=base64.b64encode(tx).decode()))

    def broadcast_tx_commit(self, tx: bytes) -> CommitBroadcastResult:
        """``/broadcast_tx_commit``: returns once the tx is in a block (or CheckTx failed)."""
        return _parse_commit_broadcast(
            self.call("broadcast_tx_commit", tx=base64.b64encode(tx).decode())
        )

    def tx(self, tx_hash: str | bytes, *, prove: bool = False) -> TxLookup:
        """``/tx`` by hash (hex text or raw bytes); needs the kv indexer."""
        return _parse_tx(self.call("tx", hash=_tx_hash_param(tx_hash), prove=prove))

    def block(self, height: int | None = None) -> BlockInfo:
        """``/block`` at ``height`` (latest when ``None``)."""
        return _parse_block(self.call("block", **_height_params(height)))

    def block_results(self, height: int | None = None) -> BlockResults:
        """``/block_results`` at ``height`` (latest when ``None``)."""
        return _parse_block_results(self.call("block_results", **_height_params(height)))

    def wait_for_height(
        self, height: int, *, timeout: float, process: CometBftProcess | None = None
    ) -> NodeStatus:
        """Poll ``/status`` until the latest block height reaches ``height``.

        Raises
        ------
        CometBftTimeoutError
            After ``timeout`` seconds, or at once if ``process`` has exited.
        """
        deadline = time.monotonic() + timeout
        last_error = ""
        while True:
            if process is not None and process.returncode is not None:
                raise CometBftTimeoutError(
                    f"cometbft exited with status {process.returncode} before height {height}"
                )
            try:
                status = self.status()
                if status.latest_block_height >= height:
                    return status
                last_error = f"at height {status.latest_block_height}"
            except (httpx.HTTPError, CometRpcError) as exc:
                last_error = str(exc) or type(exc).__name__
            if time.monotonic() >= deadline:
                raise CometBftTimeoutError(
                    f"height {height} not reached within {timeout} s ({last_error})"
                )
            time.sleep(0.05)


class AsyncCometRpc(_RpcBase):
    """Asynchronous twin of :class:`CometRpc` (same methods, awaited)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(url)
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def __aenter__(self) -> AsyncCometRpc:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def call(self, method: str, **params: object) -> dict[str, Any]:
        """Any JSON-RPC method; the raw ``result`` object (see :meth:`CometRpc.call`)."""
        response = await self._client.post(self.url, json=self._payload(method, params))
        return self._result(method, response)

    async def status(self) -> NodeStatus:
        """``/status``."""
        return _parse_status(await self.call("status"))

    async def abci_info(self) -> AbciInfo:
        """``/abci_info``."""
        return _parse_abci_info(await self.call("abci_info"))

    async def abci_query(
        self, path: str, data: bytes = b"", *, height: int = 0, prove: bool = False
    ) -> AbciQueryResponse:
        """``/abci_query``."""
        return _parse_query(
            await self.call(
                "abci_query", path=path, data=data.hex(), height=str(height), prove=prove
            )
        )

    async def broadcast_tx_sync(self, tx: bytes) -> BroadcastResult:
        """``/broadcast_tx_sync``."""
        return _parse_broadcast(
            await self.call("broadcast_tx_sync", tx=base64.b64encode(tx).decode())
        )

    async def broadcast_tx_commit(self, tx: bytes) -> CommitBroadcastResult:
        """``/broadcast_tx_commit``."""
        return _parse_commit_broadcast(
            await self.call("broadcast_tx_commit", tx=base64.b64encode(tx).decode())
        )

    async def tx(self, tx_hash: str | bytes, *, prove: bool = False) -> TxLookup:
        """``/tx`` by hash."""
        return _parse_tx(await self.call("tx", hash=_tx_hash_param(tx_hash), prove=prove))

    async def block(self, height: int | None = None) -> BlockInfo:
        """``/block``."""
        return _parse_block(await self.call("block", **_height_params(height)))

    async def block_results(self, height: int | None = None) -> BlockResults:
        """``/block_results``."""
        return _parse_block_results(await self.call("block_results", **_height_params(height)))


async def subscribe_events(
    websocket_url: str, query: str = "tm.event='NewBlock'"
) -> AsyncGenerator[dict[str, Any], None]:
    """Yield the ``result`` of each event matching ``query`` from the node's websocket.

    Parameters
    ----------
    websocket_url
        ``ws://127.0.0.1:PORT/websocket`` (:attr:`CometHome.websocket_url`).
    query
        A CometBFT event query (``tm.event='NewBlock'``, ``tm.event='Tx'``, ...).

    Yields
    ------
    dict
        Each notification's ``result`` (``query``, ``data``, ``events``).

    Raises
    ------
    CometRpcError
        If the subscription is refused.
    """
    async with websockets.connect(websocket_url, max_size=None) as connection:
        request = {"jsonrpc": "2.0", "id": 1, "method": "subscribe", "params": {"query": query}}
        await connection.send(json.dumps(request))
        async for message in connection:
            body = json.loads(message)
            if body.get("error"):
                error = body["error"]
                raise CometRpcError(
                    "subscribe",
                    int(error.get("code", 0)),
                    str(error.get("message", "")),
                    str(error.get("data", "")),
                )
            result = body.get("result")
            if isinstance(result, dict) and result.get("data") is not None:
                yield result
