"""``allora demo``: watch the synthesis engine combine inferences and pay participants.

Until the live network exists, the demo replays the research simulator's table
``synthesis_epochs.csv`` (``../shared/vectors/`` beside the repository, or ``--vectors DIR``)
through the engine, chained from its first epoch exactly like ``allora vectors synthesis``.
For every later epoch it prints the network and naive inferences, each inferer's inference,
its log-loss as the reputers measured it (stake-weighted, SYNTHESIS.md §8), its score (§10)
and every participant's reward (§13), then a summary of whether the network's log-loss beat
the best single inferer's.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pyallora
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


def run_demo(vectors_dir: Path) -> list[str]:
    """The demo's output lines for the table in ``vectors_dir``."""
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


def register(subparsers: Any) -> None:
    """Add ``allora demo``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="replay the simulator's epochs through the synthesis engine",
        description=(
            "Replay synthesis_epochs.csv through the synthesis engine (chained from its first "
            "epoch) and show, per epoch, the network and naive inferences, each inferer's "
            "inference, log-loss, score and every participant's reward, then whether the "
            "network's log-loss beat the best inferer's."
        ),
    )
    parser.add_argument(
        "--vectors",
        type=Path,
        metavar="DIR",
        default=None,
        help="directory holding synthesis_epochs.csv (default: ../shared/vectors)",
    )

    def run(args: argparse.Namespace) -> int:
        for line in run_demo(args.vectors or get_default_vectors_dir()):
            print(line)
        return 0

    parser.set_defaults(func=run)
