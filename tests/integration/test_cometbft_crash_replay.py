"""Crash test: SIGKILL the application between FinalizeBlock and the end of Commit, restart.

INFRA.md §4.6: on restart CometBFT asks Info for the last committed height, finds its block store
one block ahead, and replays FinalizeBlock + Commit for the missing height through the socket
server, checking the app hash. Nothing that reached a block may be lost, and the chain goes on.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pyallora.node.cometbft import CometRpc, CometRpcError

pytestmark = pytest.mark.integration

WAIT = 20.0


class TxSender(threading.Thread):
    """Broadcasts ``crash{i}=v{i}`` with broadcast_tx_sync until stopped or the node is gone."""

    def __init__(self, rpc_url: str) -> None:
        super().__init__(daemon=True)
        self.rpc_url = rpc_url
        self.accepted: dict[str, bytes] = {}  # hash -> tx
        self.halt = threading.Event()

    def run(self) -> None:
        with CometRpc(self.rpc_url, timeout=5) as rpc:
            index = 0
            while not self.halt.is_set():
                tx = f"crash{index}=v{index}".encode()
                index += 1
                try:
                    result = rpc.broadcast_tx_sync(tx)
                except (httpx.HTTPError, CometRpcError):
                    return  # the node went down with the application
                if result.code == 0:
                    self.accepted[result.hash] = tx
                time.sleep(0.01)


def wait_for_unfinished_block(journal: Callable[[], list[list[str]]]) -> int:
    """Height of a block with transactions that is finalized but whose Commit has not ended."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        lines = journal()
        last = lines[-1] if lines else []
        if last[:1] == ["finalize"] and int(last[1]) >= 3 and int(last[2]) > 0:
            return int(last[1])
        time.sleep(0.005)
    raise AssertionError(f"no block with transactions was finalized in time: {journal()[-5:]}")


def test_sigkill_mid_block_then_handshake_replays(kv_node_factory: Callable[..., Any]) -> None:
    node = kv_node_factory(chain_id="pyallora-crash", app_state={"seed": "0"})
    node.start(commit_delay_ms=300)  # Commit stays open 300 ms before persisting
    sender = TxSender(node.comet_home.rpc_url)
    sender.start()
    try:
        killed_height = wait_for_unfinished_block(node.journal)
        node.kill_app()
    finally:
        sender.halt.set()
        sender.join(timeout=10)
    assert not sender.is_alive()
    before = node.journal()
    assert before[-1][:2] == ["finalize", str(killed_height)]
    assert ["commit", str(killed_height - 1)] in before
    assert ["commit", str(killed_height)] not in before
    saved = json.loads((node.app_home / "state.json").read_text())
    assert saved["height"] == killed_height - 1  # what Info will report
    node.stop()  # CometBFT stops itself when the app dies; stop whatever is left

    log_size = node.comet_home.log_path.stat().st_size
    lines_before = len(before)
    node.start()
    rpc = node.rpc
    rpc.wait_for_height(killed_height + 3, timeout=WAIT, process=node.comet)

    after = node.journal()[lines_before:]
    assert after[0][0] == "start"
    first_info = next(fields for fields in after if fields[0] == "info")
    assert first_info == ["info", str(killed_height - 1)]
    replayed = [fields for fields in after if fields[0] in ("finalize", "commit")]
    assert replayed[0][:2] == ["finalize", str(killed_height)]
    assert replayed[1] == ["commit", str(killed_height)]
    assert ["init", "pyallora-crash", "1"] not in after  # not a fresh chain
    restart_log = node.comet_home.log_path.read_text(errors="replace")[log_size:]
    assert "ABCI Replay Blocks" in restart_log
    assert f"appHeight={killed_height - 1}" in restart_log
    assert f"storeHeight={killed_height}" in restart_log

    # Every transaction that reached a block is in the state, and nothing else is.
    in_blocks: dict[str, str] = {}
    for tx_hash, tx in sender.accepted.items():
        try:
            lookup = rpc.tx(tx_hash)
        except CometRpcError:
            continue  # was still in the mempool at the crash: not committed, may be lost
        assert lookup.tx == tx
        assert lookup.tx_result.code == 0
        key, _, value = tx.decode().partition("=")
        in_blocks[key] = value
    killed_block = rpc.block(killed_height)
    assert killed_block.txs, "the replayed block had transactions"
    for tx in killed_block.txs:
        key, _, value = tx.decode().partition("=")
        assert in_blocks[key] == value
    state = json.loads(rpc.abci_query("/state").value)
    assert state == {"seed": "0", **in_blocks}

    # The chain goes on and the app hash chain still matches the headers.
    assert rpc.broadcast_tx_commit(b"after=crash").tx_result.code == 0
    info = rpc.abci_info()
    rpc.wait_for_height(info.last_block_height + 1, timeout=WAIT)
    assert rpc.block(info.last_block_height + 1).app_hash == info.last_block_app_hash
    for height in range(killed_height - 1, killed_height + 2):
        assert rpc.block(height + 1).app_hash == rpc.block_results(height).app_hash
