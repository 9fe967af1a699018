"""Running agents (their real loop, in threads) against the fake node: duplicate window events
from reconnecting streams do not cause double submissions, and agents survive a node restart
(they notice, say so in their status, and carry on without submitting anything twice)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_fake_node import (
    FakeChain,
    FakeNodeServer,
    FakeTopic,
    wait_for,
    write_agent_toml,
    write_key,
)

from pyallora.agents.config import load_reputer_config, load_worker_config
from pyallora.agents.reputer import Reputer
from pyallora.agents.runtime import AgentLoop
from pyallora.agents.status import StatusFile, build_status_report
from pyallora.agents.worker import Worker

TOPIC = 1


class Running:
    """An agent's ``run`` loop on a thread."""

    def __init__(self, agent: AgentLoop) -> None:
        self.agent = agent
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        try:
            self.agent.run(self.stop)
        except BaseException as exc:
            self.error = exc

    def start(self) -> Running:
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.thread.join(15)
        assert not self.thread.is_alive(), "the agent did not stop"
        assert self.error is None, self.error


def wait_ticked(agent: AgentLoop, height: int) -> None:
    """Wait until the agent completed a tick that saw ``height`` (bounded)."""
    wait_for(lambda: agent.height >= height, what=f"{agent.role} to see height {height}")
    ticks = agent.ticks
    wait_for(lambda: agent.ticks > ticks, what=f"{agent.role} to tick at height {height}")


def produce(
    node: FakeNodeServer, until: int, *agents: AgentLoop, cut_streams: bool = False
) -> None:
    while node.chain.height < until:
        height = node.chain.produce_block()
        for agent in agents:
            wait_ticked(agent, height)
        if cut_streams:
            node.cut_streams()


@pytest.fixture
def node() -> Iterator[FakeNodeServer]:
    chain = FakeChain(min_stake=100)
    chain.add_topic(FakeTopic(topic_id=TOPIC, epoch_length=10, window=5, lag=10))
    server = FakeNodeServer(chain).start()
    try:
        yield server
    finally:
        server.stop()


def _worker(tmp_path: Path, node: FakeNodeServer, value: float = 2.0) -> Worker:
    wallet, key_file = write_key(tmp_path, "worker")
    node.chain.fund(wallet.address, 10**6)
    path = write_agent_toml(
        tmp_path / "worker.toml",
        node=node.url,
        key_file=key_file,
        topics=[
            {
                "topic_id": TOPIC,
                "inferer": {"model": "agent_models:ConstantModel", "kwargs": {"value": value}},
            }
        ],
        poll_interval=0.1,
    )
    return Worker(load_worker_config(path), wallet)


def _reputer(tmp_path: Path, node: FakeNodeServer, truth_file: Path) -> Reputer:
    wallet, key_file = write_key(tmp_path, "reputer")
    node.chain.fund(wallet.address, 10**6)
    path = write_agent_toml(
        tmp_path / "reputer.toml",
        node=node.url,
        key_file=key_file,
        topics=[
            {
                "topic_id": TOPIC,
                "stake_target": 200,
                "truth": {"kind": "csv", "path": str(truth_file), "value_column": "value"},
                "retry": {"attempts": 50, "delay": 0.0},
            }
        ],
        poll_interval=0.1,
    )
    return Reputer(load_reputer_config(path), wallet)


def test_duplicate_windows_from_reconnecting_streams_do_not_cause_double_submissions(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    node.chain.duplicate_window_events = True
    worker = _worker(tmp_path, node)
    running = Running(worker).start()
    try:
        wait_for(lambda: node.ws_connections >= 1, what="the worker to open the event stream")
        produce(node, 47, worker, cut_streams=True)
    finally:
        running.close()
    assert node.ws_connections > 10  # every cut made it reconnect (and replay)
    assert worker.last_event_at is not None
    executed = node.chain.executed("worker", worker.address)
    assert sorted(e.nonce for e in executed) == [10, 20, 30, 40]
    assert all(tx.code == 0 for tx in node.chain.txs.values())
    # Every payload was signed once: each broadcast hash is a distinct submission.
    payload_hashes = {e.tx_hash for e in executed}
    assert len(payload_hashes) == 4
    assert set(Counter(node.chain.broadcasts)) >= payload_hashes
    records = [r for r in worker.state.records() if r.kind == "inference"]
    assert sorted(r.nonce for r in records) == [10, 20, 30, 40]
    assert {r.status for r in records} == {"accepted"}


def test_agents_survive_a_node_restart_and_carry_on(tmp_path: Path, node: FakeNodeServer) -> None:
    truth_file = tmp_path / "truth.csv"
    truth_file.write_text("nonce,value\n" + "".join(f"{n},1.0\n" for n in range(10, 200, 10)))
    worker = _worker(tmp_path, node)
    reputer = _reputer(tmp_path, node, truth_file)
    agents = [Running(worker).start(), Running(reputer).start()]
    try:
        wait_for(lambda: node.ws_connections >= 2, what="both agents to open the event stream")
        produce(node, 25, worker, reputer)
        assert {e.nonce for e in node.chain.executed("worker")} == {10, 20}
        assert {e.nonce for e in node.chain.executed("reputer")} == {10}

        node.stop()
        wait_for(lambda: worker.node_error and reputer.node_error, what="agents to notice")
        status = StatusFile(worker.settings.state_dir / "status.json").read()
        assert status is not None and status["node_error"]
        report = build_status_report(
            role="worker",
            address=worker.address,
            state_dir=worker.settings.state_dir,
            node=node.url,
            topics=[(TOPIC, None)],
        )
        assert report.running and report.verdict == "degraded"
        assert any("does not answer" in problem for problem in report.problems)
        for _ in range(6):  # the chain moves on while this node is down
            node.chain.produce_block()

        node.start()  # same port, empty mempool
        wait_for(
            lambda: not worker.node_error and not reputer.node_error,
            timeout=45,
            what="agents to reach the node again",
        )
        produce(node, 56, worker, reputer)
    finally:
        for running in agents:
            running.close()
    worker_nonces = [e.nonce for e in node.chain.executed("worker")]
    reputer_nonces = [e.nonce for e in node.chain.executed("reputer")]
    assert len(worker_nonces) == len(set(worker_nonces))
    assert len(reputer_nonces) == len(set(reputer_nonces))
    assert {40, 50} <= set(worker_nonces)
    assert max(reputer_nonces) >= 30
    assert all(tx.code == 0 for tx in node.chain.txs.values())
    final = StatusFile(reputer.settings.state_dir / "status.json").read()
    assert final is not None and final["state"] == "stopped"
