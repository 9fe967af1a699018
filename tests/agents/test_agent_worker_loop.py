"""The worker loop against a fake node speaking the node API over HTTP (one tick at a time):
registration, exactly one payload per nonce, model failures skipped with a reason, restarts,
lost mempools, transient broadcast failures, a re-sign when the sequence was taken."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_fake_node import FakeChain, FakeNodeServer, FakeTopic, write_agent_toml, write_key

from pyallora.agents.config import load_worker_config
from pyallora.agents.payloads import canonical_value_text
from pyallora.agents.runtime import REBROADCAST_AFTER_BLOCKS, AgentState
from pyallora.agents.worker import Worker
from pyallora.chain.tx.decode import decode_tx
from pyallora.client.wallet import Wallet
from pyallora.proto.emissions.v5 import tx_pb2

TOPIC = 1


@pytest.fixture
def node() -> Iterator[FakeNodeServer]:
    chain = FakeChain()
    chain.add_topic(FakeTopic(topic_id=TOPIC, epoch_length=10, window=8, lag=10))
    server = FakeNodeServer(chain).start()
    try:
        yield server
    finally:
        server.stop()


def _worker(
    tmp_path: Path,
    node: FakeNodeServer,
    inferer: dict[str, object],
    *,
    name: str = "worker",
    wallet_file: tuple[Wallet, Path] | None = None,
) -> tuple[Worker, Wallet]:
    wallet, key_file = wallet_file or write_key(tmp_path, name)
    node.chain.fund(wallet.address, 10**6)
    path = write_agent_toml(
        tmp_path / f"{name}.toml",
        node=node.url,
        key_file=key_file,
        topics=[{"topic_id": TOPIC, "inferer": inferer}],
    )
    return Worker(load_worker_config(path), wallet), wallet


def _advance_to(node: FakeNodeServer, height: int) -> None:
    while node.chain.height < height:
        node.chain.produce_block()


def _registered_worker(
    tmp_path: Path, node: FakeNodeServer, inferer: dict[str, object]
) -> tuple[Worker, Wallet]:
    worker, wallet = _worker(tmp_path, node, inferer)
    worker.step()  # sends Register
    node.chain.produce_block()
    worker.step()  # sees the registration
    assert (TOPIC, wallet.address, "worker") in node.chain.registered
    return worker, wallet


def test_worker_registers_and_submits_exactly_once_per_nonce(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    worker, wallet = _registered_worker(
        tmp_path, node, {"model": "agent_models:ConstantModel", "kwargs": {"value": 1e-7}}
    )
    _advance_to(node, 10)  # epoch end: worker nonce 10 opens
    for _ in range(3):
        worker.step()
    assert len(node.chain.mempool) == 1
    node.chain.produce_block()
    worker.step()
    worker.step()
    record = worker.state.get(f"worker:{TOPIC}:10:inference")
    assert record is not None and record.status == "accepted"
    assert record.height == 11
    executed = node.chain.executed("worker", wallet.address)
    assert [(e.nonce, e.value) for e in executed] == [(10, "1E-7")]
    assert executed[0].value == canonical_value_text(1e-7)
    # The next epoch gets its own single submission.
    _advance_to(node, 20)
    worker.step()
    node.chain.produce_block()
    worker.step()
    assert [e.nonce for e in node.chain.executed("worker", wallet.address)] == [10, 20]
    assert all(tx.code == 0 for tx in node.chain.txs.values())


def test_model_errors_and_nan_skip_the_nonce_with_a_reason_and_the_worker_carries_on(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    worker, wallet = _registered_worker(
        tmp_path,
        node,
        {"model": "agent_models:ScriptedModel", "kwargs": {"script": {"10": "raise", "20": "nan"}}},
    )
    for height in (10, 20, 30):
        _advance_to(node, height)
        worker.step()
        node.chain.produce_block()
        worker.step()
    raised = worker.state.get(f"worker:{TOPIC}:10:inference")
    nan = worker.state.get(f"worker:{TOPIC}:20:inference")
    good = worker.state.get(f"worker:{TOPIC}:30:inference")
    assert raised is not None and raised.status == "skipped"
    assert "ValueError" in raised.reason and "no data for nonce 10" in raised.reason
    assert nan is not None and nan.status == "skipped"
    assert "non-finite" in nan.reason
    assert good is not None and good.status == "accepted"
    assert [e.nonce for e in node.chain.executed("worker", wallet.address)] == [30]


def test_a_restarted_worker_follows_its_pending_submission_instead_of_signing_again(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    first, wallet = _registered_worker(tmp_path, node, {"model": "agent_models:ConstantModel"})
    _advance_to(node, 10)
    first.step()
    pending = first.state.get(f"worker:{TOPIC}:10:inference")
    assert pending is not None and pending.status == "submitted"
    first.client.close()
    # A new process on the same state directory (and a model that would answer differently).
    second, _ = _worker(
        tmp_path,
        node,
        {"model": "agent_models:ConstantModel", "kwargs": {"value": 9.0}},
        wallet_file=(wallet, tmp_path / "worker.key"),
    )
    for _ in range(REBROADCAST_AFTER_BLOCKS + 1):
        second.step()
        node.chain.produce_block()
    second.step()
    record = second.state.get(f"worker:{TOPIC}:10:inference")
    assert record is not None and record.status == "accepted"
    assert record.tx_hash == pending.tx_hash
    executed = node.chain.executed("worker", wallet.address)
    assert [(e.nonce, e.value) for e in executed] == [(10, "1.5")]


def test_a_node_restart_that_loses_the_mempool_gets_the_same_bytes_again(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    worker, wallet = _registered_worker(tmp_path, node, {"model": "agent_models:ConstantModel"})
    _advance_to(node, 10)
    worker.step()
    record = worker.state.get(f"worker:{TOPIC}:10:inference")
    assert record is not None and record.status == "submitted"
    node.restart(lose_mempool=True)
    assert not node.chain.mempool
    while not node.chain.mempool:
        assert node.chain.height < 17, "the worker never re-broadcast its payload"
        node.chain.produce_block()
        worker.step()
    node.chain.produce_block()
    worker.step()
    final = worker.state.get(f"worker:{TOPIC}:10:inference")
    assert final is not None and final.status == "accepted"
    assert final.tx_hash == record.tx_hash
    assert node.chain.broadcasts.count(record.tx_hash) >= 2
    assert len(node.chain.executed("worker", wallet.address)) == 1


def test_transient_broadcast_failures_are_retried_with_the_same_signed_bytes(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    worker, wallet = _registered_worker(tmp_path, node, {"model": "agent_models:ConstantModel"})
    _advance_to(node, 10)
    node.chain.fail_broadcasts = 2
    worker.step()
    record = worker.state.get(f"worker:{TOPIC}:10:inference")
    assert record is not None and record.status == "signed"
    assert "will retry" in record.reason
    worker.step()
    worker.step()
    submitted = worker.state.get(f"worker:{TOPIC}:10:inference")
    assert submitted is not None and submitted.status == "submitted"
    assert submitted.tx_hash == record.tx_hash
    node.chain.produce_block()
    worker.step()
    assert len(node.chain.executed("worker", wallet.address)) == 1


def test_a_sequence_taken_by_another_tx_is_re_signed_once(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    worker, wallet = _registered_worker(tmp_path, node, {"model": "agent_models:ConstantModel"})
    node.chain.add_topic(FakeTopic(topic_id=2, epoch_length=10, window=8, lag=10))
    _advance_to(node, 10)
    node.chain.fail_broadcasts = 1
    worker.step()
    stale = worker.state.get(f"worker:{TOPIC}:10:inference")
    assert stale is not None and stale.status == "signed"
    # Another program uses the same key and sequence first.
    account = worker.client.account(wallet.address)
    other = wallet.sign_tx(
        [tx_pb2.RegisterRequest(sender=wallet.address, topic_id=2, owner=wallet.address)],
        chain_id=node.chain.chain_id,
        account_number=account.account_number,
        sequence=account.sequence,
    )
    assert worker.client.broadcast(other).check.code == 0
    node.chain.produce_block()
    worker.step()
    node.chain.produce_block()
    worker.step()
    record = worker.state.get(f"worker:{TOPIC}:10:inference")
    assert record is not None and record.status == "accepted"
    assert record.attempts == 2 and record.tx_hash != stale.tx_hash
    assert stale.tx_hash not in node.chain.txs
    assert len(node.chain.executed("worker", wallet.address)) == 1


def test_the_state_file_survives_and_refuses_another_key(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    worker, wallet = _registered_worker(tmp_path, node, {"model": "agent_models:ConstantModel"})
    state_dir = worker.settings.state_dir
    reread = AgentState(state_dir, address=wallet.address)
    assert reread.get(f"register:worker:{TOPIC}") is not None
    with pytest.raises(Exception, match="belongs to"):
        AgentState(state_dir, address="allo1someoneelse")


def test_the_model_context_carries_past_truth_and_the_sources_features(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    wallet, key_file = write_key(tmp_path, "worker")
    node.chain.fund(wallet.address, 10**6)
    path = write_agent_toml(
        tmp_path / "worker.toml",
        node=node.url,
        key_file=key_file,
        topics=[
            {
                "topic_id": TOPIC,
                "history": 3,
                "inferer": {"model": "agent_models:ScriptedModel"},
                "data": {
                    "kind": "object",
                    "object": "agent_models:SquaresSource",
                    "kwargs": {"first": 20},
                },
            }
        ],
    )
    worker = Worker(load_worker_config(path), wallet)
    worker.step()
    node.chain.produce_block()
    _advance_to(node, 50)
    worker.step()
    model = worker.topics[0].inferer
    [context] = model.contexts  # type: ignore[union-attr]
    assert (context.topic_id, context.nonce) == (TOPIC, 50)
    # Epochs 20, 30, 40 (nonce 10 is before the source's first value; history = 3).
    assert context.history == (4.0, 9.0, 16.0)
    assert context.features == {"parity": 0.0, "topic": 1.0}
    assert len(context.feature_history) == 3
    assert context.topic_metadata == "fake topic" and context.loss_method == "mse"


def test_a_delayed_forecast_sees_the_windows_inferences_and_drops_unknown_inferers(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    plain, plain_wallet = _worker(tmp_path, node, {"model": "agent_models:ConstantModel"})
    wallet, key_file = write_key(tmp_path, "forecaster")
    node.chain.fund(wallet.address, 10**6)
    path = write_agent_toml(
        tmp_path / "forecaster.toml",
        node=node.url,
        key_file=key_file,
        topics=[
            {
                "topic_id": TOPIC,
                "forecast_delay_blocks": 1,
                "inferer": {"model": "agent_models:ConstantModel", "kwargs": {"value": 3.0}},
                "forecaster": {"model": "agent_models:EchoForecaster"},
            }
        ],
    )
    forecaster = Worker(load_worker_config(path), wallet)
    for agent in (plain, forecaster):
        agent.step()
    _advance_to(node, 10)
    for height in (10, 11, 12):
        _advance_to(node, height)
        for agent in (plain, forecaster):
            agent.step()
    node.chain.produce_block()
    forecaster.step()
    record = forecaster.state.get(f"worker:{TOPIC}:10:forecast")
    assert record is not None and record.status == "accepted", record
    assert record.height == 12  # one block after the window's first block (11)
    [context] = forecaster.topics[0].forecaster.contexts  # type: ignore[union-attr]
    assert context.inferences == {plain_wallet.address: 1.5, wallet.address: 3.0}
    tx = node.chain.txs[record.tx_hash]
    request = _decode_worker_payload(tx.raw)
    inner = request.worker_data_bundle.inference_forecasts_bundle
    assert not inner.HasField("inference")
    elements = {e.inferer: e.value for e in inner.forecast.forecast_elements}
    assert elements == {plain_wallet.address: "-1.0", wallet.address: "-1.0"}


def _decode_worker_payload(raw: bytes) -> tx_pb2.InsertWorkerPayloadRequest:
    [message] = decode_tx(raw, max_tx_bytes=2_000_000).messages
    return tx_pb2.InsertWorkerPayloadRequest.FromString(message.value)
