"""A small fake pyallora node for the agent tests: a real HTTP + websocket server on 127.0.0.1
that speaks the node API's routes agents use, over an in-memory chain with Allora's windows.

It is *not* a mock of the agents' functions: agents reach it through the real client SDK
(httpx, websockets). Transactions are decoded and their signatures checked with the chain's
own code (``pyallora.chain.tx``), payload signatures with the chain's verifiers in
reference-compatible mode (canonical re-encoding only), and the windows follow PROTOCOL.md
§3.14-§3.15 and §5.5-§5.6 (worker nonce ``n`` opens at an epoch end ``n``, accepts payloads
in ``n ≤ h < n + W``, closes at the end of block ``n + W`` and opens reputer nonce ``n``,
which accepts payloads in ``n + G ≤ h ≤ n + 2G`` and closes at the first epoch end
``≥ n + G + E``). Blocks are made on demand (:meth:`FakeChain.produce_block`).

Faults the tests inject: the server stops and restarts on the same port (optionally losing
its mempool), websocket streams are cut (clients reconnect and replay), window events are
published twice, broadcasts answer 503.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse

from pyallora.chain.emissions.signatures import (
    verify_reputer_payload_signature,
    verify_worker_payload_signature,
)
from pyallora.chain.tx.decode import decode_tx
from pyallora.chain.tx.verify import verify_tx_signature
from pyallora.client.keys import PrivateKey
from pyallora.client.wallet import Wallet
from pyallora.core.errors import ConsensusError
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import tx_pb2

EMISSIONS = "/emissions.v5."


class Refusal(Exception):
    """A tx refused by the fake chain (code, codespace, log)."""

    def __init__(self, code: int, codespace: str, log: str) -> None:
        super().__init__(log)
        self.code = code
        self.codespace = codespace
        self.log = log


@dataclass
class FakeTopic:
    topic_id: int
    epoch_length: int
    window: int
    lag: int
    loss_method: str = "mse"
    allow_negative: bool = False
    metadata: str = "fake topic"


@dataclass
class FakeAccount:
    number: int
    sequence: int = 0
    balance: int = 0


@dataclass
class TxRecord:
    hash: str
    height: int
    index: int
    raw: bytes
    code: int
    codespace: str
    log: str
    sender: str


@dataclass
class PayloadExecution:
    """A payload message executed in a block (accepted or not)."""

    kind: str
    topic_id: int
    nonce: int
    address: str
    code: int
    tx_hash: str
    value: str = ""


@dataclass
class FakeChain:
    chain_id: str = "agent-test"
    min_stake: int = 100
    registration_fee: int = 10
    height: int = 1
    accounts: dict[str, FakeAccount] = field(default_factory=dict)
    topics: dict[int, FakeTopic] = field(default_factory=dict)
    registered: set[tuple[int, str, str]] = field(default_factory=set)
    stakes: dict[tuple[int, str], int] = field(default_factory=dict)
    worker_nonces: dict[int, list[int]] = field(default_factory=dict)
    reputer_nonces: dict[int, list[int]] = field(default_factory=dict)
    working_inferences: dict[tuple[int, int], dict[str, str]] = field(default_factory=dict)
    archived_inferences: dict[tuple[int, int], dict[str, str]] = field(default_factory=dict)
    reputer_set: dict[int, dict[str, tuple[int, types_pb2.ValueBundle]]] = field(
        default_factory=dict
    )
    archived_losses: dict[tuple[int, int], dict[str, types_pb2.ValueBundle]] = field(
        default_factory=dict
    )
    mempool: dict[str, bytes] = field(default_factory=dict)
    txs: dict[str, TxRecord] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    executions: list[PayloadExecution] = field(default_factory=list)
    broadcasts: list[str] = field(default_factory=list)
    duplicate_window_events: bool = False
    fail_broadcasts: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- setup ------------------------------------------------------------------------------------

    def fund(self, address: str, amount: int) -> None:
        with self.lock:
            account = self.accounts.setdefault(address, FakeAccount(number=len(self.accounts)))
            account.balance += amount

    def add_topic(self, topic: FakeTopic) -> None:
        with self.lock:
            self.topics[topic.topic_id] = topic
            self.worker_nonces[topic.topic_id] = []
            self.reputer_nonces[topic.topic_id] = []
            self.reputer_set[topic.topic_id] = {}

    # -- queries ----------------------------------------------------------------------------------

    def windows(self, topic_id: int, address: str | None) -> dict[str, Any]:
        with self.lock:
            topic = self.topics[topic_id]
            nxt = self.height + 1
            workers = self.worker_nonces[topic_id]
            worker_windows = [
                {
                    "nonce": n,
                    "opens_at": n,
                    "closes_at": n + topic.window,
                    "open_now": n <= nxt < n + topic.window,
                }
                for n in workers
            ]
            reputer_windows = [
                {
                    "nonce": n,
                    "opens_at": n + topic.lag,
                    "closes_by": n + 2 * topic.lag,
                    "open_now": n not in workers and n + topic.lag <= nxt <= n + 2 * topic.lag,
                }
                for n in self.reputer_nonces[topic_id]
            ]
            answer: dict[str, Any] = {
                "topic_id": topic_id,
                "height": self.height,
                "next_height": nxt,
                "epoch_length": topic.epoch_length,
                "worker_submission_window": topic.window,
                "ground_truth_lag": topic.lag,
                "epoch_last_ended": max(workers, default=0),
                "next_epoch_end": (self.height // topic.epoch_length + 1) * topic.epoch_length,
                "worker_nonces": worker_windows,
                "reputer_nonces": reputer_windows,
                "eligibility": None,
            }
            if address is not None:
                answer["eligibility"] = {
                    "address": address,
                    "worker_registered": (topic_id, address, "worker") in self.registered,
                    "reputer_registered": (topic_id, address, "reputer") in self.registered,
                    "can_submit_worker": False,
                    "can_submit_reputer": False,
                    "reasons": [],
                }
            return answer

    def network_inferences(self, topic_id: int, nonce: int) -> dict[str, Any] | None:
        with self.lock:
            values = self.archived_inferences.get((topic_id, nonce))
            if not values:
                return None
            numbers = {a: float(v) for a, v in values.items()}
            combined = fmean(numbers.values())
            one_out = []
            if len(numbers) > 1:
                for withheld in sorted(numbers):
                    rest = [v for a, v in numbers.items() if a != withheld]
                    one_out.append({"worker": withheld, "value": repr(fmean(rest))})
            return {
                "topic_id": str(topic_id),
                "reputer": "",
                "combined_value": repr(combined),
                "naive_value": repr(combined),
                "inferer_values": [{"worker": a, "value": values[a]} for a in sorted(values)],
                "forecaster_values": [],
                "one_out_inferer_values": one_out,
                "one_out_forecaster_values": [],
                "one_in_forecaster_values": [],
                "one_out_inferer_forecaster_values": [],
            }

    def executed(self, kind: str, address: str | None = None) -> list[PayloadExecution]:
        with self.lock:
            return [
                e
                for e in self.executions
                if e.kind == kind and (address is None or e.address == address)
            ]

    # -- transactions -----------------------------------------------------------------------------

    def _check_state_sequence(self, signer: str) -> int:
        account = self.accounts[signer]
        pending = 0
        for raw in self.mempool.values():
            if decode_tx(raw, max_tx_bytes=2_000_000).signer == signer:
                pending += 1
        return account.sequence + pending

    def check_tx(self, raw: bytes) -> tuple[str, int, str, str]:
        """CheckTx: ``(hash, code, codespace, log)``; accepted txs join the mempool."""
        with self.lock:
            tx_hash = hashlib.sha256(raw).hexdigest().upper()
            self.broadcasts.append(tx_hash)
            if tx_hash in self.mempool:
                return tx_hash, 19, "sdk", "tx already in mempool"
            try:
                tx = decode_tx(raw, max_tx_bytes=2_000_000)
                account = self.accounts.get(tx.signer)
                if account is None:
                    raise Refusal(9, "sdk", f"account {tx.signer} not found")
                expected = self._check_state_sequence(tx.signer)
                if tx.sequence != expected:
                    raise Refusal(
                        32,
                        "sdk",
                        f"account sequence mismatch, expected {expected}, got {tx.sequence}",
                    )
                verify_tx_signature(tx, chain_id=self.chain_id, account_number=account.number)
                for message in tx.messages:
                    self._run_message(
                        message.type_url, message.value, tx.signer, "", self.height + 1, check=True
                    )
            except Refusal as refusal:
                return tx_hash, refusal.code, refusal.codespace, refusal.log
            except ConsensusError as exc:
                return tx_hash, exc.code, exc.codespace, exc.message
            self.mempool[tx_hash] = raw
            return tx_hash, 0, "", ""

    def _run_message(
        self, type_url: str, value: bytes, signer: str, tx_hash: str, h: int, *, check: bool
    ) -> None:
        if type_url == EMISSIONS + "RegisterRequest":
            msg = tx_pb2.RegisterRequest.FromString(value)
            role = "reputer" if msg.is_reputer else "worker"
            if msg.topic_id not in self.topics:
                raise Refusal(23, "emissions", "topic does not exist")
            if (msg.topic_id, msg.sender, role) in self.registered:
                raise Refusal(8, "emissions", "address already registered in topic")
            if self.accounts[signer].balance < self.registration_fee:
                raise Refusal(5, "sdk", "insufficient funds")
            if not check:
                self.accounts[signer].balance -= self.registration_fee
                self.registered.add((msg.topic_id, msg.sender, role))
        elif type_url == EMISSIONS + "AddStakeRequest":
            msg = tx_pb2.AddStakeRequest.FromString(value)
            if (msg.topic_id, msg.sender, "reputer") not in self.registered:
                raise Refusal(10, "emissions", "address is not registered in this topic")
            amount = int(msg.amount)
            if self.accounts[signer].balance < amount:
                raise Refusal(5, "sdk", "insufficient funds")
            if not check:
                self.accounts[signer].balance -= amount
                key = (msg.topic_id, msg.sender)
                self.stakes[key] = self.stakes.get(key, 0) + amount
        elif type_url == EMISSIONS + "InsertWorkerPayloadRequest":
            msg = tx_pb2.InsertWorkerPayloadRequest.FromString(value)
            self._worker_payload(msg, h, tx_hash, check=check)
        elif type_url == EMISSIONS + "InsertReputerPayloadRequest":
            msg = tx_pb2.InsertReputerPayloadRequest.FromString(value)
            self._reputer_payload(msg, h, tx_hash, check=check)
        else:
            raise Refusal(6, "sdk", f"unknown message {type_url}")

    def _worker_payload(
        self, msg: tx_pb2.InsertWorkerPayloadRequest, h: int, tx_hash: str, *, check: bool
    ) -> None:
        bundle = msg.worker_data_bundle
        try:
            verify_worker_payload_signature(bundle, reference_compat=True)
        except ConsensusError as exc:
            raise Refusal(exc.code, exc.codespace, exc.message) from exc
        topic_id, nonce = bundle.topic_id, bundle.nonce.block_height
        topic = self.topics.get(topic_id)
        if topic is None:
            raise Refusal(6, "emissions", "invalid topic id")
        if nonce not in self.worker_nonces[topic_id]:
            raise Refusal(75, "emissions", "unfulfilled nonce not found")
        if not nonce <= h < nonce + topic.window:
            raise Refusal(67, "emissions", "worker nonce window not available")
        if (topic_id, bundle.worker, "worker") not in self.registered:
            raise Refusal(13, "emissions", "address not registered")
        inner = bundle.inference_forecasts_bundle
        working = self.working_inferences.setdefault((topic_id, nonce), {})
        if inner.HasField("inference") and bundle.worker in working:
            raise Refusal(1, "undefined", "inference already submitted")
        if not check:
            if inner.HasField("inference"):
                working[bundle.worker] = inner.inference.value
            self.executions.append(
                PayloadExecution(
                    kind="worker",
                    topic_id=topic_id,
                    nonce=nonce,
                    address=bundle.worker,
                    code=0,
                    tx_hash=tx_hash,
                    value=inner.inference.value if inner.HasField("inference") else "",
                )
            )

    def _reputer_payload(
        self, msg: tx_pb2.InsertReputerPayloadRequest, h: int, tx_hash: str, *, check: bool
    ) -> None:
        wrapped = msg.reputer_value_bundle
        try:
            verify_reputer_payload_signature(wrapped, reference_compat=True)
        except ConsensusError as exc:
            raise Refusal(exc.code, exc.codespace, exc.message) from exc
        bundle = wrapped.value_bundle
        topic_id = bundle.topic_id
        nonce = bundle.reputer_request_nonce.reputer_nonce.block_height
        topic = self.topics.get(topic_id)
        if topic is None:
            raise Refusal(6, "emissions", "invalid topic id")
        if nonce in self.worker_nonces[topic_id]:
            raise Refusal(45, "emissions", "nonce still unfulfilled")
        if nonce not in self.reputer_nonces[topic_id]:
            raise Refusal(75, "emissions", "unfulfilled nonce not found")
        if not nonce + topic.lag <= h <= nonce + 2 * topic.lag:
            raise Refusal(68, "emissions", "reputer nonce window not available")
        if (topic_id, bundle.reputer, "reputer") not in self.registered:
            raise Refusal(13, "emissions", "address not registered")
        if self.stakes.get((topic_id, bundle.reputer), 0) < self.min_stake:
            raise Refusal(11, "emissions", "insufficient stake")
        if bundle.reputer in self.reputer_set[topic_id]:
            raise Refusal(1, "undefined", "reputer loss already submitted")
        if not check:
            self.reputer_set[topic_id][bundle.reputer] = (nonce, bundle)
            self.executions.append(
                PayloadExecution(
                    kind="reputer",
                    topic_id=topic_id,
                    nonce=nonce,
                    address=bundle.reputer,
                    code=0,
                    tx_hash=tx_hash,
                    value=bundle.combined_value,
                )
            )

    # -- blocks -----------------------------------------------------------------------------------

    def _event(self, kind: str, **data: Any) -> None:
        seq = sum(1 for e in self.events if e["height"] == self.height)
        self.events.append({"type": kind, "height": self.height, "seq": seq, **data})

    def produce_block(self) -> int:
        """Execute the mempool in a new block, then the end block; returns the height."""
        with self.lock:
            self.height += 1
            h = self.height
            txs = list(self.mempool.items())
            self.mempool.clear()
            self._event("block", num_txs=len(txs), time=f"t{h}", time_ns=str(h))
            for index, (tx_hash, raw) in enumerate(txs):
                tx = decode_tx(raw, max_tx_bytes=2_000_000)
                account = self.accounts[tx.signer]
                if tx.sequence != account.sequence:
                    continue  # dropped, as a proposer would
                account.sequence += 1
                code, codespace, log = 0, "", ""
                try:
                    for message in tx.messages:
                        self._run_message(
                            message.type_url, message.value, tx.signer, tx_hash, h, check=False
                        )
                except Refusal as refusal:
                    code, codespace, log = refusal.code, refusal.codespace, refusal.log
                self.txs[tx_hash] = TxRecord(
                    hash=tx_hash,
                    height=h,
                    index=index,
                    raw=raw,
                    code=code,
                    codespace=codespace,
                    log=log,
                    sender=tx.signer,
                )
                self._event("tx", hash=tx_hash, code=code, log=log)
            self._end_block(h)
            return h

    def _end_block(self, h: int) -> None:
        for topic_id, topic in sorted(self.topics.items()):
            if h % topic.epoch_length == 0:
                self.worker_nonces[topic_id].insert(0, h)
                copies = 2 if self.duplicate_window_events else 1
                for _ in range(copies):
                    self._event(
                        "window_opened",
                        actor="worker",
                        topic_id=topic_id,
                        nonce=h,
                        window_end_block=h + topic.window,
                    )
                for nonce in sorted(self.reputer_nonces[topic_id], reverse=True):
                    if h >= nonce + topic.lag + topic.epoch_length:
                        self._close_reputer_nonce(topic_id, nonce)
            for nonce in list(self.worker_nonces[topic_id]):
                if h == nonce + topic.window:
                    self.worker_nonces[topic_id].remove(nonce)
                    self.archived_inferences[(topic_id, nonce)] = dict(
                        self.working_inferences.pop((topic_id, nonce), {})
                    )
                    self.reputer_nonces[topic_id].insert(0, nonce)
                    self._event("window_closed", actor="worker", topic_id=topic_id, nonce=nonce)
                    copies = 2 if self.duplicate_window_events else 1
                    for _ in range(copies):
                        self._event(
                            "window_opened",
                            actor="reputer",
                            topic_id=topic_id,
                            nonce=nonce,
                            window_end_block=nonce + 2 * topic.lag,
                        )

    def _close_reputer_nonce(self, topic_id: int, nonce: int) -> None:
        self.reputer_nonces[topic_id].remove(nonce)
        self.archived_losses[(topic_id, nonce)] = {
            reputer: bundle for reputer, (_, bundle) in self.reputer_set[topic_id].items()
        }
        self.reputer_set[topic_id] = {}
        self._event("nonce_committed", actor="reputer", topic_id=topic_id, nonce=nonce)

    def network_loss(self, topic_id: int, nonce: int) -> dict[str, Any]:
        with self.lock:
            bundles = self.archived_losses.get((topic_id, nonce)) or {}
            if not bundles:
                return {"combined_value": "0", "inferer_values": []}
            per: dict[str, list[float]] = {}
            for bundle in bundles.values():
                for item in bundle.inferer_values:
                    per.setdefault(item.worker, []).append(float(item.value))
            combined = fmean(float(b.combined_value) for b in bundles.values())
            return {
                "combined_value": repr(combined),
                "inferer_values": [
                    {"worker": w, "value": repr(fmean(v))} for w, v in sorted(per.items())
                ],
            }


# ---------------------------------------------------------------------------------------------
# The HTTP + websocket server


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail})


def build_app(chain: FakeChain, server: FakeNodeServer) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/status")
    def status() -> dict[str, Any]:
        with chain.lock:
            return {
                "height": chain.height,
                "app_hash": "00",
                "engine": "solo",
                "api": server.url,
                "chain_id": chain.chain_id,
                "rpc": None,
                "latest_block_time": f"t{chain.height}",
                "earliest_height": 1,
                "version": "fake",
            }

    @app.get("/v1/accounts/{address}", response_model=None)
    def account(address: str) -> Any:
        with chain.lock:
            found = chain.accounts.get(address)
            if found is None:
                return _error(404, f"account {address} not found")
            return {
                "address": address,
                "account_number": found.number,
                "sequence": found.sequence,
                "pub_key": None,
            }

    @app.get("/v1/accounts/{address}/balance")
    def balance(address: str, denom: str = "uallo") -> dict[str, Any]:
        with chain.lock:
            found = chain.accounts.get(address)
            return {
                "address": address,
                "denom": denom,
                "amount": str(found.balance if found else 0),
            }

    @app.post("/v1/txs", response_model=None)
    async def broadcast(request: Request) -> Any:
        body = await request.json()
        with chain.lock:
            if chain.fail_broadcasts > 0:
                chain.fail_broadcasts -= 1
                return _error(503, "engine unreachable (injected)")
        raw = base64.b64decode(body["tx_bytes"])
        tx_hash, code, codespace, log = chain.check_tx(raw)
        return {
            "tx_hash": tx_hash,
            "code": code,
            "codespace": codespace,
            "log": log,
            "gas_wanted": 0,
            "gas_used": 0,
            "included": False,
            "height": None,
            "tx_result": None,
        }

    @app.get("/v1/txs/{tx_hash}", response_model=None)
    def get_tx(tx_hash: str) -> Any:
        with chain.lock:
            found = chain.txs.get(tx_hash.upper())
            if found is None:
                return _error(404, f"tx {tx_hash} not found")
            return {
                "hash": found.hash,
                "height": found.height,
                "index": found.index,
                "tx": base64.b64encode(found.raw).decode(),
                "sender": found.sender,
                "result": {
                    "code": found.code,
                    "codespace": found.codespace,
                    "log": found.log,
                    "gas_wanted": 0,
                    "gas_used": 0,
                    "data": "",
                    "events": [],
                },
            }

    def _topic(topic_id: int) -> FakeTopic | None:
        return chain.topics.get(topic_id)

    @app.get("/v1/topics/{topic_id}", response_model=None)
    def topic(topic_id: int) -> Any:
        with chain.lock:
            found = _topic(topic_id)
            if found is None:
                return _error(404, f"topic {topic_id} not found")
            return {
                "height": chain.height,
                "result": {
                    "topic": {
                        "id": str(topic_id),
                        "metadata": found.metadata,
                        "loss_method": found.loss_method,
                        "allow_negative": found.allow_negative,
                        "epoch_length": str(found.epoch_length),
                        "worker_submission_window": str(found.window),
                        "ground_truth_lag": str(found.lag),
                    },
                    "weight": "1",
                    "effective_revenue": "0",
                    "is_active": True,
                    "next_epoch_end": "0",
                },
            }

    @app.get("/v1/topics/{topic_id}/windows", response_model=None)
    def windows(topic_id: int, address: str | None = None) -> Any:
        if _topic(topic_id) is None:
            return _error(404, f"topic {topic_id} not found")
        return chain.windows(topic_id, address)

    @app.get("/v1/topics/{topic_id}/registrations/{address}", response_model=None)
    def registrations(topic_id: int, address: str) -> Any:
        with chain.lock:
            if _topic(topic_id) is None:
                return _error(404, f"topic {topic_id} not found")
            return {
                "height": chain.height,
                "result": {
                    "worker": (topic_id, address, "worker") in chain.registered,
                    "reputer": (topic_id, address, "reputer") in chain.registered,
                },
            }

    @app.get("/v1/topics/{topic_id}/reputers/{address}/stake", response_model=None)
    def stake(topic_id: int, address: str) -> Any:
        with chain.lock:
            amount = str(chain.stakes.get((topic_id, address), 0))
            return {
                "height": chain.height,
                "result": {"authority": amount, "self": amount, "delegated": "0"},
            }

    @app.get("/v1/topics/{topic_id}/inferences", response_model=None)
    def inferences(topic_id: int, nonce: int, limit: int = 100) -> Any:
        with chain.lock:
            values = chain.archived_inferences.get((topic_id, nonce)) or {}
            items = [
                {"inferer": a, "value": v, "topic_id": str(topic_id), "block_height": str(nonce)}
                for a, v in sorted(values.items())
            ]
            return {
                "height": chain.height,
                "result": {"nonce": str(nonce), "total": len(items), "inferences": items},
            }

    @app.get("/v1/topics/{topic_id}/losses", response_model=None)
    def losses(topic_id: int, nonce: int) -> Any:
        return {
            "height": chain.height,
            "result": {
                "nonce": str(nonce),
                "network_loss": chain.network_loss(topic_id, nonce),
                "reputer_losses": [],
                "total": 0,
            },
        }

    @app.get("/v1/topics/{topic_id}/network_inference", response_model=None)
    def network_inference(topic_id: int, nonce: int | None = None) -> Any:
        with chain.lock:
            archived = sorted(n for (t, n) in chain.archived_inferences if t == topic_id)
            if not archived:
                return _error(400, "no inferences archived")
            chosen = nonce if nonce is not None else archived[-1]
            bundle = chain.network_inferences(topic_id, chosen)
            if bundle is None:
                return _error(400, f"no inferences at nonce {chosen}")
            inferers = bundle["inferer_values"]
            weight = repr(1.0 / len(inferers))
            return {
                "topic_id": topic_id,
                "nonce": chosen,
                "value": bundle["combined_value"],
                "naive_value": bundle["naive_value"],
                "confidence_interval_percentiles": ["2.28", "15.87", "50", "84.13", "97.72"],
                "confidence_interval_values": [
                    min(i["value"] for i in inferers),
                    min(i["value"] for i in inferers),
                    bundle["combined_value"],
                    max(i["value"] for i in inferers),
                    max(i["value"] for i in inferers),
                ],
                "inference_block_height": chosen,
                "loss_block_height": 0,
                "block_height": chain.height,
                "block_time": f"t{chain.height}",
                "inferers": [
                    {"address": i["worker"], "value": i["value"], "weight": weight}
                    for i in inferers
                ],
                "forecasters": [],
                "source": "latest" if nonce is None else "archived",
            }

    @app.post("/v1/query", response_model=None)
    async def query(request: Request) -> Any:
        body = await request.json()
        path, fields = body["path"], body.get("request") or {}
        method = path.rpartition("/")[2]
        topic_id = int(fields.get("topic_id", 0))
        with chain.lock:
            if method == "GetNetworkInferencesAtBlock":
                nonce = int(fields["block_height_last_inference"])
                bundle = chain.network_inferences(topic_id, nonce)
                if bundle is None:
                    return _error(400, f"no inferences archived at block {nonce}")
                return {"height": chain.height, "result": {"network_inferences": bundle}}
            if method == "GetActiveInferersForTopic":
                open_nonces = chain.worker_nonces.get(topic_id) or []
                working = chain.working_inferences.get((topic_id, max(open_nonces, default=0)))
                return {"height": chain.height, "result": {"inferers": sorted(working or {})}}
            if method == "GetWorkerLatestInferenceByTopicId":
                open_nonces = chain.worker_nonces.get(topic_id) or []
                working = (
                    chain.working_inferences.get((topic_id, max(open_nonces, default=0))) or {}
                )
                worker = fields["worker_address"]
                if worker not in working:
                    return _error(400, "no inference in this window")
                inference = {"inferer": worker, "value": working[worker]}
                return {"height": chain.height, "result": {"latest_inference": inference}}
        return _error(404, f"unknown query path {path}")

    @app.websocket("/v1/events")
    async def events(websocket: WebSocket) -> None:
        await websocket.accept()
        params = websocket.query_params
        types = set((params.get("types") or "").split(",")) - {""}
        with chain.lock:
            latest = chain.height
        start = int(params["from_height"]) if params.get("from_height") else latest + 1
        generation = server.stream_generation
        server.ws_connections += 1
        await websocket.send_json(
            {
                "type": "hello",
                "from_height": start,
                "earliest_height": 1,
                "latest_height": latest,
                "chain_id": chain.chain_id,
            }
        )
        sent = 0
        try:
            while not server.stopping and server.stream_generation == generation:
                with chain.lock:
                    batch = [e for e in chain.events if e["height"] >= start][sent:]
                for event in batch:
                    if not types or event["type"] in types:
                        await websocket.send_json(event)
                sent += len(batch)
                await asyncio.sleep(0.02)
            with contextlib.suppress(Exception):
                await websocket.close(code=1001)
        except Exception:
            return

    return app


class FakeNodeServer:
    """The fake node's HTTP server on 127.0.0.1, restartable on the same port."""

    def __init__(self, chain: FakeChain) -> None:
        self.chain = chain
        self.port = 0
        self.stopping = False
        self.stream_generation = 0
        self.ws_connections = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeNodeServer:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only then
        # (otherwise keep-alive requests wait ~40 ms on Nagle + delayed ACK).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = int(sock.getsockname()[1])
        self.stopping = False
        config = uvicorn.Config(
            build_app(self.chain, self),
            log_level="error",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            ws_ping_interval=None,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: server.run(sockets=[sock]), name="fake-node", daemon=True
        )
        self._thread.start()
        self._sock = sock
        wait_for(lambda: server.started, timeout=10, what="the fake node to listen")
        return self

    def stop(self) -> None:
        self.stopping = True
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(10)
            assert not thread.is_alive(), "the fake node did not stop"
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()

    def restart(self, *, lose_mempool: bool = True) -> None:
        self.stop()
        if lose_mempool:
            with self.chain.lock:
                self.chain.mempool.clear()
        self.start()

    def cut_streams(self) -> None:
        """Close every websocket (clients reconnect and replay from their last height)."""
        self.stream_generation += 1


def wait_for(
    condition: Callable[[], Any], *, timeout: float = 15.0, what: str = "the condition"
) -> Any:
    """Poll ``condition`` until it is truthy (bounded); returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# Agent configuration helpers


AGENT_TESTS_DIR = Path(__file__).resolve().parent


def write_key(directory: Path, name: str) -> tuple[Wallet, Path]:
    """A fresh key written as a private key file: ``(wallet, path)``."""
    key = PrivateKey.generate()
    path = directory / f"{name}.key"
    path.write_text(key.to_hex() + "\n")
    return Wallet(key), path


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_agent_toml(
    path: Path,
    *,
    node: str,
    key_file: Path,
    topics: list[dict[str, Any]],
    poll_interval: float = 0.1,
    extra: dict[str, Any] | None = None,
) -> Path:
    """An agent TOML file; each topic dict may hold sub-tables (dict values of dicts)."""
    lines = [
        f"node = {toml_value(node)}",
        f"poll_interval = {poll_interval!r}",
        f"python_path = {toml_value([str(AGENT_TESTS_DIR)])}",
    ]
    for key, value in (extra or {}).items():
        lines.append(f"{key} = {toml_value(value)}")
    lines += ["", "[key]", f"private_key_file = {toml_value(str(key_file))}"]
    for topic in topics:
        lines += ["", "[[topics]]"]
        tables = {k: v for k, v in topic.items() if isinstance(v, dict) and k != "kwargs"}
        for key, value in topic.items():
            if key not in tables:
                lines.append(f"{key} = {toml_value(value)}")
        for name, table in tables.items():
            lines += [f"[topics.{name}]"]
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n")
    return path
