"""An epoch through the API and the event stream: a topic, workers and a reputer register,
a worker nonce opens, two workers submit, the nonce closes; the stream reports each step and
the submission, window and consumer endpoints show the archived inferences."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from google.protobuf.message import Message

from pyallora.agents.payloads import build_worker_payload
from pyallora.client import ChainEvent, Client, Wallet
from pyallora.client.keyring import Keyring
from pyallora.node.home import compute_node_modules, init_node_home
from pyallora.node.runner import BackgroundNode
from pyallora.proto.emissions.v5 import tx_pb2 as emissions_tx

pytestmark = pytest.mark.skipif(
    not any(module.name == "emissions" for module in compute_node_modules()),
    reason="the emissions module is not in the application",
)

EPOCH = 4
WINDOW = 2
LAG = 4
GAS = 1_000_000


class Epoch:
    def __init__(self, node: BackgroundNode, home: Path) -> None:
        keyring = Keyring(home / "keyring", backend="test")
        self.node = node
        self.client = Client(node.api_url)
        self.http = httpx.Client(base_url=node.api_url, timeout=30)
        self.validator = Wallet(keyring.export("validator", passphrase=None).private_key)
        self.workers = [
            Wallet(keyring.export(name, passphrase=None).private_key) for name in ("w1", "w2")
        ]

    def commit(self, *pairs: tuple[Message, Wallet]) -> list[str]:
        hashes: list[str] = [
            self.client.submit_tx([message], wallet, gas=GAS).tx_hash for message, wallet in pairs
        ]
        height = self.node.produce_block()
        for tx_hash in hashes:
            info = self.client.tx(tx_hash)
            assert (info.height, info.result.code) == (height, 0), info.result.log
        return hashes


@pytest.fixture(scope="module")
def epoch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Epoch]:
    home = tmp_path_factory.mktemp("flow") / "home"
    init_node_home(home, engine="solo", accounts=[("w1", 10**22), ("w2", 10**22)])
    node = BackgroundNode(home, block_time_ms=0)
    node.start()
    try:
        node.produce_block()
        yield Epoch(node, home)
    finally:
        node.stop()


def test_an_epoch_through_the_api_and_the_stream(epoch: Epoch) -> None:
    validator, (w1, w2) = epoch.validator, epoch.workers
    start = epoch.client.status().height
    subscription = epoch.client.subscribe(
        from_height=start + 1,
        types=["window_opened", "window_closed", "nonce_committed", "payload_accepted"],
    )
    epoch.commit(
        (
            emissions_tx.CreateNewTopicRequest(
                creator=validator.address,
                metadata="flow",
                loss_method="mse",
                epoch_length=EPOCH,
                ground_truth_lag=LAG,
                p_norm="3",
                alpha_regret="0.1",
                epsilon="0.01",
                worker_submission_window=WINDOW,
                merit_sortition_alpha="0.1",
                active_inferer_quantile="0.25",
                active_forecaster_quantile="0.25",
                active_reputer_quantile="0.25",
            ),
            validator,
        )
    )
    topic_id = int(epoch.client.topics()["next_topic_id"]) - 1
    epoch.commit(
        *(
            (emissions_tx.RegisterRequest(sender=w.address, topic_id=topic_id, owner=w.address), w)
            for w in (w1, w2)
        ),
        (
            emissions_tx.RegisterRequest(
                sender=validator.address,
                topic_id=topic_id,
                owner=validator.address,
                is_reputer=True,
            ),
            validator,
        ),
    )
    epoch.commit(
        (
            emissions_tx.AddStakeRequest(
                sender=validator.address, topic_id=topic_id, amount=str(10**20)
            ),
            validator,
        ),
        (
            emissions_tx.FundTopicRequest(sender=w1.address, topic_id=topic_id, amount=str(10**20)),
            w1,
        ),
    )

    # wait (block by block) for a worker nonce to open; the windows endpoint says so
    for _ in range(3 * EPOCH):
        windows = epoch.client.windows(topic_id, w1.address)
        open_now = [w for w in windows["worker_nonces"] if w["open_now"]]
        if open_now:
            break
        epoch.node.produce_block()
    else:
        pytest.fail("no worker nonce opened")
    nonce = int(open_now[0]["nonce"])
    assert open_now[0]["closes_at"] == nonce + WINDOW
    assert windows["eligibility"]["can_submit_worker"] is True
    hashes = epoch.commit(
        (build_worker_payload(w1, topic_id=topic_id, nonce=nonce, inference=1.5), w1),
        (build_worker_payload(w2, topic_id=topic_id, nonce=nonce, inference=2.5), w2),
    )
    after = epoch.client.windows(topic_id, w1.address)["eligibility"]
    assert after["can_submit_worker"] is False and after["reasons"]
    while epoch.client.status().height < nonce + WINDOW:
        epoch.node.produce_block()

    seen: list[ChainEvent] = []
    while not any(e.type == "nonce_committed" for e in seen):
        seen.append(subscription.next_event(timeout=20))
    subscription.close()
    opened = next(e for e in seen if e.type == "window_opened" and e.data["actor"] == "worker")
    assert (opened.height, opened.data["nonce"], opened.data["topic_id"]) == (
        nonce,
        nonce,
        topic_id,
    )
    assert opened.data["window_end_block"] == nonce + WINDOW
    accepted = [e for e in seen if e.type == "payload_accepted"]
    assert sorted(e.data["tx_hash"] for e in accepted) == sorted(hashes)
    assert {e.data["address"] for e in accepted} == {w1.address, w2.address}
    committed = next(e for e in seen if e.type == "nonce_committed")
    assert (committed.data["actor"], committed.data["nonce"]) == ("worker", nonce)
    assert committed.height == nonce + WINDOW

    inferences = epoch.client.inferences(topic_id, nonce)
    assert inferences["total"] == 2
    assert sorted(i["value"] for i in inferences["inferences"]) == ["1.5", "2.5"]
    assert epoch.client.inferences(topic_id)["nonce"] == str(nonce)
    one = epoch.http.get(f"/v1/topics/{topic_id}/inferences", params={"nonce": nonce, "limit": 1})
    assert len(one.json()["result"]["inferences"]) == 1

    latest = epoch.client.network_inference(topic_id)
    assert (latest["source"], latest["nonce"], latest["topic_id"]) == ("latest", nonce, topic_id)
    assert latest["value"]
    assert {p["address"] for p in latest["inferers"]} == {w1.address, w2.address}
    recorded = epoch.client.network_inference(topic_id, nonce)
    assert (recorded["source"], recorded["block_height"]) == ("recorded", committed.height)
    assert recorded["value"] == latest["value"]
    assert recorded["inferers"] == latest["inferers"]

    reputer = epoch.client.windows(topic_id, validator.address)
    (pending,) = [w for w in reputer["reputer_nonces"] if w["nonce"] == nonce]
    assert (pending["opens_at"], pending["closes_by"]) == (nonce + LAG, nonce + 2 * LAG)
