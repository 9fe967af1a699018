"""Workers, a forecaster and a reputer against the real in-process node (solo engine, emissions
module): registration, stake, one accepted payload per nonce, losses, the consumer's network
inference; then the node is restarted under the running agents."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from agent_fake_node import AGENT_TESTS_DIR, toml_value, wait_for

from pyallora.agents.config import load_reputer_config, load_worker_config
from pyallora.agents.consumer import get_network_inference
from pyallora.agents.reputer import Reputer
from pyallora.agents.runtime import AgentLoop
from pyallora.agents.worker import Worker
from pyallora.client.client import Client
from pyallora.client.keyring import Keyring
from pyallora.client.wallet import Wallet
from pyallora.node.home import compute_node_modules, init_node_home
from pyallora.node.runner import BackgroundNode
from pyallora.proto.emissions.v5 import tx_pb2

pytestmark = pytest.mark.skipif(
    not any(module.name == "emissions" for module in compute_node_modules()),
    reason="the emissions module is not in the node's application",
)

CHAIN_ID = "agents-real"
FUNDS = 10**22
TOPIC = 1
EPOCH, WINDOW, LAG = 5, 3, 5
STAKE = 10**18


@dataclass
class Network:
    home: Path
    node: BackgroundNode
    keyring: Keyring
    client: Client

    def wallet(self, name: str) -> Wallet:
        return Wallet(self.keyring.export(name, passphrase=None).private_key)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(home: Path, port: int, pace_ms: int) -> BackgroundNode:
    return BackgroundNode(home, block_time_ms=pace_ms, api_port=port, api_host="127.0.0.1").start()


def _network(tmp_path: Path, pace_ms: int) -> Network:
    home = tmp_path / "home"
    init_node_home(
        home,
        chain_id=CHAIN_ID,
        engine="solo",
        accounts=[("w1", FUNDS), ("w2", FUNDS), ("f1", FUNDS), ("r1", FUNDS)],
        block_time_ms=200,
    )
    node = _start(home, _free_port(), pace_ms)
    network = Network(home, node, Keyring(home / "keyring", backend="test"), Client(node.api_url))
    if pace_ms == 0:
        node.produce_block()
    else:
        network.client.wait_for_height(2, timeout=30)
    _create_topic(network, on_demand=pace_ms == 0)
    return network


def _create_topic(network: Network, *, on_demand: bool) -> None:
    creator = network.wallet("validator")
    messages = [
        tx_pb2.CreateNewTopicRequest(
            creator=creator.address,
            metadata="agents test topic",
            loss_method="mse",
            epoch_length=EPOCH,
            ground_truth_lag=LAG,
            p_norm="3",
            alpha_regret="0.1",
            epsilon="0.01",
            worker_submission_window=WINDOW,
            merit_sortition_alpha="0.1",
            active_inferer_quantile="0.25",
            active_forecaster_quantile="0.25",
            active_reputer_quantile="0.25",
        ),
        tx_pb2.FundTopicRequest(sender=creator.address, topic_id=TOPIC, amount=str(10**18)),
    ]
    if not on_demand:
        network.client.send_tx(messages, creator, gas=2_000_000)
        return
    submitted = network.client.submit_tx(messages, creator, gas=2_000_000)
    network.node.produce_block()
    assert network.client.tx(submitted.tx_hash).result.code == 0


def _config(network: Network, tmp_path: Path, name: str, topic: dict[str, object]) -> Path:
    lines = [
        f"node = {toml_value(network.node.api_url)}",
        f"chain_id = {toml_value(CHAIN_ID)}",
        "poll_interval = 0.2",
        "gas = 1000000",
        f"python_path = {toml_value([str(AGENT_TESTS_DIR)])}",
        "[key]",
        f"keyring = {toml_value(name)}",
        'keyring_backend = "test"',
        f"keyring_dir = {toml_value(str(network.home / 'keyring'))}",
        "[[topics]]",
    ]
    tables: dict[str, dict[str, object]] = {k: v for k, v in topic.items() if isinstance(v, dict)}
    lines += [f"{k} = {toml_value(v)}" for k, v in topic.items() if k not in tables]
    for table, entries in tables.items():
        lines.append(f"[topics.{table}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in entries.items()]
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _agents(network: Network, tmp_path: Path) -> list[AgentLoop]:
    truth = tmp_path / "truth.csv"
    truth.write_text("nonce,value\n" + "".join(f"{n},2.0\n" for n in range(1, 2000)))
    agents: list[AgentLoop] = []
    for name, value in (("w1", 1.0), ("w2", 4.0)):
        path = _config(
            network,
            tmp_path,
            name,
            {
                "topic_id": TOPIC,
                "inferer": {"model": "agent_models:ConstantModel", "kwargs": {"value": value}},
            },
        )
        agents.append(Worker(load_worker_config(path), network.wallet(name)))
    path = _config(
        network,
        tmp_path,
        "f1",
        {
            "topic_id": TOPIC,
            "forecast_delay_blocks": 1,
            "inferer": {"model": "agent_models:ConstantModel", "kwargs": {"value": 2.5}},
            "forecaster": {"model": "agent_models:EchoForecaster"},
            "data": {"kind": "csv", "path": str(truth), "value_column": "value"},
        },
    )
    agents.append(Worker(load_worker_config(path), network.wallet("f1")))
    path = _config(
        network,
        tmp_path,
        "r1",
        {
            "topic_id": TOPIC,
            "stake_target": STAKE,
            "truth": {"kind": "csv", "path": str(truth), "value_column": "value"},
        },
    )
    agents.append(Reputer(load_reputer_config(path), network.wallet("r1")))
    return agents


@pytest.fixture
def on_demand(tmp_path: Path) -> Iterator[Network]:
    network = _network(tmp_path, pace_ms=0)
    try:
        yield network
    finally:
        network.client.close()
        network.node.stop()


def test_agents_take_part_in_every_epoch_of_a_real_node(on_demand: Network, tmp_path: Path) -> None:
    network = on_demand
    agents = _agents(network, tmp_path)
    for _ in range(40):
        for agent in agents:
            agent.step()
        network.node.produce_block()
    w1, w2, f1, r1 = agents
    assert isinstance(f1, Worker)
    for worker in (w1, w2, f1):
        records = {r.nonce: r for r in worker.state.records() if r.kind == "inference"}
        assert len(records) >= 5, worker.state.records()
        assert {r.status for r in records.values()} <= {"accepted", "submitted"}
        accepted = [n for n, r in records.items() if r.status == "accepted"]
        assert len(accepted) == len(set(accepted)) >= 5
    forecasts = [r for r in f1.state.records() if r.kind == "forecast"]
    assert forecasts and {r.status for r in forecasts} <= {"accepted", "submitted", "skipped"}
    assert any(r.status == "accepted" for r in forecasts)
    losses = [r for r in r1.state.records() if r.kind == "losses"]
    assert len([r for r in losses if r.status == "accepted"]) >= 4, losses
    # The stake target was reached with one AddStake (rewards may have compounded since).
    stake_record = r1.state.get(f"stake:{TOPIC}")
    assert stake_record is not None and stake_record.status == "accepted"
    assert stake_record.detail["amount"] == str(STAKE)
    assert int(network.client.reputer_stake(TOPIC, r1.address)["self"]) >= STAKE
    # The forecaster saw this window's inferences and past ones, and the truth history.
    forecaster = f1.topics[0].forecaster
    contexts = forecaster.contexts  # type: ignore[union-attr]
    assert any(len(c.inferences) >= 2 for c in contexts)
    assert any(c.history and set(c.history) == {2.0} for c in contexts)
    report = get_network_inference(network.client, TOPIC)
    assert report.inference_block_height in _accepted(w1, "inference")
    values = {p.address: p.value for p in report.inferers}
    assert values[w1.address] == "1.0" and values[w2.address] == "4.0"
    assert len(report.error_bars) == 5


class Running:
    def __init__(self, agent: AgentLoop) -> None:
        self.agent = agent
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()

    def _main(self) -> None:
        try:
            self.agent.run(self.stop)
        except BaseException as exc:
            self.error = exc

    def close(self) -> None:
        self.stop.set()
        self.thread.join(20)
        assert not self.thread.is_alive() and self.error is None, self.error


def _accepted(agent: AgentLoop, kind: str) -> list[int]:
    return sorted(
        r.nonce for r in agent.state.records() if r.kind == kind and r.status == "accepted"
    )


def test_running_agents_survive_a_restart_of_the_real_node(tmp_path: Path) -> None:
    network = _network(tmp_path, pace_ms=250)
    port = int(network.node.api_url.rsplit(":", 1)[1])
    agents = _agents(network, tmp_path)
    w1, _, _, r1 = agents
    running = [Running(agent) for agent in agents]
    try:
        wait_for(lambda: len(_accepted(w1, "inference")) >= 2, timeout=60, what="two epochs")
        wait_for(lambda: _accepted(r1, "losses"), timeout=60, what="a reputer report")
        assert w1.last_event_at is not None  # the event stream was in use
        network.node.stop()
        stopped_at = max(_accepted(w1, "inference"))
        wait_for(lambda: all(a.node_error for a in agents), timeout=30, what="agents to notice")
        network.node = _start(network.home, port, 250)
        wait_for(
            lambda: max(_accepted(w1, "inference")) >= stopped_at + 2 * EPOCH,
            timeout=90,
            what="the worker to carry on after the restart",
        )
        reported = max(_accepted(r1, "losses"))
        wait_for(
            lambda: max(_accepted(r1, "losses")) > reported,
            timeout=90,
            what="the reputer to carry on after the restart",
        )
    finally:
        for item in running:
            item.close()
        network.client.close()
        network.node.stop()
    for agent in agents:
        records = [r for r in agent.state.records() if r.kind in ("inference", "losses")]
        nonces = [r.nonce for r in records]
        assert len(nonces) == len(set(nonces))
        assert not [r for r in records if r.status in ("refused", "failed")], records
