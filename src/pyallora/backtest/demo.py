"""The live demo (``allora demo``): a local Allora network on real data.

:func:`run_demo` does what a user would do by hand, with every step over the node's HTTP
API through the client SDK:

1. ``allora init`` (:func:`pyallora.node.home.init_node_home`) creates a node home whose
   genesis funds the topic creator and every participant; ``allora start`` runs it as a
   separate process: one validator on real CometBFT when the binary exists (``make
   cometbft`` builds it with Go), else the in-process block driver (said on screen);
2. the validator, an emissions admin, lets two topics end epochs in the same block
   (UpdateParams ``max_active_topics_per_block``); the creator creates the demo topics
   (:data:`~pyallora.backtest.setups.DEMO_TOPIC_NAMES`: Seattle's daily maximum and minimum
   temperature, real data shipped inside the ``vega_datasets`` package); seven inferers, three
   forecasters and three reputers (stakes 5 : 3 : 2) register per topic, the reputers stake
   and the creator funds the topics, which activates them;
3. then every participant acts after each block, in this process, as an agent loop over the
   client (:class:`~pyallora.backtest.actors.TopicActors`: the same model objects and payload
   builders as the offline backtest and the agents), replaying one day per epoch;
   :class:`~pyallora.backtest.ledger.TopicLedger` reads what the chain publishes and a line
   per epoch shows the network inference against the truth and the running mean losses;
4. at the end it prints, per topic, the mean loss of every participant against the network
   and the naive network and the rewards each earned, writes the backtest-style report
   (``<out>/summary.json``, CSV files, plots) and stops the network unless ``keep_running``.

:data:`DEMO_TIMING` gives agents a few blocks of slack in every window (E = 5 blocks, worker
window 4, ground-truth lag 5), and :data:`DEFAULT_BLOCK_TIME_MS` paces blocks so that the
default :data:`DEFAULT_EPOCHS` epochs per topic finish well within ten minutes.
"""

from __future__ import annotations

import contextlib
import copy
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO, TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from pyallora.agents.context import AgentError, InferenceContext
from pyallora.agents.losses import LossDomainError, compute_loss, parse_loss_method
from pyallora.backtest import DEFAULT_DEMO_BLOCK_TIME_MS, DEFAULT_DEMO_EPOCHS
from pyallora.backtest.actors import (
    ChainQueryError,
    EpochClock,
    EpochTiming,
    Job,
    Payload,
    TopicActors,
    TopicKeys,
    TopicSpec,
    build_setup_messages,
    build_topic_request,
    derive_key,
    derive_topic_keys,
    list_participants,
)
from pyallora.backtest.engine import ACCOUNT_FUNDS
from pyallora.backtest.ledger import EpochData, TopicLedger
from pyallora.backtest.report import (
    TopicRun,
    TopicSummary,
    format_summary_table,
    format_uallo,
    write_report,
)
from pyallora.backtest.setups import DEMO_TOPIC_NAMES, build_demo_topic
from pyallora.client.client import Client
from pyallora.client.errors import ClientError, NodeApiError, NodeUnreachableError
from pyallora.client.keys import PrivateKey
from pyallora.client.wallet import Wallet
from pyallora.core.errors import PyAlloraError
from pyallora.node.cometbft import CometBftNotFoundError, find_cometbft
from pyallora.node.home import VALIDATOR_KEY_NAME, NodeHome, init_node_home
from pyallora.node.processes import stop_process
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.proto.emissions.v5 import tx_pb2 as tx

__all__ = [
    "DEFAULT_BLOCK_TIME_MS",
    "DEFAULT_EPOCHS",
    "DEMO_TIMING",
    "ClientChainView",
    "DemoError",
    "DemoOptions",
    "DemoResult",
    "run_demo",
]

M = TypeVar("M", bound=Message)

DEFAULT_EPOCHS: Final = DEFAULT_DEMO_EPOCHS
"""Epochs per topic (days of weather replayed) in ``make demo``."""

DEFAULT_BLOCK_TIME_MS: Final = DEFAULT_DEMO_BLOCK_TIME_MS
"""Time between blocks (CometBFT's ``timeout_commit``, or the solo pace)."""

DEMO_TIMING: Final = EpochTiming(epoch_length=5, worker_submission_window=4, ground_truth_lag=5)
"""The demo topics' schedule: inferences in the first block after a nonce, forecasts once
those are on chain, two blocks of slack; reports one block after the lag."""

DEMO_CHAIN_ID: Final = "pyallora-demo"
"""Chain id of the demo network."""

DEMO_SEED: Final = "demo"
"""Seed of the demo participants' keys."""

TX_GAS: Final = 50_000_000
"""Gas limit of the demo's transactions (fees are 0 on a local network)."""

START_TIMEOUT: Final = 90.0
"""Seconds the node gets to start."""

STALL_TIMEOUT: Final = 60.0
"""Seconds without a new block before the demo gives up."""

POLL_SECONDS: Final = 0.03
"""Pause between two looks at the latest block."""

AGENT_THREADS: Final = 8
"""Threads running the participants' jobs (models and broadcasts)."""


class DemoError(PyAlloraError):
    """The demo network could not be started or stopped working."""


class ClientChainView:
    """A :class:`~pyallora.backtest.actors.ChainView` over the node's HTTP API (proto-JSON
    queries parsed into the protobuf responses)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def query(self, method: str, request: Message, response_type: type[M]) -> M:
        """Run ``/emissions.v5.QueryService/<method>``.

        Raises
        ------
        ChainQueryError
            If the node answers an error.
        """
        body = json_format.MessageToDict(request, preserving_proto_field_name=True)
        try:
            answer = self._client.query(f"/emissions.v5.QueryService/{method}", body)
        except NodeApiError as exc:
            raise ChainQueryError(method, getattr(exc, "status", 1) or 1, str(exc)) from exc
        response: M = response_type()
        json_format.ParseDict(answer, response, ignore_unknown_fields=True)
        return response


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoOptions:
    """How to run the demo."""

    epochs: int = DEFAULT_EPOCHS
    out: Path = Path("demo-report")
    solo: bool = False
    """Use the in-process block driver even when CometBFT is installed."""

    keep_running: bool = False
    topics: tuple[str, ...] = DEMO_TOPIC_NAMES
    block_time_ms: int = DEFAULT_BLOCK_TIME_MS
    timing: EpochTiming = DEMO_TIMING
    home: Path | None = None
    """Node home (default: a fresh temporary directory, removed at the end unless the network
    keeps running)."""

    cometbft_binary: Path | None = None
    quiet: bool = False
    """Print only the final tables (tests)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    """What the demo did."""

    runs: tuple[TopicRun, ...]
    summaries: tuple[TopicSummary, ...]
    engine: str
    """``cometbft`` or ``solo``."""

    home: Path
    api_url: str
    height: int
    wall_seconds: float
    rejections: tuple[str, ...]
    balances_before: dict[str, int] = field(default_factory=dict)
    """uallo of every participant once registered and staked, before the first epoch."""
    balances_after: dict[str, int] = field(default_factory=dict)
    """uallo of every participant at the end."""
    stakes_after: dict[str, int] = field(default_factory=dict)
    """Every reputer's stake (authority) at the end."""
    data_sending_fee: int = 0
    """uallo each accepted payload cost (the chain's parameter)."""
    node_pid: int | None = None
    """The node's process id when it keeps running."""


class _Printer:
    def __init__(self, stream: TextIO, quiet: bool) -> None:
        self._stream = stream
        self._quiet = quiet

    def __call__(self, line: str = "", *, always: bool = False) -> None:
        if always or not self._quiet:
            print(line, file=self._stream, flush=True)


class NodeProcess:
    """``allora start --home HOME`` as a child process (its own session, so a Ctrl-C of the
    demo does not reach it before the demo stops it in order)."""

    def __init__(self, home: Path, *, solo: bool, cometbft_binary: Path | None) -> None:
        self.home = NodeHome(path=home)
        command = [sys.executable, "-m", "pyallora.cli.main", "start", "--home", str(home)]
        if solo:
            command.append("--solo")
        if cometbft_binary is not None:
            command += ["--cometbft", str(cometbft_binary)]
        command += ["--log-level", "WARNING"]
        self.log_path = home / "node.log"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def wait_ready(self, timeout: float) -> str:
        """The API URL once the node serves it.

        Raises
        ------
        DemoError
            If the node exits or does not start in time.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DemoError(f"the node exited while starting:\n{self.tail()}")
            run_file = self.home.run_file
            if run_file.exists():
                try:
                    url = str(json.loads(run_file.read_text(encoding="utf-8"))["api"])
                except (ValueError, KeyError):
                    url = ""
                if url:
                    with Client(url, timeout=5.0) as client, contextlib.suppress(ClientError):
                        client.status()
                        return url
            time.sleep(0.1)
        raise DemoError(f"the node did not start within {timeout:g} s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        """The end of the node's log."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, then wait (SIGKILL after ``timeout``); returns the exit status."""
        status = stop_process(self.process, timeout)
        self._log.close()
        return status

    def detach(self) -> None:
        """Leave the node running after the demo exits."""
        self._log.close()


@dataclass(slots=True)
class _LiveTopic:
    spec: TopicSpec
    keys: TopicKeys
    topic_id: int
    actors: TopicActors | None = None
    ledger: TopicLedger | None = None
    published: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class _Agents:
    """Runs the participants' jobs on a thread pool, one job at a time per participant (its
    model and its account sequence), and broadcasts their payloads through the client.

    A model that raises is reported and its epoch skipped, as an agent does; the demo goes
    on."""

    def __init__(self, client: Client, addresses: Sequence[str], *, threads: int) -> None:
        self._client = client
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="agent")
        self._locks = {address: threading.Lock() for address in addresses}
        self._wallets: dict[str, Wallet] = {}
        self._futures: list[Future[None]] = []
        self.submitted: dict[str, int] = dict.fromkeys(addresses, 0)
        self.rejections: list[str] = []
        self.pending: list[tuple[str, str]] = []

    def dispatch(self, jobs: Sequence[Job]) -> None:
        """Queue the jobs."""
        self._futures = [f for f in self._futures if not f.done()]
        self._futures.extend(self._executor.submit(self._run, job) for job in jobs)

    def _run(self, job: Job) -> None:
        with self._locks[job.address]:
            try:
                payloads = job.run()
            except Exception as exc:  # an agent skips the epoch of a failing model
                self.rejections.append(
                    f"{job.role} {job.address} skipped nonce {job.nonce}: "
                    f"{type(exc).__name__}: {exc}"
                )
                return
            for key, message in payloads:
                wallet = self._wallets.get(key.address)
                if wallet is None:
                    wallet = self._wallets[key.address] = Wallet(key)
                self.submitted[key.address] = self.submitted.get(key.address, 0) + 1
                try:
                    result = self._client.submit_tx([message], wallet, gas=TX_GAS)
                except ClientError as exc:
                    self.rejections.append(
                        f"{type(message).__name__} from {key.address} (nonce {job.nonce}): {exc}"
                    )
                    continue
                self.pending.append((key.address, result.tx_hash))

    def close(self) -> None:
        """Drop queued jobs (the demo is being interrupted)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def settle(self, timeout: float = 30.0) -> dict[str, int]:
        """Finish every job, then look up every sent tx (waiting at most ``timeout`` seconds
        in all); the accepted count per address."""
        self._executor.shutdown(wait=True)
        accepted: dict[str, int] = {}
        deadline = time.monotonic() + timeout
        for address, tx_hash in self.pending:
            try:
                info = self._client.wait_for_tx(tx_hash, max(0.5, deadline - time.monotonic()))
            except ClientError as exc:
                self.rejections.append(f"tx {tx_hash} from {address} was not included: {exc}")
                continue
            if info.result.code == 0:
                accepted[address] = accepted.get(address, 0) + 1
            else:
                self.rejections.append(
                    f"tx {tx_hash} from {address} failed: {info.result.codespace}:"
                    f"{info.result.code} {info.result.log}"
                )
        return accepted


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt while the demo runs (main thread only), so that a
    terminated demo still stops its network."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def warm_up(specs: Sequence[TopicSpec]) -> None:
    """Run every inferer once on a copy of itself, before the network starts: libraries are
    imported and code paths warmed, as in an agent that loaded its model before joining, while
    the participants' own models keep their state (the run stays the same)."""
    for spec in specs:
        index = spec.start
        series = spec.series
        context = InferenceContext(
            topic_id=0,
            nonce=0,
            history=series.values[:index],
            features=series.features[index] if series.features else {},
            feature_history=series.features[:index] if series.features else (),
        )
        for model in spec.inferers.values():
            with contextlib.suppress(AgentError):
                copy.deepcopy(model).infer(context)


def _engine(options: DemoOptions) -> tuple[bool, str]:
    """(solo, message)."""
    if options.solo:
        return True, "engine: in-process block driver (--solo)"
    try:
        binary = find_cometbft(options.cometbft_binary)
    except CometBftNotFoundError:
        go = shutil.which("go")
        why = "Go is not installed" if go is None else "run `make cometbft` to build it"
        return True, (
            f"engine: CometBFT NOT FOUND ({why}); falling back to the in-process block "
            "driver (one node, no consensus)"
        )
    return False, f"engine: CometBFT {binary} (one validator) over ABCI"


def _wait_for(client: Client, tx_hash: str, what: str) -> None:
    info = client.wait_for_tx(tx_hash, 60.0)
    if info.result.code != 0:
        raise DemoError(
            f"{what} failed: {info.result.codespace}:{info.result.code} {info.result.log}"
        )


def _send_all(client: Client, payloads: Sequence[Payload], what: str) -> None:
    wallets: dict[str, Wallet] = {}
    hashes = []
    for key, message in payloads:
        wallet = wallets.setdefault(key.address, Wallet(key))
        hashes.append(client.submit_tx([message], wallet, gas=TX_GAS).tx_hash)
    for tx_hash in hashes:
        _wait_for(client, tx_hash, what)


def _running_loss(topic: _LiveTopic, name: str, value: float | None, truth: float) -> None:
    if value is None:
        return
    try:
        loss = compute_loss(value, truth, parse_loss_method(topic.spec.loss_method))
    except LossDomainError:
        return
    topic.sums[name] = topic.sums.get(name, 0.0) + loss
    topic.counts[name] = topic.counts.get(name, 0) + 1


def _mean(topic: _LiveTopic, name: str) -> float | None:
    count = topic.counts.get(name, 0)
    return topic.sums[name] / count if count else None


def _progress_line(topic: _LiveTopic, data: EpochData) -> str:
    ledger = topic.ledger
    index = None if ledger is None else ledger.clock.index_of(data.nonce)
    if index is None:
        return ""
    truth = topic.spec.series.values[index]
    topic.published += 1
    labels = {k.address: label for label, k in topic.keys.inferers.items()}
    _running_loss(topic, "network", data.network, truth)
    _running_loss(topic, "naive", data.naive, truth)
    for address, value in data.inferences.items():
        _running_loss(topic, address, value, truth)
    network = _mean(topic, "network")
    naive = _mean(topic, "naive")
    inferers = {a: _mean(topic, a) for a in labels}
    known = {a: m for a, m in inferers.items() if m is not None}
    best = min(known, key=lambda a: (known[a], a)) if known else None
    when = topic.spec.series.times[index].date().isoformat() if topic.spec.series.times else ""

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    best_text = f"{fmt(known[best])} ({labels[best]})" if best else "-"
    return (
        f"[{topic.spec.name:11s}] epoch {topic.published:3d}/{topic.spec.epochs} {when} "
        f"truth {truth:6.2f}  network {fmt(data.network):>7s}  naive {fmt(data.naive):>7s} | "
        f"mean loss: network {fmt(network)}  naive {fmt(naive)}  best inferer {best_text}"
    )


def _balances(client: Client, addresses: Sequence[str]) -> dict[str, int]:
    return {address: client.balance(address) for address in addresses}


def _stakes(view: ClientChainView, topic_id: int, addresses: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for address in addresses:
        answer = view.query(
            "GetStakeReputerAuthority",
            q.GetStakeReputerAuthorityRequest(topic_id=topic_id, reputer=address),
            q.GetStakeReputerAuthorityResponse,
        )
        out[address] = int(answer.authority or 0)
    return out


def run_demo(options: DemoOptions, *, stream: TextIO | None = None) -> DemoResult:
    """Run the demo (module docstring) and return its records.

    Raises
    ------
    DemoError
        If the network does not start or stalls.
    """
    say = _Printer(stream or sys.stdout, options.quiet)
    started = time.monotonic()
    solo, engine_line = _engine(options)
    say(engine_line, always=True)
    specs = tuple(
        build_demo_topic(name, epochs=options.epochs, epoch_length=options.timing.epoch_length)
        for name in options.topics
    )
    for spec in specs:
        spec.validate()
        options.timing.validate(with_forecasters=bool(spec.forecasters))
    warm_up(specs)
    creator = derive_key(DEMO_SEED, "creator")
    keys = [derive_topic_keys(DEMO_SEED, spec) for spec in specs]
    addresses = [creator.address, *(k.address for topic in keys for k in topic.all())]
    owned_home = options.home is None
    home = Path(tempfile.mkdtemp(prefix="pyallora-demo-")) if owned_home else options.home
    assert home is not None
    try:
        init = init_node_home(
            home,
            chain_id=DEMO_CHAIN_ID,
            keyring_backend="test",
            accounts=[(address, ACCOUNT_FUNDS) for address in addresses],
            engine="solo" if solo else "cometbft",
            block_time_ms=options.block_time_ms,
            cometbft_binary=None if solo else options.cometbft_binary,
        )
    except BaseException:
        if owned_home:
            shutil.rmtree(home, ignore_errors=True)
        raise
    say(f"node home {init.home.path} (chain {DEMO_CHAIN_ID}, {len(addresses)} funded accounts)")
    node = NodeProcess(
        init.home.path, solo=solo, cometbft_binary=None if solo else options.cometbft_binary
    )
    keep = False
    with _sigterm_interrupts():
        try:
            api_url = node.wait_ready(START_TIMEOUT)
            say(f"node running (pid {node.pid}), API {api_url}")
            with Client(api_url) as client:
                result = _run_network(
                    client,
                    options=options,
                    specs=specs,
                    keys=keys,
                    creator=creator,
                    home=init.home,
                    say=say,
                    engine="solo" if solo else "cometbft",
                    started=started,
                )
            keep = options.keep_running
            result_pid = node.pid if keep else None
        finally:
            if keep:
                node.detach()
            else:
                status = node.stop()
                say(f"network stopped (node exit status {status})")
                if owned_home:
                    shutil.rmtree(home, ignore_errors=True)
    if keep:
        say(
            f"the network keeps running: pid {result_pid}, API {api_url}, home {home} "
            f"(stop it with: kill {result_pid})",
            always=True,
        )
    return DemoResult(
        runs=result.runs,
        summaries=result.summaries,
        engine=result.engine,
        home=home,
        api_url=api_url,
        height=result.height,
        wall_seconds=time.monotonic() - started,
        rejections=result.rejections,
        balances_before=result.balances_before,
        balances_after=result.balances_after,
        stakes_after=result.stakes_after,
        data_sending_fee=result.data_sending_fee,
        node_pid=result_pid,
    )


def _run_network(
    client: Client,
    *,
    options: DemoOptions,
    specs: Sequence[TopicSpec],
    keys: Sequence[TopicKeys],
    creator: PrivateKey,
    home: NodeHome,
    say: Callable[..., None],
    engine: str,
    started: float,
) -> DemoResult:
    view = ClientChainView(client)
    timing = options.timing
    client.wait_for_height(1, START_TIMEOUT)  # genesis accounts exist from the first block
    validator = Wallet.from_keyring(
        VALIDATOR_KEY_NAME, keyring_dir=home.keyring_dir, backend="test"
    )
    params = tx.UpdateParamsRequest(sender=validator.address)
    params.params.max_active_topics_per_block.append(max(1, len(specs)))
    _wait_for(
        client,
        client.submit_tx([params], validator, gas=TX_GAS).tx_hash,
        "UpdateParams max_active_topics_per_block",
    )
    first_id = view.query(
        "GetNextTopicId", q.GetNextTopicIdRequest(), q.GetNextTopicIdResponse
    ).next_topic_id
    _send_all(
        client,
        [(creator, build_topic_request(creator, spec, timing)) for spec in specs],
        "CreateNewTopic",
    )
    topics = [
        _LiveTopic(spec=spec, keys=topic_keys, topic_id=first_id + i)
        for i, (spec, topic_keys) in enumerate(zip(specs, keys, strict=True))
    ]
    participants = [k.address for topic in keys for k in topic.all()]
    setup: list[Payload] = []
    for topic in topics:
        setup.extend(build_setup_messages(creator, topic.spec, topic.keys, topic.topic_id))
    _send_all(client, setup, "registration, stake and funding")
    balances_before = _balances(client, participants)
    chain_params = view.query("GetParams", q.GetParamsRequest(), q.GetParamsResponse).params
    for topic in topics:
        say(
            f"topic {topic.topic_id} {topic.spec.name}: {topic.spec.metadata}; "
            f"{len(topic.spec.inferers)} inferers, {len(topic.spec.forecasters)} forecasters, "
            f"{len(topic.spec.reputers)} reputers (stakes "
            + ", ".join(format_uallo(r.stake) for r in topic.spec.reputers)
            + f"); loss {topic.spec.loss_method}, alpha_regret {topic.spec.alpha_regret}; "
            f"{topic.spec.epochs} epochs of E={timing.epoch_length} blocks"
        )
    agents = _Agents(client, participants, threads=AGENT_THREADS)
    limit = 0
    for topic in topics:
        first_nonce = view.query(
            "GetNextChurningBlockByTopicId",
            q.GetNextChurningBlockByTopicIdRequest(topic_id=topic.topic_id),
            q.GetNextChurningBlockByTopicIdResponse,
        ).block_height
        if first_nonce == 0:
            raise DemoError(f"topic {topic.spec.name} did not activate")
        clock = EpochClock(
            first_nonce=first_nonce,
            epoch_length=timing.epoch_length,
            start=topic.spec.start,
            stop=topic.spec.end,
        )

        def published(data: EpochData, topic: _LiveTopic = topic) -> None:
            line = _progress_line(topic, data)
            if line:
                say(line)

        topic.ledger = TopicLedger(
            view=view, topic_id=topic.topic_id, clock=clock, on_published=published
        )
        topic.actors = TopicActors(
            spec=topic.spec,
            keys=topic.keys,
            timing=timing,
            topic_id=topic.topic_id,
            clock=clock,
            view=view,
            history=topic.ledger,
        )
        limit = max(limit, clock.last_nonce + timing.close_delay + 2 * timing.epoch_length)
    try:
        ledgers = [t.ledger for t in topics if t.ledger is not None]
        seen = client.status().height
        last_block = time.monotonic()
        while not all(ledger.is_complete() for ledger in ledgers) and seen < limit:
            try:
                height = client.status().height
            except NodeUnreachableError as exc:
                raise DemoError(f"the node stopped answering: {exc}") from exc
            if height <= seen:
                if time.monotonic() - last_block > STALL_TIMEOUT:
                    raise DemoError(f"no new block for {STALL_TIMEOUT:g} s (height {seen})")
                time.sleep(POLL_SECONDS)
                continue
            last_block = time.monotonic()
            for block_height in range(seen + 1, height + 1):
                events = client.block(block_height).events
                for ledger in ledgers:
                    ledger.observe_block(block_height, events)
            seen = height
            for topic in topics:
                if topic.actors is not None:
                    agents.dispatch(topic.actors.step(seen))
    except BaseException:
        agents.close()
        raise
    accepted = agents.settle()
    balances_after = _balances(client, participants)
    stakes_after: dict[str, int] = {}
    for topic in topics:
        stakes_after.update(
            _stakes(view, topic.topic_id, [k.address for k in topic.keys.reputers.values()])
        )
    runs = []
    for topic in topics:
        topic_ledger = topic.ledger
        assert topic_ledger is not None
        people = list_participants(topic.spec, topic.keys)
        runs.append(
            TopicRun(
                topic_id=topic.topic_id,
                name=topic.spec.name,
                metadata=topic.spec.metadata,
                series=topic.spec.series.name,
                loss_method=topic.spec.loss_method,
                settings={
                    "epoch_length": str(timing.epoch_length),
                    "worker_submission_window": str(timing.worker_submission_window),
                    "ground_truth_lag": str(timing.ground_truth_lag),
                    "p_norm": topic.spec.p_norm,
                    "alpha_regret": topic.spec.alpha_regret,
                    "epsilon": topic.spec.epsilon,
                    "start": str(topic.spec.start),
                    "stop": str(topic.spec.end),
                    "block_time_ms": str(options.block_time_ms),
                    "engine": engine,
                },
                participants=people,
                epochs=topic_ledger.build_records(topic.spec.series),
                submissions={p.address: agents.submitted.get(p.address, 0) for p in people},
                accepted={p.address: accepted.get(p.address, 0) for p in people},
            )
        )
    wall = time.monotonic() - started
    summaries = write_report(
        options.out,
        runs,
        extra={
            "engine": engine,
            "chain_id": DEMO_CHAIN_ID,
            "height": seen,
            "block_time_ms": options.block_time_ms,
            "wall_seconds": round(wall, 1),
            "rejections": agents.rejections,
            "late_reads": {
                t.spec.name: t.ledger.count_late_reads() for t in topics if t.ledger is not None
            },
        },
    )
    say("", always=True)
    for run, summary in zip(runs, summaries, strict=True):
        for line in format_summary_table(run, summary):
            say(line, always=True)
        say("", always=True)
    for line in agents.rejections[:10]:
        say(f"refused: {line}", always=True)
    if agents.rejections:
        say(
            f"WARNING: {len(agents.rejections)} payloads were refused or skipped "
            "(agents too slow for the block time? try --block-time with a larger value)",
            always=True,
        )
    say(
        f"{engine}: {seen} blocks in {wall:.0f} s; report written to {options.out}/ "
        "(summary.json, report.json, CSV files, plots)",
        always=True,
    )
    return DemoResult(
        runs=tuple(runs),
        summaries=tuple(summaries),
        engine=engine,
        home=home.path,
        api_url=client.url,
        height=seen,
        wall_seconds=wall,
        rejections=tuple(agents.rejections),
        balances_before=balances_before,
        balances_after=balances_after,
        stakes_after=stakes_after,
        data_sending_fee=int(chain_params.data_sending_fee or 0),
    )
