"""The consumer endpoint's answer cache: the cache itself, the fast path in front of the
routes, and a solo node where cached answers must equal fresh computations across commits
and nonces."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf.message import Message
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from pyallora.agents.payloads import build_worker_payload
from pyallora.client import Client, Wallet
from pyallora.client.keyring import Keyring
from pyallora.node.api.cache import (
    NETWORK_INFERENCE,
    CachedReadMiddleware,
    ResponseCache,
    parse_cache_key,
)
from pyallora.node.api.routes_emissions import compute_network_inference
from pyallora.node.events import BlockRecord, EventLog, make_block_record
from pyallora.node.home import compute_node_modules, init_node_home
from pyallora.node.runner import BackgroundNode
from pyallora.proto.emissions.v5 import tx_pb2 as emissions_tx

EPOCH = 4
WINDOW = 2
LAG = 4
GAS = 1_000_000


def _block(height: int) -> BlockRecord:
    return make_block_record(
        height=height,
        time_ns=height * 10**9,
        app_hash=b"",
        txs=(),
        tx_results=(),
        events=(),
        validator_updates=(),
    )


# --- the cache --------------------------------------------------------------------------------


def test_an_answer_is_valid_only_at_its_height() -> None:
    cache = ResponseCache()
    key = (NETWORK_INFERENCE, 1, None)
    cache.put(key, 5, b"at 5")
    assert cache.get(key, 5) == b"at 5"
    assert cache.get(key, 6) is None
    assert cache.get(key, 4) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_a_commit_drops_state_answers_and_keeps_records() -> None:
    cache = ResponseCache()
    log = EventLog()
    log.add_listener(cache.on_block)
    latest, recorded = (NETWORK_INFERENCE, 1, None), (NETWORK_INFERENCE, 1, 3)
    log.record(_block(1))
    cache.put(latest, 1, b"latest")
    cache.put(recorded, None, b"recorded")
    log.record(_block(2))
    assert len(cache) == 1
    assert cache.get(latest, 1) is None
    assert cache.get(recorded, 2) == b"recorded"
    log.remove_listener(cache.on_block)
    cache.put(latest, 2, b"latest 2")
    log.record(_block(3))
    assert cache.get(latest, 2) == b"latest 2"
    log.close()


def test_the_cache_is_bounded_oldest_first() -> None:
    cache = ResponseCache(max_entries=2)
    for nonce in (1, 2, 3):
        cache.put((NETWORK_INFERENCE, 1, nonce), None, b"%d" % nonce)
    assert len(cache) == 2
    assert cache.get((NETWORK_INFERENCE, 1, 1), 0) is None
    assert cache.get((NETWORK_INFERENCE, 1, 3), 0) == b"3"


@pytest.mark.parametrize(
    ("method", "path", "query", "key"),
    [
        ("GET", b"/v1/topics/7/network_inference", b"", (NETWORK_INFERENCE, 7, None)),
        ("GET", b"/v1/topics/7/network_inference", b"nonce=12", (NETWORK_INFERENCE, 7, 12)),
        ("HEAD", b"/v1/topics/7/network_inference", b"", None),
        ("POST", b"/v1/topics/7/network_inference", b"", None),
        ("GET", b"/v1/topics/0/network_inference", b"", None),
        ("GET", b"/v1/topics/07/network_inference", b"", None),
        ("GET", b"/v1/topics/%37/network_inference", b"", None),
        ("GET", b"/v1/topics/7/network_inference/", b"", None),
        ("GET", b"/v1/topics/7/network_inference", b"nonce=0", None),
        ("GET", b"/v1/topics/7/network_inference", b"nonce=12&x=1", None),
        ("GET", b"/v1/topics/7/network_inference", b"nonce=", None),
        ("GET", b"/v1/topics/7/inferences", b"", None),
    ],
)
def test_only_canonical_requests_take_the_fast_path(
    method: str, path: bytes, query: bytes, key: tuple[str, int, int | None] | None
) -> None:
    assert parse_cache_key(method, path, query) == key


def test_the_middleware_serves_hits_and_passes_misses_on() -> None:
    cache = ResponseCache()
    height = [4]
    reached: list[str] = []

    async def route(request: Request) -> PlainTextResponse:
        reached.append(request.url.path)
        return PlainTextResponse("from the route")

    app = Starlette(routes=[Route("/v1/topics/{topic_id}/network_inference", route)])
    app.add_middleware(CachedReadMiddleware, cache=cache, committed_height=lambda: height[0])
    cache.put((NETWORK_INFERENCE, 3, None), 4, b'{"cached":true}')

    async def requests() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        answers = []
        async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
            for topic_id, committed in ((3, 4), (4, 4), (3, 5)):
                height[0] = committed
                answers.append(await client.get(f"/v1/topics/{topic_id}/network_inference"))
        return answers

    hit, other, stale = asyncio.run(requests())
    assert (hit.status_code, hit.content) == (200, b'{"cached":true}')
    assert hit.headers["content-type"] == "application/json"
    assert hit.headers["content-length"] == str(len(hit.content))
    assert (other.text, stale.text) == ("from the route", "from the route")
    assert reached == ["/v1/topics/4/network_inference", "/v1/topics/3/network_inference"]


# --- a solo node --------------------------------------------------------------------------------

needs_emissions = pytest.mark.skipif(
    not any(module.name == "emissions" for module in compute_node_modules()),
    reason="the emissions module is not in the application",
)


class Consumer:
    """A solo node with one topic, two workers and a staked reputer."""

    def __init__(self, node: BackgroundNode, home: Path) -> None:
        keyring = Keyring(home / "keyring", backend="test")
        self.node = node
        self.client = Client(node.api_url)
        self.http = httpx.Client(base_url=node.api_url, timeout=30)
        self.validator = Wallet(keyring.export("validator", passphrase=None).private_key)
        self.workers = [
            Wallet(keyring.export(name, passphrase=None).private_key) for name in ("w1", "w2")
        ]
        self.topic_id = 0

    @property
    def cache(self) -> ResponseCache:
        cache: ResponseCache = self.node.runner.api.state.cache
        return cache

    def commit(self, *pairs: tuple[Message, Wallet]) -> int:
        hashes = [
            self.client.submit_tx([message], wallet, gas=GAS).tx_hash for message, wallet in pairs
        ]
        height = self.node.produce_block()
        for tx_hash in hashes:
            info = self.client.tx(tx_hash)
            assert (info.height, info.result.code) == (height, 0), info.result.log
        return height

    def setup_topic(self) -> None:
        validator, (w1, w2) = self.validator, self.workers
        self.commit(
            (
                emissions_tx.CreateNewTopicRequest(
                    creator=validator.address,
                    metadata="consumer cache",
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
        self.topic_id = int(self.client.topics()["next_topic_id"]) - 1
        topic = self.topic_id
        self.commit(
            *(
                (emissions_tx.RegisterRequest(sender=w.address, topic_id=topic, owner=w.address), w)
                for w in (w1, w2)
            ),
            (
                emissions_tx.RegisterRequest(
                    sender=validator.address,
                    topic_id=topic,
                    owner=validator.address,
                    is_reputer=True,
                ),
                validator,
            ),
        )
        self.commit(
            (
                emissions_tx.AddStakeRequest(
                    sender=validator.address, topic_id=topic, amount=str(10**20)
                ),
                validator,
            ),
            (emissions_tx.FundTopicRequest(sender=w1.address, topic_id=topic, amount="10"), w1),
        )

    def close_nonce(self, values: tuple[str, str]) -> int:
        """Wait for the next worker nonce, submit ``values``, produce blocks until it closed."""
        for _ in range(3 * EPOCH):
            windows = self.client.windows(self.topic_id)
            open_now = [w for w in windows["worker_nonces"] if w["open_now"]]
            if open_now:
                break
            self.node.produce_block()
        else:
            pytest.fail("no worker nonce opened")
        nonce = int(open_now[0]["nonce"])
        self.commit(
            *(
                (
                    build_worker_payload(
                        w, topic_id=self.topic_id, nonce=nonce, inference=float(value)
                    ),
                    w,
                )
                for w, value in zip(self.workers, values, strict=True)
            )
        )
        while self.client.status().height < nonce + WINDOW:
            self.node.produce_block()
        return nonce

    def get(self, nonce: int | None = None) -> httpx.Response:
        params = {} if nonce is None else {"nonce": nonce}
        return self.http.get(f"/v1/topics/{self.topic_id}/network_inference", params=params)

    def fresh(self, nonce: int | None = None) -> dict[str, Any]:
        backend = self.node.runner.backend
        answer = self.node.run_coroutine(compute_network_inference(backend, self.topic_id, nonce))
        return answer.model_dump(mode="json")


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consumer]:
    home = tmp_path_factory.mktemp("consumer") / "home"
    init_node_home(home, engine="solo", accounts=[("w1", 10**22), ("w2", 10**22)])
    node = BackgroundNode(home, block_time_ms=0)
    node.start()
    try:
        node.produce_block()
        consumer = Consumer(node, home)
        consumer.setup_topic()
        yield consumer
    finally:
        node.stop()


@needs_emissions
def test_cached_answers_follow_commits_and_nonces(consumer: Consumer) -> None:
    first_nonce = consumer.close_nonce(("1.5", "2.5"))
    first = consumer.get()
    assert first.status_code == 200
    assert first.json() == consumer.fresh()
    assert (first.json()["source"], first.json()["nonce"]) == ("latest", first_nonce)

    hits = consumer.cache.hits
    again = consumer.get()
    assert again.content == first.content
    assert consumer.cache.hits == hits + 1

    # a commit without a new nonce: the same inference, read at the new height
    height = consumer.node.produce_block()
    moved = consumer.get().json()
    assert moved == consumer.fresh()
    assert moved["block_height"] == height
    assert (moved["nonce"], moved["value"]) == (first.json()["nonce"], first.json()["value"])

    # a new committed nonce with other values changes the answer
    second_nonce = consumer.close_nonce(("10.5", "20.5"))
    assert second_nonce > first_nonce
    second = consumer.get().json()
    assert second == consumer.fresh()
    assert second["nonce"] == second_nonce
    assert second["value"] != first.json()["value"]

    # the first nonce is still served as recorded when it closed, from cache or not
    past = consumer.get(first_nonce)
    assert past.status_code == 200
    assert past.json() == consumer.fresh(first_nonce)
    assert past.json()["source"] == "recorded"
    assert past.json()["value"] == first.json()["value"]
    consumer.node.produce_block()
    assert consumer.get(first_nonce).content == past.content
    assert consumer.get(second_nonce).json() == consumer.fresh(second_nonce)


@needs_emissions
def test_missing_topics_are_not_cached(consumer: Consumer) -> None:
    path = f"/v1/topics/{consumer.topic_id + 100}/network_inference"
    for _ in range(2):
        assert consumer.http.get(path).status_code == 404
    assert consumer.http.get(path, params={"nonce": 1}).status_code == 404
    height = consumer.client.status().height
    for nonce in (None, 1):
        key = (NETWORK_INFERENCE, consumer.topic_id + 100, nonce)
        assert consumer.cache.get(key, height) is None
