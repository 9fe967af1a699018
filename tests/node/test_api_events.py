"""The event log and the websocket stream: classification, replay then live, resume after a
reconnect, filters and bad parameters."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from pyallora.chain.abci_types import Event, TxResult
from pyallora.chain.events import make_event, make_typed_event, with_mode
from pyallora.client.keyring import Keyring
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.client.wallet import Wallet
from pyallora.core.crypto import sha256
from pyallora.node.api.backend import compute_mempool_refusal
from pyallora.node.api.routes_events import is_wanted
from pyallora.node.events import (
    EventLog,
    EventLogError,
    StreamEvent,
    compute_stream_events,
    make_block_record,
)
from pyallora.node.home import init_node_home
from pyallora.node.runner import BackgroundNode
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import tx_pb2 as emissions_tx

CHAIN_ID = "events-test"
KEY = PrivateKey(secret=sha256(b"events test key"))


# ---------------------------------------------------------------------------------------------
# classification (pure)


def _worker_payload_tx(topic_id: int, nonce: int) -> bytes:
    message = emissions_tx.InsertWorkerPayloadRequest(
        sender=KEY.address,
        worker_data_bundle=types_pb2.WorkerDataBundle(
            worker=KEY.address, nonce=types_pb2.Nonce(block_height=nonce), topic_id=topic_id
        ),
    )
    return build_tx(
        [message],
        private_key=KEY,
        chain_id=CHAIN_ID,
        account_number=0,
        sequence=0,
        fee_amount=0,
        gas_limit=1,
    )


def test_block_records_become_typed_stream_messages() -> None:
    payload = _worker_payload_tx(topic_id=3, nonce=40)
    failed = _worker_payload_tx(topic_id=3, nonce=41)
    events = (
        with_mode(
            make_typed_event(
                "emissions.v4.EventWorkerSubmissionWindowOpened",
                {"topic_id": "3", "nonce_block_height": "45", "window_end_block": "48"},
            ),
            "EndBlock",
        ),
        make_typed_event(
            "emissions.v4.EventReputerSubmissionWindowClosed",
            {"topic_id": "2", "nonce_block_height": "30"},
        ),
        make_typed_event(
            "emissions.v4.EventWorkerLastCommitSet",
            {"topic_id": "3", "block_height": "43", "nonce": {"block_height": "40"}},
        ),
        make_typed_event(
            "emissions.v4.EventRewardsSettled",
            {
                "actor_type": "ACTOR_TYPE_REPUTER",
                "topic_id": "3",
                "block_height": "45",
                "addresses": [KEY.address],
                "rewards": ["12.5"],
            },
        ),
        make_typed_event(
            "emissions.v4.EventTopicRewardsSet", {"topic_ids": ["3", "2"], "rewards": ["1", "2"]}
        ),
        make_event("coin_spent", (("spender", KEY.address), ("amount", "5uallo"))),
    )
    block = make_block_record(
        height=45,
        time_ns=1_767_225_600 * 10**9,
        app_hash=b"\xab" * 32,
        txs=(payload, failed),
        tx_results=(
            TxResult(code=0, sender=KEY.address, gas_used=9),
            TxResult(code=75, codespace="emissions", log="unfulfilled nonce not found"),
        ),
        events=events,
    )
    stream = compute_stream_events(block)
    assert [event.seq for event in stream] == list(range(len(stream)))
    assert all(event.height == 45 for event in stream)
    kinds = [event.type for event in stream]
    assert kinds == [
        "block",
        "tx",
        "payload_accepted",
        "tx",
        "window_opened",
        "window_closed",
        "nonce_committed",
        "rewards",
        "topic_rewards",
    ]
    first = stream[0].to_json()
    assert first["app_hash"] == "AB" * 32
    assert first["time"] == "2026-01-01T00:00:00Z"
    assert first["tx_hashes"] == [sha256(payload).hex().upper(), sha256(failed).hex().upper()]
    assert stream[1].data["code"] == 0 and stream[3].data["code"] == 75
    accepted = stream[2].data
    assert (accepted["actor"], accepted["topic_id"], accepted["nonce"]) == ("worker", 3, 40)
    assert accepted["address"] == KEY.address
    opened = stream[4].data
    assert (opened["actor"], opened["topic_id"], opened["nonce"]) == ("worker", 3, 45)
    assert opened["window_end_block"] == 48
    assert (stream[5].data["actor"], stream[5].data["topic_id"]) == ("reputer", 2)
    assert (stream[6].data["nonce"], stream[6].data["block_height"]) == (40, 43)
    rewards = stream[7].data
    assert (rewards["actor"], rewards["addresses"], rewards["rewards"]) == (
        "reputer",
        [KEY.address],
        ["12.5"],
    )
    assert stream[8].data["topic_ids"] == [3, 2]


def test_filters_by_type_and_topic() -> None:
    block = StreamEvent(type="block", height=1, seq=0, data={})
    topic_two = StreamEvent(type="window_opened", height=1, seq=1, data={"topic_id": 2})
    both = StreamEvent(type="topic_rewards", height=1, seq=2, data={"topic_ids": [1, 2]})
    every = ("block", "window_opened", "topic_rewards")
    assert is_wanted(block, every, topic_id=7)
    assert is_wanted(topic_two, every, topic_id=2)
    assert not is_wanted(topic_two, every, topic_id=3)
    assert is_wanted(both, every, topic_id=1)
    assert not is_wanted(both, every, topic_id=5)
    assert not is_wanted(block, ("tx",), topic_id=None)


def test_event_log_persists_and_survives_holes(tmp_path: Path) -> None:
    raw = b"\x0a\x00"
    log = EventLog(tmp_path / "index")
    for height in (1, 2, 3):
        txs = (raw + bytes([height]),) if height == 2 else ()
        log.record(
            make_block_record(
                height=height,
                time_ns=height,
                app_hash=bytes([height]) * 32,
                txs=txs,
                tx_results=tuple(TxResult(code=0) for _ in txs),
                events=(Event(type="x", attributes=(("k", "v"),)),),
            )
        )
    assert (
        log.record(make_block_record(height=2, time_ns=0, app_hash=b"", txs=(), tx_results=()))
        == ()
    )
    with pytest.raises(EventLogError):
        make_block_record(height=4, time_ns=4, app_hash=b"", txs=(b"x",), tx_results=())
    log.record(make_block_record(height=5, time_ns=5, app_hash=b"", txs=(), tx_results=()))
    log.put_snapshot("network_inference/1/2", {"value": "1.5"})
    log.close()
    reopened = EventLog(tmp_path / "index")
    assert (reopened.earliest_height, reopened.latest_height) == (1, 5)
    assert reopened.get_block(4) is None
    found = reopened.get_tx(sha256(raw + b"\x02"))
    assert found is not None and (found.height, found.index) == (2, 0)
    assert reopened.get_block(3) is not None and reopened.get_block(3).app_hash == b"\x03" * 32  # type: ignore[union-attr]
    assert reopened.get_block(3).events == (Event(type="x", attributes=(("k", "v"),)),)  # type: ignore[union-attr]
    assert [e.height for e in reopened.replay(2) if e.type == "block"] == [2, 3, 5]
    assert reopened.get_snapshot("network_inference/1/2") == {"value": "1.5"}
    reopened.close()


# ---------------------------------------------------------------------------------------------
# the websocket on a live node


class StreamNode:
    def __init__(self, node: BackgroundNode, wallet: Wallet) -> None:
        self.node = node
        self.wallet = wallet
        self.http = httpx.Client(base_url=node.api_url, timeout=30)
        self.ws_url = "ws://" + node.api_url.removeprefix("http://") + "/v1/events"

    def connect(self, **params: Any) -> ClientConnection:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return connect(self.ws_url + (f"?{query}" if query else ""), open_timeout=10)

    def height(self) -> int:
        return int(self.http.get("/v1/status").json()["height"])


def _recv(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(ws.recv(timeout=10))
    assert isinstance(message, dict)
    return message


@pytest.fixture(scope="module")
def stream_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamNode]:
    home = tmp_path_factory.mktemp("events") / "home"
    init_node_home(home, chain_id=CHAIN_ID, engine="solo", accounts=[("alice", 10**21)])
    wallet = Wallet(
        Keyring(home / "keyring", backend="test").export("alice", passphrase=None).private_key
    )
    node = BackgroundNode(home, block_time_ms=0)
    node.start()
    handle = StreamNode(node, wallet)
    for _ in range(4):
        node.produce_block()
    try:
        yield handle
    finally:
        handle.http.close()
        node.stop()


def test_replay_then_live(stream_node: StreamNode) -> None:
    latest = stream_node.height()
    with stream_node.connect(from_height=2, types="block") as ws:
        hello = _recv(ws)
        assert hello["type"] == "hello"
        assert (hello["from_height"], hello["latest_height"]) == (2, latest)
        assert hello["chain_id"] == CHAIN_ID
        replayed = [_recv(ws) for _ in range(2, latest + 1)]
        assert [m["height"] for m in replayed] == list(range(2, latest + 1))
        for message in replayed:
            block = stream_node.http.get(f"/v1/blocks/{message['height']}").json()
            assert message["app_hash"] == block["app_hash"]
        new_height = stream_node.node.produce_block()
        live = _recv(ws)
        assert (live["type"], live["height"], live["seq"]) == ("block", new_height, 0)


def test_default_is_live_only_and_txs_are_streamed(stream_node: StreamNode) -> None:
    with stream_node.connect() as ws:
        hello = _recv(ws)
        assert hello["from_height"] == hello["latest_height"] + 1
        account = stream_node.http.get(f"/v1/accounts/{stream_node.wallet.address}").json()
        raw = stream_node.wallet.sign_tx(
            [
                bank_tx.MsgSend(
                    from_address=stream_node.wallet.address,
                    to_address=KEY.address,
                    amount=[coin_pb2.Coin(denom="uallo", amount="3")],
                )
            ],
            chain_id=CHAIN_ID,
            account_number=account["account_number"],
            sequence=account["sequence"],
        )
        posted = stream_node.http.post(
            "/v1/txs", json={"tx_bytes": base64.b64encode(raw).decode()}
        ).json()
        assert posted["code"] == 0
        height = stream_node.node.produce_block()
        block = _recv(ws)
        assert (block["type"], block["height"], block["num_txs"]) == ("block", height, 1)
        assert block["tx_hashes"] == [posted["tx_hash"]]
        tx = _recv(ws)
        assert (tx["type"], tx["seq"], tx["hash"], tx["code"]) == ("tx", 1, posted["tx_hash"], 0)
        assert tx["sender"] == stream_node.wallet.address


def test_resume_after_reconnect_sees_every_message_once(stream_node: StreamNode) -> None:
    start = stream_node.height()
    seen: list[tuple[int, int]] = []
    with stream_node.connect(from_height=start) as ws:
        _recv(ws)
        stream_node.node.produce_block()
        stream_node.node.produce_block()
        message = _recv(ws)
        seen.append((message["height"], message["seq"]))
    # disconnected after the first message; blocks keep coming
    stream_node.node.produce_block()
    last_height = seen[-1][0]
    with stream_node.connect(from_height=last_height) as ws:
        hello = _recv(ws)
        assert hello["from_height"] == last_height
        latest = hello["latest_height"]
        while True:
            message = _recv(ws)
            position = (message["height"], message["seq"])
            if position > seen[-1]:
                seen.append(position)
            if message["height"] == latest and message["type"] == "block":
                break
    heights = sorted({height for height, _ in seen})
    assert heights == list(range(start, latest + 1))
    assert seen == sorted(set(seen))


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("from_height=-1", "from_height"),
        ("from_height=abc", "from_height"),
        ("from_height=99999999999999999999999", "from_height"),
        ("topic_id=0", "topic_id"),
        ("types=block,nonsense", "unknown event types"),
        ("colour=blue", "unknown parameters"),
    ],
)
def test_bad_stream_parameters_get_an_error_and_1008(
    stream_node: StreamNode, query: str, needle: str
) -> None:
    with connect(f"{stream_node.ws_url}?{query}", open_timeout=10) as ws:
        message = _recv(ws)
        assert message["type"] == "error" and needle in message["detail"]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_a_subscriber_that_falls_behind_is_told_to_resume() -> None:
    async def main() -> None:
        log = EventLog(None)
        slow = log.subscribe(maxsize=3)
        fast = log.subscribe()
        for height in range(1, 5):
            log.record(
                make_block_record(
                    height=height, time_ns=height, app_hash=b"", txs=(), tx_results=()
                )
            )
        assert slow.overflowed and not fast.overflowed
        assert await slow.get() is None
        assert [(await fast.get()).height for _ in range(4)] == [1, 2, 3, 4]  # type: ignore[union-attr]
        slow.close()
        assert log.subscriber_count == 1
        log.close()
        assert fast.closing and await fast.get() is None

    asyncio.run(main())


def test_mempool_refusals_map_to_sdk_codes() -> None:
    assert compute_mempool_refusal("tx already exists in cache").code == 19
    assert compute_mempool_refusal("mempool is full: number of txs 5000").code == 20
    assert compute_mempool_refusal("tx too large. Max size is 1048576").code == 21
    other = compute_mempool_refusal("something else")
    assert (other.code, other.codespace) == (1, "cometbft")
