"""The backtest report: per-epoch records, mean losses, ``summary.json``, CSV files and plots.

A run (offline, :mod:`pyallora.backtest.engine`, or live, :mod:`pyallora.backtest.demo`)
produces one :class:`TopicRun` per topic: its participants and one :class:`EpochRecord` per
epoch (ground truth, network and naive inferences, every worker's inference and
forecast-implied inference, the regret-informed weights, the network log-losses the reputers
agreed on, scores and rewards). :func:`write_report` turns them into a folder::

    <out>/summary.json                    the summary of every topic (form below)
    <out>/report.json                     the same with labels, settings and more figures
    <out>/report.txt                      the printed tables
    <out>/topic-<id>-<name>/epochs.csv    one row per epoch: truth, network, naive, losses
    <out>/topic-<id>-<name>/participants.csv
                                          one row per (epoch, participant): value, loss,
                                          weight, score, reward
    <out>/topic-<id>-<name>/inference_vs_truth.png
    <out>/topic-<id>-<name>/cumulative_loss.png
    <out>/topic-<id>-<name>/rewards.png

``summary.json`` has exactly this form (the issue's contract)::

    {"topics": [{"topic_id": 1, "name": "weather", "epochs": 300,
                 "network_mean_loss": 6.9, "naive_mean_loss": 7.1,
                 "best_inferer_mean_loss": 7.0,
                 "inferers": {"allo1…": 7.0, ...}, "forecasters": ["allo1…", ...],
                 "rewards": {"allo1…": 123456, ...}}]}

A *mean loss* is the mean, over the run's epochs, of the topic's loss function (the raw loss,
:func:`pyallora.agents.losses.compute_loss`, not its log) applied to the value and the ground
truth: the network's over every epoch with a network inference, the naive network's over
every epoch where it exists (not in the bootstrap epoch, whose naive value is a placeholder),
an inferer's over the epochs where it submitted. Rewards are in uallo: inferers and
forecasters are paid liquid, reputers' rewards are added to their stake (PROTOCOL.md §5.7).

Everything written is a function of the records only (no clock, no paths of the machine), so
two runs with the same inputs write identical files; plots use the Agg canvas without
``pyplot`` state and without a ``Software`` tag.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pyallora.agents.losses import LossDomainError, compute_loss, parse_loss_method
from pyallora.core.amounts import UALLO_PER_ALLO
from pyallora.core.errors import PyAlloraError

__all__ = [
    "ROLE_FORECASTER",
    "ROLE_INFERER",
    "ROLE_REPUTER",
    "EpochRecord",
    "Participant",
    "ReportError",
    "TopicRun",
    "TopicSummary",
    "compute_topic_summary",
    "format_summary_table",
    "format_uallo",
    "summary_to_json",
    "write_report",
]

ROLE_INFERER: Final = "inferer"
ROLE_FORECASTER: Final = "forecaster"
ROLE_REPUTER: Final = "reputer"

SUMMARY_FILE: Final = "summary.json"
"""The summary every run writes (the issue's contract)."""

PLOT_DPI: Final = 100
"""Resolution of the plots."""

ZOOM_EPOCHS: Final = 90
"""Epochs shown in the zoomed panel of the inference plot."""


class ReportError(PyAlloraError):
    """Records that cannot be summarised (no epoch, unknown participant)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant:
    """A registered participant of a topic."""

    address: str
    """Its chain address (``allo1…``)."""

    label: str
    """A readable name (the model's name)."""

    role: str
    """:data:`ROLE_INFERER`, :data:`ROLE_FORECASTER` or :data:`ROLE_REPUTER`."""

    stake: int = 0
    """Stake placed at registration (uallo; reputers)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EpochRecord:
    """What the chain did in one epoch of a topic (values read back from the chain)."""

    epoch: int
    """Position of the epoch in the run (0 = the first)."""

    nonce: int
    """The worker nonce: the block height that opened the epoch."""

    index: int
    """Position of the epoch's target in the series."""

    time: str
    """ISO time of the target ("" when the series has no times)."""

    truth: float
    """The ground truth."""

    network: float | None
    """The network inference N, as the chain published it when the window closed."""

    naive: float | None
    """The naive network inference N⁻ (None in the bootstrap epoch)."""

    inferences: Mapping[str, float] = field(default_factory=dict)
    """Accepted inferences by inferer address."""

    forecast_implied: Mapping[str, float] = field(default_factory=dict)
    """Forecast-implied inferences by forecaster address."""

    inferer_weights: Mapping[str, float] = field(default_factory=dict)
    """Normalised weights of the inferers in N (empty in the bootstrap epoch)."""

    forecaster_weights: Mapping[str, float] = field(default_factory=dict)
    """Normalised weights of the forecast-implied inferences in N."""

    network_log_losses: Mapping[str, float] = field(default_factory=dict)
    """The network losses the chain computed from the reputers' reports (log10 for topics
    whose losses are not negative): key ``network``, ``naive`` or a worker address."""

    scores: Mapping[str, float] = field(default_factory=dict)
    """Scores of the epoch by address (inferers, forecasters and reputers)."""

    rewards: Mapping[str, int] = field(default_factory=dict)
    """uallo paid for this epoch, by address."""

    topic_reward: int = 0
    """uallo the topic paid for this epoch."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicRun:
    """A topic's participants and epochs."""

    topic_id: int
    name: str
    metadata: str
    series: str
    """Description of the ground-truth series."""

    loss_method: str
    settings: Mapping[str, str]
    """Topic and run settings shown in the report (epoch length, p_norm, …)."""

    participants: tuple[Participant, ...]
    epochs: tuple[EpochRecord, ...]
    submissions: Mapping[str, int] = field(default_factory=dict)
    """Payloads sent per address."""

    accepted: Mapping[str, int] = field(default_factory=dict)
    """Payloads the chain accepted per address."""

    def labels(self) -> dict[str, str]:
        """Address → label."""
        return {p.address: p.label for p in self.participants}

    def addresses(self, role: str) -> list[str]:
        """Addresses of one role, in registration order."""
        return [p.address for p in self.participants if p.role == role]


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicSummary:
    """The figures of a topic over a run (see the module docstring for the means)."""

    topic_id: int
    name: str
    epochs: int
    """Epochs with a network inference."""

    network_mean_loss: float
    naive_mean_loss: float | None
    best_inferer: str
    """Address of the inferer with the lowest mean loss (known only in hindsight)."""

    best_inferer_mean_loss: float
    inferer_mean_losses: Mapping[str, float]
    forecaster_mean_losses: Mapping[str, float]
    """Mean loss of each forecaster's forecast-implied inference (over its epochs)."""

    forecaster_epochs: Mapping[str, int]
    """Epochs with a forecast-implied inference, per forecaster (its mean is over those)."""

    forecasters: tuple[str, ...]
    rewards: Mapping[str, int]
    """Total uallo per address over the run."""

    total_topic_reward: int
    paired_epochs: int
    """Epochs where the network and every inferer have a loss (the paired comparison)."""

    network_paired_mean_loss: float
    best_inferer_paired_mean_loss: float
    paired_t: float
    """t statistic of the per-epoch loss differences (best inferer − network) over the paired
    epochs: above ~2 the network's edge is unlikely to be luck (the differences are
    autocorrelated, so read it as indicative); 0 when undefined."""

    mean_weights: Mapping[str, float]
    """Average weight of each worker in N over the epochs with weights."""

    @property
    def improvement(self) -> float:
        """1 − network / best inferer mean loss (positive: the network is better)."""
        if self.best_inferer_mean_loss <= 0:
            return 0.0
        return 1.0 - self.network_mean_loss / self.best_inferer_mean_loss

    @property
    def network_beats_best(self) -> bool:
        """Whether the network's mean loss is below the best single inferer's."""
        return self.network_mean_loss < self.best_inferer_mean_loss


def _loss(value: float | None, truth: float, method: Any) -> float | None:
    if value is None:
        return None
    try:
        return compute_loss(value, truth, method)
    except LossDomainError:
        return None


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _t_statistic(differences: Sequence[float]) -> float:
    """Mean over its standard error (0 with fewer than two values or no spread)."""
    n = len(differences)
    if n < 2:
        return 0.0
    mean = _mean(differences)
    variance = math.fsum((d - mean) ** 2 for d in differences) / (n - 1)
    return mean / math.sqrt(variance / n) if variance > 0 else 0.0


def compute_topic_summary(run: TopicRun) -> TopicSummary:
    """The summary of a topic's run.

    Raises
    ------
    ReportError
        If no epoch has a network inference or no inferer ever submitted.
    """
    method = parse_loss_method(run.loss_method)
    inferers = run.addresses(ROLE_INFERER)
    forecasters = run.addresses(ROLE_FORECASTER)
    network: list[float] = []
    naive: list[float] = []
    per_inferer: dict[str, list[float]] = {a: [] for a in inferers}
    per_forecaster: dict[str, list[float]] = {a: [] for a in forecasters}
    paired_network: list[float] = []
    paired_inferers: dict[str, list[float]] = {a: [] for a in inferers}
    weight_sums: dict[str, float] = {a: 0.0 for a in (*inferers, *forecasters)}
    weighted_epochs = 0
    for record in run.epochs:
        network_loss = _loss(record.network, record.truth, method)
        if network_loss is None:
            continue
        network.append(network_loss)
        naive_loss = _loss(record.naive, record.truth, method)
        if naive_loss is not None:
            naive.append(naive_loss)
        losses = {a: _loss(record.inferences.get(a), record.truth, method) for a in inferers}
        for address, loss in losses.items():
            if loss is not None:
                per_inferer[address].append(loss)
        for address in forecasters:
            loss = _loss(record.forecast_implied.get(address), record.truth, method)
            if loss is not None:
                per_forecaster[address].append(loss)
        if inferers and all(loss is not None for loss in losses.values()):
            paired_network.append(network_loss)
            for address, loss in losses.items():
                paired_inferers[address].append(loss or 0.0)
        if record.inferer_weights:
            weighted_epochs += 1
            for address, weight in record.inferer_weights.items():
                weight_sums[address] = weight_sums.get(address, 0.0) + weight
            for address, weight in record.forecaster_weights.items():
                weight_sums[address] = weight_sums.get(address, 0.0) + weight
    if not network:
        raise ReportError(f"topic {run.topic_id} ({run.name}): no epoch has a network inference")
    inferer_means = {a: _mean(v) for a, v in per_inferer.items() if v}
    if not inferer_means:
        raise ReportError(f"topic {run.topic_id} ({run.name}): no inferer ever submitted")
    best = min(inferer_means, key=lambda a: (inferer_means[a], a))
    paired_best = _mean(paired_inferers[best]) if paired_network else math.nan
    differences = [b - n for b, n in zip(paired_inferers[best], paired_network, strict=True)]
    paired_t = _t_statistic(differences)
    rewards: dict[str, int] = {p.address: 0 for p in run.participants}
    for record in run.epochs:
        for address, amount in record.rewards.items():
            rewards[address] = rewards.get(address, 0) + amount
    return TopicSummary(
        topic_id=run.topic_id,
        name=run.name,
        epochs=len(network),
        network_mean_loss=_mean(network),
        naive_mean_loss=_mean(naive) if naive else None,
        best_inferer=best,
        best_inferer_mean_loss=inferer_means[best],
        inferer_mean_losses=inferer_means,
        forecaster_mean_losses={a: _mean(v) for a, v in per_forecaster.items() if v},
        forecaster_epochs={a: len(v) for a, v in per_forecaster.items()},
        forecasters=tuple(forecasters),
        rewards=rewards,
        total_topic_reward=sum(record.topic_reward for record in run.epochs),
        paired_epochs=len(paired_network),
        network_paired_mean_loss=_mean(paired_network) if paired_network else math.nan,
        best_inferer_paired_mean_loss=paired_best,
        paired_t=paired_t,
        mean_weights={
            a: (w / weighted_epochs if weighted_epochs else 0.0) for a, w in weight_sums.items()
        },
    )


def summary_to_json(summary: TopicSummary) -> dict[str, Any]:
    """One topic entry of ``summary.json`` (exactly the contract's keys)."""
    return {
        "topic_id": summary.topic_id,
        "name": summary.name,
        "epochs": summary.epochs,
        "network_mean_loss": summary.network_mean_loss,
        "naive_mean_loss": summary.naive_mean_loss,
        "best_inferer_mean_loss": summary.best_inferer_mean_loss,
        "inferers": dict(summary.inferer_mean_losses),
        "forecasters": list(summary.forecasters),
        "rewards": dict(summary.rewards),
    }


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _report_entry(run: TopicRun, summary: TopicSummary) -> dict[str, Any]:
    labels = run.labels()
    return {
        **summary_to_json(summary),
        "metadata": run.metadata,
        "series": run.series,
        "loss_method": run.loss_method,
        "settings": dict(run.settings),
        "participants": [
            {"address": p.address, "label": p.label, "role": p.role, "stake": p.stake}
            for p in run.participants
        ],
        "best_inferer": {"address": summary.best_inferer, "label": labels[summary.best_inferer]},
        "improvement": summary.improvement,
        "paired_t": summary.paired_t,
        "network_beats_best_inferer": summary.network_beats_best,
        "paired_epochs": summary.paired_epochs,
        "network_paired_mean_loss": _finite_or_none(summary.network_paired_mean_loss),
        "best_inferer_paired_mean_loss": _finite_or_none(summary.best_inferer_paired_mean_loss),
        "forecaster_mean_losses": dict(summary.forecaster_mean_losses),
        "forecaster_epochs": dict(summary.forecaster_epochs),
        "mean_weights": dict(summary.mean_weights),
        "total_topic_reward": summary.total_topic_reward,
        "submissions": dict(run.submissions),
        "accepted": dict(run.accepted),
    }


def _fmt(value: float | None, width: int = 11) -> str:
    return f"{value:{width}.5g}" if value is not None else f"{'-':>{width}}"


def format_uallo(amount: int) -> str:
    """Whole ALLO when exact, else uallo.

    >>> format_uallo(5 * 10**20), format_uallo(1234)
    ('500 ALLO', '1234 uallo')
    """
    if amount and amount % UALLO_PER_ALLO == 0:
        return f"{amount // UALLO_PER_ALLO} ALLO"
    return f"{amount} uallo"


def format_summary_table(run: TopicRun, summary: TopicSummary) -> list[str]:
    """The printed table of a topic: mean loss of every participant against the network and
    the naive network, weights and rewards."""
    labels = run.labels()
    base = summary.network_mean_loss
    naive = summary.naive_mean_loss
    total = sum(summary.rewards.values()) or 1
    lines = [
        f"topic {run.topic_id} {run.name}: {run.metadata}",
        f"  series {run.series}; loss {run.loss_method}; {summary.epochs} epochs",
        f"  {'participant':42s} {'mean loss':>11s} {'vs network':>10s} {'vs naive':>9s} "
        f"{'weight':>7s} {'reward (uallo)':>20s} {'share':>7s}",
    ]

    def ratio(loss: float | None, against: float | None, width: int) -> str:
        if loss is None or against is None or against <= 0:
            return " " * width
        return f"{loss / against:{width - 1}.3f}x"

    def row(name: str, loss: float | None, weight: str, address: str | None) -> str:
        reward = summary.rewards.get(address, 0) if address else None
        reward_text = f"{reward:20d}" if reward is not None else f"{'':>20s}"
        share = f"{100.0 * reward / total:6.2f}%" if reward is not None else f"{'':>7s}"
        return (
            f"  {name:42s} {_fmt(loss)} {ratio(loss, base, 10)} {ratio(loss, naive, 9)} "
            f"{weight:>7s} {reward_text} {share}"
        )

    lines.append(row("NETWORK", summary.network_mean_loss, "", None))
    lines.append(row("naive network", summary.naive_mean_loss, "", None))
    for address in run.addresses(ROLE_INFERER):
        weight = f"{summary.mean_weights.get(address, 0.0):.3f}"
        loss = summary.inferer_mean_losses.get(address)
        lines.append(row(f"inferer {labels[address]}", loss, weight, address))
    for address in run.addresses(ROLE_FORECASTER):
        weight = f"{summary.mean_weights.get(address, 0.0):.3f}"
        loss = summary.forecaster_mean_losses.get(address)
        epochs = summary.forecaster_epochs.get(address, 0)
        name = f"forecaster {labels[address]} ({epochs} ep.)"
        lines.append(row(name, loss, weight, address))
    for participant in run.participants:
        if participant.role == ROLE_REPUTER:
            name = f"reputer {participant.label} (stake {format_uallo(participant.stake)})"
            lines.append(row(name, None, "", participant.address))
    verdict = "beats" if summary.network_beats_best else "does NOT beat"
    lines.append(
        f"  network {verdict} the best inferer ({labels[summary.best_inferer]}): "
        f"{summary.network_mean_loss:.6g} vs {summary.best_inferer_mean_loss:.6g} "
        f"({100.0 * summary.improvement:+.2f}%, paired t {summary.paired_t:+.2f}); naive network "
        f"{_fmt(summary.naive_mean_loss, 0).strip()}; rewards paid {summary.total_topic_reward} "
        "uallo"
    )
    return lines


# ---------------------------------------------------------------------------------------------
# Files


def _slug(text: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
    return "-".join(part for part in cleaned.split("-") if part) or "topic"


def topic_folder_name(run: TopicRun) -> str:
    """``topic-<id>-<name>``."""
    return f"topic-{run.topic_id}-{_slug(run.name)}"


def _cell(value: float | int | None) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_epochs_csv(path: Path, run: TopicRun) -> None:
    """One row per epoch: truth, network, naive, their losses, the chain's network
    log-losses and the topic reward."""
    method = parse_loss_method(run.loss_method)
    rows = [
        [
            str(r.epoch),
            str(r.nonce),
            str(r.index),
            r.time,
            _cell(r.truth),
            _cell(r.network),
            _cell(r.naive),
            _cell(_loss(r.network, r.truth, method)),
            _cell(_loss(r.naive, r.truth, method)),
            _cell(r.network_log_losses.get("network")),
            _cell(r.network_log_losses.get("naive")),
            str(r.topic_reward),
        ]
        for r in run.epochs
    ]
    header = (
        "epoch",
        "nonce",
        "index",
        "time",
        "truth",
        "network",
        "naive",
        "network_loss",
        "naive_loss",
        "network_log_loss",
        "naive_log_loss",
        "topic_reward",
    )
    _write_csv(path, header, rows)


def write_participants_csv(path: Path, run: TopicRun) -> None:
    """One row per (epoch, participant): its value (inference or forecast-implied
    inference), loss, the chain's log-loss, weight, score and reward."""
    method = parse_loss_method(run.loss_method)
    rows: list[list[str]] = []
    for r in run.epochs:
        for p in run.participants:
            if p.role == ROLE_INFERER:
                value = r.inferences.get(p.address)
                weight = r.inferer_weights.get(p.address)
            elif p.role == ROLE_FORECASTER:
                value = r.forecast_implied.get(p.address)
                weight = r.forecaster_weights.get(p.address)
            else:
                value, weight = None, None
            rows.append(
                [
                    str(r.epoch),
                    str(r.nonce),
                    p.role,
                    p.label,
                    p.address,
                    _cell(value),
                    _cell(_loss(value, r.truth, method)),
                    _cell(r.network_log_losses.get(p.address)),
                    _cell(weight),
                    _cell(r.scores.get(p.address)),
                    str(r.rewards.get(p.address, 0)),
                ]
            )
    header = (
        "epoch",
        "nonce",
        "role",
        "label",
        "address",
        "value",
        "loss",
        "log_loss",
        "weight",
        "score",
        "reward",
    )
    _write_csv(path, header, rows)


def _new_figure(rows: int, height: float) -> tuple[Any, list[Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11.0, height), dpi=PLOT_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = [figure.add_subplot(rows, 1, i + 1) for i in range(rows)]
    return figure, axes


def _save(figure: Any, path: Path) -> None:
    figure.savefig(path, format="png", dpi=PLOT_DPI, metadata={"Software": None})


def plot_inference_vs_truth(path: Path, run: TopicRun) -> None:
    """Truth, network, naive network and every inferer over the run, then the last
    :data:`ZOOM_EPOCHS` epochs."""
    labels = run.labels()
    figure, axes = _new_figure(2, 8.0)
    epochs = list(run.epochs)
    for axis, shown, title in (
        (axes[0], epochs, "whole run"),
        (axes[1], epochs[-ZOOM_EPOCHS:], f"last {min(ZOOM_EPOCHS, len(epochs))} epochs"),
    ):
        x = [r.epoch for r in shown]
        for address in run.addresses(ROLE_INFERER):
            points = [(r.epoch, r.inferences[address]) for r in shown if address in r.inferences]
            if points:
                xs, ys = zip(*points, strict=True)
                axis.plot(xs, ys, linewidth=0.7, alpha=0.55, label=labels[address])
        naive = [(r.epoch, r.naive) for r in shown if r.naive is not None]
        if naive:
            xs, ys = zip(*naive, strict=True)
            axis.plot(xs, ys, color="grey", linestyle="--", linewidth=1.0, label="naive network")
        network = [(r.epoch, r.network) for r in shown if r.network is not None]
        if network:
            xs, ys = zip(*network, strict=True)
            axis.plot(xs, ys, color="crimson", linewidth=1.6, label="NETWORK")
        axis.plot(x, [r.truth for r in shown], color="black", linewidth=1.4, label="truth")
        axis.set_title(f"{run.name}: inference vs truth ({title})")
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    axes[0].legend(loc="upper left", fontsize=7, ncol=3)
    _save(figure, path)


def _inference_of(address: str) -> Callable[[EpochRecord], float | None]:
    def read(record: EpochRecord) -> float | None:
        return record.inferences.get(address)

    return read


def _implied_of(address: str) -> Callable[[EpochRecord], float | None]:
    def read(record: EpochRecord) -> float | None:
        return record.forecast_implied.get(address)

    return read


def plot_cumulative_loss(path: Path, run: TopicRun) -> None:
    """Cumulative loss of the network, the naive network, every inferer and every
    forecast-implied inference; then each one's cumulative loss minus the network's."""
    method = parse_loss_method(run.loss_method)
    labels = run.labels()
    figure, axes = _new_figure(2, 8.0)
    series: list[tuple[str, Callable[[EpochRecord], float | None], dict[str, Any]]] = [
        ("NETWORK", lambda r: r.network, {"color": "crimson", "linewidth": 2.0}),
        ("naive network", lambda r: r.naive, {"color": "grey", "linestyle": "--"}),
    ]
    series.extend(
        (labels[address], _inference_of(address), {"linewidth": 1.0})
        for address in run.addresses(ROLE_INFERER)
    )
    series.extend(
        (
            f"{labels[address]} (forecast-implied)",
            _implied_of(address),
            {"linewidth": 1.0, "linestyle": ":"},
        )
        for address in run.addresses(ROLE_FORECASTER)
    )
    network_losses = {r.epoch: _loss(r.network, r.truth, method) for r in run.epochs}
    for name, value_of, style in series:
        xs: list[int] = []
        total: list[float] = []
        excess: list[float] = []
        running = 0.0
        running_excess = 0.0
        for record in run.epochs:
            loss = _loss(value_of(record), record.truth, method)
            base = network_losses.get(record.epoch)
            if loss is None or base is None:
                continue
            running += loss
            running_excess += loss - base
            xs.append(record.epoch)
            total.append(running)
            excess.append(running_excess)
        if xs:
            axes[0].plot(xs, total, label=name, **style)
            axes[1].plot(xs, excess, label=name, **style)
    axes[0].set_title(f"{run.name}: cumulative loss ({run.loss_method})")
    axes[1].set_title("cumulative loss minus the network's (above 0: worse than the network)")
    for axis in axes:
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
    axes[1].axhline(0.0, color="black", linewidth=0.8)
    axes[0].legend(loc="upper left", fontsize=7, ncol=2)
    _save(figure, path)


def plot_rewards(path: Path, run: TopicRun, summary: TopicSummary) -> None:
    """Cumulative rewards of every participant over the run, then the totals."""
    labels = run.labels()
    figure, axes = _new_figure(2, 8.0)
    for participant in run.participants:
        running = 0
        xs: list[int] = []
        ys: list[int] = []
        for record in run.epochs:
            running += record.rewards.get(participant.address, 0)
            xs.append(record.epoch)
            ys.append(running)
        style = {"linestyle": "--"} if participant.role == ROLE_REPUTER else {}
        if participant.role == ROLE_FORECASTER:
            style = {"linestyle": ":"}
        axes[0].plot(xs, ys, label=f"{participant.role} {participant.label}", **style)
    axes[0].set_title(f"{run.name}: cumulative rewards (uallo)")
    axes[0].set_xlabel("epoch")
    axes[0].grid(alpha=0.3)
    axes[0].legend(loc="upper left", fontsize=7, ncol=2)
    colors = {ROLE_INFERER: "tab:blue", ROLE_FORECASTER: "tab:green", ROLE_REPUTER: "tab:orange"}
    names = [f"{p.role[0].upper()}: {labels[p.address]}" for p in run.participants]
    totals = [summary.rewards.get(p.address, 0) for p in run.participants]
    axes[1].bar(
        range(len(names)), totals, color=[colors.get(p.role, "grey") for p in run.participants]
    )
    axes[1].set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
    axes[1].set_title("total rewards per participant (I: inferer, F: forecaster, R: reputer)")
    axes[1].grid(alpha=0.3, axis="y")
    _save(figure, path)


def write_report(
    out: Path,
    runs: Sequence[TopicRun],
    *,
    extra: Mapping[str, Any] | None = None,
    plots: bool = True,
) -> list[TopicSummary]:
    """Write the report folder (module docstring) and return the summaries.

    Parameters
    ----------
    out
        The folder (created if needed; files of an earlier report are overwritten).
    runs
        The topics' records.
    extra
        Added under ``"run"`` in ``report.json`` (e.g. the engine and its settings).
    plots
        Draw the PNG plots (tests of the tables may skip them).

    Raises
    ------
    ReportError
        If a topic cannot be summarised.
    """
    out.mkdir(parents=True, exist_ok=True)
    summaries = [compute_topic_summary(run) for run in runs]
    summary = {"topics": [summary_to_json(s) for s in summaries]}
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    details = {
        "topics": [_report_entry(run, s) for run, s in zip(runs, summaries, strict=True)],
        "run": dict(extra or {}),
    }
    (out / "report.json").write_text(json.dumps(details, indent=2) + "\n", encoding="utf-8")
    lines: list[str] = []
    for run, topic_summary in zip(runs, summaries, strict=True):
        lines.extend(format_summary_table(run, topic_summary))
        lines.append("")
        folder = out / topic_folder_name(run)
        folder.mkdir(parents=True, exist_ok=True)
        write_epochs_csv(folder / "epochs.csv", run)
        write_participants_csv(folder / "participants.csv", run)
        if plots:
            plot_inference_vs_truth(folder / "inference_vs_truth.png", run)
            plot_cumulative_loss(folder / "cumulative_loss.png", run)
            plot_rewards(folder / "rewards.png", run, topic_summary)
    (out / "report.txt").write_text("\n".join(lines), encoding="utf-8")
    return summaries
