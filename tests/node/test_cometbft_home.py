"""``init_home`` and the process wrapper with the real CometBFT binary (INFRA.md §3)."""

from __future__ import annotations

import asyncio
import json
import tomllib
from pathlib import Path

import pytest

from pyallora.node.cometbft import (
    CometBftError,
    CometBftNotFoundError,
    CometBftProcess,
    CometRpc,
    find_cometbft,
    get_cometbft_version,
    init_home,
    load_home,
    subscribe_events,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def binary() -> Path:
    try:
        return find_cometbft()
    except CometBftNotFoundError as exc:
        pytest.skip(f"INTEGRATION TESTS SKIPPED: {exc}")


def test_pinned_version(binary: Path) -> None:
    assert get_cometbft_version(binary) == "0.38.25"


def test_init_home_patches_config_and_genesis(tmp_path: Path, binary: Path) -> None:
    home = init_home(
        tmp_path / "node",
        chain_id="allora-local-1",
        app_state={"emissions": {"params": {"epoch": "5"}}},
        rpc_port=31001,
        p2p_port=31002,
        timeout_commit_ms=250,
        timeout_propose_ms=900,
        timeout_vote_ms=150,
        initial_height=7,
        genesis_time_ns=1_767_225_600_500_000_000,
        binary=binary,
    )
    config = tomllib.loads(home.config_path.read_text())
    assert config["proxy_app"] == f"unix://{tmp_path.resolve() / 'node' / 'app.sock'}"
    assert config["abci"] == "socket"
    assert config["rpc"]["laddr"] == "tcp://127.0.0.1:31001"
    assert config["p2p"]["laddr"] == "tcp://127.0.0.1:31002"
    assert (config["p2p"]["pex"], config["p2p"]["addr_book_strict"]) == (False, False)
    consensus = config["consensus"]
    assert (consensus["timeout_commit"], consensus["timeout_propose"]) == ("250ms", "900ms")
    assert (consensus["timeout_prevote"], consensus["timeout_precommit"]) == ("150ms", "150ms")
    assert consensus["create_empty_blocks"] is True
    assert config["tx_index"]["indexer"] == "kv"
    genesis = json.loads(home.genesis_path.read_text())
    assert genesis["chain_id"] == "allora-local-1"
    assert genesis["initial_height"] == "7"
    assert genesis["genesis_time"] == "2026-01-01T00:00:00.5Z"
    assert genesis["app_state"] == {"emissions": {"params": {"epoch": "5"}}}
    assert len(genesis["validators"]) == 1
    assert load_home(home.home) == home
    assert (home.rpc_url, home.websocket_url) == (
        "http://127.0.0.1:31001",
        "ws://127.0.0.1:31001/websocket",
    )
    with pytest.raises(CometBftError, match="already a CometBFT home"):
        init_home(tmp_path / "node", chain_id="again", binary=binary)


def test_builtin_kvstore_node_runs_and_stops_cleanly(tmp_path: Path, binary: Path) -> None:
    home = init_home(tmp_path / "kv", chain_id="kv-test", timeout_commit_ms=100, binary=binary)
    process = CometBftProcess(home, binary=binary, extra_args=("--proxy_app=kvstore",))
    with process, CometRpc(home.rpc_url) as rpc:
        rpc.wait_for_height(1, timeout=30, process=process)
        result = rpc.broadcast_tx_commit(b"name=satoshi")
        assert (result.check_tx.code, result.tx_result.code) == (0, 0)
        assert rpc.abci_query("/store", b"name").value == b"satoshi"
        assert rpc.status().network == "kv-test"
    assert process.returncode == 0  # SIGTERM is a graceful shutdown for CometBFT
    assert "Stopping" in process.read_log() or "stopping" in process.read_log()


def test_websocket_subscription_yields_new_blocks(tmp_path: Path, binary: Path) -> None:
    home = init_home(tmp_path / "ws", chain_id="ws-test", timeout_commit_ms=100, binary=binary)

    async def first_heights(count: int) -> list[int]:
        heights: list[int] = []
        events = subscribe_events(home.websocket_url, "tm.event='NewBlock'")
        async for event in events:
            heights.append(int(event["data"]["value"]["block"]["header"]["height"]))
            if len(heights) == count:
                break
        await events.aclose()
        return heights

    process = CometBftProcess(home, binary=binary, extra_args=("--proxy_app=kvstore",))
    with process, CometRpc(home.rpc_url) as rpc:
        rpc.wait_for_height(1, timeout=30, process=process)
        heights = asyncio.run(asyncio.wait_for(first_heights(3), 30))
    assert heights == list(range(heights[0], heights[0] + 3))
