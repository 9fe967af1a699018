"""The reputer loop against the fake node (one tick at a time): registration and stake, losses
of the network's value bundle with the topic's loss method, truth retries then skip, and the
oldest-nonce rule."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_fake_node import FakeChain, FakeNodeServer, FakeTopic, write_agent_toml, write_key

from pyallora.agents.config import load_reputer_config, load_worker_config
from pyallora.agents.reputer import Reputer
from pyallora.agents.runtime import AgentLoop
from pyallora.agents.worker import Worker

TOPIC = 1
STAKE_TARGET = 500


@pytest.fixture
def node() -> Iterator[FakeNodeServer]:
    chain = FakeChain(min_stake=100)
    chain.add_topic(FakeTopic(topic_id=TOPIC, epoch_length=10, window=3, lag=10))
    server = FakeNodeServer(chain).start()
    try:
        yield server
    finally:
        server.stop()


def _advance_to(node: FakeNodeServer, height: int, *agents: AgentLoop) -> None:
    while node.chain.height < height:
        node.chain.produce_block()
        for agent in agents:
            agent.step()


def _workers(tmp_path: Path, node: FakeNodeServer, values: list[float]) -> list[Worker]:
    workers = []
    for index, value in enumerate(values):
        wallet, key_file = write_key(tmp_path, f"worker{index}")
        node.chain.fund(wallet.address, 10**6)
        path = write_agent_toml(
            tmp_path / f"worker{index}.toml",
            node=node.url,
            key_file=key_file,
            topics=[
                {
                    "topic_id": TOPIC,
                    "inferer": {"model": "agent_models:ConstantModel", "kwargs": {"value": value}},
                }
            ],
        )
        workers.append(Worker(load_worker_config(path), wallet))
    return workers


def _reputer(tmp_path: Path, node: FakeNodeServer, csv_path: Path, *, attempts: int = 3) -> Reputer:
    wallet, key_file = write_key(tmp_path, "reputer")
    node.chain.fund(wallet.address, 10**6)
    path = write_agent_toml(
        tmp_path / "reputer.toml",
        node=node.url,
        key_file=key_file,
        topics=[
            {
                "topic_id": TOPIC,
                "stake_target": STAKE_TARGET,
                "truth": {"kind": "csv", "path": str(csv_path), "value_column": "value"},
                "retry": {"attempts": attempts, "delay": 0.0, "backoff": 2.0},
            }
        ],
    )
    return Reputer(load_reputer_config(path), wallet)


def test_reputer_registers_stakes_and_reports_the_losses_of_the_value_bundle(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    truth_file = tmp_path / "truth.csv"
    truth_file.write_text("nonce,value\n")
    workers = _workers(tmp_path, node, [1.0, 4.0])
    reputer = _reputer(tmp_path, node, truth_file)
    agents = (*workers, reputer)
    for agent in agents:
        agent.step()
    _advance_to(node, 19, *agents)  # worker nonce 10 closed at 13; reputers from next height 20
    address = reputer.address
    assert (TOPIC, address, "reputer") in node.chain.registered
    assert node.chain.stakes[(TOPIC, address)] == STAKE_TARGET
    assert node.chain.archived_inferences[(TOPIC, 10)] == {
        workers[0].address: "1.0",
        workers[1].address: "4.0",
    }
    # The truth is not in the file yet: the reputer waits and asks again.
    reputer.step()
    assert 10 in reputer.topics[0].truth_attempts
    assert reputer.state.get(f"reputer:{TOPIC}:10") is None
    truth_file.write_text("nonce,value\n10,2.0\n")
    reputer.step()
    record = reputer.state.get(f"reputer:{TOPIC}:10")
    assert record is not None and record.status == "submitted"
    node.chain.produce_block()
    reputer.step()
    record = reputer.state.get(f"reputer:{TOPIC}:10")
    assert record is not None and record.status == "accepted"
    [(nonce, bundle)] = node.chain.reputer_set[TOPIC].values()
    assert nonce == 10 and bundle.reputer == address
    truth = 2.0

    def expected(value: float) -> float:
        error = value - truth
        return math.log10(error * error)

    assert float(bundle.combined_value) == expected(2.5)
    assert float(bundle.naive_value) == expected(2.5)
    assert {i.worker: float(i.value) for i in bundle.inferer_values} == {
        workers[0].address: expected(1.0),
        workers[1].address: expected(4.0),
    }
    # One-out values: withholding 1.0 leaves 4.0 and vice versa.
    assert {i.worker: float(i.value) for i in bundle.one_out_inferer_values} == {
        workers[0].address: expected(4.0),
        workers[1].address: expected(1.0),
    }
    assert len(node.chain.executed("reputer", address)) == 1
    # Nothing more is sent for nonce 10 while it stays open.
    before = len(node.chain.broadcasts)
    _advance_to(node, 29, reputer)
    assert len(node.chain.broadcasts) == before
    assert len(node.chain.executed("reputer", address)) == 1


def test_a_truth_source_that_stays_unavailable_is_retried_then_the_nonce_is_skipped(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    truth_file = tmp_path / "truth.csv"
    truth_file.write_text("nonce,value\n")
    workers = _workers(tmp_path, node, [3.0])
    reputer = _reputer(tmp_path, node, truth_file, attempts=3)
    for agent in (*workers, reputer):
        agent.step()
    _advance_to(node, 19, *workers, reputer)  # the step after block 19 asked once
    assert reputer.topics[0].truth_attempts[10].count == 1
    reputer.step()
    assert reputer.topics[0].truth_attempts[10].count == 2
    reputer.step()
    record = reputer.state.get(f"reputer:{TOPIC}:10")
    assert record is not None and record.status == "skipped"
    assert "ground truth unavailable after 3 attempt(s)" in record.reason
    assert "TruthNotAvailableError" in record.reason
    assert not node.chain.executed("reputer")
    # It carries on: the next nonce (whose window opens once nonce 10 closed) is reported.
    truth_file.write_text("nonce,value\n20,3.5\n")
    _advance_to(node, 31, *workers, reputer)
    reputer.step()
    node.chain.produce_block()
    reputer.step()
    following = reputer.state.get(f"reputer:{TOPIC}:20")
    assert following is not None and following.status == "accepted", following
    assert [e.nonce for e in node.chain.executed("reputer")] == [20]


def test_a_window_that_closes_while_waiting_for_the_truth_is_recorded_as_skipped(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    truth_file = tmp_path / "truth.csv"
    truth_file.write_text("nonce,value\n")
    workers = _workers(tmp_path, node, [3.0])
    reputer = _reputer(tmp_path, node, truth_file, attempts=1000)
    for agent in (*workers, reputer):
        agent.step()
    _advance_to(node, 19, *workers, reputer)
    reputer.step()
    assert 10 in reputer.topics[0].truth_attempts
    _advance_to(node, 31, *workers, reputer)  # nonce 10 closed at the epoch end 30
    record = reputer.state.get(f"reputer:{TOPIC}:10")
    assert record is not None and record.status == "skipped"
    assert "window closed before the ground truth was available" in record.reason
