"""``allora bench node``: a single-validator node under load, against CometBFT's ``kvstore``.

Two nodes run one after the other on loopback, each with a fresh home in a temporary
directory, the same CometBFT v0.38 binary and the same consensus timeouts:

1. **pyallora**: a node home made as ``allora init`` makes it (genesis funding the
   benchmark's keys), run as ``allora start`` in a child process (the application, its ABCI
   server and HTTP API in one process, CometBFT in another);
2. **kvstore**: ``cometbft start --proxy_app=kvstore`` (the application built into CometBFT:
   the upper bound for the consensus and mempool costs).

Measured:

* **(a) / (b) committed transactions per second.** ``--txs`` signed bank sends from
  ``--senders`` funded accounts, signed before the node starts (signing is the client's cost).
  Each sender broadcasts its own transactions in sequence order with ``broadcast_tx_sync`` on
  its own kept-alive connection to the CometBFT RPC (a full mempool is waited out and the same
  transaction retried). kvstore gets the same transactions, each made ``key=value`` (its only
  accepted form): ``hex(sha256(tx)[:8]) "=" tx`` with every ``=`` and ``:`` byte of the tx
  replaced, so the same number of transactions, each 17 bytes longer. The figure is the
  committed transactions (from the block headers) over the block-time span from the last block
  before the load to the last block holding its transactions.
* **CPU per committed transaction** of each node process (the application and CometBFT for
  pyallora, CometBFT for kvstore), from Linux's ``/proc``, over the load and the drain, and
  the application's time by ABCI request (from the node's ``GET /v1/metrics``; text output
  only): where the time goes.
* **(c) consumer latency.** On the pyallora node (after the load), a topic with 32 inferers and
  6 forecasters is created and gets its first network inference; then ``--clients``
  concurrent clients, each on its own kept-alive connection, request
  ``GET /v1/topics/{id}/network_inference`` ``--requests`` times each; latencies are measured
  by the clients (p50 and p99 over all requests).

* **the socket's ceiling** (``--ceiling``): the kvstore load (``key=value`` txs) on two more
  fresh nodes whose applications do nothing but answer over the ABCI socket: a do-nothing
  Python application (:class:`~pyallora.node.bench_node.BenchKVApp`) behind pyallora's ABCI
  server, and CometBFT's own ``kvstore`` behind CometBFT's Go socket server (``abci-cli
  kvstore``, built by ``make abci-cli``). They show what the socket alone allows on the
  machine: an application that does work behind it commits less.

Targets (checked here, never in tests): (a)/(b) ≥ 0.5, p99 < 20 ms. The load generator and
the clients share the machine with the nodes, as ``allora bench tx`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.core.crypto import sha256
from pyallora.core.errors import PyAlloraError
from pyallora.node.bench_epoch import (
    ACCOUNT_FUNDS,
    TxSigner,
    build_create_topic_msg,
    build_join_msgs,
    build_worker_msgs,
    make_actor_key,
    make_topic_actors,
)
from pyallora.node.bench_node import NOOP_APP_COMMAND, get_block_metas, start_app_process
from pyallora.node.cometbft import (
    CometBftNotFoundError,
    CometBftProcess,
    CometRpc,
    CometRpcError,
    find_abci_cli,
    find_cometbft,
    init_home,
)
from pyallora.node.home import NodeHome, init_node_home
from pyallora.node.processes import find_child_pids, read_process_cpu_s, stop_process

TARGET_RATIO: Final = 0.5
"""Target of pyallora's committed tx/s over kvstore's."""

TARGET_P99_MS: Final = 20.0
"""Target p99 latency of the consumer endpoint under 100 concurrent clients."""

CHAIN_ID: Final = "bench-node"
"""Chain id of both nodes."""

DEFAULT_TXS: Final = 8000
"""Signed transactions sent to each node (two or three blocks' worth for kvstore, so its figure
moves in steps; ``--txs 24000`` gives steadier figures)."""

DEFAULT_SENDERS: Final = 50
"""Concurrent senders, one funded account and one RPC connection each."""

DEFAULT_CLIENTS: Final = 100
"""Concurrent consumer clients."""

DEFAULT_REQUESTS: Final = 20
"""Requests per consumer client."""

DEFAULT_BLOCK_TIME_MS: Final = 500
"""CometBFT ``timeout_commit`` of both nodes."""

START_TIMEOUT: Final = 90.0
"""Seconds for a node to start and commit its first blocks."""

DRAIN_TIMEOUT: Final = 120.0
"""Seconds for the mempool to empty once the load has been sent."""

TOPIC_WINDOW_MS: Final = 3000
"""Least time the consumer topic's worker window stays open (its epoch length and window, in
blocks, follow from the block time), so the payloads surely land inside it."""

CONSUMER_INFERERS: Final = 32
"""Inferers of the consumer topic (the default active-set cap)."""

CONSUMER_FORECASTERS: Final = 6
"""Forecasters of the consumer topic (the default active-set cap)."""

SEND_FUNDS: Final = 10**24
"""Genesis balance of every load sender."""

ProgressFn = Callable[[str], None]
"""Receives one-line progress messages."""


class NodeBenchError(PyAlloraError):
    """A node did not start, or the benchmark's load was refused."""


# ---------------------------------------------------------------------------------------------
# Load


def make_sender_key(index: int) -> PrivateKey:
    """The deterministic key of load sender ``index``."""
    return PrivateKey(secret=sha256(b"bench node sender %d" % index))


def sign_load(
    senders: Sequence[PrivateKey], numbers: dict[str, int], txs: int
) -> list[list[bytes]]:
    """``txs`` signed bank sends, spread over the senders; one list per sender, in sequence
    order."""
    rng = random.Random(11)
    queues: list[list[bytes]] = [[] for _ in senders]
    for index in range(txs):
        slot = index % len(senders)
        sender = senders[slot]
        recipient = senders[rng.randrange(len(senders))].address
        message = bank_tx.MsgSend(
            from_address=sender.address,
            to_address=recipient,
            amount=[coin_pb2.Coin(denom="uallo", amount=str(rng.randrange(1, 10**6)))],
        )
        queues[slot].append(
            build_tx(
                [message],
                private_key=sender,
                chain_id=CHAIN_ID,
                account_number=numbers[sender.address],
                sequence=len(queues[slot]),
                fee_amount=0,
                gas_limit=200_000,
            )
        )
    return queues


def to_kvstore_tx(raw: bytes) -> bytes:
    """The ``key=value`` form of a tx that kvstore accepts: exactly one ``=`` and no ``:``
    (kvstore refuses any other tx as malformed), 17 bytes longer than the tx.

    >>> kv = to_kvstore_tx(b"a=b:c")
    >>> kv.count(b"="), kv.count(b":"), len(kv)
    (1, 0, 22)
    """
    return sha256(raw)[:8].hex().encode() + b"=" + raw.replace(b"=", b"+").replace(b":", b";")


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a kept-alive connection; (status, body). The answers of
    CometBFT's RPC and of the API carry a Content-Length."""
    writer.write(request)
    status_line = await reader.readline()
    length = -1
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or length < 0:
        raise NodeBenchError(f"unexpected HTTP answer {status_line!r}")
    return int(parts[1]), await reader.readexactly(length)


def _post(body: bytes) -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadResult:
    """What the senders saw."""

    sent: int
    accepted: int
    rejected: int
    retries: int
    first_rejection: str


async def _send_queues(host: str, port: int, queues: Sequence[Sequence[bytes]]) -> LoadResult:
    accepted = rejected = retries = 0
    first_rejection = ""

    async def sender(queue: Sequence[bytes]) -> None:
        nonlocal accepted, rejected, retries, first_rejection
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for index, raw in enumerate(queue):
                body = json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "id": index,
                        "method": "broadcast_tx_sync",
                        "params": {"tx": base64.b64encode(raw).decode("ascii")},
                    }
                ).encode()
                while True:
                    _, answer_bytes = await _exchange(reader, writer, _post(body))
                    answer = json.loads(answer_bytes)
                    result = answer.get("result")
                    if isinstance(result, dict) and int(result.get("code", 1)) == 0:
                        accepted += 1
                        break
                    text = json.dumps(answer.get("error") or result)
                    if "mempool is full" in text:
                        retries += 1
                        await asyncio.sleep(0.05)
                        continue
                    rejected += 1
                    first_rejection = first_rejection or text[:300]
                    break
        finally:
            writer.close()

    await asyncio.gather(*(sender(queue) for queue in queues))
    sent = sum(len(queue) for queue in queues)
    return LoadResult(
        sent=sent,
        accepted=accepted,
        rejected=rejected,
        retries=retries,
        first_rejection=first_rejection,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Throughput:
    """Committed transactions and the rate."""

    load: LoadResult
    committed: int
    blocks: int
    seconds: float
    tx_per_s: float
    cpu_us_per_tx: dict[str, float] = field(default_factory=dict)
    """CPU time (user + system, µs) per committed transaction of each named process of the
    node while it took the load and drained its mempool (Linux; empty elsewhere)."""


def read_metrics(api_url: str) -> dict[str, float]:
    """The node's ``GET /v1/metrics`` as ``{series: value}`` (``name{labels}`` → number)."""
    answer = httpx.get(api_url.rstrip("/") + "/v1/metrics", timeout=30)
    answer.raise_for_status()
    samples: dict[str, float] = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            samples[series] = float(value)
    return samples


def compute_abci_usage(
    before: dict[str, float], after: dict[str, float]
) -> dict[str, tuple[int, float]]:
    """ABCI requests and application seconds by method between two metric readings.

    >>> counts = 'pyallora_abci_requests_total{method="check_tx"}'
    >>> seconds = 'pyallora_abci_request_seconds_total{method="check_tx"}'
    >>> compute_abci_usage({counts: 2, seconds: 0.5}, {counts: 12, seconds: 1.5})
    {'check_tx': (10, 1.0)}
    """
    usage: dict[str, tuple[int, float]] = {}
    prefix = 'pyallora_abci_requests_total{method="'
    for series, count in sorted(after.items()):
        if not series.startswith(prefix):
            continue
        method = series.removeprefix(prefix).removesuffix('"}')
        seconds_series = f'pyallora_abci_request_seconds_total{{method="{method}"}}'
        requests = int(count - before.get(series, 0))
        if requests > 0:
            spent = after.get(seconds_series, 0.0) - before.get(seconds_series, 0.0)
            usage[method] = (requests, spent)
    return usage


def _split_url(url: str) -> tuple[str, int]:
    parsed = httpx.URL(url)
    return parsed.host, parsed.port or 80


def measure_throughput(
    rpc: CometRpc,
    queues: Sequence[Sequence[bytes]],
    processes: Mapping[str, int] | None = None,
) -> Throughput:
    """Send every queue, wait for the mempool to drain, count the committed transactions;
    with ``processes`` (name → pid), also the CPU each used per committed transaction.

    Raises
    ------
    NodeBenchError
        If the mempool does not drain or nothing was committed.
    """
    start = rpc.status().latest_block_height
    host, port = _split_url(rpc.url)
    cpu_before = {name: read_process_cpu_s(pid) for name, pid in (processes or {}).items()}
    load = asyncio.run(_send_queues(host, port, queues))
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while int(rpc.call("num_unconfirmed_txs")["total"]) > 0:
        if time.monotonic() > deadline:
            raise NodeBenchError("the mempool did not drain in time")
        time.sleep(0.1)
    end = rpc.status().latest_block_height
    cpu_spent: dict[str, float] = {}
    for name, pid in (processes or {}).items():
        before, after = cpu_before[name], read_process_cpu_s(pid)
        if before is not None and after is not None:
            cpu_spent[name] = after - before
    rpc.wait_for_height(end + 1, timeout=START_TIMEOUT)
    metas = get_block_metas(rpc, start, end + 1)
    with_txs = [meta for meta in metas if meta[2] > 0]
    if not with_txs:
        raise NodeBenchError(f"no transaction was committed ({load.first_rejection})")
    committed = sum(meta[2] for meta in with_txs)
    seconds = (with_txs[-1][1] - metas[0][1]) / 1e9
    return Throughput(
        load=load,
        committed=committed,
        blocks=with_txs[-1][0] - metas[0][0],
        seconds=seconds,
        tx_per_s=committed / seconds if seconds > 0 else 0.0,
        cpu_us_per_tx={name: 1e6 * spent / committed for name, spent in cpu_spent.items()},
    )


# ---------------------------------------------------------------------------------------------
# Consumer latency


async def _get_many(
    host: str, port: int, path: str, *, clients: int, requests: int
) -> tuple[list[float], int]:
    """Latencies (ms) of ``clients × requests`` GETs, and how many answered other than 200."""
    request = f"GET {path} HTTP/1.1\r\nHost: node\r\nAccept: application/json\r\n\r\n".encode()
    latencies: list[float] = []
    failures = 0

    async def client() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for _ in range(requests):
                start = time.perf_counter()
                status, _ = await _exchange(reader, writer, request)
                latencies.append((time.perf_counter() - start) * 1000.0)
                failures += status != 200
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, failures


def compute_percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile.

    >>> compute_percentile([3.0, 1.0, 2.0, 4.0], 0.5)
    2.0
    >>> compute_percentile([3.0, 1.0, 2.0, 4.0], 0.99)
    4.0
    """
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _broadcast_and_wait(rpc: CometRpc, txs: Sequence[bytes], what: str) -> None:
    """Broadcast in order, wait until every tx is in a block; raise if one failed."""
    hashes = []
    for raw in txs:
        # The raw call: ``CometRpc.broadcast_tx_sync`` decodes ``data`` as base64, but
        # CometBFT sends it as hex.
        checked = rpc.call("broadcast_tx_sync", tx=base64.b64encode(raw).decode("ascii"))
        if int(checked.get("code", 1)):
            raise NodeBenchError(f"{what}: check_tx refused a tx: {checked.get('log')}")
        hashes.append(str(checked["hash"]))
    deadline = time.monotonic() + START_TIMEOUT
    for tx_hash in hashes:
        while True:
            try:
                found = rpc.tx(tx_hash)
                break
            except CometRpcError:
                if time.monotonic() > deadline:
                    raise NodeBenchError(f"{what}: a tx was not committed in time") from None
                time.sleep(0.1)
        if found.tx_result.code:
            raise NodeBenchError(f"{what}: a tx failed: {found.tx_result.log}")


def prepare_consumer_topic(
    api_url: str, rpc: CometRpc, signer: TxSigner, progress: ProgressFn, *, block_time_ms: int
) -> int:
    """Create a topic with 32 inferers and 6 forecasters (and staked reputers, which make it
    active), submit its first epoch's worker payloads, wait for its network inference.

    Returns the topic id.

    Raises
    ------
    NodeBenchError
        If a setup tx fails or no network inference appears in time.
    """
    creator = make_actor_key(0, "creator", 0)
    actors = make_topic_actors(1, inferers=CONSUMER_INFERERS, forecasters=CONSUMER_FORECASTERS)
    epoch = max(5, math.ceil(TOPIC_WINDOW_MS / block_time_ms))
    create = build_create_topic_msg(creator, epoch_length=epoch, worker_window=epoch)
    _broadcast_and_wait(rpc, [signer.sign(creator, create)], "create topic")
    _broadcast_and_wait(rpc, signer.sign_all(build_join_msgs(actors, creator)), "join topic")
    progress("consumer topic created; waiting for its first epoch")
    rng = random.Random(5)
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(base_url=api_url, timeout=30) as api:
        nonce = 0
        while not nonce:
            windows = api.get(f"/v1/topics/{actors.topic_id}/windows").json()
            open_nonces = [w["nonce"] for w in windows["worker_nonces"] if w["open_now"]]
            if open_nonces:
                nonce = int(open_nonces[0])
            elif time.monotonic() > deadline:
                raise NodeBenchError("the consumer topic's epoch did not end in time")
            else:
                time.sleep(0.1)
        payloads = signer.sign_all(build_worker_msgs(actors, nonce, rng))
        _broadcast_and_wait(rpc, payloads, "worker payloads")
        path = f"/v1/topics/{actors.topic_id}/network_inference"
        while api.get(path).status_code != 200:
            if time.monotonic() > deadline:
                raise NodeBenchError("no network inference appeared in time")
            time.sleep(0.2)
    return actors.topic_id


def measure_consumer_latency(
    api_url: str, topic_id: int, *, clients: int, requests: int
) -> tuple[float, float, int]:
    """(p50 ms, p99 ms, non-200 answers) of the consumer endpoint."""
    host, port = _split_url(api_url)
    path = f"/v1/topics/{topic_id}/network_inference"
    latencies, failures = asyncio.run(
        _get_many(host, port, path, clients=clients, requests=requests)
    )
    return compute_percentile(latencies, 0.5), compute_percentile(latencies, 0.99), failures


# ---------------------------------------------------------------------------------------------
# Nodes


@contextlib.contextmanager
def run_pyallora_node(home: Path, log_path: Path) -> Iterator[tuple[str, str, dict[str, int]]]:
    """``allora start --home HOME`` in a child process until the block exits; yields the
    API URL, the RPC URL and the node's processes (``application``: the ``allora start``
    process, ``cometbft``: its CometBFT child, when found) once it has committed two blocks.

    Raises
    ------
    NodeBenchError
        If the node exits or does not start in time.
    """
    node_home = NodeHome(path=home)
    command = [sys.executable, "-m", "pyallora.cli.main", "start", "--home", str(home)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*command, "--log-level", "WARNING"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not node_home.run_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise NodeBenchError(f"allora start did not start:\n{tail}")
            time.sleep(0.1)
        addresses = json.loads(node_home.run_file.read_text())
        with CometRpc(str(addresses["rpc"]), timeout=30) as rpc:
            rpc.wait_for_height(2, timeout=START_TIMEOUT)
        processes = {"application": process.pid}
        for child in find_child_pids(process.pid):
            with contextlib.suppress(OSError):
                if "cometbft" in Path(f"/proc/{child}/cmdline").read_bytes().decode(
                    errors="replace"
                ):
                    processes["cometbft"] = child
        yield str(addresses["api"]), str(addresses["rpc"]), processes
    finally:
        stop_process(process, kill_wait=30.0)


def _genesis_account_numbers(genesis_app_state: dict[str, Any]) -> dict[str, int]:
    """Account numbers as genesis assigns them: the order of the auth accounts."""
    accounts = genesis_app_state["auth"]["accounts"]
    return {str(entry["address"]): number for number, entry in enumerate(accounts)}


@dataclass(frozen=True, slots=True, kw_only=True)
class SocketCeiling:
    """The kvstore load on applications that do nothing but answer over the ABCI socket."""

    python_noop: Throughput
    """A do-nothing Python application behind pyallora's ABCI server."""
    go_kvstore: Throughput | None
    """CometBFT's ``kvstore`` behind its Go socket server (``abci-cli``); ``None`` if missing."""
    go_kvstore_missing: str = ""
    """Why ``go_kvstore`` was not measured."""


def measure_fresh_node(
    home_dir: Path,
    queues: Sequence[Sequence[bytes]],
    *,
    cometbft: Path,
    timeout_commit_ms: int,
    app_command: Sequence[str] | None = None,
) -> Throughput:
    """The load on a fresh single-validator CometBFT node in ``home_dir``: with
    ``app_command`` (``--address ADDR`` appended) as its application on the ABCI socket, or,
    when ``None``, with CometBFT's in-process ``kvstore``.

    Raises
    ------
    NodeBenchError, CometBftError
        If the node or the application cannot start, or nothing is committed.
    """
    home = init_home(
        home_dir,
        chain_id=CHAIN_ID,
        timeout_commit_ms=timeout_commit_ms,
        log_level="error",
        binary=cometbft,
    )
    extra = ("--proxy_app=kvstore",) if app_command is None else ()
    node = CometBftProcess(home, binary=cometbft, extra_args=extra)
    app = None if app_command is None else start_app_process(home, app_command)
    try:
        node.start()
        with CometRpc(home.rpc_url, timeout=30) as rpc:
            rpc.wait_for_height(2, timeout=START_TIMEOUT, process=node)
            processes = {"cometbft": node.pid or 0}
            if app is not None:
                processes = {"application": app.pid, **processes}
            return measure_throughput(rpc, queues, processes)
    finally:
        node.stop()
        if app is not None:
            stop_process(app, 10.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeBenchFigures:
    """Everything ``allora bench node`` reports."""

    pyallora: Throughput
    kvstore: Throughput
    consumer_p50_ms: float
    consumer_p99_ms: float
    consumer_failures: int
    consumer_requests: int
    abci_usage: dict[str, tuple[int, float]] = field(default_factory=dict)
    """The pyallora application's ABCI requests and seconds by method during the load."""
    ceiling: SocketCeiling | None = None
    """With ``--ceiling``: the socket's ceiling (module docstring)."""

    @property
    def ratio(self) -> float:
        """pyallora's committed tx/s over kvstore's."""
        return self.ratio_of(self.pyallora)

    def ratio_of(self, result: Throughput) -> float:
        """A run's committed tx/s over kvstore's."""
        return result.tx_per_s / self.kvstore.tx_per_s if self.kvstore.tx_per_s else 0.0


def measure(
    *,
    txs: int = DEFAULT_TXS,
    senders: int = DEFAULT_SENDERS,
    clients: int = DEFAULT_CLIENTS,
    requests: int = DEFAULT_REQUESTS,
    block_time_ms: int = DEFAULT_BLOCK_TIME_MS,
    binary: str | Path | None = None,
    base_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    ceiling: bool = False,
    abci_cli: str | Path | None = None,
) -> NodeBenchFigures:
    """Run both nodes and measure (module docstring); always stops what it started.

    Raises
    ------
    NodeBenchError, CometBftError
        If a node cannot start or the load is refused.
    """
    say = progress or (lambda _: None)
    if txs < 1 or senders < 1 or clients < 1 or requests < 1:
        raise NodeBenchError("--txs, --senders, --clients and --requests must be positive")
    cometbft = find_cometbft(binary)
    sender_keys = [make_sender_key(index) for index in range(min(senders, txs))]
    creator = make_actor_key(0, "creator", 0)
    actors = make_topic_actors(1, inferers=CONSUMER_INFERERS, forecasters=CONSUMER_FORECASTERS)
    funded = [(key.address, SEND_FUNDS) for key in sender_keys]
    funded += [(key.address, ACCOUNT_FUNDS) for key in (creator, *actors.keys)]
    timeout_commit_ms = max(block_time_ms, 100)
    with tempfile.TemporaryDirectory(prefix="pyallora-bench-node-", dir=base_dir) as tmp:
        root = Path(tmp)
        say("initialising the pyallora node home")
        init = init_node_home(
            root / "pyallora",
            chain_id=CHAIN_ID,
            accounts=funded,
            engine="cometbft",
            block_time_ms=timeout_commit_ms,
            cometbft_binary=cometbft,
        )
        numbers = _genesis_account_numbers(dict(init.genesis.app_state))
        say(f"signing {txs} bank sends from {len(sender_keys)} senders")
        queues = sign_load(sender_keys, numbers, txs)
        with run_pyallora_node(init.home.path, root / "pyallora.log") as (
            api_url,
            rpc_url,
            processes,
        ):
            with CometRpc(rpc_url, timeout=30) as rpc:
                say("pyallora: sending the load")
                metrics_before = read_metrics(api_url)
                ours = measure_throughput(rpc, queues, processes)
                abci_usage = compute_abci_usage(metrics_before, read_metrics(api_url))
                say(f"pyallora: {ours.tx_per_s:.1f} tx/s; preparing the consumer topic")
                signer = TxSigner(CHAIN_ID, numbers)
                topic_id = prepare_consumer_topic(
                    api_url, rpc, signer, say, block_time_ms=timeout_commit_ms
                )
            say(f"consumer endpoint: {clients} clients × {requests} requests")
            p50, p99, failures = measure_consumer_latency(
                api_url, topic_id, clients=clients, requests=requests
            )
        say("kvstore: sending the load to a fresh node")
        kv_queues = [[to_kvstore_tx(raw) for raw in queue] for queue in queues]
        theirs = measure_fresh_node(
            root / "kvstore", kv_queues, cometbft=cometbft, timeout_commit_ms=timeout_commit_ms
        )
        socket_ceiling = None
        if ceiling:
            say("ceiling: a do-nothing Python application over the ABCI socket")
            noop = measure_fresh_node(
                root / "python-noop",
                kv_queues,
                cometbft=cometbft,
                timeout_commit_ms=timeout_commit_ms,
                app_command=NOOP_APP_COMMAND,
            )
            go_kvstore, missing = None, ""
            try:
                abci_cli_path = find_abci_cli(abci_cli)
            except CometBftNotFoundError as exc:
                missing = str(exc)
            else:
                say("ceiling: kvstore behind CometBFT's Go socket server (abci-cli)")
                go_kvstore = measure_fresh_node(
                    root / "go-kvstore",
                    kv_queues,
                    cometbft=cometbft,
                    timeout_commit_ms=timeout_commit_ms,
                    app_command=(str(abci_cli_path), "--log_level", "error", "kvstore"),
                )
            socket_ceiling = SocketCeiling(
                python_noop=noop, go_kvstore=go_kvstore, go_kvstore_missing=missing
            )
    return NodeBenchFigures(
        pyallora=ours,
        kvstore=theirs,
        consumer_p50_ms=p50,
        consumer_p99_ms=p99,
        consumer_failures=failures,
        consumer_requests=clients * requests,
        abci_usage=abci_usage,
        ceiling=socket_ceiling,
    )


# ---------------------------------------------------------------------------------------------
# CLI


def _print_text(figures: NodeBenchFigures, args: argparse.Namespace) -> None:
    ours, theirs = figures.pyallora, figures.kvstore
    ratio_ok = figures.ratio >= TARGET_RATIO
    p99_ok = figures.consumer_p99_ms < TARGET_P99_MS and not figures.consumer_failures
    for name, result in (("pyallora", ours), ("kvstore", theirs)):
        load = result.load
        print(
            f"{name:<9} {result.tx_per_s:>9.1f} tx/s committed  ({result.committed} txs in "
            f"{result.blocks} blocks, {result.seconds:.2f} s; sent {load.sent}, accepted "
            f"{load.accepted}, rejected {load.rejected}, mempool-full retries {load.retries})"
        )
        if load.first_rejection:
            print(f"          first rejection: {load.first_rejection}")
        if result.cpu_us_per_tx:
            spent = ", ".join(f"{n} {us:.0f}" for n, us in result.cpu_us_per_tx.items())
            print(f"          CPU per committed tx (µs): {spent}")
        if name == "pyallora" and figures.abci_usage:
            busy = sorted(figures.abci_usage.items(), key=lambda item: -item[1][1])
            parts = [f"{method} {seconds:.2f} s ({count})" for method, (count, seconds) in busy]
            print(f"          application time by ABCI request (count): {', '.join(parts)}")
    print(
        f"ratio     {figures.ratio:>9.3f}       target ≥ {TARGET_RATIO}   "
        f"{'met' if ratio_ok else 'NOT met'}"
    )
    if figures.ceiling is not None:
        _print_ceiling(figures, figures.ceiling)
    print(
        f"consumer  p50 {figures.consumer_p50_ms:.1f} ms, p99 {figures.consumer_p99_ms:.1f} ms "
        f"({args.clients} clients × {args.requests} requests, "
        f"{figures.consumer_failures} non-200)   target p99 < {TARGET_P99_MS:g} ms   "
        f"{'met' if p99_ok else 'NOT met'}"
    )
    print(
        f"(block time {max(args.block_time, 100)} ms on both nodes; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, shared with the load generator)"
    )


def _print_ceiling(figures: NodeBenchFigures, ceiling: SocketCeiling) -> None:
    print("ceiling   the kvstore load on applications that only answer over the ABCI socket:")
    rows: list[tuple[str, Throughput | None]] = [
        ("do-nothing Python app, pyallora's ABCI server", ceiling.python_noop),
        ("kvstore, CometBFT's Go socket server", ceiling.go_kvstore),
    ]
    for label, result in rows:
        if result is None:
            print(f"          {label:<46} not measured: {ceiling.go_kvstore_missing}")
            continue
        spent = ", ".join(f"{n} {us:.0f}" for n, us in result.cpu_us_per_tx.items())
        print(
            f"          {label:<46} {result.tx_per_s:>7.1f} tx/s  ratio "
            f"{figures.ratio_of(result):.3f}  ({result.blocks} blocks; CPU per tx µs: {spent})"
        )


def _json_document(figures: NodeBenchFigures) -> dict[str, object]:
    document: dict[str, object] = {
        "tx_per_s": round(figures.pyallora.tx_per_s, 1),
        "kvstore_tx_per_s": round(figures.kvstore.tx_per_s, 1),
        "ratio": round(figures.ratio, 3),
        "consumer_p50_ms": round(figures.consumer_p50_ms, 2),
        "consumer_p99_ms": round(figures.consumer_p99_ms, 2),
    }
    if figures.ceiling is not None:
        noop, go = figures.ceiling.python_noop, figures.ceiling.go_kvstore
        document["ceiling_python_noop_tx_per_s"] = round(noop.tx_per_s, 1)
        document["ceiling_python_noop_ratio"] = round(figures.ratio_of(noop), 3)
        document["ceiling_go_kvstore_tx_per_s"] = None if go is None else round(go.tx_per_s, 1)
        document["ceiling_go_kvstore_ratio"] = (
            None if go is None else round(figures.ratio_of(go), 3)
        )
    return document


def register(subparsers: Any) -> None:
    """Add ``allora bench node``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "node",
        help="a single-validator node: committed tx/s against kvstore; consumer latency",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--txs", type=int, default=DEFAULT_TXS, help="signed txs sent per node")
    parser.add_argument(
        "--senders", type=int, default=DEFAULT_SENDERS, help="concurrent senders (accounts)"
    )
    parser.add_argument(
        "--clients", type=int, default=DEFAULT_CLIENTS, help="concurrent consumer clients"
    )
    parser.add_argument(
        "--requests", type=int, default=DEFAULT_REQUESTS, help="requests per consumer client"
    )
    parser.add_argument(
        "--block-time",
        type=int,
        default=DEFAULT_BLOCK_TIME_MS,
        metavar="MS",
        help="CometBFT timeout_commit of both nodes (default %(default)s)",
    )
    parser.add_argument("--cometbft", type=Path, help="path of the cometbft binary")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also run the kvstore load on a do-nothing Python app and on kvstore behind "
        "CometBFT's Go socket server (abci-cli): what the ABCI socket allows here",
    )
    parser.add_argument("--abci-cli", type=Path, help="path of CometBFT's abci-cli binary")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(args: argparse.Namespace) -> int:
        def progress(message: str) -> None:
            if not args.quiet:
                print(f"[bench node] {message}", file=sys.stderr, flush=True)

        figures = measure(
            txs=args.txs,
            senders=args.senders,
            clients=args.clients,
            requests=args.requests,
            block_time_ms=args.block_time,
            binary=args.cometbft,
            progress=progress,
            ceiling=args.ceiling,
            abci_cli=args.abci_cli,
        )
        if args.json:
            print(json.dumps(_json_document(figures)))
            return 0
        _print_text(figures, args)
        return 0

    parser.set_defaults(func=run)
