"""Node benchmark: block time and committed transactions per second through CometBFT.

The measurement behind the future ``allora bench node``: a fresh single-validator CometBFT
v0.38.25 home on loopback, driven either through the pyallora ABCI socket server (an application
in its own process, by default :class:`BenchKVApp`) or by CometBFT's built-in ``kvstore``
application (in-process Go: the upper bound for the protocol and consensus costs).

Two figures, both from block-header times (the node's clock, not the load generator's):

* **empty blocks**: mean time per block while nothing is sent;
* **throughput**: ``key=value`` transactions sent with ``broadcast_tx_sync`` for a fixed time by
  concurrent senders (each on its own kept-alive HTTP connection); committed transactions
  (counted from the block metas) divided by the header-time span from the last block before
  the load to the last block holding its txs.

Run it with ``python -m pyallora.node.bench_node`` (prints one JSON report); the functions are
what the CLI will call.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import itertools
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import httpx

from pyallora.abci.server import run_abci_server
from pyallora.chain.abci_types import (
    CommitResult,
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
)
from pyallora.node.cometbft import (
    CometBftError,
    CometBftProcess,
    CometHome,
    CometRpc,
    init_home,
)
from pyallora.node.processes import stop_process

APP_START_TIMEOUT: Final = 30.0
"""Seconds to wait for the application process to listen."""

NODE_START_TIMEOUT: Final = 60.0
"""Seconds to wait for CometBFT's first block."""

DRAIN_TIMEOUT: Final = 60.0
"""Seconds to wait for the mempool to empty after the load stops."""


class BenchKVApp:
    """A minimal in-memory ``key=value`` application (the server's cost, not the chain's).

    The app hash chains the previous hash, the height and the block's transactions; state lives
    in memory (a fresh home every run), so Info reports what was committed in this process.

    ``check_burn_us`` and ``block_burn_us`` make it spend that much CPU time (of its own
    thread) per CheckTx and per transaction of a finalized block, a quarter of
    ``check_burn_us`` per recheck: an application of known cost for
    ``tools/app_cpu_budget.py``.
    """

    def __init__(self, *, check_burn_us: float = 0.0, block_burn_us: float = 0.0) -> None:
        self.check_burn_s = check_burn_us / 1e6
        self.block_burn_s = block_burn_us / 1e6
        self.state: dict[bytes, bytes] = {}
        self.height = 0
        self.app_hash = b""
        self._pending: tuple[int, dict[bytes, bytes], bytes] | None = None

    @staticmethod
    def _pair(tx: bytes) -> tuple[bytes, bytes] | None:
        key, sep, value = tx.partition(b"=")
        return (key, value) if sep and key else None

    def info(self) -> InfoResult:
        return InfoResult(
            data="bench-kv", last_block_height=self.height, last_block_app_hash=self.app_hash
        )

    def init_chain(self, request: InitChainRequest) -> InitChainResult:
        return InitChainResult(app_hash=hashlib.sha256(request.chain_id.encode()).digest())

    def check_tx(self, tx: bytes, *, recheck: bool = False) -> TxResult:
        if self.check_burn_s:
            _burn_cpu(self.check_burn_s / 4 if recheck else self.check_burn_s)
        if self._pair(tx) is None:
            return TxResult(code=1, log="expected key=value")
        return TxResult(gas_wanted=1)

    def prepare_proposal(self, request: PrepareProposalRequest) -> tuple[bytes, ...]:
        chosen: list[bytes] = []
        size = 0
        for tx in request.txs:
            if size + len(tx) > request.max_tx_bytes:
                break
            chosen.append(tx)
            size += len(tx)
        return tuple(chosen)

    def process_proposal(self, request: ProcessProposalRequest) -> bool:
        return all(self._pair(tx) is not None for tx in request.txs)

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResult:
        if self.block_burn_s:
            _burn_cpu(self.block_burn_s * len(request.txs))
        state = dict(self.state)
        digest = hashlib.sha256(self.app_hash + request.height.to_bytes(8, "big"))
        results = []
        for tx in request.txs:
            pair = self._pair(tx)
            if pair is None:
                results.append(TxResult(code=1, log="expected key=value"))
                continue
            state[pair[0]] = pair[1]
            digest.update(len(tx).to_bytes(4, "big") + tx)
            results.append(TxResult(gas_wanted=1, gas_used=1))
        app_hash = digest.digest()
        self._pending = (request.height, state, app_hash)
        return FinalizeBlockResult(tx_results=tuple(results), app_hash=app_hash)

    def commit(self) -> CommitResult:
        if self._pending is None:
            raise LookupError("commit without a finalized block")
        self.height, self.state, self.app_hash = self._pending
        self._pending = None
        return CommitResult()

    def query(self, request: QueryRequest) -> QueryResult:
        value = self.state.get(request.data)
        if value is None:
            return QueryResult(code=1, log="not found", height=self.height)
        return QueryResult(value=value, key=request.data, height=self.height)


NOOP_APP_COMMAND: Final = (sys.executable, "-m", "pyallora.node.bench_node", "serve-app")
""":class:`BenchKVApp` behind pyallora's ABCI server (``--address ADDR`` to append)."""


def _burn_cpu(seconds: float) -> None:
    """Spend ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockTiming:
    """Mean block time over a window of consecutive blocks (header times)."""

    first_height: int
    last_height: int
    seconds: float
    ms_per_block: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Throughput:
    """Transactions sent, accepted by CheckTx, committed, and the committed rate."""

    duration_s: float
    concurrency: int
    sent: int
    accepted: int
    rejected: int
    committed: int
    blocks: int
    seconds: float
    tx_per_s: float
    max_txs_per_block: int


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeBenchReport:
    """One configuration's figures."""

    app: str
    timeout_commit_ms: int
    empty_blocks: BlockTiming
    throughput: Throughput


def parse_block_time_ns(text: str) -> int:
    """Nanoseconds since the epoch of a CometBFT RFC 3339 time (nine fraction digits kept).

    >>> parse_block_time_ns("2026-01-01T00:00:00.123456789Z")
    1767225600123456789
    """
    whole, _, rest = text.rstrip("Z").partition(".")
    seconds = int(datetime.fromisoformat(whole + "+00:00").timestamp())
    return seconds * 1_000_000_000 + int(rest.ljust(9, "0")[:9] or "0")


def get_block_metas(rpc: CometRpc, first: int, last: int) -> list[tuple[int, int, int]]:
    """``(height, time_ns, num_txs)`` for heights ``first..last`` (``/blockchain``, 20 a page)."""
    metas: dict[int, tuple[int, int, int]] = {}
    top = last
    while top >= first:
        result = rpc.call("blockchain", minHeight=str(max(first, top - 19)), maxHeight=str(top))
        for meta in result["block_metas"]:
            header = meta["header"]
            height = int(header["height"])
            metas[height] = (height, parse_block_time_ns(header["time"]), int(meta["num_txs"]))
        top -= 20
    return [metas[h] for h in sorted(metas) if first <= h <= last]


def measure_empty_blocks(rpc: CometRpc, *, duration_s: float) -> BlockTiming:
    """Mean block time over about ``duration_s`` seconds without transactions."""
    first = rpc.status().latest_block_height
    time.sleep(duration_s)
    last = rpc.status().latest_block_height
    if last <= first:
        raise CometBftError(f"no block produced in {duration_s} s")
    metas = get_block_metas(rpc, first, last)
    seconds = (metas[-1][1] - metas[0][1]) / 1e9
    return BlockTiming(
        first_height=first,
        last_height=last,
        seconds=seconds,
        ms_per_block=seconds * 1000 / (last - first),
    )


async def _post_json(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes
) -> dict[str, Any]:
    """One JSON-RPC POST on a kept-alive HTTP/1.1 connection (CometBFT sends Content-Length)."""
    writer.write(
        b"POST / HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    status = await reader.readline()
    length = -1
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if not status.startswith(b"HTTP/1.1 200") or length < 0:
        raise CometBftError(f"unexpected RPC answer {status!r} (content-length {length})")
    answer: dict[str, Any] = json.loads(await reader.readexactly(length))
    return answer


async def _send_load(
    host: str, port: int, *, duration_s: float, concurrency: int, prefix: str
) -> tuple[int, int, int]:
    """Concurrent ``broadcast_tx_sync`` senders, each on its own kept-alive connection.

    A hand-written HTTP/1.1 exchange instead of httpx: the generator shares the machine with
    the node, and a full HTTP client costs more CPU per request than the node itself.
    """
    counter = itertools.count()
    sent = accepted = rejected = 0
    deadline = time.monotonic() + duration_s

    async def sender() -> None:
        nonlocal sent, accepted, rejected
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < deadline:
                index = next(counter)
                tx = base64.b64encode(f"{prefix}{index}=v{index}".encode()).decode()
                request = {
                    "jsonrpc": "2.0",
                    "id": index,
                    "method": "broadcast_tx_sync",
                    "params": {"tx": tx},
                }
                sent += 1
                answer = await _post_json(reader, writer, json.dumps(request).encode())
                result = answer.get("result")
                if isinstance(result, dict) and int(result.get("code", 1)) == 0:
                    accepted += 1
                else:  # a CheckTx rejection or an RPC error such as "mempool is full"
                    rejected += 1
        finally:
            writer.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return sent, accepted, rejected


def measure_tx_throughput(
    rpc: CometRpc, *, duration_s: float = 10, concurrency: int = 64, prefix: str = "bench"
) -> Throughput:
    """Send ``key=value`` txs for ``duration_s`` seconds, wait for the mempool to drain, count.

    Parameters
    ----------
    rpc
        A client of the node under test.
    duration_s
        How long the senders run.
    concurrency
        Number of concurrent ``broadcast_tx_sync`` callers.
    prefix
        Key prefix (unique txs per run).

    Returns
    -------
    Throughput
    """
    start = rpc.status().latest_block_height
    address = httpx.URL(rpc.url)
    sent, accepted, rejected = asyncio.run(
        _send_load(
            address.host,
            address.port or 80,
            duration_s=duration_s,
            concurrency=concurrency,
            prefix=prefix,
        )
    )
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while int(rpc.call("num_unconfirmed_txs")["total"]) > 0:
        if time.monotonic() > deadline:
            raise CometBftError("the mempool did not drain in time")
        time.sleep(0.1)
    # One more block so that the last block with transactions is surely committed.
    end = rpc.status().latest_block_height
    rpc.wait_for_height(end + 1, timeout=NODE_START_TIMEOUT)
    metas = get_block_metas(rpc, start, end + 1)
    with_txs = [meta for meta in metas if meta[2] > 0]
    committed = sum(meta[2] for meta in with_txs)
    if not with_txs:
        raise CometBftError("no transaction was committed")
    seconds = (with_txs[-1][1] - metas[0][1]) / 1e9
    return Throughput(
        duration_s=duration_s,
        concurrency=concurrency,
        sent=sent,
        accepted=accepted,
        rejected=rejected,
        committed=committed,
        blocks=with_txs[-1][0] - metas[0][0],
        seconds=seconds,
        tx_per_s=committed / seconds if seconds > 0 else 0.0,
        max_txs_per_block=max(meta[2] for meta in with_txs),
    )


def start_app_process(
    home: CometHome, app_command: Sequence[str] | None
) -> subprocess.Popen[bytes]:
    """Start an ABCI application for ``home`` and wait until its unix socket listens.

    ``app_command`` gets ``--address <home's proxy_app>`` appended; ``None`` serves
    :class:`BenchKVApp` behind pyallora's ABCI server. Output goes to ``<home>/app.log``.

    Raises
    ------
    CometBftError
        If the application exits or does not listen in time.
    """
    command = [*(app_command or NOOP_APP_COMMAND), "--address", home.proxy_app]
    log_path = home.home / "app.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    socket_path = Path(home.proxy_app.removeprefix("unix://"))
    deadline = time.monotonic() + APP_START_TIMEOUT
    while not socket_path.is_socket():
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise CometBftError(f"the application exited with status {process.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            process.kill()
            raise CometBftError("the application did not start listening")
        time.sleep(0.02)
    return process


def run_node_bench(
    *,
    app: str = "pyallora",
    empty_s: float = 5,
    load_s: float = 10,
    concurrency: int = 64,
    timeout_commit_ms: int = 500,
    app_command: Sequence[str] | None = None,
    base_dir: str | Path | None = None,
    binary: str | Path | None = None,
) -> NodeBenchReport:
    """Measure one configuration on a fresh home (always stops what it started).

    Parameters
    ----------
    app
        ``"pyallora"`` (the ABCI socket server + an application process) or ``"kvstore"``
        (CometBFT's built-in application).
    empty_s, load_s
        Seconds of the empty-block window and of the load.
    concurrency
        Concurrent ``broadcast_tx_sync`` senders.
    timeout_commit_ms
        CometBFT's ``timeout_commit``.
    app_command
        For ``"pyallora"``: the command starting the application (``--address ADDR`` is
        appended); default: :class:`BenchKVApp` behind :func:`run_abci_server`.
    base_dir
        Where to create the home (a temporary directory by default, removed afterwards).
    binary
        Explicit CometBFT binary.

    Returns
    -------
    NodeBenchReport
    """
    if app not in ("pyallora", "kvstore"):
        raise CometBftError(f"unknown bench application {app!r}")
    with tempfile.TemporaryDirectory(prefix="allora-bench-", dir=base_dir) as temporary:
        home = init_home(
            Path(temporary) / "node",
            chain_id="allora-bench",
            timeout_commit_ms=timeout_commit_ms,
            log_level="error",
            binary=binary,
        )
        app_process = start_app_process(home, app_command) if app == "pyallora" else None
        extra = ("--proxy_app=kvstore",) if app == "kvstore" else ()
        node = CometBftProcess(home, binary=binary, extra_args=extra)
        try:
            node.start()
            with CometRpc(home.rpc_url, timeout=30) as rpc:
                rpc.wait_for_height(2, timeout=NODE_START_TIMEOUT, process=node)
                empty = measure_empty_blocks(rpc, duration_s=empty_s)
                load = measure_tx_throughput(rpc, duration_s=load_s, concurrency=concurrency)
        finally:
            node.stop()
            if app_process is not None:
                stop_process(app_process, 10)
    return NodeBenchReport(
        app=app, timeout_commit_ms=timeout_commit_ms, empty_blocks=empty, throughput=load
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pyallora.node.bench_node [bench options] | serve-app --address ADDR``."""
    parser = argparse.ArgumentParser(prog="python -m pyallora.node.bench_node")
    sub = parser.add_subparsers(dest="command")
    serve_app = sub.add_parser("serve-app", help="run BenchKVApp behind the ABCI server")
    serve_app.add_argument("--address", required=True)
    serve_app.add_argument(
        "--check-burn-us", type=float, default=0.0, help="CPU µs spent per CheckTx"
    )
    serve_app.add_argument(
        "--block-burn-us", type=float, default=0.0, help="CPU µs spent per tx of a block"
    )
    parser.add_argument("--app", choices=["pyallora", "kvstore", "both"], default="both")
    parser.add_argument("--empty-s", type=float, default=5)
    parser.add_argument("--load-s", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--timeout-commit-ms", type=int, default=500)
    args = parser.parse_args(argv)
    if args.command == "serve-app":
        logging.basicConfig(level=logging.WARNING)
        app = BenchKVApp(check_burn_us=args.check_burn_us, block_burn_us=args.block_burn_us)
        run_abci_server(app, args.address)
        return 0
    apps = ["pyallora", "kvstore"] if args.app == "both" else [args.app]
    reports = []
    for name in apps:
        try:
            report = run_node_bench(
                app=name,
                empty_s=args.empty_s,
                load_s=args.load_s,
                concurrency=args.concurrency,
                timeout_commit_ms=args.timeout_commit_ms,
            )
        except (CometBftError, httpx.HTTPError) as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            return 1
        reports.append(asdict(report))
    print(json.dumps(reports, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
