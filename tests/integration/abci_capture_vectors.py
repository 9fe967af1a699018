"""Record real ABCI request bytes from CometBFT v0.38.25 into ``tests/data/abci/``.

A recording proxy sits between CometBFT and the pyallora ABCI server (running the key=value
test application): it forwards bytes both ways unchanged and keeps, per connection, everything
CometBFT sent. CometBFT opens its connections in the order query, snapshot, mempool, consensus
(INFRA.md §4.4), so the streams are saved as ``<name>.bin`` under those names, cut after the
block following the one holding the test transaction (the other streams before the extra RPC
calls). ``manifest.json`` records the inputs; ``rpc_v0.38.25.json`` keeps raw JSON-RPC answers
of the methods :class:`pyallora.node.cometbft.CometRpc` wraps.

Usage (needs ``.bin/cometbft``): ``.venv/bin/python tests/integration/abci_capture_vectors.py``
"""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
from pathlib import Path
from typing import Any

import httpx
from abci_kvstore_app import FileKVApp

from pyallora.abci.framing import FrameDecoder, encode_frame
from pyallora.abci.server import AbciServer
from pyallora.abci.translate import CommitRequest, decode_request
from pyallora.chain.abci_types import FinalizeBlockRequest
from pyallora.node.cometbft import (
    AsyncCometRpc,
    CometBftProcess,
    CometRpcError,
    get_cometbft_version,
    init_home,
)

OUT = Path(__file__).resolve().parent.parent / "data" / "abci"
CONNECTION_NAMES = ("query", "snapshot", "mempool", "consensus")
CHAIN_ID = "pyallora-capture"
APP_STATE = {"greeting": "hello"}
GENESIS_TIME_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
TX = b"greeting=hello-abci"


class RecordingProxy:
    """Unix-socket proxy that records the client → server bytes of each connection."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.streams: list[bytearray] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        record = bytearray()
        self.streams.append(record)
        up_reader, up_writer = await asyncio.open_unix_connection(self.upstream)

        async def pump(
            source: asyncio.StreamReader, sink: asyncio.StreamWriter, keep: bytearray | None
        ) -> None:
            while data := await source.read(1 << 16):
                if keep is not None:
                    keep += data
                sink.write(data)
                await sink.drain()
            sink.close()

        await asyncio.gather(
            pump(reader, up_writer, record), pump(up_reader, writer, None), return_exceptions=True
        )


async def capture_rpc(rpc: AsyncCometRpc, tx_hash: str, height: int) -> dict[str, Any]:
    """Raw JSON-RPC answers of the methods the client wraps (and one error answer)."""
    rejected = b"no-equals-sign"
    calls: dict[str, tuple[str, dict[str, object]]] = {
        "status": ("status", {}),
        "abci_info": ("abci_info", {}),
        "abci_query": ("abci_query", {"path": "/key", "data": b"greeting".hex()}),
        "abci_query_missing": ("abci_query", {"path": "/key", "data": b"nothing".hex()}),
        "broadcast_tx_sync": (
            "broadcast_tx_sync",
            {"tx": base64.b64encode(b"second=tx").decode()},
        ),
        "broadcast_tx_sync_rejected": (
            "broadcast_tx_sync",
            {"tx": base64.b64encode(rejected).decode()},
        ),
        "tx": ("tx", {"hash": base64.b64encode(bytes.fromhex(tx_hash)).decode()}),
        "block": ("block", {"height": str(height)}),
        "block_results": ("block_results", {"height": str(height)}),
        "block_next": ("block", {"height": str(height + 1)}),
        "block_too_high": ("block", {"height": str(height + 10_000)}),
    }
    answers: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for name, (method, params) in calls.items():
            body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
            answers[name] = {
                "request": body,
                "response": (await client.post(rpc.url, json=body)).json(),
            }
    commit_tx = base64.b64encode(b"third=tx").decode()
    body = {"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_commit", "params": {"tx": commit_tx}}
    async with httpx.AsyncClient(timeout=30) as client:
        answers["broadcast_tx_commit"] = {
            "request": body,
            "response": (await client.post(rpc.url, json=body)).json(),
        }
    return answers


def cut_consensus(stream: bytes, last_height: int) -> bytes:
    """The consensus stream up to and including the Commit (and Flush) of ``last_height``."""
    decoder = FrameDecoder()
    kept = bytearray()
    height = 0
    after_commit = False
    for payload in decoder.feed(stream):
        request = decode_request(payload)
        if after_commit:
            kept += encode_frame(payload)  # the Flush that follows the last Commit
            break
        kept += encode_frame(payload)
        if isinstance(request, FinalizeBlockRequest):
            height = request.height
        if isinstance(request, CommitRequest) and height == last_height:
            after_commit = True
    if bytes(kept) != stream[: len(kept)]:
        raise AssertionError("re-framing changed the bytes")
    return bytes(kept)


async def capture(base: Path) -> None:
    home = init_home(
        base / "cometbft",
        chain_id=CHAIN_ID,
        app_state=APP_STATE,
        proxy_app=f"unix://{base / 'proxy.sock'}",
        timeout_commit_ms=200,
        genesis_time_ns=GENESIS_TIME_NS,
    )
    (base / "app").mkdir()
    app_address = f"unix://{base / 'app.sock'}"
    proxy = RecordingProxy(str(base / "app.sock"))
    proxy_server = await asyncio.start_unix_server(proxy.handle, path=str(base / "proxy.sock"))
    async with AbciServer(FileKVApp(base / "app")) as server, AsyncCometRpc(home.rpc_url) as rpc:
        await server.start(app_address)
        process = CometBftProcess(home)
        process.start()
        try:
            for _ in range(600):
                try:
                    if (await rpc.status()).latest_block_height >= 2:
                        break
                except (httpx.HTTPError, CometRpcError):
                    pass  # not up yet
                await asyncio.sleep(0.05)
            committed = await rpc.broadcast_tx_commit(TX)
            if committed.tx_result.code != 0:
                raise AssertionError(f"the capture transaction failed: {committed}")
            await rpc.abci_query("/key", b"greeting")
            await rpc.abci_info()
            while (await rpc.status()).latest_block_height < committed.height + 2:
                await asyncio.sleep(0.05)
            marks = [len(stream) for stream in proxy.streams]  # before the extra RPC traffic
            rpc_answers = await capture_rpc(rpc, committed.hash, committed.height)
        finally:
            process.stop()
        proxy_server.close()
    if len(proxy.streams) != len(CONNECTION_NAMES):
        raise AssertionError(f"expected 4 connections, saw {len(proxy.streams)}")
    OUT.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, stream, mark in zip(CONNECTION_NAMES, proxy.streams, marks, strict=True):
        data = bytes(stream)
        if name == "consensus":
            data = cut_consensus(data, committed.height + 1)
        else:
            data = data[:mark]
            decoder = FrameDecoder()
            decoder.feed(data)
            if decoder.pending:
                raise AssertionError(f"the {name} stream was cut inside a frame; run again")
        (OUT / f"{name}.bin").write_bytes(data)
        files[name] = len(data)
    manifest = {
        "cometbft_version": get_cometbft_version(),
        "chain_id": CHAIN_ID,
        "app_state": APP_STATE,
        "genesis_time_ns": GENESIS_TIME_NS,
        "tx": TX.decode(),
        "tx_height": committed.height,
        "last_height": committed.height + 1,
        "files": files,
        "connections": "accept order: query, snapshot, mempool, consensus (INFRA.md §4.4)",
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (OUT / "rpc_v0.38.25.json").write_text(json.dumps(rpc_answers, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


def main() -> None:
    """Capture into tests/data/abci/."""
    with tempfile.TemporaryDirectory(prefix="abci-capture-") as base:
        asyncio.run(capture(Path(base)))


if __name__ == "__main__":
    main()
