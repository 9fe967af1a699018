""" "Is it working?" reports, and the ``allora worker|reputer|consumer`` commands (the worker
as a real process, stopped with SIGTERM)."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
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

from pyallora.agents.config import load_worker_config
from pyallora.agents.consumer import format_network_inference, get_network_inference
from pyallora.agents.runtime import configure_agent_logging, emit
from pyallora.agents.status import StatusFile, build_status_report, format_status_report
from pyallora.agents.worker import Worker
from pyallora.cli.main import main
from pyallora.client.client import Client
from pyallora.client.keys import PrivateKey
from pyallora.client.wallet import Wallet

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


def _config(tmp_path: Path, node: FakeNodeServer, model: str) -> tuple[Path, str]:
    wallet, key_file = write_key(tmp_path, "worker")
    node.chain.fund(wallet.address, 10**6)
    path = write_agent_toml(
        tmp_path / "worker.toml",
        node=node.url,
        key_file=key_file,
        topics=[{"topic_id": TOPIC, "inferer": {"model": model}}],
    )
    return path, wallet.address


def _report(path: Path, address: str, node: FakeNodeServer) -> object:
    settings = load_worker_config(path).settings
    return build_status_report(
        role="worker",
        address=address,
        state_dir=settings.state_dir,
        node=node.url,
        topics=[(TOPIC, None)],
    )


def _advance(node: FakeNodeServer, worker: Worker, height: int) -> None:
    while node.chain.height < height:
        node.chain.produce_block()
        worker.step()


def test_the_report_says_working_waiting_degraded_or_not_running(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    path, address = _config(tmp_path, node, "agent_models:ScriptedModel")
    never = _report(path, address, node)
    assert never.verdict == "not running"  # type: ignore[attr-defined]
    assert "never run" in never.problems[0]  # type: ignore[attr-defined]

    worker = Worker(load_worker_config(path), _wallet(tmp_path))
    worker.step()
    _advance(node, worker, 5)
    waiting = _report(path, address, node)
    assert waiting.verdict == "waiting", waiting.problems  # type: ignore[attr-defined]
    _advance(node, worker, 12)
    working = _report(path, address, node)
    assert working.verdict == "working", working.problems  # type: ignore[attr-defined]
    [topic] = working.topics  # type: ignore[attr-defined]
    assert topic.registered is True
    assert topic.last_submission["status"] == "accepted" and topic.last_submission["nonce"] == 10
    assert topic.last_submission["height"] == 11
    assert topic.next_window == (
        "worker nonce 10 (open until height 17) handled; next worker nonce opens at height 20"
    )
    assert working.balance == node.chain.accounts[address].balance  # type: ignore[attr-defined]
    text = format_status_report(working)  # type: ignore[arg-type]
    assert "WORKING" in text and "inference for nonce 10 accepted at height 11" in text

    # A refused submission makes it "degraded", with the chain's code and reason.
    worker.topics[0].inferer.script[20] = "raise"  # type: ignore[union-attr]
    _advance(node, worker, 21)
    degraded = _report(path, address, node)
    assert degraded.verdict == "degraded"  # type: ignore[attr-defined]
    assert any(
        "inference for nonce 20 skipped: inferer: model raised ValueError" in p
        for p in degraded.problems  # type: ignore[attr-defined]
    )
    # A heartbeat from long ago means the worker is not running.
    status = StatusFile(worker.settings.state_dir / "status.json")
    data = status.read()
    assert data is not None
    status.write({**data, "updated_at": time.time() - 3600})
    assert _report(path, address, node).verdict == "not running"  # type: ignore[attr-defined]


def _wallet(tmp_path: Path) -> Wallet:
    return Wallet(PrivateKey.from_hex((tmp_path / "worker.key").read_text()))


def test_worker_status_command_prints_json_and_exits_with_the_verdict(
    tmp_path: Path, node: FakeNodeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path, address = _config(tmp_path, node, "agent_models:ConstantModel")
    assert main(["worker", "status", str(path), "--output", "json"]) == 3
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "not running" and report["address"] == address
    assert report["node_reachable"] is True and report["topics"][0]["registered"] is False
    # A worker's file is not a reputer's: the command says which entry is wrong.
    assert main(["reputer", "status", str(path)]) == 1
    assert "unknown entries ['inferer']" in capsys.readouterr().err


def test_worker_run_command_submits_and_stops_cleanly_on_sigterm(
    tmp_path: Path, node: FakeNodeServer
) -> None:
    path, address = _config(tmp_path, node, "agent_models:ConstantModel")
    process = subprocess.Popen(
        [sys.executable, "-m", "pyallora.cli.main", "worker", "run", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        lines.extend(iter(process.stdout.readline, ""))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_for(lambda: any("worker_started" in line for line in lines), timeout=60)
        deadline = time.monotonic() + 60
        while not any("inference_accepted" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            node.chain.produce_block()
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    reader.join(10)
    output = "".join(lines)
    assert "window_opened topic=1 nonce=10" in output
    assert "inference_submitted topic=1 nonce=10" in output
    assert "inference_accepted topic=1 nonce=10" in output
    assert "stopping signal=SIGTERM" in output and "worker_stopped" in output
    assert [e.nonce for e in node.chain.executed("worker", address)][:1] == [10]


def test_consumer_inference_prints_the_value_error_bars_and_participants(
    tmp_path: Path, node: FakeNodeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    node.chain.archived_inferences[(TOPIC, 10)] = {
        "allo1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": "1.0",
        "allo1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": "3.0",
    }
    with Client(node.url) as client:
        report = get_network_inference(client, TOPIC)
    assert (report.value, report.nonce, report.block_height) == ("2.0", 10, node.chain.height)
    assert report.band("15.87", "84.13") == ("1.0", "3.0")
    assert [p.weight for p in report.inferers] == ["0.5", "0.5"]
    text = format_network_inference(report)
    assert "network inference: 2.0" in text and "68% interval (±1σ):  [1.0, 3.0]" in text
    assert main(["consumer", "inference", str(TOPIC), "--node", node.url]) == 0
    assert capsys.readouterr().out.strip() == text
    assert (
        main(
            ["consumer", "inference", "1", "--nonce", "10", "--node", node.url, "--output", "json"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["value"] == "2.0" and data["source"] == "archived"
    assert [bar["percentile"] for bar in data["error_bars"]] == [
        "2.28",
        "15.87",
        "50",
        "84.13",
        "97.72",
    ]


def test_progress_lines_are_text_or_json_with_the_fields() -> None:
    for json_lines in (False, True):
        stream = io.StringIO()
        handler = configure_agent_logging(json_lines=json_lines, stream=stream)
        try:
            emit(
                logging.getLogger("pyallora.agents.worker"),
                "inference_refused",
                logging.WARNING,
                topic=1,
                nonce=20,
                code=67,
                reason="worker nonce window not available",
            )
        finally:
            logging.getLogger("pyallora.agents").removeHandler(handler)
        line = stream.getvalue().strip()
        if json_lines:
            data = json.loads(line)
            assert data["event"] == "inference_refused" and data["level"] == "warning"
            assert (data["topic"], data["nonce"], data["code"]) == (1, 20, 67)
            assert data["reason"] == "worker nonce window not available"
        else:
            assert line.endswith(
                "inference_refused topic=1 nonce=20 code=67 "
                'reason="worker nonce window not available"'
            )
