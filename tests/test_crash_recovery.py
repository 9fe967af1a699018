"""Crash safety: SIGKILL the node at random points; after restart the state is the last commit.

A child process (this file run as a script) drives :class:`~pyallora.node.solo.SoloNode` on an
lmdb home, producing blocks of signed sends as fast as it can and appending every decided
block to a log (fsynced before the block is executed, as CometBFT saves blocks before applying
them). The test kills it with SIGKILL at random moments, several times, restarting it on the
same home each time. After every kill it checks that:

* ``info()`` of a fresh application on the home reports a height H and an app hash;
* replaying the logged blocks 1..H on a fresh in-memory application gives the same app hash
  and exactly the same key-value state;
* the supply invariant holds.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.chain.abci_types import FinalizeBlockRequest
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.auth.state import get_account
from pyallora.chain.bank.state import validate_supply_invariant
from pyallora.chain.genesis import GenesisDoc, build_genesis
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.core.crypto import sha256
from pyallora.node.solo import SoloNode
from pyallora.storage import LmdbCommittedStore, MemoryCommittedStore

CHAIN_ID = "crash-test"
GENESIS_TIME_NS = 1_600_000_000 * 10**9
KEYS = [PrivateKey(secret=sha256(b"crash key %d" % i)) for i in range(6)]
TXS_PER_BLOCK = 12


def _genesis() -> GenesisDoc:
    return build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=compute_default_modules(),
        balances=[(key.address, 10**22) for key in KEYS],
    )


def _child(home: Path, log_path: Path) -> None:
    """Produce blocks forever (until killed)."""
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115

    def on_block(height: int, time_ns: int, txs: tuple[bytes, ...]) -> None:
        entry = {"height": height, "time_ns": time_ns, "txs": [tx.hex() for tx in txs]}
        log.write(json.dumps(entry) + "\n")
        log.flush()
        os.fsync(log.fileno())

    node = SoloNode.open(_genesis(), home, on_block=on_block)
    store = node.app.committed_store  # type: ignore[attr-defined]
    rnd = random.Random(node.height)
    while True:
        sequences = {}
        for index, key in enumerate(KEYS):
            account = get_account(store, key.address)
            sequences[index] = account.sequence if account is not None else 0
        for _ in range(TXS_PER_BLOCK):
            sender = rnd.randrange(len(KEYS))
            message = bank_tx.MsgSend(
                from_address=KEYS[sender].address,
                to_address=KEYS[rnd.randrange(len(KEYS))].address,
                amount=[coin_pb2.Coin(denom="uallo", amount=str(rnd.randrange(1, 10**6)))],
            )
            tx = build_tx(
                [message],
                private_key=KEYS[sender],
                chain_id=CHAIN_ID,
                account_number=sender,
                sequence=sequences[sender],
                fee_amount=rnd.randrange(0, 3),
                gas_limit=200_000,
            )
            if node.submit(tx).code == 0:
                sequences[sender] += 1
        node.produce_block()


def _read_log(log_path: Path) -> dict[int, dict[str, object]]:
    """The last logged entry of each height (a torn last line is ignored)."""
    blocks: dict[int, dict[str, object]] = {}
    if not log_path.exists():
        return blocks
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        blocks[int(entry["height"])] = entry
    return blocks


def _verify(home: Path, log_path: Path) -> int:
    store = LmdbCommittedStore(home)
    try:
        app = App(store)  # also checks the stored bucket hashes against the app hash
        info = app.info()
        height = info.last_block_height
        blocks = _read_log(log_path)
        replay = App(MemoryCommittedStore())
        replay.init_chain(_genesis().to_init_chain_request())
        for h in range(1, height + 1):
            entry = blocks[h]
            txs = tuple(bytes.fromhex(tx) for tx in entry["txs"])  # type: ignore[attr-defined]
            replay.finalize_block(
                FinalizeBlockRequest(height=h, time_ns=int(entry["time_ns"]), txs=txs)  # type: ignore[arg-type]
            )
            replay.commit()
        assert replay.info().last_block_height == height
        assert replay.info().last_block_app_hash == info.last_block_app_hash
        assert list(replay.committed_store.iterate()) == list(store.iterate())
        validate_supply_invariant(store)
        return height
    finally:
        store.close()


def _wait_for_blocks(log_path: Path, count: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while len(_read_log(log_path)) < count:
        if proc.poll() is not None:
            raise AssertionError(f"the child exited early: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError("the child made no progress")
        time.sleep(0.02)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_state_after_sigkill_equals_replay_of_committed_blocks(tmp_path: Path) -> None:
    home = tmp_path / "home"
    log_path = tmp_path / "blocks.jsonl"
    rnd = random.Random(20240611)
    heights = []
    for _ in range(4):
        seen = len(_read_log(log_path))
        proc = subprocess.Popen(
            [sys.executable, __file__, str(home), str(log_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for_blocks(log_path, seen + 2, proc)
            time.sleep(rnd.uniform(0, 0.4))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        heights.append(_verify(home, log_path))
    print("committed heights after each kill:", heights)
    assert heights == sorted(heights)
    assert heights[-1] >= 4


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]))
