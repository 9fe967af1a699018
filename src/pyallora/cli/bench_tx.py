"""``allora bench tx``: signed bank sends through check_tx, the block pipeline and commit.

The solo driver (:mod:`pyallora.node.solo`) runs the application on an lmdb home in a
temporary directory (synced commits, as a node runs). Transactions are signed beforehand
(signing is the client's cost), then for each block every tx is submitted (``check_tx``) and
the block is produced (``prepare_proposal`` → ``process_proposal`` → ``finalize_block`` →
``commit``). Reported:

* ``tx_per_s``: transactions per second end to end (submission to commit) over the
  1,000-transaction blocks; target ≥ 2,000;
* (text output only) the same per CPU second of the benchmark process, which is what the
  figure would be on an otherwise idle machine;
* ``commit_ms_100`` / ``commit_ms_1000``: median duration of ``commit`` (the synced lmdb
  write) for blocks of 100 and 1,000 transactions; target for 1,000: < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2

from pyallora.chain.abci_types import CommitResult
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.genesis import build_genesis
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.core.crypto import sha256
from pyallora.node.solo import SoloConfig, SoloNode
from pyallora.storage import LmdbCommittedStore

TARGET_TX_PER_S = 2000.0
"""Target end-to-end throughput."""

TARGET_COMMIT_MS_1000 = 100.0
"""Target commit time of a 1,000-tx block."""

CHAIN_ID = "bench-tx"
SENDERS = 250
REPEATS = 3


class _TimedApp(App):
    """The application, timing each commit."""

    commit_seconds: list[float]

    def commit(self) -> CommitResult:
        start = time.perf_counter()
        result = super().commit()
        self.commit_seconds.append(time.perf_counter() - start)
        return result


def _sign_blocks(keys: list[PrivateKey], sizes: list[int], seed: int) -> list[list[bytes]]:
    rnd = random.Random(seed)
    sequences = [0] * len(keys)
    blocks = []
    for size in sizes:
        txs = []
        for index in range(size):
            sender = index % len(keys)
            recipient = keys[rnd.randrange(len(keys))].address
            message = bank_tx.MsgSend(
                from_address=keys[sender].address,
                to_address=recipient,
                amount=[coin_pb2.Coin(denom="uallo", amount=str(rnd.randrange(1, 10**9)))],
            )
            txs.append(
                build_tx(
                    [message],
                    private_key=keys[sender],
                    chain_id=CHAIN_ID,
                    account_number=sender,
                    sequence=sequences[sender],
                    fee_amount=10,
                    gas_limit=200_000,
                )
            )
            sequences[sender] += 1
        blocks.append(txs)
    return blocks


def measure() -> dict[str, float]:
    """Run the benchmark; return the three figures."""
    keys = [PrivateKey(secret=sha256(b"bench key %d" % i)) for i in range(SENDERS)]
    sizes = [100] * REPEATS + [1000] * REPEATS
    blocks = _sign_blocks(keys, sizes, seed=1)
    genesis = build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=1_700_000_000 * 10**9,
        modules=compute_default_modules(),
        balances=[(key.address, 10**24) for key in keys],
    )
    with tempfile.TemporaryDirectory(prefix="pyallora-bench-tx-") as tmp:
        app = _TimedApp(LmdbCommittedStore(Path(tmp) / "data"))
        app.commit_seconds = []
        node = SoloNode(app, genesis, config=SoloConfig(max_block_txs=1000))
        node.produce_block()  # commit genesis
        app.commit_seconds.clear()
        elapsed_1000 = 0.0
        cpu_1000 = 0.0
        txs_1000 = 0
        for txs in blocks:
            start = time.perf_counter()
            cpu_start = time.process_time()
            for tx in txs:
                result = node.submit(tx)
                if result.code:
                    raise RuntimeError(f"benchmark tx rejected: {result.log}")
            block = node.produce_block()
            took = time.perf_counter() - start
            cpu_took = time.process_time() - cpu_start
            if any(r.code for r in block.tx_results) or len(block.tx_results) != len(txs):
                raise RuntimeError("benchmark block did not execute every tx")
            if len(txs) == 1000:
                elapsed_1000 += took
                cpu_1000 += cpu_took
                txs_1000 += len(txs)
        commits = app.commit_seconds
        app.close()
    return {
        "tx_per_s": round(txs_1000 / elapsed_1000, 1),
        "cpu_tx_per_s": round(txs_1000 / cpu_1000, 1),
        "commit_ms_100": round(statistics.median(commits[:REPEATS]) * 1000, 2),
        "commit_ms_1000": round(statistics.median(commits[REPEATS:]) * 1000, 2),
    }


def register(subparsers: Any) -> None:
    """Add ``allora bench tx``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tx",
        help="signed bank sends through check_tx, finalize_block and commit (lmdb)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(args: argparse.Namespace) -> int:
        figures = measure()
        if args.json:
            keys = ("tx_per_s", "commit_ms_100", "commit_ms_1000")
            print(json.dumps({key: figures[key] for key in keys}))
            return 0
        tx_ok = figures["tx_per_s"] >= TARGET_TX_PER_S
        commit_ok = figures["commit_ms_1000"] < TARGET_COMMIT_MS_1000
        print(
            f"end to end      {figures['tx_per_s']:>10.1f} tx/s   target ≥ {TARGET_TX_PER_S:.0f}"
            f"   {'met' if tx_ok else 'NOT met'}"
        )
        print(
            f"  (per CPU second of this process: {figures['cpu_tx_per_s']:.1f} tx/s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )
        print(f"commit (100)    {figures['commit_ms_100']:>10.2f} ms")
        print(
            f"commit (1,000)  {figures['commit_ms_1000']:>10.2f} ms     target < "
            f"{TARGET_COMMIT_MS_1000:.0f} ms   {'met' if commit_ok else 'NOT met'}"
        )
        return 0

    parser.set_defaults(func=run)
