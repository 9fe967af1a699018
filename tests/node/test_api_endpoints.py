"""The node's HTTP API over a live solo node (blocks on demand): every area's happy path,
bad input answered with 4xx and a message, tx broadcast + wait + lookup."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.client.keyring import Keyring
from pyallora.client.wallet import Wallet
from pyallora.core.crypto import sha256
from pyallora.node.api.backend import SoloBackend
from pyallora.node.config import load_node_config, save_node_config
from pyallora.node.home import compute_node_modules, init_node_home
from pyallora.node.runner import BackgroundNode
from pyallora.proto.emissions.v5 import tx_pb2 as emissions_tx

CHAIN_ID = "api-test"
ALICE_FUNDS = 10**22
OUTSIDER = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"
MAX_PAGE = 5
HAS_EMISSIONS = any(module.name == "emissions" for module in compute_node_modules())


class NodeHandle:
    """A started node, its HTTP client and the test wallets."""

    def __init__(self, node: BackgroundNode, keyring: Keyring) -> None:
        self.node = node
        self.http = httpx.Client(base_url=node.api_url, timeout=30)
        self.validator = Wallet(keyring.export("validator", passphrase=None).private_key)
        self.alice = Wallet(keyring.export("alice", passphrase=None).private_key)

    def block(self) -> int:
        return self.node.produce_block()

    def mempool_size(self) -> int:
        backend = self.node.runner.backend
        assert isinstance(backend, SoloBackend)
        return self.node.call(lambda: len(backend.node.mempool))

    def account(self, wallet: Wallet) -> dict[str, Any]:
        answer = self.http.get(f"/v1/accounts/{wallet.address}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def sign(self, wallet: Wallet, messages: list[Any], *, sequence: int | None = None) -> bytes:
        account = self.account(wallet)
        return wallet.sign_tx(
            messages,
            chain_id=CHAIN_ID,
            account_number=account["account_number"],
            sequence=account["sequence"] if sequence is None else sequence,
            gas=600_000,
        )

    def send(self, wallet: Wallet, to: str, amount: int, *, sequence: int | None = None) -> bytes:
        message = bank_tx.MsgSend(
            from_address=wallet.address,
            to_address=to,
            amount=[coin_pb2.Coin(denom="uallo", amount=str(amount))],
        )
        return self.sign(wallet, [message], sequence=sequence)

    def post_tx(self, raw: bytes, **options: Any) -> httpx.Response:
        body = {"tx_bytes": base64.b64encode(raw).decode(), **options}
        return self.http.post("/v1/txs", json=body)

    def commit(self, wallet: Wallet, messages: list[Any]) -> dict[str, Any]:
        raw = self.sign(wallet, messages)
        answer = self.post_tx(raw)
        assert answer.status_code == 200 and answer.json()["code"] == 0, answer.text
        self.block()
        found = self.http.get(f"/v1/txs/{answer.json()['tx_hash']}")
        assert found.status_code == 200
        result = found.json()["result"]
        assert result["code"] == 0, result["log"]
        return dict(found.json())


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeHandle]:
    home = tmp_path_factory.mktemp("api") / "home"
    init_node_home(
        home,
        chain_id=CHAIN_ID,
        engine="solo",
        accounts=[("alice", ALICE_FUNDS)],
        block_time_ms=1000,
    )
    save_node_config(home, replace(load_node_config(home), max_page_size=MAX_PAGE))
    node = BackgroundNode(home, block_time_ms=0)
    node.start()
    handle = NodeHandle(node, Keyring(home / "keyring", backend="test"))
    handle.block()
    try:
        yield handle
    finally:
        handle.http.close()
        node.stop()


def _detail(response: httpx.Response) -> str:
    body = response.json()
    assert isinstance(body, dict) and "detail" in body, response.text
    return str(body["detail"])


# ---------------------------------------------------------------------------------------------
# node, blocks


def test_status_and_blocks_follow_the_chain(api: NodeHandle) -> None:
    before = api.http.get("/v1/status").json()
    height = api.block()
    status = api.http.get("/v1/status").json()
    assert status["height"] == height == before["height"] + 1
    assert (status["engine"], status["chain_id"], status["rpc"]) == ("solo", CHAIN_ID, None)
    assert status["api"] == api.node.api_url
    latest = api.http.get("/v1/blocks/latest").json()
    assert latest["height"] == height
    assert latest["app_hash"] == status["app_hash"]
    assert latest["time"] == status["latest_block_time"]
    same = api.http.get(f"/v1/blocks/{height}").json()
    assert same == latest
    previous = api.http.get(f"/v1/blocks/{height - 1}").json()
    assert int(previous["time_ns"]) < int(latest["time_ns"])


def test_metrics_are_prometheus_text(api: NodeHandle) -> None:
    height = api.block()
    answer = api.http.get("/v1/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    assert samples["pyallora_block_height"] == height
    assert samples["pyallora_event_log_latest_height"] == height
    assert samples[f'pyallora_node_info{{engine="solo",chain_id="{CHAIN_ID}"}}'] == 1
    assert samples["pyallora_event_stream_subscribers"] == 0
    # the solo engine has no ABCI server: its series are declared and empty
    assert "# TYPE pyallora_abci_requests_total counter" in answer.text
    assert not any(name.startswith("pyallora_abci_") for name in samples)


def test_block_listing_is_paged_and_capped(api: NodeHandle) -> None:
    while api.http.get("/v1/status").json()["height"] < MAX_PAGE + 3:
        api.block()
    answer = api.http.get("/v1/blocks", params={"from_height": 1, "limit": 10**30})
    assert answer.status_code == 200
    heights = [block["height"] for block in answer.json()["blocks"]]
    assert heights == list(range(1, MAX_PAGE + 1))
    answer = api.http.get("/v1/blocks", params={"from_height": 2, "limit": 2, "offset": 1})
    assert [block["height"] for block in answer.json()["blocks"]] == [3, 4]
    latest = api.http.get("/v1/blocks", params={"limit": 2}).json()
    assert [b["height"] for b in latest["blocks"]] == [
        latest["latest_height"] - 1,
        latest["latest_height"],
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/blocks/0", 422),
        ("/v1/blocks/-4", 422),
        ("/v1/blocks/abc", 422),
        ("/v1/blocks/999999999", 404),
        ("/v1/blocks?limit=-1", 422),
        ("/v1/blocks?limit=0", 422),
        ("/v1/blocks?offset=-3", 422),
        ("/v1/blocks?from_height=99999999999999999999999", 422),
    ],
)
def test_bad_block_requests_are_4xx_with_a_message(api: NodeHandle, path: str, status: int) -> None:
    answer = api.http.get(path)
    assert answer.status_code == status
    assert _detail(answer)


# ---------------------------------------------------------------------------------------------
# accounts


def test_accounts_balances_and_supply(api: NodeHandle) -> None:
    account = api.account(api.alice)
    assert account["address"] == api.alice.address
    assert account["account_number"] >= 0
    balance = api.http.get(f"/v1/accounts/{api.alice.address}/balance").json()
    assert balance == {"address": api.alice.address, "denom": "uallo", "amount": balance["amount"]}
    balances = api.http.get(f"/v1/accounts/{api.alice.address}/balances").json()
    assert balances["balances"] == [{"denom": "uallo", "amount": balance["amount"]}]
    other = api.http.get(f"/v1/accounts/{OUTSIDER}/balance", params={"denom": "uatom"}).json()
    assert other["amount"] == "0"
    supply = api.http.get("/v1/supply").json()["supply"]
    raw = api.http.post(
        "/v1/query", json={"path": "/cosmos.bank.v1beta1.Query/TotalSupply", "request": {}}
    )
    assert raw.status_code == 200
    assert raw.json()["result"]["supply"] == supply


@pytest.mark.parametrize(
    ("path", "status", "needle"),
    [
        ("/v1/accounts/allo1notanaddress", 400, "invalid address"),
        ("/v1/accounts/cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0a0yuw7m", 400, "invalid address"),
        (f"/v1/accounts/{OUTSIDER}", 404, "not found"),
        (f"/v1/accounts/{OUTSIDER}/balance?denom=x!", 400, "invalid denom"),
        (f"/v1/accounts/{'a' * 200}/balances", 422, ""),
        ("/v1/txs/zz", 400, "64 hex digits"),
        (f"/v1/txs/{'A' * 63}", 400, "64 hex digits"),
        (f"/v1/txs/{'A' * 64}", 404, "not found"),
        ("/v1/txs/" + "A" * 64 + "?wait_ms=-1", 422, ""),
        ("/v1/staking/validators/allo1xyz", 400, "invalid validator address"),
        ("/v1/params/nonexistent", 422, ""),
        ("/v1/topics/0", 422, ""),
        (f"/v1/topics/{2**64}", 422, ""),
        ("/v1/topics/1/windows?address=bad", 400, "invalid address"),
        ("/v1/topics/1/losses", 422, ""),
    ],
)
def test_bad_parameters_are_4xx_with_a_message(
    api: NodeHandle, path: str, status: int, needle: str
) -> None:
    answer = api.http.get(path)
    assert answer.status_code == status, answer.text
    assert needle in _detail(answer) if needle else _detail(answer)


def test_bad_posts_are_4xx_with_a_message(api: NodeHandle) -> None:
    bodies: tuple[tuple[dict[str, Any], int], ...] = (
        ({"tx_bytes": "***"}, 400),
        ({"tx_bytes": ""}, 400),
        ({"tx_bytes": "AAAA", "timeout_ms": 10**9}, 422),
        ({"tx_bytes": "AAAA", "surprise": 1}, 422),
        ({}, 422),
    )
    for body, status in bodies:
        answer = api.http.post("/v1/txs", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert _detail(answer)
    answer = api.http.post("/v1/txs", content=b"not json", headers={"content-type": "text/plain"})
    assert answer.status_code == 422
    queries: tuple[tuple[dict[str, Any], int], ...] = (
        ({"path": "no-slash"}, 422),
        ({"path": "/cosmos.bank.v1beta1.Query/Nope"}, 404),
        ({"path": "/cosmos.bank.v1beta1.Query/Balance", "request": {"address": "x"}}, 400),
        ({"path": "/cosmos.bank.v1beta1.Query/Balance", "request": {"nofield": 1}}, 400),
    )
    for body, status in queries:
        answer = api.http.post("/v1/query", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert _detail(answer)


# ---------------------------------------------------------------------------------------------
# transactions


def test_broadcast_then_lookup_after_the_block(api: NodeHandle) -> None:
    before = int(api.http.get(f"/v1/accounts/{OUTSIDER}/balance").json()["amount"])
    raw = api.send(api.alice, OUTSIDER, 1234)
    tx_hash = sha256(raw).hex().upper()
    answer = api.post_tx(raw)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["tx_hash"], body["code"], body["included"]) == (tx_hash, 0, False)
    assert api.http.get(f"/v1/txs/{tx_hash}").status_code == 404
    height = api.block()
    found = api.http.get(f"/v1/txs/{tx_hash.lower()}").json()
    assert (found["hash"], found["height"], found["index"]) == (tx_hash, height, 0)
    assert found["sender"] == api.alice.address
    assert base64.b64decode(found["tx"]) == raw
    assert found["result"]["code"] == 0 and found["result"]["gas_used"] > 0
    assert any(event["type"] == "transfer" for event in found["result"]["events"])
    after = int(api.http.get(f"/v1/accounts/{OUTSIDER}/balance").json()["amount"])
    assert after == before + 1234
    block = api.http.get(f"/v1/blocks/{height}").json()
    assert [tx["hash"] for tx in block["txs"]] == [tx_hash]
    replay = api.post_tx(raw)
    assert replay.status_code == 200 and replay.json()["code"] != 0


def test_broadcast_with_wait_returns_the_block_result(api: NodeHandle) -> None:
    raw = api.send(api.alice, OUTSIDER, 5)
    answers: list[httpx.Response] = []
    sender = threading.Thread(target=lambda: answers.append(api.post_tx(raw, wait=True)))
    sender.start()
    deadline = time.monotonic() + 20
    while api.mempool_size() == 0:
        assert time.monotonic() < deadline, "the tx never reached the mempool"
        time.sleep(0.01)
    height = api.block()
    sender.join(20)
    (answer,) = answers
    assert answer.status_code == 200
    body = answer.json()
    assert (body["included"], body["height"], body["tx_result"]["code"]) == (True, height, 0)

    raw = api.send(api.alice, OUTSIDER, 6)
    slow = api.post_tx(raw, wait=True, timeout_ms=100)
    assert slow.status_code == 202
    assert slow.json()["included"] is False and slow.json()["code"] == 0
    height = api.block()
    assert api.http.get(f"/v1/txs/{slow.json()['tx_hash']}").json()["height"] == height


def test_refused_tx_reports_the_check_result(api: NodeHandle) -> None:
    account = api.account(api.alice)
    raw = api.send(api.alice, OUTSIDER, 1, sequence=account["sequence"] + 5)
    body = api.post_tx(raw, wait=True).json()
    assert (body["code"], body["codespace"], body["included"]) == (32, "sdk", False)
    assert f"expected {account['sequence']}" in body["log"]
    garbage = api.post_tx(b"\x01\x02garbage").json()
    assert garbage["code"] != 0 and garbage["log"]


def test_validators_and_params(api: NodeHandle) -> None:
    answer = api.http.get("/v1/validators").json()
    assert len(answer["consensus"]) == 1
    assert answer["consensus"][0]["power"] > 0
    if answer["source"] == "staking":
        (validator,) = answer["staking"]
        assert validator["status"] == "BOND_STATUS_BONDED"
        assert validator["consensus_pubkey"]["key"] == answer["consensus"][0]["pub_key"]
        operator = validator["operator_address"]
        one = api.http.get(f"/v1/staking/validators/{operator}")
        assert one.status_code == 200
        assert one.json()["result"]["validator"]["operator_address"] == operator
        delegations = api.http.get(f"/v1/staking/delegators/{api.validator.address}/delegations")
        assert delegations.status_code == 200
        assert len(delegations.json()["result"]["delegation_responses"]) == 1
    auth = api.http.get("/v1/params/auth").json()
    assert auth["result"]["params"]["max_memo_characters"] == "256"


# ---------------------------------------------------------------------------------------------
# emissions


@pytest.mark.skipif(not HAS_EMISSIONS, reason="the emissions module is not in the application")
def test_topic_registration_windows_and_stake(api: NodeHandle) -> None:
    missing = api.http.get("/v1/topics/999")
    assert missing.status_code == 404 and _detail(missing)
    created = api.commit(
        api.validator,
        [
            emissions_tx.CreateNewTopicRequest(
                creator=api.validator.address,
                metadata="api test topic",
                loss_method="mse",
                epoch_length=7,
                ground_truth_lag=7,
                p_norm="3",
                alpha_regret="0.1",
                epsilon="0.01",
                worker_submission_window=3,
                merit_sortition_alpha="0.1",
                active_inferer_quantile="0.25",
                active_forecaster_quantile="0.25",
                active_reputer_quantile="0.25",
            )
        ],
    )
    assert created["result"]["code"] == 0
    topics = api.http.get("/v1/topics").json()["result"]
    ids = [int(entry["topic"]["id"]) for entry in topics["topics"]]
    topic_id = max(ids)
    topic = api.http.get(f"/v1/topics/{topic_id}").json()["result"]
    assert topic["topic"]["metadata"] == "api test topic"
    assert (topic["topic"]["epoch_length"], topic["topic"]["worker_submission_window"]) == (
        "7",
        "3",
    )
    api.commit(
        api.alice,
        [
            emissions_tx.RegisterRequest(
                sender=api.alice.address, topic_id=topic_id, owner=api.alice.address
            )
        ],
    )
    api.commit(
        api.validator,
        [
            emissions_tx.RegisterRequest(
                sender=api.validator.address,
                topic_id=topic_id,
                owner=api.validator.address,
                is_reputer=True,
            )
        ],
    )
    api.commit(
        api.validator,
        [
            emissions_tx.AddStakeRequest(
                sender=api.validator.address, topic_id=topic_id, amount=str(10**18)
            )
        ],
    )
    registration = api.http.get(f"/v1/topics/{topic_id}/registrations/{api.alice.address}")
    assert registration.json()["result"] == {"worker": True, "reputer": False}
    windows = api.http.get(
        f"/v1/topics/{topic_id}/windows", params={"address": api.alice.address}
    ).json()
    assert (windows["epoch_length"], windows["worker_submission_window"]) == (7, 3)
    assert windows["next_height"] == windows["height"] + 1
    eligibility = windows["eligibility"]
    assert eligibility["worker_registered"] is True
    assert eligibility["reputer_registered"] is False
    assert eligibility["can_submit_reputer"] is False
    assert eligibility["reasons"]
    for nonce in windows["worker_nonces"]:
        assert nonce["closes_at"] == nonce["nonce"] + 3
    stake = api.http.get(f"/v1/topics/{topic_id}/reputers/{api.validator.address}/stake").json()
    assert stake["result"] == {"authority": str(10**18), "self": str(10**18), "delegated": "0"}
    assert api.http.get(f"/v1/topics/{topic_id}/stake").json()["result"]["amount"] == str(10**18)
    assert int(api.http.get("/v1/stake").json()["result"]["amount"]) >= 10**18
    rewards = api.http.get(f"/v1/topics/{topic_id}/rewards", params={"limit": 10**9})
    assert rewards.status_code == 200 and rewards.json()["topic_id"] == topic_id
    consumer = api.http.get(f"/v1/topics/{topic_id}/network_inference")
    assert consumer.status_code in (200, 400, 404), consumer.text
    if consumer.status_code != 200:
        assert _detail(consumer)
    emissions_params = api.http.get("/v1/params/emissions").json()["result"]["params"]
    assert emissions_params["min_epoch_length"] == "1"


def test_openapi_describes_the_api(api: NodeHandle) -> None:
    document = api.http.get("/openapi.json").json()
    paths = set(document["paths"])
    for path in (
        "/v1/status",
        "/v1/txs",
        "/v1/txs/{tx_hash}",
        "/v1/blocks/{height}",
        "/v1/accounts/{address}/balance",
        "/v1/validators",
        "/v1/topics/{topic_id}",
        "/v1/topics/{topic_id}/windows",
        "/v1/topics/{topic_id}/network_inference",
        "/v1/topics/{topic_id}/rewards",
        "/v1/query",
    ):
        assert path in paths
    assert document["info"]["title"] == "pyallora node API"
