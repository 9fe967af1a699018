"""``allora demo``: a live local Allora network on real data (``make demo``).

* ``allora demo`` starts a local network (one validator on CometBFT when the binary exists,
  else the in-process block driver, said on screen), funds the participants at genesis,
  creates the two weather topics, registers seven inferers, three forecasters and three
  reputers per topic, replays the data at epoch speed with live progress, prints the mean
  loss of every participant against the network and the naive network and the rewards each
  earned, writes ``demo-report/`` (``summary.json``, CSV files, plots) and stops the network
  (:mod:`pyallora.backtest.demo`). Flags: ``--epochs N``, ``--out DIR``, ``--solo``,
  ``--keep-running``, ``--block-time MS``.
* ``allora demo --replay-vectors`` replays the research simulator's table
  ``synthesis_epochs.csv`` (``../shared/vectors/`` beside the repository, or ``--vectors
  DIR``, which implies ``--replay-vectors``) through the synthesis engine, chained from its
  first epoch exactly like ``allora vectors synthesis``: per epoch the network and naive
  inferences, each inferer's inference, log-loss (SYNTHESIS.md §8), score (§10) and every
  participant's reward (§13), then whether the network's log-loss beat the best single
  inferer's.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pyallora
from pyallora.backtest import DEFAULT_DEMO_BLOCK_TIME_MS as DEFAULT_BLOCK_TIME_MS
from pyallora.backtest import DEFAULT_DEMO_EPOCHS as DEFAULT_EPOCHS
from pyallora.cli.vectors import read_table
from pyallora.cli.vectors_synthesis import (
    compute_table_rows,
    get_forecaster_id,
    get_inferer_id,
    get_reputer_id,
    get_table_shape,
)
from pyallora.core.dec import Dec
from pyallora.core.errors import PyAlloraError

TABLE = "synthesis_epochs.csv"


def get_default_vectors_dir() -> Path:
    """``../shared/vectors`` next to the repository root."""
    return Path(pyallora.__file__).resolve().parents[2].parent / "shared" / "vectors"


def _num(value: Dec | None, width: int = 12, digits: int = 6) -> str:
    if value is None:
        return "-".rjust(width)
    return f"{float(format(value, '.17g')):{width}.{digits}f}"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )
    return lines


def replay_vectors(vectors_dir: Path) -> list[str]:
    """The output lines of ``--replay-vectors`` for the table in ``vectors_dir``."""
    path = vectors_dir / TABLE
    if not path.exists():
        raise PyAlloraError(
            f"the simulator table {TABLE} was not found in {vectors_dir} "
            "(pass --vectors DIR pointing at the shared vectors directory)"
        )
    table = read_table(path)
    shape = get_table_shape(table.header)
    epochs = [row[table.header.index("epoch")] for row in table.rows]
    out: list[str] = [
        f"Replaying {path.name}: {shape.inferers} inferers, {shape.forecasters} forecasters, "
        f"{shape.reputers} reputers; epoch {epochs[0]} is the seed, later epochs are computed "
        "by the engine (log-losses are log10; lower is better).",
    ]
    summary: list[tuple[str, Dec | None, Dec | None, str]] = []
    for epoch, computed in zip(epochs[1:], compute_table_rows(table), strict=True):
        network, outcome = computed.network, computed.outcome
        losses = outcome.network_losses
        out.append("")
        out.append(f"=== epoch {epoch} === topic reward {_num(computed.inputs.topic_reward, 0, 4)}")
        out.append(
            f"network inference {_num(network.bundle.combined).strip()}   "
            f"naive inference {_num(network.bundle.naive).strip()}   "
            f"network log-loss {_num(losses.combined).strip()}   "
            f"naive log-loss {_num(losses.naive).strip()}"
        )
        rows = []
        for j in range(shape.inferers):
            i_id = get_inferer_id(j)
            rows.append(
                [
                    f"inferer {j}",
                    _num(network.bundle.inferers.get(i_id)),
                    _num(network.inferer_weights.get(i_id)),
                    _num(losses.inferers.get(i_id)),
                    _num(outcome.inferer_scores.get(i_id)),
                    _num(outcome.inferer_rewards.get(i_id), 14, 4),
                ]
            )
        for k in range(shape.forecasters):
            f_id = get_forecaster_id(k)
            rows.append(
                [
                    f"forecaster {k}",
                    _num(network.bundle.forecasters.get(f_id)),
                    _num(network.forecaster_weights.get(f_id)),
                    _num(losses.forecasters.get(f_id)),
                    _num(outcome.forecaster_scores.get(f_id)),
                    _num(outcome.forecaster_rewards.get(f_id), 14, 4),
                ]
            )
        for m in range(shape.reputers):
            r_id = get_reputer_id(m)
            rows.append(
                [
                    f"reputer {m}",
                    "",
                    "",
                    "",
                    _num(outcome.reputer_scores.get(r_id)),
                    _num(outcome.reputer_rewards.get(r_id), 14, 4),
                ]
            )
        out.extend(
            _table(["participant", "inference", "weight", "log-loss", "score", "reward"], rows)
        )
        best_j = min(
            (j for j in range(shape.inferers) if get_inferer_id(j) in losses.inferers),
            key=lambda j: losses.inferers[get_inferer_id(j)],
        )
        best = losses.inferers[get_inferer_id(best_j)]
        summary.append((epoch, losses.combined, best, f"inferer {best_j}"))
    out.append("")
    out.append("Summary: did the network beat the best single inferer (lower log-loss wins)?")
    summary_rows = []
    wins = 0
    for epoch, network_loss, best_loss, who in summary:
        beat = network_loss is not None and best_loss is not None and network_loss < best_loss
        wins += beat
        summary_rows.append(
            [f"epoch {epoch}", _num(network_loss), _num(best_loss), who, "yes" if beat else "no"]
        )
    out.extend(
        _table(
            ["epoch", "network loss", "best inferer loss", "best inferer", "network better"],
            summary_rows,
        )
    )
    out.append(f"The network beat every single inferer in {wins} of {len(summary)} epochs.")
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``allora demo``."""
    if args.replay_vectors or args.vectors is not None:
        for line in replay_vectors(args.vectors or get_default_vectors_dir()):
            print(line)
        return 0
    from pyallora.backtest.demo import DemoOptions, run_demo

    options = DemoOptions(
        epochs=args.epochs,
        out=args.out,
        solo=args.solo,
        keep_running=args.keep_running,
        block_time_ms=args.block_time,
        cometbft_binary=args.cometbft,
    )
    run_demo(options)
    return 0


def register(subparsers: Any) -> None:
    """Add ``allora demo``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run a live local network on real data (or --replay-vectors)",
        description=(
            "Start a local Allora network (one CometBFT validator, or the in-process block "
            "driver without CometBFT), create two topics on real weather data, register "
            "inferers, forecasters and reputers, replay the data at epoch speed with live "
            "progress, print the mean loss and rewards of every participant against the "
            "network and the naive network, write the report (summary.json, CSV, plots) "
            "and stop the network. --replay-vectors replays the simulator's table instead."
        ),
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=DEFAULT_EPOCHS,
        metavar="N",
        help=f"epochs (days) replayed per topic (default {DEFAULT_EPOCHS})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("demo-report"),
        metavar="DIR",
        help="report folder (default demo-report)",
    )
    parser.add_argument(
        "--solo", action="store_true", help="use the in-process block driver, not CometBFT"
    )
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="leave the network running at the end (its pid and API are printed)",
    )
    parser.add_argument(
        "--block-time",
        type=int,
        default=DEFAULT_BLOCK_TIME_MS,
        metavar="MS",
        help=f"milliseconds between blocks (default {DEFAULT_BLOCK_TIME_MS})",
    )
    parser.add_argument("--cometbft", type=Path, help="path of the cometbft binary")
    parser.add_argument(
        "--replay-vectors",
        action="store_true",
        help="replay the simulator's synthesis_epochs.csv through the engine instead",
    )
    parser.add_argument(
        "--vectors",
        type=Path,
        metavar="DIR",
        default=None,
        help="directory holding synthesis_epochs.csv (implies --replay-vectors)",
    )
    parser.set_defaults(func=run)
