"""End to end through the command line: ``allora init``, ``allora start --solo`` as a
subprocess, ``allora status``, ``allora tx bank send``, ``allora query ...``, SIGTERM."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyallora.cli.query import CliNodeError
from pyallora.cli.tx import parse_amount_text
from pyallora.node.processes import stop_process

ALICE_FUNDS = 1_000_000


def allora(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "pyallora.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check:
        assert completed.returncode == 0, completed.stderr
    return completed


def allora_json(*args: str) -> Any:
    return json.loads(allora(*args, "--output", "json").stdout)


class StartedNode:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pyallora.cli.main", "start", "--home", str(home), "--solo"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, prefix: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {prefix!r} line; got {self.output}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            self.output.append(line)
            if line.startswith(prefix):
                return line

    def stop(self) -> int:
        return stop_process(self.process, 60)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "node home"


@pytest.fixture
def started(home: Path) -> Iterator[StartedNode]:
    node: StartedNode | None = None

    def start() -> StartedNode:
        nonlocal node
        node = StartedNode(home)
        return node

    yield start  # type: ignore[misc]
    if node is not None:
        node.stop()
        if node.process.stderr is not None:
            print(node.process.stderr.read()[-3000:])


def test_init_start_status_send_query_stop(home: Path, started: Any) -> None:
    init = allora_json(
        "init",
        "--home",
        str(home),
        "--engine",
        "solo",
        "--chain-id",
        "cli-test",
        "--block-time",
        "100",
        "--account",
        f"alice:{ALICE_FUNDS}",
    )
    assert init["engine"] == "solo" and init["chain_id"] == "cli-test"
    alice = next(a["address"] for a in init["accounts"] if a["name"] == "alice")

    node: StartedNode = started()
    api_line = node.wait_for_line("API listening on ")
    api = api_line.removeprefix("API listening on ")
    assert api == init["api"]

    status = allora_json("status", "--home", str(home))
    assert {"height", "app_hash", "engine", "api"} <= set(status)
    assert (status["engine"], status["api"], status["chain_id"]) == ("solo", api, "cli-test")
    assert len(status["app_hash"]) in (0, 64)

    sent = allora_json(
        "tx", "bank", "send", "validator", alice, "4242uallo", "--home", str(home), "--wait"
    )
    assert sent["code"] == 0 and sent["height"] > 0 and len(sent["tx_hash"]) == 64

    balance = allora_json("query", "bank", "balance", alice, "--node", api)
    assert balance == {"address": alice, "denom": "uallo", "amount": str(ALICE_FUNDS + 4242)}
    assert allora("q", "bank", "balance", alice, "--home", str(home)).stdout.strip() == (
        f"{ALICE_FUNDS + 4242}uallo"
    )
    found = allora_json("query", "tx", sent["tx_hash"], "--node", api)
    assert (found["height"], found["result"]["code"]) == (sent["height"], 0)
    account = allora_json("query", "auth", "account", init["validator_address"], "--node", api)
    assert account["sequence"] == 1
    block = allora_json("query", "block", str(sent["height"]), "--node", api)
    assert [tx["hash"] for tx in block["txs"]] == [sent["tx_hash"]]
    supply = allora_json("query", "raw", "/cosmos.bank.v1beta1.Query/TotalSupply", "--node", api)
    assert supply["supply"][0]["denom"] == "uallo"

    refused = allora(
        "tx", "bank", "send", "alice", alice, str(10**30), "--home", str(home), check=False
    )
    assert refused.returncode == 1 and "insufficient funds" in refused.stderr

    assert node.stop() == 0
    node.wait_for_line("node stopped", timeout=10)
    assert not (home / "run.json").exists()
    down = allora("status", "--home", str(home), check=False)
    assert down.returncode == 1 and "not running" in down.stderr


def test_amount_parsing() -> None:
    assert parse_amount_text("1.5allo") == 1_500_000_000_000_000_000
    assert parse_amount_text("12") == 12
    assert parse_amount_text("12uallo") == 12
    for bad in ("-1", "1.5", "abc", "1.0000000000000000001allo", "uallo"):
        with pytest.raises(CliNodeError):
            parse_amount_text(bad)


def test_status_without_a_home_fails_cleanly(tmp_path: Path) -> None:
    result = allora("status", "--home", str(tmp_path / "missing"), check=False)
    assert result.returncode == 1
    assert "allora init" in result.stderr


def test_ctrl_c_stops_the_node_cleanly(home: Path) -> None:
    allora("init", "--home", str(home), "--engine", "solo", "--block-time", "50")
    node = StartedNode(home)
    try:
        api = node.wait_for_line("API listening on ").removeprefix("API listening on ")
        assert json.loads((home / "run.json").read_text())["api"] == api
        node.process.send_signal(signal.SIGINT)
        assert node.process.wait(60) == 0
        node.wait_for_line("node stopped", timeout=10)
        assert not (home / "run.json").exists()
    finally:
        node.stop()
