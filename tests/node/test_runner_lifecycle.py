"""The node process (solo engine): start, pace, run file, clean stop, restart, refusals."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from pyallora.client import Client, Wallet
from pyallora.client.keyring import Keyring
from pyallora.node.config import load_node_config, save_node_config
from pyallora.node.home import NodeHomeError, init_node_home
from pyallora.node.runner import BackgroundNode, NodeRunError, NodeRunner

BOB = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"


def _home(tmp_path: Path, **options: object) -> Path:
    home = tmp_path / "home"
    init_node_home(home, engine="solo", accounts=[("alice", 10**21)], **options)  # type: ignore[arg-type]
    return home


def _alice(home: Path) -> Wallet:
    keyring = Keyring(home / "keyring", backend="test")
    return Wallet(keyring.export("alice", passphrase=None).private_key)


def test_run_file_pace_and_clean_stop(tmp_path: Path) -> None:
    home = _home(tmp_path)
    node = BackgroundNode(home, block_time_ms=20)
    node.start()
    try:
        run = json.loads((home / "run.json").read_text())
        assert run["api"] == node.api_url
        assert (run["engine"], run["rpc"]) == ("solo", None)
        with Client(node.api_url) as client:
            status = client.wait_for_height(5, timeout=30)
            assert status.height >= 5
    finally:
        node.stop()
    assert not (home / "run.json").exists()
    with pytest.raises(httpx.HTTPError):
        httpx.get(run["api"] + "/v1/status", timeout=2)


def test_restart_resumes_state_and_the_event_log(tmp_path: Path) -> None:
    home = _home(tmp_path)
    alice = _alice(home)
    with BackgroundNode(home, block_time_ms=20) as node, Client(node.api_url) as client:
        client.wait_for_height(1, timeout=30)
        info = client.send_tx(
            [
                bank_tx.MsgSend(
                    from_address=alice.address,
                    to_address=BOB,
                    amount=[coin_pb2.Coin(denom="uallo", amount="99")],
                )
            ],
            alice,
        )
        block = client.block(info.height)
    with BackgroundNode(home, block_time_ms=0) as node, Client(node.api_url) as client:
        status = client.status()
        assert status.height >= info.height
        assert client.block(info.height) == block
        assert client.tx(info.hash) == info
        assert client.balance(BOB) == 99
        before = status.height
        validators = client.validators()
        assert node.produce_block() == before + 1
        assert client.status().height == before + 1
        # The restarted solo driver kept the validator set the app elected (CometBFT timing),
        # not the genesis document's (empty when validators come from gentxs).
        after = client.validators()
        assert after["consensus"] == validators["consensus"]
        assert validators["consensus"]


def test_stream_subscribers_are_told_when_the_node_stops(tmp_path: Path) -> None:
    home = _home(tmp_path)
    node = BackgroundNode(home, block_time_ms=0)
    node.start()
    url = "ws://" + node.api_url.removeprefix("http://") + "/v1/events"
    try:
        with connect(url, open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            node.stop()
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    finally:
        node.stop()


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(NodeHomeError, match="not a node home"):
        NodeRunner(tmp_path / "nothing")
    home = _home(tmp_path)
    with BackgroundNode(home, block_time_ms=0) as node:
        node.produce_block()
    with pytest.raises(NodeRunError, match="solo engine"):
        BackgroundNode(home, engine="cometbft").start()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    try:
        port = blocker.getsockname()[1]
        save_node_config(home, replace(load_node_config(home), api_port=port))
        with pytest.raises(NodeRunError, match="cannot listen"):
            BackgroundNode(home).start()
    finally:
        blocker.close()
    with BackgroundNode(home, api_port=0, block_time_ms=0) as node:
        assert node.api_url != f"http://127.0.0.1:{port}"
        assert httpx.get(node.api_url + "/v1/status").status_code == 200
