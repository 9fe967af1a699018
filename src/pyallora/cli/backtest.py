"""``allora backtest``: run topics offline on the real application and write a report.

* ``allora backtest`` replays the demo topics (Seattle daily maximum and minimum temperature,
  real data shipped inside ``vega_datasets``) with their seven inferers, three forecasters and
  three reputers;
* ``allora backtest --topic weather --epochs 200`` picks topics and a length, ``--offset N``
  starts the demo topics N days later (the study windows of :mod:`pyallora.agents.study`);
* ``allora backtest --epochs 300 --epoch-length 5 --window 4 --lag 5`` is the live demo's
  run, in process;
* ``allora backtest --csv FILE --column NAME --out DIR`` runs the default participants
  (:func:`pyallora.backtest.setups.build_series_topic`) on any numeric column of a CSV file
  whose rows are in time order (``--time-column`` sorts by a date column instead).

The run is in process and deterministic (:mod:`pyallora.backtest.engine`); the report folder
holds ``summary.json``, ``report.json``, ``report.txt``, per-topic CSV files and PNG plots
(:mod:`pyallora.backtest.report`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from pyallora.agents.datasets import load_csv_series
from pyallora.backtest.actors import ActorError, EpochTiming, TopicSpec
from pyallora.backtest.engine import BacktestConfig, run_backtest
from pyallora.backtest.ledger import EpochData
from pyallora.backtest.report import format_summary_table, write_report
from pyallora.backtest.setups import DEMO_TOPIC_NAMES, build_demo_topic, build_series_topic

PROGRESS_EVERY = 25
"""Print a progress line every this many epochs of a topic."""


def build_topics(args: argparse.Namespace) -> tuple[TopicSpec, ...]:
    """The topics the arguments ask for."""
    if args.csv is not None:
        if not args.column:
            raise ActorError("--csv needs --column NAME")
        series = load_csv_series(args.csv, args.column, time_column=args.time_column)
        return (
            build_series_topic(
                series,
                name=args.name or args.column,
                history=args.history,
                epochs=args.epochs,
                loss_method=args.loss,
                alpha_regret=args.alpha_regret,
                epoch_length=args.epoch_length,
            ),
        )
    names = args.topic or list(DEMO_TOPIC_NAMES)
    return tuple(
        build_demo_topic(
            name, epochs=args.epochs, offset=args.offset, epoch_length=args.epoch_length
        )
        for name in names
    )


def run(args: argparse.Namespace) -> int:
    """Run ``allora backtest``."""
    topics = build_topics(args)
    timing = EpochTiming(
        epoch_length=args.epoch_length,
        worker_submission_window=args.window,
        ground_truth_lag=args.lag,
    )
    config = BacktestConfig(topics=topics, timing=timing, seed=args.seed)
    started = time.monotonic()
    counts = {spec.name: 0 for spec in topics}
    totals = {spec.name: spec.epochs for spec in topics}
    print(
        "backtest: "
        + ", ".join(f"{spec.name} ({spec.epochs} epochs of {spec.series.name})" for spec in topics)
        + f"; E={timing.epoch_length} W={timing.worker_submission_window} "
        f"G={timing.ground_truth_lag} blocks; in-process application and block driver",
        flush=True,
    )

    def on_published(spec: TopicSpec, data: EpochData) -> None:
        counts[spec.name] += 1
        done = counts[spec.name]
        if done % args.progress_every == 0 or done == totals[spec.name]:
            network = "-" if data.network is None else f"{data.network:.4g}"
            print(
                f"  {spec.name}: epoch {done}/{totals[spec.name]} (nonce {data.nonce}) "
                f"network {network}  [{time.monotonic() - started:.0f} s]",
                flush=True,
            )

    result = run_backtest(config, on_published=on_published)
    summaries = write_report(
        args.out,
        result.runs,
        extra={
            "engine": "in-process application and block driver (deterministic)",
            "chain_id": result.chain_id,
            "height": result.height,
            "app_hash": result.app_hash,
            "seed": args.seed,
            "rejections": list(result.rejections),
        },
        plots=not args.no_plots,
    )
    print()
    for run_, summary in zip(result.runs, summaries, strict=True):
        for line in format_summary_table(run_, summary):
            print(line)
        print()
    for line in result.rejections[:10]:
        print(f"refused: {line}", file=sys.stderr)
    print(
        f"{result.height} blocks in {time.monotonic() - started:.1f} s; "
        f"report written to {args.out}/ (summary.json, report.json, CSV files, plots)"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``allora backtest``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "backtest",
        help="run topics offline on the real chain application and write a report",
        description=(
            "Run a topic's whole lifecycle in process (the real application, the in-process "
            "block driver, the same models as live workers) over a dataset, as fast as the "
            "machine allows, and write a report folder: per-epoch CSV files, summary.json, "
            "report.json and PNG plots. Without --csv it replays the demo topics."
        ),
    )
    parser.add_argument(
        "--topic",
        action="append",
        choices=(*DEMO_TOPIC_NAMES, "stocks"),
        help=f"a demo topic to replay; repeatable (default: {', '.join(DEMO_TOPIC_NAMES)})",
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="a CSV file with a header row")
    parser.add_argument("--column", metavar="NAME", help="the numeric column of --csv")
    parser.add_argument("--time-column", metavar="NAME", help="sort --csv rows by this date column")
    parser.add_argument("--name", help="topic name for --csv (default: the column)")
    parser.add_argument(
        "--history",
        type=int,
        metavar="N",
        help="--csv rows given to the models as history (default: a fifth, at least 10)",
    )
    parser.add_argument("--loss", default="mse", help="--csv topic's loss method (default mse)")
    parser.add_argument(
        "--alpha-regret", default="0.1", help="--csv topic's regret EMA alpha (default 0.1)"
    )
    parser.add_argument("--epochs", type=int, metavar="N", help="replay at most N epochs")
    parser.add_argument(
        "--offset",
        type=int,
        default=0,
        metavar="N",
        help="demo topics: start N days after the usual first epoch (the models get N more "
        "days of history; e.g. study windows other than the demo's)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("backtest-report"),
        metavar="DIR",
        help="report folder (default backtest-report)",
    )
    parser.add_argument("--seed", default="backtest", help="seed of the participants' keys")
    parser.add_argument("--epoch-length", type=int, default=4, help="E in blocks (default 4)")
    parser.add_argument("--window", type=int, default=3, help="worker window W (default 3)")
    parser.add_argument(
        "--lag", type=int, default=4, help="ground-truth lag G, a multiple of E (default 4)"
    )
    parser.add_argument(
        "--progress-every",
        type=int,
        default=PROGRESS_EVERY,
        metavar="N",
        help=f"print progress every N epochs (default {PROGRESS_EVERY})",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    parser.set_defaults(func=run)
