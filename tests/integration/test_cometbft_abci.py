"""Real CometBFT v0.38.25 driving the pyallora ABCI server and a key=value application.

Differential check of the whole path (INFRA.md §3–§4): transactions sent through CometBFT's RPC
reach the application through the socket server, results come back, and the app hash the
application reports is the one CometBFT writes into the next block header.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from pyallora.node.cometbft import CometRpcError, TxLookup

pytestmark = pytest.mark.integration

CHAIN_ID = "pyallora-itest"
WAIT = 20.0


def test_transactions_queries_and_app_hash(kv_node_factory: Callable[..., Any]) -> None:
    node = kv_node_factory(chain_id=CHAIN_ID, app_state={"genesis_key": "genesis_value"})
    node.start()
    rpc = node.rpc

    status = rpc.status()
    assert status.network == CHAIN_ID
    assert status.version == "0.38.25"
    # InitChain received app_state from genesis.json (app_state → app_state_bytes).
    genesis = rpc.abci_query("/key", b"genesis_key")
    assert (genesis.code, genesis.value) == (0, b"genesis_value")

    committed = rpc.broadcast_tx_commit(b"alpha=1")
    assert committed.check_tx.code == 0
    assert committed.tx_result.code == 0
    assert committed.height > 0
    assert committed.hash == hashlib.sha256(b"alpha=1").hexdigest().upper()
    assert [(e.type, e.attributes) for e in committed.tx_result.events] == [
        ("kv.set", (("key", "alpha"), ("value", "1")))
    ]

    rejected = rpc.broadcast_tx_sync(b"no-equals-sign")
    assert (rejected.code, rejected.codespace, rejected.log) == (1, "kvstore", "expected key=value")

    sent = {f"k{i}".encode(): f"v{i}".encode() for i in range(20)}
    hashes = {}
    for key, value in sent.items():
        result = rpc.broadcast_tx_sync(key + b"=" + value)
        assert result.code == 0
        assert result.hash == hashlib.sha256(key + b"=" + value).hexdigest().upper()
        hashes[key] = result.hash
    deadline = time.monotonic() + WAIT
    found: dict[bytes, TxLookup] = {}
    while len(found) < len(hashes):
        for key, tx_hash in hashes.items():
            if key in found:
                continue
            with contextlib.suppress(CometRpcError):  # not indexed yet
                found[key] = rpc.tx(tx_hash)
        assert time.monotonic() < deadline, f"only {len(found)} of {len(hashes)} txs committed"
        time.sleep(0.1)
    for key, lookup in found.items():
        assert lookup.tx == key + b"=" + sent[key]
        assert lookup.tx_result.code == 0
        query = rpc.abci_query("/key", key)
        assert (query.code, query.value) == (0, sent[key])
    missing = rpc.abci_query("/key", b"nope")
    assert (missing.code, missing.log) == (3, "not found")

    # FinalizeBlock results as CometBFT stored them.
    results = rpc.block_results(committed.height)
    block = rpc.block(committed.height)
    assert b"alpha=1" in block.txs
    index = block.txs.index(b"alpha=1")
    assert results.tx_results[index].code == 0
    assert results.tx_results[index].gas_used == 1

    # The app hash of height L (Info) is in the header of block L+1.
    info = rpc.abci_info()
    assert info.data == "kvstore-app"
    assert info.last_block_height >= max(x.height for x in found.values())
    rpc.wait_for_height(info.last_block_height + 1, timeout=WAIT)
    assert len(info.last_block_app_hash) == 32
    assert rpc.block(info.last_block_height + 1).app_hash == info.last_block_app_hash
    saved = json.loads((node.app_home / "state.json").read_text())
    if saved["height"] == info.last_block_height:
        assert bytes.fromhex(saved["app_hash"]) == info.last_block_app_hash


def test_app_hash_chain_matches_every_header(kv_node_factory: Callable[..., Any]) -> None:
    node = kv_node_factory(chain_id=CHAIN_ID, app_state={})
    node.start()
    rpc = node.rpc
    for i in range(3):
        assert rpc.broadcast_tx_commit(f"round{i}=x".encode()).tx_result.code == 0
    top = rpc.status().latest_block_height
    journal = node.journal()
    commits = [int(fields[1]) for fields in journal if fields[0] == "commit"]
    assert commits == list(range(1, commits[-1] + 1))  # every height once, in order
    # Each finalize precedes its commit; no second finalize of a height without a restart.
    finalized = [int(fields[1]) for fields in journal if fields[0] == "finalize"]
    assert finalized[: len(commits)] == commits
    # CometBFT's header at h+1 carries the hash FinalizeBlock returned at h.
    for height in range(2, top + 1):
        previous = rpc.block_results(height - 1)
        assert len(previous.app_hash) == 32
        assert rpc.block(height).app_hash == previous.app_hash
