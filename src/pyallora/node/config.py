"""The node's own configuration file, ``<home>/config.toml`` (what ``allora start`` runs).

The file is written by ``allora init`` and read by ``allora start`` and ``allora status``.
It holds what the node process needs and CometBFT does not: the engine, the chain id, the
HTTP API address, the mempool's minimum gas price, the solo block time, and where the CometBFT
home is. CometBFT's own settings stay in ``<home>/cometbft/config/config.toml``.

Example (``allora init`` picks free loopback ports)::

    # pyallora node configuration (allora init)
    chain_id = "allora-local"
    engine = "cometbft"
    min_gas_price = 0

    [api]
    host = "127.0.0.1"
    port = 38101
    max_page_size = 1000
    max_wait_ms = 60000

    [index]
    events = []

    [solo]
    block_time_ms = 1000

    [cometbft]
    home = "cometbft"
    rpc_port = 38102
    p2p_port = 38103

``[index] events`` lists the event attributes CometBFT's indexer indexes, each as
``"type.key"`` (``"transfer.recipient"``), as the Cosmos SDK's ``index-events`` does; empty
(the default) indexes all of them. A validator that nobody searches may list only what its
users query (``tx.hash`` and ``tx.height`` are always indexed by CometBFT): each indexed
attribute costs CometBFT a database write per transaction.

Relative paths are relative to the node home, so a home can be moved as a whole (the CometBFT
``proxy_app`` socket path excepted, which CometBFT needs absolute).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, Literal

from pyallora.core.errors import PyAlloraError

Engine = Literal["cometbft", "solo"]
"""How blocks are made: a CometBFT process over ABCI, or the in-process solo driver."""

ENGINES: Final[tuple[Engine, ...]] = ("cometbft", "solo")
"""Accepted engine names."""

CONFIG_FILE_NAME: Final = "config.toml"
"""The node configuration file inside a home."""

RUN_FILE_NAME: Final = "run.json"
"""Written by a running node inside its home: pid, engine and listen addresses."""

DEFAULT_HOME: Final = Path("~/.pyallora")
"""The default node home (``~`` expanded when used)."""

DEFAULT_CHAIN_ID: Final = "allora-local"
"""Chain id of a fresh local network."""

DEFAULT_BLOCK_TIME_MS: Final = 1000
"""Solo engine: milliseconds between blocks."""

DEFAULT_MAX_PAGE_SIZE: Final = 1000
"""Largest page any list endpoint of the API returns."""

DEFAULT_MAX_WAIT_MS: Final = 60_000
"""Longest wait for a tx's inclusion one API request may ask for."""

MAX_INDEX_EVENT_LENGTH: Final = 256
"""Longest ``index.events`` entry."""

LOOPBACK: Final = "127.0.0.1"
"""Local nodes listen on loopback only."""


class NodeConfigError(PyAlloraError):
    """The node configuration is missing or invalid."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeConfig:
    """The content of ``<home>/config.toml`` (module docstring)."""

    chain_id: str = DEFAULT_CHAIN_ID
    """The chain id (must equal the genesis one)."""
    engine: Engine = "cometbft"
    """Default engine of ``allora start`` (``--solo`` overrides it)."""
    min_gas_price: int = 0
    """Mempool policy: the smallest accepted fee is ``min_gas_price × gas_limit`` uallo."""
    api_host: str = LOOPBACK
    """Address the HTTP API binds."""
    api_port: int = 0
    """Port of the HTTP API (0: a free port at start)."""
    max_page_size: int = DEFAULT_MAX_PAGE_SIZE
    """Cap on page sizes of list endpoints."""
    max_wait_ms: int = DEFAULT_MAX_WAIT_MS
    """Cap on the inclusion waits of ``POST /v1/txs`` and ``GET /v1/txs/{hash}``."""
    block_time_ms: int = DEFAULT_BLOCK_TIME_MS
    """Solo engine: time between blocks (0: blocks only on demand)."""
    cometbft_home: str = "cometbft"
    """CometBFT home, relative to the node home unless absolute."""
    rpc_port: int = 0
    """CometBFT RPC port (written into CometBFT's config at init)."""
    p2p_port: int = 0
    """CometBFT P2P port (written into CometBFT's config at init)."""
    index_events: tuple[str, ...] = ()
    """Event attributes (``"type.key"``) CometBFT indexes; empty: all (module docstring)."""

    def validate(self) -> None:
        """Check every field.

        Raises
        ------
        NodeConfigError
            Naming the first bad field.
        """
        if not self.chain_id or len(self.chain_id) > 50 or not self.chain_id.isprintable():
            raise NodeConfigError(f"invalid chain_id {self.chain_id!r:.60}")
        if self.engine not in ENGINES:
            raise NodeConfigError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine}")
        if self.min_gas_price < 0:
            raise NodeConfigError("min_gas_price must not be negative")
        for name, port in (
            ("api.port", self.api_port),
            ("cometbft.rpc_port", self.rpc_port),
            ("cometbft.p2p_port", self.p2p_port),
        ):
            if not 0 <= port <= 65535:
                raise NodeConfigError(f"{name} must be a port number (0-65535), not {port}")
        if not 1 <= self.max_page_size <= 100_000:
            raise NodeConfigError("api.max_page_size must be between 1 and 100000")
        if not 0 <= self.max_wait_ms <= DEFAULT_MAX_WAIT_MS:
            raise NodeConfigError(f"api.max_wait_ms must be between 0 and {DEFAULT_MAX_WAIT_MS}")
        if self.block_time_ms < 0:
            raise NodeConfigError("solo.block_time_ms must not be negative")
        if not self.api_host:
            raise NodeConfigError("api.host must not be empty")
        for entry in self.index_events:
            event_type, dot, key = entry.rpartition(".")
            if not (dot and event_type and key) or len(entry) > MAX_INDEX_EVENT_LENGTH:
                raise NodeConfigError(
                    f'index.events entries must be "type.key" strings, not {entry!r:.60}'
                )
            if not entry.isprintable() or any(c.isspace() for c in entry):
                raise NodeConfigError(f"index.events entry {entry!r:.60} has a space or control")

    def with_overrides(self, **changes: Any) -> NodeConfig:
        """A validated copy with some fields replaced (``None`` values are ignored)."""
        updated = replace(self, **{k: v for k, v in changes.items() if v is not None})
        updated.validate()
        return updated

    def resolve_cometbft_home(self, home: Path) -> Path:
        """The CometBFT home as an absolute path."""
        path = Path(self.cometbft_home).expanduser()
        return path if path.is_absolute() else (home / path).resolve()

    def to_toml(self) -> str:
        """The file text (module docstring)."""
        return "\n".join(
            (
                "# pyallora node configuration (allora init); CometBFT's settings are in",
                "# <cometbft home>/config/config.toml.",
                f"chain_id = {_quote(self.chain_id)}",
                f'engine = "{self.engine}"  # "cometbft" or "solo" (allora start --solo)',
                f"min_gas_price = {self.min_gas_price}  # uallo per unit of gas (mempool policy)",
                "",
                "[api]",
                f"host = {_quote(self.api_host)}",
                f"port = {self.api_port}",
                f"max_page_size = {self.max_page_size}",
                f"max_wait_ms = {self.max_wait_ms}",
                "",
                "[index]",
                '# event attributes CometBFT indexes, as "type.key"; empty: all of them',
                f"events = [{', '.join(_quote(entry) for entry in self.index_events)}]",
                "",
                "[solo]",
                f"block_time_ms = {self.block_time_ms}",
                "",
                "[cometbft]",
                f"home = {_quote(self.cometbft_home)}",
                f"rpc_port = {self.rpc_port}",
                f"p2p_port = {self.p2p_port}",
                "",
            )
        )

    @classmethod
    def from_toml(cls, text: str) -> NodeConfig:
        """Parse the file text; missing keys take their defaults.

        Raises
        ------
        NodeConfigError
            If the text is not TOML or a value has the wrong type or range.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise NodeConfigError(f"config.toml is not valid TOML: {exc}") from exc
        api = _section(data, "api")
        solo = _section(data, "solo")
        comet = _section(data, "cometbft")
        index = _section(data, "index")
        events = _get(index, "events", list, [])
        if not all(isinstance(entry, str) for entry in events):
            raise NodeConfigError("index.events must be a list of strings")
        config = cls(
            chain_id=_get(data, "chain_id", str, DEFAULT_CHAIN_ID),
            engine=_get(data, "engine", str, "cometbft"),
            min_gas_price=_get(data, "min_gas_price", int, 0),
            api_host=_get(api, "host", str, LOOPBACK),
            api_port=_get(api, "port", int, 0),
            max_page_size=_get(api, "max_page_size", int, DEFAULT_MAX_PAGE_SIZE),
            max_wait_ms=_get(api, "max_wait_ms", int, DEFAULT_MAX_WAIT_MS),
            block_time_ms=_get(solo, "block_time_ms", int, DEFAULT_BLOCK_TIME_MS),
            cometbft_home=_get(comet, "home", str, "cometbft"),
            rpc_port=_get(comet, "rpc_port", int, 0),
            p2p_port=_get(comet, "p2p_port", int, 0),
            index_events=tuple(events),
        )
        config.validate()
        return config


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise NodeConfigError(f"[{name}] must be a table")
    return value


def _get(data: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = data.get(key, default)
    if type(value) is not kind:
        raise NodeConfigError(f"{key} must be of type {kind.__name__}, got {value!r:.60}")
    return value


def get_config_path(home: Path) -> Path:
    """``<home>/config.toml``."""
    return home / CONFIG_FILE_NAME


def load_node_config(home: Path) -> NodeConfig:
    """Read ``<home>/config.toml``.

    Raises
    ------
    NodeConfigError
        If the file is missing (the home was never initialised) or invalid.
    """
    path = get_config_path(home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NodeConfigError(
            f"{home} is not a node home (no {CONFIG_FILE_NAME}): run `allora init --home {home}`"
        ) from exc
    return NodeConfig.from_toml(text)


def save_node_config(home: Path, config: NodeConfig) -> Path:
    """Write ``<home>/config.toml``; returns its path."""
    config.validate()
    path = get_config_path(home)
    path.write_text(config.to_toml(), encoding="utf-8")
    return path


def get_run_file_path(home: Path) -> Path:
    """``<home>/run.json``."""
    return home / RUN_FILE_NAME


def resolve_home(home: str | Path | None) -> Path:
    """An absolute node home (``None``: :data:`DEFAULT_HOME`)."""
    return Path(home if home is not None else DEFAULT_HOME).expanduser().resolve()
