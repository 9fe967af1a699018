"""Typed records of the node API's answers (the wire shapes: :mod:`pyallora.node.api.schemas`).

Each record has ``from_json`` (the API's JSON → record). Amounts are ``int`` uallo; hashes
upper-case hex text; raw bytes ``bytes``. Pass-through answers of the emissions, staking and
mint endpoints stay :data:`JSONDict` (the chain's proto-JSON).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, NewType

JSONDict = dict[str, Any]
"""A JSON object as the node sent it."""

TxHash = NewType("TxHash", str)
"""Upper-case hex SHA-256 of a tx's bytes."""


def _events(values: Any) -> tuple[TxEvent, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(
        TxEvent(
            type=str(event.get("type", "")),
            attributes=tuple(
                (str(a.get("key", "")), str(a.get("value", "")))
                for a in event.get("attributes") or ()
            ),
        )
        for event in values
        if isinstance(event, dict)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TxEvent:
    """A Cosmos event of a tx or block (typed events carry proto-JSON values)."""

    type: str
    attributes: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first attribute named ``key``."""
        for name, value in self.attributes:
            if name == key:
                return value
        return default


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStatus:
    """``GET /v1/status``."""

    height: int
    app_hash: str
    engine: str
    api: str
    chain_id: str
    rpc: str | None = None
    latest_block_time: str | None = None
    earliest_height: int = 0
    version: str = ""

    @classmethod
    def from_json(cls, data: JSONDict) -> NodeStatus:
        """Parse the API answer."""
        return cls(
            height=int(data["height"]),
            app_hash=str(data["app_hash"]),
            engine=str(data["engine"]),
            api=str(data["api"]),
            chain_id=str(data["chain_id"]),
            rpc=data.get("rpc"),
            latest_block_time=data.get("latest_block_time"),
            earliest_height=int(data.get("earliest_height") or 0),
            version=str(data.get("version", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """``GET /v1/accounts/{address}``."""

    address: str
    account_number: int
    sequence: int
    pub_key: bytes | None = None

    @classmethod
    def from_json(cls, data: JSONDict) -> Account:
        """Parse the API answer."""
        key = data.get("pub_key")
        return cls(
            address=str(data["address"]),
            account_number=int(data["account_number"]),
            sequence=int(data["sequence"]),
            pub_key=bytes.fromhex(key) if key else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Coin:
    """An amount of one denomination."""

    denom: str
    amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TxResult:
    """A transaction's CheckTx or block result."""

    code: int
    codespace: str = ""
    log: str = ""
    gas_wanted: int = 0
    gas_used: int = 0
    data: bytes = b""
    events: tuple[TxEvent, ...] = ()

    @property
    def ok(self) -> bool:
        """Code 0."""
        return self.code == 0

    @classmethod
    def from_json(cls, data: JSONDict) -> TxResult:
        """Parse a ``TxResultModel``."""
        return cls(
            code=int(data["code"]),
            codespace=str(data.get("codespace", "")),
            log=str(data.get("log", "")),
            gas_wanted=int(data.get("gas_wanted") or 0),
            gas_used=int(data.get("gas_used") or 0),
            data=base64.b64decode(data.get("data") or ""),
            events=_events(data.get("events")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BroadcastResult:
    """``POST /v1/txs``: the CheckTx outcome (and, when waited for, the block result)."""

    tx_hash: TxHash
    check: TxResult
    included: bool = False
    height: int | None = None
    result: TxResult | None = None

    @classmethod
    def from_json(cls, data: JSONDict) -> BroadcastResult:
        """Parse the API answer."""
        result = data.get("tx_result")
        return cls(
            tx_hash=TxHash(str(data["tx_hash"])),
            check=TxResult(
                code=int(data["code"]),
                codespace=str(data.get("codespace", "")),
                log=str(data.get("log", "")),
                gas_wanted=int(data.get("gas_wanted") or 0),
                gas_used=int(data.get("gas_used") or 0),
            ),
            included=bool(data.get("included")),
            height=data.get("height"),
            result=TxResult.from_json(result) if isinstance(result, dict) else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TxInfo:
    """``GET /v1/txs/{hash}``: a committed transaction."""

    hash: TxHash
    height: int
    index: int
    tx: bytes
    sender: str
    result: TxResult

    @classmethod
    def from_json(cls, data: JSONDict) -> TxInfo:
        """Parse the API answer."""
        return cls(
            hash=TxHash(str(data["hash"])),
            height=int(data["height"]),
            index=int(data["index"]),
            tx=base64.b64decode(data.get("tx") or ""),
            sender=str(data.get("sender", "")),
            result=TxResult.from_json(data["result"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockTx:
    """A transaction inside a :class:`BlockInfo`."""

    hash: TxHash
    index: int
    code: int
    codespace: str
    log: str
    gas_used: int
    sender: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockInfo:
    """``GET /v1/blocks/{height}``."""

    height: int
    time: str
    time_ns: int
    app_hash: str
    block_hash: str
    proposer: str
    txs: tuple[BlockTx, ...] = ()
    events: tuple[TxEvent, ...] = ()

    @classmethod
    def from_json(cls, data: JSONDict) -> BlockInfo:
        """Parse the API answer."""
        return cls(
            height=int(data["height"]),
            time=str(data["time"]),
            time_ns=int(data["time_ns"]),
            app_hash=str(data["app_hash"]),
            block_hash=str(data.get("block_hash", "")),
            proposer=str(data.get("proposer", "")),
            txs=tuple(
                BlockTx(
                    hash=TxHash(str(tx["hash"])),
                    index=int(tx["index"]),
                    code=int(tx["code"]),
                    codespace=str(tx.get("codespace", "")),
                    log=str(tx.get("log", "")),
                    gas_used=int(tx.get("gas_used") or 0),
                    sender=str(tx.get("sender", "")),
                )
                for tx in data.get("txs") or ()
            ),
            events=_events(data.get("events")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainEvent:
    """One message of the node's event stream (types: :mod:`pyallora.node.events`)."""

    type: str
    height: int
    seq: int
    data: JSONDict = field(default_factory=dict)

    @classmethod
    def from_json(cls, message: JSONDict) -> ChainEvent:
        """Parse a stream message."""
        data = {k: v for k, v in message.items() if k not in ("type", "height", "seq")}
        return cls(
            type=str(message["type"]),
            height=int(message["height"]),
            seq=int(message["seq"]),
            data=data,
        )

    @property
    def position(self) -> tuple[int, int]:
        """``(height, seq)``: the stream position (for resuming)."""
        return self.height, self.seq
