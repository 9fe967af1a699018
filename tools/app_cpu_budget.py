"""How much CPU per transaction an application may spend to reach a ratio of ``allora bench node``.

``allora bench node`` divides the pyallora node's committed tx/s by CometBFT's in-process
``kvstore`` under the same load (target: 0.5). This tool measures, on this machine, what an
application of known cost gets under that load: a node whose application
(:class:`~pyallora.node.bench_node.BenchKVApp` behind pyallora's ABCI server) does nothing
but spend ``L`` µs of CPU per CheckTx (a quarter of that per recheck) and ``L × --block-share``
µs per transaction of each block, for each level ``L`` of ``--levels``. The load is the
benchmark's: ``--txs`` signed bank sends from ``--senders`` senders, in the ``key=value`` form
that kvstore gets. In-process kvstore runs before and after the levels; the ratios use the
mean of the two.

Each row prints the level, the application's measured CPU per committed transaction (what to
compare with ``allora bench node``'s "application" figure), CometBFT's, the committed tx/s
and the ratio. Figures depend on the machine and its load, and move in steps of whole blocks.

Usage: ``python tools/app_cpu_budget.py [--levels 0,50,100,150,200] [--txs 8000]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pyallora.cli.bench_node import (
    Throughput,
    make_sender_key,
    measure_fresh_node,
    sign_load,
    to_kvstore_tx,
)
from pyallora.node.bench_node import NOOP_APP_COMMAND
from pyallora.node.cometbft import find_cometbft


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="0,50,100,150,200", help="CheckTx CPU µs, comma list")
    parser.add_argument("--block-share", type=float, default=0.4, help="block µs per CheckTx µs")
    parser.add_argument("--txs", type=int, default=8000)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--block-time", type=int, default=500, metavar="MS")
    args = parser.parse_args()
    levels = [float(level) for level in args.levels.split(",") if level.strip()]
    cometbft = find_cometbft(None)
    keys = [make_sender_key(index) for index in range(args.senders)]
    numbers = {key.address: index for index, key in enumerate(keys)}
    queues = [[to_kvstore_tx(raw) for raw in q] for q in sign_load(keys, numbers, args.txs)]
    rows: list[tuple[float, Throughput]] = []
    with tempfile.TemporaryDirectory(prefix="app-cpu-budget-") as temporary:
        root = Path(temporary)
        print("kvstore in process ...", file=sys.stderr, flush=True)
        before = measure_fresh_node(
            root / "kvstore-before", queues, cometbft=cometbft, timeout_commit_ms=args.block_time
        )
        for index, level in enumerate(levels):
            print(f"level {level:g} µs ...", file=sys.stderr, flush=True)
            command = [*NOOP_APP_COMMAND, "--check-burn-us", str(level)]
            command += ["--block-burn-us", str(level * args.block_share)]
            result = measure_fresh_node(
                root / f"level-{index}",
                queues,
                cometbft=cometbft,
                timeout_commit_ms=args.block_time,
                app_command=command,
            )
            rows.append((level, result))
        after = measure_fresh_node(
            root / "kvstore-after", queues, cometbft=cometbft, timeout_commit_ms=args.block_time
        )
    kvstore = (before.tx_per_s + after.tx_per_s) / 2
    print(
        f"kvstore in process: {before.tx_per_s:.0f} and {after.tx_per_s:.0f} tx/s "
        f"({before.blocks} and {after.blocks} blocks); mean {kvstore:.0f}"
    )
    print("CheckTx µs  block µs  app CPU µs/tx  CometBFT µs/tx     tx/s  blocks  ratio")
    within = []
    for level, result in rows:
        ratio = result.tx_per_s / kvstore if kvstore else 0.0
        app_us = result.cpu_us_per_tx.get("application", float("nan"))
        comet_us = result.cpu_us_per_tx.get("cometbft", float("nan"))
        print(
            f"{level:10.0f} {level * args.block_share:9.0f} {app_us:14.0f} {comet_us:15.0f} "
            f"{result.tx_per_s:8.0f} {result.blocks:7d} {ratio:6.3f}"
        )
        if ratio >= 0.5:
            within.append(app_us)
    if within:
        print(f"largest application CPU per tx with ratio ≥ 0.5 here: {max(within):.0f} µs")
    else:
        print("no level reached a ratio of 0.5 here")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
