"""``allora bench epoch``: epoch ends, rewards and payload ingestion with T active topics.

A chain state with ``--topics`` T active topics, each with the default active-set caps (32
inferers, 6 forecasters and 6 reputers, all submitting signed payloads every epoch), is built
on the standard application with the emissions module and driven block by block
(:mod:`pyallora.node.bench_epoch`: E = max(T, 12), one epoch end per block). After a warm-up
in which every topic has been paid rewards, whole epochs are measured. The application's time
in a block is split in two:

* **block**: begin-block and end-block hooks (the emissions end blocker: topic weights, nonces,
  the reputer nonce's synthesis and rewards, closing worker windows), the app hash and commit;
* **ingestion**: check_tx, proposal checks and execution of the payload transactions.

Reported: the median block time over the blocks where an epoch ends, the worst block time
over the blocks paying rewards (one topic each: ``max_active_topics_per_block`` is 1), and the
ingestion time of one epoch's payloads (44 transactions per topic). Building and signing the
transactions is not timed. Times are wall-clock seconds of the application calls (synced lmdb
commits included); the text output adds their CPU time, which is what the figure would be on
an otherwise idle core.

Targets (the project's, checked here and never in tests): worst block paying rewards < 100 ms;
ingestion of one epoch with 100 topics (about 4,400 signed transactions) < 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Final

from pyallora.node.bench_epoch import ACTORS_PER_TOPIC, EpochBenchReport, run_epoch_bench

TARGET_REWARD_BLOCK_MS: Final = 100.0
"""Target worst time of a block in which one topic is paid rewards."""

TARGET_INGEST_S: Final = 5.0
"""Target ingestion time of one epoch's payloads ..."""

TARGET_INGEST_TOPICS: Final = 100
"""... with this many topics."""


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _print_text(report: EpochBenchReport) -> None:
    blocks = len(report.blocks)
    print(
        f"{report.topics} topics × ({ACTORS_PER_TOPIC} actors: 32 inferers, 6 forecasters, "
        f"6 reputers); E = {report.epoch_length}; {report.epochs} epoch(s) measured "
        f"({blocks} blocks, {len(report.reward_blocks)} paying rewards); run {report.run_s:.0f} s"
    )
    end_block, commit, rest = report.get_median_parts_ms()
    print(
        f"median block (epoch end)      {report.median_block_ms:>9.1f} ms   (medians: emissions "
        f"end blocker {end_block:.1f}, commit {commit:.1f}, other hooks and app hash {rest:.1f})"
    )
    one_topic = report.max_rewarded_topics == 1
    reward_ok = report.worst_reward_block_ms < TARGET_REWARD_BLOCK_MS
    scope = "" if one_topic else f" (up to {report.max_rewarded_topics} topics per block)"
    print(
        f"worst block paying rewards    {report.worst_reward_block_ms:>9.1f} ms   target < "
        f"{TARGET_REWARD_BLOCK_MS:g} ms{scope}   {_verdict(reward_ok)}"
    )
    print(f"  (its CPU time {report.worst_reward_block_cpu_ms:.1f} ms)")
    ingest = report.ingest_one_epoch_s
    line = (
        f"ingest one epoch              {ingest:>9.3f} s    "
        f"({report.txs_per_epoch:.0f} txs, CPU {report.ingest_one_epoch_cpu_s:.3f} s)"
    )
    if report.topics == TARGET_INGEST_TOPICS:
        line += f"   target < {TARGET_INGEST_S:g} s   {_verdict(ingest < TARGET_INGEST_S)}"
    else:
        line += f"   (the < {TARGET_INGEST_S:g} s target is for --topics {TARGET_INGEST_TOPICS})"
    print(line)
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def register(subparsers: Any) -> None:
    """Add ``allora bench epoch``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "epoch",
        help="epoch-end and reward blocks, and payload ingestion, with T active topics",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--topics", type=int, default=1, metavar="T", help="active topics")
    parser.add_argument(
        "--epochs",
        type=int,
        metavar="N",
        help="epochs to measure (default: enough for ten epoch ends, at least one)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic data")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run(args: argparse.Namespace) -> int:
        if args.topics < 1 or (args.epochs is not None and args.epochs < 1):
            parser.error("--topics and --epochs must be positive")

        def progress(message: str) -> None:
            if not args.quiet:
                print(f"[bench epoch] {message}", file=sys.stderr, flush=True)

        report = run_epoch_bench(args.topics, epochs=args.epochs, seed=args.seed, progress=progress)
        if args.json:
            print(
                json.dumps(
                    {
                        "topics": report.topics,
                        "median_block_ms": round(report.median_block_ms, 2),
                        "worst_reward_block_ms": round(report.worst_reward_block_ms, 2),
                        "ingest_one_epoch_s": round(report.ingest_one_epoch_s, 4),
                    }
                )
            )
            return 0
        _print_text(report)
        return 0

    parser.set_defaults(func=run)
