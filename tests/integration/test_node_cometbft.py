"""The node through ``allora start`` with a real CometBFT v0.38.25 (one validator).

``allora init`` + ``allora start`` as a subprocess; a signed tx through CometBFT's RPC
(``broadcast_tx_commit``) and one through the node's API; their results as CometBFT and the
API report them; the app hash CometBFT reports (``abci_info`` and the next block's header)
equals the application's; SIGTERM stops CometBFT and the application (no orphan process),
and a restart continues the chain; after it, ``[index] events`` limits what CometBFT indexes.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.client import Client, Wallet
from pyallora.client.keyring import Keyring
from pyallora.node.cometbft import CometRpc, CometRpcError, TxLookup
from pyallora.node.config import load_node_config, save_node_config
from pyallora.node.processes import find_child_pids, stop_process

pytestmark = pytest.mark.integration

BOB = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"
CHAIN_ID = "comet-node-test"


def _allora(*args: str) -> Any:
    completed = subprocess.run(
        [sys.executable, "-m", "pyallora.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout) if "--output" in args else completed.stdout


class NodeProcess:
    """``allora start`` in a subprocess, with its stdout lines."""

    def __init__(self, home: Path, log: Path) -> None:
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pyallora.cli.main", "start", "--home", str(home)],
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, prefix: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None and self.lines.empty():
                break
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r}; log:\n{self.log.read_text()[-3000:]}")

    def children(self) -> list[int]:
        return find_child_pids(self.process.pid)

    def terminate(self, timeout: float = 60) -> int:
        status = stop_process(self.process, timeout)
        self._log_file.close()
        return status


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _wait_for_indexed_tx(rpc: CometRpc, tx_hash: str, timeout: float = 30) -> TxLookup:
    """CometBFT indexes a block's txs just after the commit the node already reported."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return rpc.tx(tx_hash)
        except CometRpcError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _send(wallet: Wallet, amount: int) -> list[bank_tx.MsgSend]:
    return [
        bank_tx.MsgSend(
            from_address=wallet.address,
            to_address=BOB,
            amount=[coin_pb2.Coin(denom="uallo", amount=str(amount))],
        )
    ]


def _search_count(rpc: CometRpc, query: str, at_least: int = 0, timeout: float = 30) -> int:
    """CometBFT's ``tx_search`` total for ``query``, once it reaches ``at_least``."""
    deadline = time.monotonic() + timeout
    while True:
        total = int(rpc.call("tx_search", query=query)["total_count"])
        if total >= at_least or time.monotonic() > deadline:
            return total
        time.sleep(0.05)


def _metrics(api: str) -> dict[str, float]:
    """``GET /v1/metrics`` as ``{series: value}``."""
    answer = httpx.get(api + "/v1/metrics", timeout=10)
    assert answer.status_code == 200
    samples = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def test_allora_start_with_cometbft(tmp_path: Path, cometbft_binary: Path) -> None:
    home = tmp_path / "home"
    init = _allora(
        "init",
        "--home",
        str(home),
        "--chain-id",
        CHAIN_ID,
        "--block-time",
        "200",
        "--account",
        "alice:1000000000000",
        "--cometbft",
        str(cometbft_binary),
        "--output",
        "json",
    )
    assert init["engine"] == "cometbft" and init["cometbft_ready"]
    keyring = Keyring(home / "keyring", backend="test")
    alice = Wallet(keyring.export("alice", passphrase=None).private_key)
    validator = Wallet(keyring.export("validator", passphrase=None).private_key)

    node = NodeProcess(home, tmp_path / "node.log")
    try:
        api = node.wait_for_line("API listening on ").removeprefix("API listening on ")
        rpc_url = node.wait_for_line("CometBFT RPC on ").removeprefix("CometBFT RPC on ")
        (comet_pid,) = node.children()
        with CometRpc(rpc_url) as rpc, Client(api) as client:
            rpc.wait_for_height(2, timeout=60)
            assert rpc.status().network == CHAIN_ID
            status = client.status()
            assert (status.engine, status.rpc, status.chain_id) == ("cometbft", rpc_url, CHAIN_ID)
            (consensus,) = client.validators()["consensus"]
            (comet_validator,) = rpc.call("validators")["validators"]
            assert consensus["power"] == int(comet_validator["voting_power"])
            assert consensus["address"] == comet_validator["address"]

            # 1. through CometBFT's RPC
            account = client.account(alice.address)
            raw = alice.sign_tx(
                _send(alice, 1000),
                chain_id=CHAIN_ID,
                account_number=account.account_number,
                sequence=account.sequence,
            )
            committed = rpc.broadcast_tx_commit(raw)
            assert committed.check_tx.code == 0 and committed.tx_result.code == 0
            seen = client.wait_for_tx(committed.hash, timeout=30)
            assert (seen.height, seen.result.code) == (committed.height, 0)
            assert seen.result.gas_used == committed.tx_result.gas_used

            # 2. through the API (the client signs, broadcasts, waits)
            info = client.send_tx(_send(validator, 234), validator, timeout=60)
            assert info.result.code == 0
            looked_up = _wait_for_indexed_tx(rpc, info.hash)
            assert (looked_up.height, looked_up.tx_result.code) == (info.height, 0)
            assert looked_up.tx_result.gas_used == info.result.gas_used
            results = rpc.block_results(info.height)
            assert results.tx_results[looked_up.index].gas_used == info.result.gas_used
            assert client.balance(BOB) == 1234

            # 3. the app hash CometBFT reports is the application's
            abci = rpc.abci_info()
            height = abci.last_block_height
            app_block = client.block(height)
            assert bytes.fromhex(app_block.app_hash) == abci.last_block_app_hash
            rpc.wait_for_height(height + 1, timeout=60)
            header = rpc.block(height + 1)
            assert header.app_hash == abci.last_block_app_hash
            assert rpc.block(height).hash == bytes.fromhex(app_block.block_hash)
            stopped_at = client.status().height

            # 4. the node's metrics count what CometBFT asked of the application
            samples = _metrics(api)
            assert samples['pyallora_abci_requests_total{method="check_tx"}'] >= 2
            commits = samples['pyallora_abci_requests_total{method="commit"}']
            assert commits >= height  # every block since the chain started, in this process
            assert samples['pyallora_abci_requests_total{method="on_commit"}'] == commits
            assert samples['pyallora_abci_requests_total{method="finalize_block"}'] == commits
            assert samples['pyallora_abci_request_seconds_total{method="finalize_block"}'] > 0

        # 5. SIGTERM stops CometBFT and the application
        assert node.terminate() == 0
        assert not _is_alive(comet_pid)
        assert not (home / "run.json").exists()
    finally:
        node.terminate()

    # 6. a restart continues the chain (CometBFT's handshake with the stored state), now
    # with CometBFT indexing only the transfers' recipients ([index] events)
    config = load_node_config(home)
    save_node_config(home, config.with_overrides(index_events=("transfer.recipient",)))
    again = NodeProcess(home, tmp_path / "node2.log")
    try:
        api = again.wait_for_line("API listening on ").removeprefix("API listening on ")
        rpc_url = again.wait_for_line("CometBFT RPC on ").removeprefix("CometBFT RPC on ")
        with Client(api) as client, CometRpc(rpc_url) as rpc:
            client.wait_for_height(stopped_at + 2, timeout=60)
            assert client.balance(BOB) == 1234
            assert client.tx(info.hash).height == info.height
            sent = client.send_tx(_send(alice, 1), alice, timeout=60)
            assert _wait_for_indexed_tx(rpc, sent.hash).height == sent.height
            to_bob = _search_count(rpc, f"transfer.recipient='{BOB}'", at_least=3)
            assert to_bob == 3  # the three sends, before and after the restart
            from_alice = _search_count(rpc, f"transfer.sender='{alice.address}'")
            assert from_alice == 1  # the send before the restart: senders no longer indexed
        assert again.terminate() == 0
    finally:
        again.terminate()
    with pytest.raises(httpx.HTTPError):
        httpx.get(api + "/v1/status", timeout=2)
