"""The in-process block driver: mempool, block production, deterministic times, restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.chain.abci_types import Application, QueryRequest
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.bank.state import get_balance, validate_supply_invariant
from pyallora.chain.genesis import GenesisDoc, GenesisValidator, build_genesis
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.core.crypto import consensus_address, sha256
from pyallora.node.solo import SoloConfig, SoloNode
from pyallora.storage import MemoryCommittedStore

CHAIN_ID = "solo-test"
T0 = 1_650_000_000 * 10**9
KEYS = [PrivateKey(secret=sha256(b"solo key %d" % i)) for i in range(3)]
VALIDATORS = [GenesisValidator(pub_key=sha256(b"val %d" % i), power=10 + i) for i in range(2)]


def _genesis() -> GenesisDoc:
    return build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=T0,
        modules=compute_default_modules(),
        balances=[(key.address, 10**21) for key in KEYS],
        validators=VALIDATORS,
    )


def _send(sender: int, recipient: int, amount: int, sequence: int) -> bytes:
    message = bank_tx.MsgSend(
        from_address=KEYS[sender].address,
        to_address=KEYS[recipient].address,
        amount=[coin_pb2.Coin(denom="uallo", amount=str(amount))],
    )
    return build_tx(
        [message],
        private_key=KEYS[sender],
        chain_id=CHAIN_ID,
        account_number=sender,
        sequence=sequence,
        fee_amount=1,
        gas_limit=150_000,
    )


class RecordingApp:
    """Wraps an application and records the ABCI calls."""

    def __init__(self, inner: Application) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        method = getattr(self.inner, name)

        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


def test_block_production_calls_abci_in_order_and_indexes_results() -> None:
    recorder = RecordingApp(App(MemoryCommittedStore()))
    node = SoloNode(recorder, _genesis())  # type: ignore[arg-type]
    assert recorder.calls == ["info", "init_chain"]
    txs = [_send(0, 1, 100, 0), _send(0, 2, 50, 1), _send(1, 0, 7, 0)]
    for tx in txs:
        assert node.submit(tx).code == 0
    assert node.mempool == tuple(txs)
    recorder.calls.clear()
    result = node.produce_block()
    assert recorder.calls[:4] == [
        "prepare_proposal",
        "process_proposal",
        "finalize_block",
        "commit",
    ]
    assert [r.code for r in result.tx_results] == [0, 0, 0]
    assert node.mempool == ()
    indexed = node.get_tx_result(sha256(txs[1]))
    assert indexed is not None
    assert (indexed.height, indexed.index) == (1, 1)
    assert node.get_tx_result(sha256(b"nope")) is None
    assert node.height == 1
    assert node.app_hash == result.app_hash == node.info().last_block_app_hash


def test_duplicate_and_invalid_submissions() -> None:
    node = SoloNode.open(_genesis())
    tx = _send(0, 1, 1, 0)
    assert node.submit(tx).code == 0
    again = node.submit(tx)
    assert (again.codespace, again.code) == ("sdk", 19)
    stale = node.submit(_send(0, 1, 1, 0) + b"")  # same bytes: still a duplicate
    assert stale.code == 19
    bad = node.submit(_send(0, 1, 1, 5))
    assert bad.code == 32
    assert len(node.mempool) == 1


def test_mempool_capacity() -> None:
    node = SoloNode.open(_genesis(), config=SoloConfig(max_mempool_txs=1))
    assert node.submit(_send(0, 1, 1, 0)).code == 0
    assert node.submit(_send(0, 1, 1, 1)).code == 20


def test_block_times_and_proposers_are_deterministic() -> None:
    seen_times: list[int] = []
    node = SoloNode.open(
        _genesis(),
        config=SoloConfig(block_interval_ns=2 * 10**9),
        on_block=lambda height, time_ns, txs: seen_times.append(time_ns),
    )
    node.run_until(3)
    assert seen_times == [T0 + h * 2 * 10**9 for h in (1, 2, 3)]
    addresses = sorted(consensus_address(v.pub_key) for v in VALIDATORS)
    assert node._proposer(1) == addresses[1]
    assert node._proposer(2) == addresses[0]


def test_max_block_txs_and_recheck_drop_stale_txs() -> None:
    node = SoloNode.open(_genesis(), config=SoloConfig(max_block_txs=2))
    for sequence in range(3):
        assert node.submit(_send(0, 1, 1, sequence)).code == 0
    # An alternative tx for sequence 2 from another path cannot enter: check state says 3.
    assert node.submit(_send(0, 2, 1, 2)).code == 32
    first = node.produce_block()
    assert len(first.tx_results) == 2
    assert len(node.mempool) == 1  # sequence 2 still valid after recheck
    second = node.produce_block()
    assert [r.code for r in second.tx_results] == [0]
    assert node.mempool == ()


def test_recheck_drops_txs_that_expired_while_waiting() -> None:
    node = SoloNode.open(_genesis(), config=SoloConfig(max_block_txs=1))
    message = bank_tx.MsgSend(
        from_address=KEYS[1].address,
        to_address=KEYS[0].address,
        amount=[coin_pb2.Coin(denom="uallo", amount="5")],
    )
    expiring = build_tx(
        [message],
        private_key=KEYS[1],
        chain_id=CHAIN_ID,
        account_number=1,
        sequence=0,
        fee_amount=0,
        gas_limit=150_000,
        timeout_height=1,
    )
    assert node.submit(_send(0, 1, 1, 0)).code == 0
    assert node.submit(expiring).code == 0  # valid for block 1
    block = node.produce_block()  # only room for the first tx
    assert len(block.tx_results) == 1
    assert node.mempool == ()  # rechecked at height 2: expired, dropped
    assert node.get_tx_result(sha256(expiring)) is None


@pytest.mark.parametrize("backend", ["memory", "lmdb"])
def test_restart_resumes_after_the_last_commit(tmp_path: Path, backend: str) -> None:
    home = tmp_path / "home" if backend == "lmdb" else None
    node = SoloNode.open(_genesis(), home, sync=False)
    node.submit(_send(0, 1, 123, 0))
    node.run_until(2)
    height, app_hash = node.height, node.app_hash
    validate_supply_invariant(node.app.committed_store)  # type: ignore[attr-defined]
    node.close()
    if home is None:
        return
    restarted = SoloNode.open(_genesis(), home, sync=False)
    assert (restarted.height, restarted.app_hash) == (height, app_hash)
    info = restarted.info()
    assert (info.last_block_height, info.last_block_app_hash) == (height, app_hash)
    assert get_balance(restarted.app.committed_store, KEYS[1].address) == 10**21 + 123  # type: ignore[attr-defined]
    # The chain id came back from the state: signed txs still verify.
    assert restarted.submit(_send(0, 1, 1, 1)).code == 0
    restarted.produce_block()
    assert restarted.height == height + 1
    query = restarted.app.query(QueryRequest(path="/cosmos.bank.v1beta1.Query/TotalSupply"))
    assert query.code == 0 and query.height == height + 1
    restarted.close()


def test_the_result_index_keeps_only_the_newest() -> None:
    node = SoloNode.open(_genesis(), config=SoloConfig(max_indexed_txs=2))
    txs = [_send(0, 1, 1, sequence) for sequence in range(3)]
    for tx in txs:
        assert node.submit(tx).code == 0
    node.produce_block()
    assert node.get_tx_result(sha256(txs[0])) is None
    assert [node.get_tx_result(sha256(tx)).index for tx in txs[1:]] == [1, 2]  # type: ignore[union-attr]
