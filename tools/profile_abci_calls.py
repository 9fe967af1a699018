"""CPU per transaction of the ABCI calls a node makes for ``allora bench node``'s load.

In-process and deterministic (no CometBFT, no sockets, no clock in the figures' inputs): a node
home as the benchmark makes it (funded senders, the node's modules, an lmdb store), the
benchmark's signed bank sends, and the calls CometBFT makes for one block of ``--txs``
transactions (``check_tx`` for each, then ``prepare_proposal``, ``process_proposal``,
``finalize_block`` of what was prepared, ``commit``), each through the protobuf translation of
the ABCI server (request bytes in, response bytes out). Prints CPU microseconds per
transaction of each call, the best of ``--repeat`` fresh runs (``time.process_time``: the
figure is the process's own work, so a loaded machine disturbs it less than wall time).

Usage: ``python tools/profile_abci_calls.py [--txs N] [--repeat R] [--profile CALL]``;
``--profile check`` (or prepare, finalize, ...) prints a cProfile of that call's first run.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from pyallora.abci.server import AbciServer
from pyallora.abci.translate import (
    CheckTxRequest,
    CommitRequest,
    decode_request,
    encode_request,
    encode_response,
)
from pyallora.chain.abci_types import (
    FinalizeBlockRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    TxResult,
)
from pyallora.chain.app import App
from pyallora.cli.bench_node import (
    CHAIN_ID,
    SEND_FUNDS,
    _genesis_account_numbers,
    make_sender_key,
    sign_load,
)
from pyallora.node.home import compute_node_modules, init_node_home, load_genesis
from pyallora.storage import open_committed_store

MAX_BLOCK_BYTES = 22_020_096
"""CometBFT's default ``max_bytes`` of a block."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--txs", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profile-abci-") as temporary:
        root = Path(temporary)
        keys = [make_sender_key(index) for index in range(args.senders)]
        init = init_node_home(
            root / "home",
            chain_id=CHAIN_ID,
            accounts=[(key.address, SEND_FUNDS) for key in keys],
            engine="solo",
        )
        queues = sign_load(keys, _genesis_account_numbers(dict(init.genesis.app_state)), args.txs)
        arrival = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
        chain = load_genesis(init.home).to_init_chain_request()
        time_ns = chain.time_ns + 10**9
        best: dict[str, float] = {}
        for run in range(args.repeat):
            app = App(open_committed_store(root / f"store{run}"), modules=compute_node_modules())
            server = AbciServer(app)
            app.init_chain(chain)
            prepared = tuple(arrival)
            calls = {
                "check": [encode_request(CheckTxRequest(tx=raw)) for raw in arrival],
                "prepare": [
                    encode_request(
                        PrepareProposalRequest(
                            txs=prepared, max_tx_bytes=MAX_BLOCK_BYTES, height=1, time_ns=time_ns
                        )
                    )
                ],
                "process": [
                    encode_request(ProcessProposalRequest(txs=prepared, height=1, time_ns=time_ns))
                ],
                "finalize": [
                    encode_request(FinalizeBlockRequest(txs=prepared, height=1, time_ns=time_ns))
                ],
                "commit": [encode_request(CommitRequest())],
            }
            for name, payloads in calls.items():
                profiler = cProfile.Profile() if name == args.profile and run == 0 else None
                start = time.process_time()
                if profiler is not None:
                    profiler.enable()
                for payload in payloads:
                    response = server._call_app(decode_request(payload))
                    encode_response(response)
                    if isinstance(response, TxResult) and response.code:
                        raise SystemExit(f"check_tx refused a load tx: {response.log}")
                if profiler is not None:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                spent = time.process_time() - start
                best[name] = min(best.get(name, spent), spent)
            app.close()
    for name, seconds in best.items():
        print(f"{name:<9} {1e6 * seconds / args.txs:8.1f} us/tx")
    print(f"{'total':<9} {1e6 * sum(best.values()) / args.txs:8.1f} us/tx")


if __name__ == "__main__":
    main()
