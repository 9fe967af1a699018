"""An offline, engine-level study: does the network inference beat its best participant?

:func:`run_study` replays a :class:`~pyallora.agents.datasets.TimeSeries` epoch by epoch
through the synthesis engine with no chain in between (SYNTHESIS.md §1):

1. every inferer model gets an :class:`~pyallora.agents.context.InferenceContext` (the truth
   so far, the source's features) and returns its inference;
2. every forecaster model gets a :class:`~pyallora.agents.context.ForecastContext` (plus this
   epoch's inferences and, per inferer, its past inferences and network log-losses) and
   returns the log10 loss it expects of each inferer;
3. :func:`pyallora.synthesis.epoch.compute_network_inferences` turns them and the topic state
   into the value bundle (network, naive, forecast-implied, one-out, one-in values);
4. every reputer computes the log10 loss of every bundle entry against the truth with the
   topic's loss method (:func:`~pyallora.agents.losses.compute_loss_bundle`), optionally with
   its own small independent noise, and reports it with its stake;
5. :func:`pyallora.synthesis.epoch.compute_epoch_outcome` produces network losses, regrets,
   scores, rewards and the state for the next epoch.

The losses of the epoch become known before the next one (a ground-truth lag of one epoch).
:class:`StudyResult` holds one :class:`EpochRecord` per epoch and a :class:`StudySummary`:
the mean *raw* loss (the topic's loss function of value against truth, not its log) of the
network inference, the naive network inference, every inferer and every forecast-implied
inference, over the epochs where all inferers submitted, and the rewards paid per
participant, with two baselines (follow the leader; the plain mean of the inferences).
:func:`build_demo_setup` assembles the demo topics (:data:`DEMO_TOPICS`: Seattle daily
maximum and minimum temperature, AAPL monthly log-returns) with six or seven inferers, two
or three forecasters and three reputers each.

Measured with this module (``run_study`` on each :func:`build_demo_setup`, all epochs after
the history; losses are mean MSE):

===========  ======  =======  ========================  ===========  ========
topic        epochs  network  best inferer              improvement  paired t
===========  ======  =======  ========================  ===========  ========
weather      1095    6.875    seasonal-anomaly 7.038    +2.3 %       1.8
weather-min  1095    3.060    analog 3.229              +5.2 %       3.4
stocks       98      0.01478  mean-reversion 0.01416    −4.4 %       −1.6
===========  ======  =======  ========================  ===========  ========

Monthly returns are close to unpredictable: there the network beats following the
leader (0.01542) but neither the hindsight-best inferer nor the plain mean (0.01463).

Short runs (the live demo's 300 days). The demo replays 300 days from 2013-01-01 on a chain
whose losses reach the regrets two epochs late (ground-truth lag = epoch length), and with
the former six weather inferers (a 30-day mean reversion in place of the last two below) it
only tied its best inferer; the in-process backtest of the same run (``allora backtest
--epochs 300 --epoch-length 5 --window 4 --lag 5``) tied as well (+0.02 %, +0.24 %), so the
live network was not the cause. Replaying the engine with the two-epoch delay over cold
300-day windows starting 0, 300, 600 and 795 days after the history showed:

* the topic parameters sit on a plateau: α_regret 0.02-0.05, p_norm 2.5-3, ε 0.003-0.1 and
  loss floors 0.25-4 °C² move the mean gain over the three windows that are not the demo's
  by less than half a point, α_regret 0.1 and p_norm 4.5 are worse (α 0.03 stays best);
  letting forecasters see losses one epoch earlier changes nothing;
* the cause was the inferers: the best fixed convex combination of the six, chosen in
  hindsight, beat the best of them by only 1.0-3.0 % (temp_max) and 4.2-6.1 % (temp_min),
  their errors being 0.7-0.95 correlated (five of the six regress or smooth the same lags),
  so the network's mean gain (+0.7 % over those three windows) was below the noise of a
  300-day comparison (about ±2 %);
* replacing the mean reversion (error correlation 0.95 with ``linear-lags``) by two models
  of other kinds, :class:`~pyallora.agents.models.AnalogModel` (nonparametric: what followed
  the most similar past days) and :class:`~pyallora.agents.models.SeasonalAnomalyModel` (a
  climatology with anomaly persistence), raised that mean gain to +1.6 % (the selection
  criterion: the demo's own window was not used to choose). On the demo's window the
  backtest of the same run now gives +0.67 % (temp_max) and +2.03 % (temp_min), the
  temp_min boosted trees refitting half a period out of step with temp_max's (so that the
  live demo's single agent process never refits both in one block).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from pyallora.agents.context import (
    AgentError,
    ForecastContext,
    Forecaster,
    InferenceContext,
    Inferer,
    InsufficientHistoryError,
    dec_to_float,
    format_dec_text,
)
from pyallora.agents.datasets import TimeSeries, load_seattle_weather, load_stock_log_returns
from pyallora.agents.losses import (
    LossDomainError,
    LossMethod,
    compute_loss,
    compute_loss_bundle,
    parse_loss_method,
)
from pyallora.agents.models import (
    AnalogModel,
    EmaLossForecaster,
    FeatureRegime,
    GradientBoostedLagModel,
    LinearLagModel,
    MeanReversionModel,
    MovingAverageModel,
    PersistenceModel,
    RegimeLossForecaster,
    RegimeSpecialistModel,
    SeasonalAnomalyModel,
    VolatilityRegime,
)
from pyallora.core.dec import dec
from pyallora.synthesis.epoch import (
    ROLE_FORECASTER,
    ROLE_INFERER,
    ROLE_REPUTER,
    compute_epoch_outcome,
    compute_network_inferences,
)
from pyallora.synthesis.params import CHAIN_PARAMS, SynthesisParams
from pyallora.synthesis.types import (
    BundleKey,
    Forecast,
    ForecastElement,
    Inference,
    ReputerReport,
    SynthesisState,
)

__all__ = [
    "DEMO_REPUTERS",
    "DEMO_TOPICS",
    "WEATHER_LOSS",
    "WEATHER_PARAMS",
    "DemoSetup",
    "EpochRecord",
    "StudyConfigError",
    "StudyReputer",
    "StudyResult",
    "StudySummary",
    "build_demo_setup",
    "compute_study_summary",
    "format_method",
    "format_study_summary",
    "run_study",
]

DEFAULT_TOPIC_REWARD = 1_000_000_000
"""Base units paid to a topic per epoch in a study (any positive integer works)."""


class StudyConfigError(AgentError, ValueError):
    """A study was configured inconsistently (range, participants, stakes)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StudyReputer:
    """A simulated reputer: its stake and the noise of its private view of the losses."""

    address: str
    """Participant id (sorted order matters to the engine, §0)."""

    stake: int
    """Stake in base units (must reach the params' RequiredMinimumStake to count)."""

    loss_noise: float = 0.0
    """Standard deviation of Gaussian noise added to each reported log10 loss."""

    seed: int = 0
    """Seed of the reputer's own noise generator."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EpochRecord:
    """What happened in one epoch of a study."""

    index: int
    """Position of the epoch's target in the series."""

    time: datetime | None
    """Time of the target (None when the series has no times)."""

    truth: float
    """The ground truth of the epoch."""

    mode: str
    """How the engine produced the bundle (``full``, ``no_previous_loss``, …)."""

    network: float
    """The network inference N."""

    naive: float | None
    """The naive network inference N⁻ (None in the bootstrap epoch)."""

    inferences: Mapping[str, float]
    """Inferences by inferer (those that submitted)."""

    forecast_implied: Mapping[str, float]
    """Forecast-implied inferences by forecaster (those that have one)."""

    network_loss: float | None
    """Raw loss of N against the truth (the topic's loss function, not its log); None where
    the loss is undefined (e.g. ``log_space_mae`` of a non-positive value)."""

    naive_loss: float | None
    """Raw loss of N⁻ (None when N⁻ is absent or its loss undefined)."""

    inferer_losses: Mapping[str, float]
    """Raw loss of each inference (inferences with an undefined loss are left out)."""

    forecaster_losses: Mapping[str, float]
    """Raw loss of each forecast-implied inference (same rule)."""

    network_log_loss: float
    """The stake-weighted network log10 loss L of N (§8)."""

    inferer_weights: Mapping[str, float]
    """Normalised weights of the inferers in N (§7.1)."""

    forecaster_weights: Mapping[str, float]
    """Normalised weights of the forecast-implied inferences in N."""

    topic_reward: int
    """Base units the topic paid this epoch."""

    payouts: Mapping[tuple[str, str], int]
    """(role, participant) → base units paid this epoch."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StudySummary:
    """Aggregates of a study (losses are means of raw losses over :attr:`epochs`)."""

    series: str
    """Description of the series."""

    loss_method: str
    """The topic's loss method."""

    epochs: int
    """Epochs compared: those where every inferer submitted and the losses of N, N⁻ and every
    inference are defined (the bootstrap epoch, whose N⁻ is a placeholder, is not compared
    when its loss is undefined)."""

    total_epochs: int
    """Epochs run."""

    network_mean_loss: float
    naive_mean_loss: float
    inferer_mean_losses: Mapping[str, float]
    forecaster_mean_losses: Mapping[str, float]
    """Per forecaster, over the compared epochs where it had a forecast-implied inference."""

    forecaster_epochs: Mapping[str, int]
    """Per forecaster, the number of compared epochs with a forecast-implied inference (its
    mean is over those only: compare it with the others' means with care)."""

    network_mean_log_loss: float
    """Mean log10 loss (floored as reputers floor it) of N: the quantity the regrets of the
    chain rank participants by (the log of a geometric mean loss)."""

    inferer_mean_log_losses: Mapping[str, float]
    """The same for every inferer."""

    best_inferer: str
    """The inferer with the lowest mean loss over the compared epochs (known only in
    hindsight)."""

    best_inferer_mean_loss: float

    leader_mean_loss: float
    """Ex-ante baseline: each epoch, follow the inferer with the lowest total loss so far."""

    average_mean_loss: float
    """Baseline: the plain mean of the epoch's inferences."""

    improvement: float
    """1 − network / best inferer mean loss: positive when the network beats the best."""

    paired_t: float
    """t statistic of the per-epoch loss differences (best inferer − network); above ~2 the
    improvement is unlikely to be noise (the differences are autocorrelated, so read it as
    indicative)."""

    mean_inferer_weights: Mapping[str, float]
    """Average weight of each inferer in N over the compared epochs."""

    mean_forecaster_weight: float
    """Average total weight of the forecast-implied inferences in N."""

    rewards: Mapping[tuple[str, str], int]
    """Total base units paid per (role, participant) over the whole run."""

    total_topic_reward: int
    """Base units paid by the topic over the whole run."""

    @property
    def network_beats_best(self) -> bool:
        """Whether the network's mean loss is below the best single inferer's."""
        return self.network_mean_loss < self.best_inferer_mean_loss


@dataclass(frozen=True, slots=True, kw_only=True)
class StudyResult:
    """Records of every epoch and their summary."""

    records: tuple[EpochRecord, ...]
    summary: StudySummary
    final_state: SynthesisState = field(repr=False)


class _NoisyView:
    """A reputer's private view: Gaussian noise on each log-loss, from its own generator."""

    def __init__(self, reputer: StudyReputer) -> None:
        self._sigma = reputer.loss_noise
        self._rng = np.random.default_rng(reputer.seed)

    def __call__(self, key: BundleKey, loss: float) -> float:
        return loss + self._sigma * float(self._rng.standard_normal())


def _raw_loss(value: float, truth: float, method: LossMethod) -> float | None:
    try:
        return compute_loss(value, truth, method)
    except LossDomainError:
        return None


def _raw_losses(values: Mapping[str, float], truth: float, method: LossMethod) -> dict[str, float]:
    losses = {x: _raw_loss(v, truth, method) for x, v in values.items()}
    return {x: loss for x, loss in losses.items() if loss is not None}


def _ensure_finite(value: float, what: str) -> None:
    if not math.isfinite(value):
        raise StudyConfigError(f"{what} is not finite: {value!r}")


def _call_inferer(model: Inferer, context: InferenceContext) -> float | None:
    try:
        value = float(model.infer(context))
    except InsufficientHistoryError:
        return None
    _ensure_finite(value, f"inference of {type(model).__name__}")
    return value


def run_study(
    series: TimeSeries,
    *,
    inferers: Mapping[str, Inferer],
    forecasters: Mapping[str, Forecaster],
    reputers: Sequence[StudyReputer],
    loss_method: str | LossMethod = "mse",
    params: SynthesisParams = CHAIN_PARAMS,
    start: int = 1,
    stop: int | None = None,
    history_window: int | None = None,
    topic_reward: int = DEFAULT_TOPIC_REWARD,
    topic_id: int = 1,
    topic_metadata: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> StudyResult:
    """Run the offline epoch loop (module docstring) over ``series[start:stop]``.

    Parameters
    ----------
    series
        The topic's ground truth, in time order.
    inferers, forecasters
        Models by participant id.
    reputers
        Simulated reputers (at least one counted).
    loss_method
        The topic's loss method (:mod:`pyallora.agents.losses`).
    params
        Synthesis parameters (the chain defaults, with the topic's p_norm, alpha_regret,
        epsilon).
    start, stop
        Indices of the first and one-past-last targets; values before ``start`` are history
        that models may use from the first epoch on (a topic launched on a series with a
        past).
    history_window
        Give models at most this many past values (None: all of them).
    topic_reward
        Base units the topic pays each epoch.
    topic_id, topic_metadata
        Passed to the models' contexts.
    progress
        Called as ``progress(done, total)`` after each epoch.

    Returns
    -------
    StudyResult

    Raises
    ------
    StudyConfigError
        For an empty range, no inferer or reputer, a duplicate id, or a non-finite output.
    SynthesisInputError
        If the engine rejects the epoch's inputs.
    """
    method = parse_loss_method(loss_method)
    stop = len(series) if stop is None else stop
    if not 1 <= start < stop <= len(series):
        raise StudyConfigError(f"need 1 <= start < stop <= {len(series)}, got {start}, {stop}")
    if not inferers or not reputers:
        raise StudyConfigError("a study needs at least one inferer and one reputer")
    addresses = [r.address for r in reputers]
    if len(set(addresses)) != len(addresses):
        raise StudyConfigError(f"duplicate reputer ids: {addresses}")
    for reputer in reputers:
        if not (math.isfinite(reputer.loss_noise) and reputer.loss_noise >= 0):
            raise StudyConfigError(f"loss_noise of {reputer.address} must be >= 0")
    if history_window is not None and history_window < 1:
        raise StudyConfigError(f"history_window must be positive, got {history_window}")

    values = series.values
    features = series.features
    inferer_ids = sorted(inferers)
    forecaster_ids = sorted(forecasters)
    stakes = {r.address: dec(r.stake) for r in reputers}
    views = {r.address: _NoisyView(r) if r.loss_noise > 0 else None for r in reputers}
    # Aligned with the series: what each inferer submitted and the network's log-losses.
    inference_log: dict[str, list[float | None]] = {j: [None] * start for j in inferer_ids}
    loss_log: dict[str, list[float | None]] = {j: [None] * start for j in inferer_ids}
    network_log: list[float | None] = [None] * start

    state = SynthesisState()
    records: list[EpochRecord] = []
    total = stop - start
    for t in range(start, stop):
        first = 0 if history_window is None else max(0, t - history_window)
        history = values[first:t]
        feature_history = features[first:t] if features else ()
        current = features[t] if features else {}
        context = InferenceContext(
            topic_id=topic_id,
            nonce=t,
            history=history,
            topic_metadata=topic_metadata,
            loss_method=format_method(method),
            features=current,
            feature_history=feature_history,
        )
        submitted: dict[str, float] = {}
        for j in inferer_ids:
            value = _call_inferer(inferers[j], context)
            if value is not None:
                submitted[j] = value
        for j in inferer_ids:
            inference_log[j].append(submitted.get(j))
        if not submitted:
            for j in inferer_ids:
                loss_log[j].append(None)
            network_log.append(None)
            continue

        forecast_context = ForecastContext(
            topic_id=topic_id,
            nonce=t,
            history=history,
            topic_metadata=topic_metadata,
            loss_method=format_method(method),
            features=current,
            feature_history=feature_history,
            inferences=dict(submitted),
            inference_history={j: tuple(inference_log[j][first:t]) for j in inferer_ids},
            inferer_loss_history={j: tuple(loss_log[j][first:t]) for j in inferer_ids},
            network_loss_history=tuple(network_log[first:t]),
        )
        forecasts: list[Forecast] = []
        for k in forecaster_ids:
            predicted = forecasters[k].forecast(forecast_context)
            elements = []
            for j in sorted(predicted):
                if j not in submitted:
                    continue
                expected = float(predicted[j])
                _ensure_finite(expected, f"forecast of {k} about {j}")
                elements.append(ForecastElement(inferer=j, value=dec(format_dec_text(expected))))
            if elements:
                forecasts.append(Forecast(forecaster=k, elements=tuple(elements)))

        network = compute_network_inferences(
            inferences=[
                Inference(inferer=j, value=dec(format_dec_text(v))) for j, v in submitted.items()
            ],
            forecasts=forecasts,
            state=state,
            params=params,
        )
        truth = values[t]
        reports = [
            ReputerReport(
                reputer=reputer.address,
                stake=stakes[reputer.address],
                losses=compute_loss_bundle(
                    network.bundle,
                    truth,
                    method,
                    skip_undefined=True,
                    perturb=views[reputer.address],
                ),
            )
            for reputer in reputers
        ]
        outcome = compute_epoch_outcome(
            network_inferences=network,
            reports=reports,
            state=state,
            params=params,
            topic_reward=topic_reward,
        )
        state = outcome.state

        bundle = network.bundle
        if bundle.combined is None:
            raise StudyConfigError(f"epoch {t}: the engine produced no network inference")
        combined = dec_to_float(bundle.combined)
        naive = None if bundle.naive is None else dec_to_float(bundle.naive)
        implied = {k: dec_to_float(v) for k, v in bundle.forecasters.items()}
        losses = outcome.network_losses
        for j in inferer_ids:
            reported = losses.inferers.get(j)
            loss_log[j].append(None if reported is None else dec_to_float(reported))
        network_log.append(None if losses.combined is None else dec_to_float(losses.combined))
        payouts = dict(outcome.payouts or {})
        records.append(
            EpochRecord(
                index=t,
                time=series.times[t] if series.times else None,
                truth=truth,
                mode=network.mode,
                network=combined,
                naive=naive,
                inferences=submitted,
                forecast_implied=implied,
                network_loss=_raw_loss(combined, truth, method),
                naive_loss=None if naive is None else _raw_loss(naive, truth, method),
                inferer_losses=_raw_losses(submitted, truth, method),
                forecaster_losses=_raw_losses(implied, truth, method),
                network_log_loss=dec_to_float(losses.combined) if losses.combined else math.nan,
                inferer_weights={j: dec_to_float(w) for j, w in network.inferer_weights.items()},
                forecaster_weights={
                    k: dec_to_float(w) for k, w in network.forecaster_weights.items()
                },
                topic_reward=sum(payouts.values()),
                payouts=payouts,
            )
        )
        if progress is not None:
            progress(t - start + 1, total)

    summary = compute_study_summary(
        records, inferer_ids=inferer_ids, series_name=series.name, method=method
    )
    return StudyResult(records=tuple(records), summary=summary, final_state=state)


def format_method(method: LossMethod) -> str:
    """Loss method text for contexts: the name, with parameters that differ from defaults."""
    defaults = LossMethod(name=method.name)
    changed = [
        f"{name}={getattr(method, name)!r}"
        for name in ("floor", "delta", "mean", "std")
        if getattr(method, name) != getattr(defaults, name)
    ]
    return method.name if not changed else f"{method.name}({', '.join(changed)})"


def compute_study_summary(
    records: Sequence[EpochRecord],
    *,
    inferer_ids: Sequence[str],
    series_name: str = "",
    method: LossMethod,
) -> StudySummary:
    """Summarise study records (see :class:`StudySummary`).

    Raises
    ------
    StudyConfigError
        If no epoch has every inferer's inference and a naive value.
    """
    compared = [
        r
        for r in records
        if r.network_loss is not None
        and r.naive_loss is not None
        and all(j in r.inferer_losses for j in inferer_ids)
    ]
    if not compared:
        raise StudyConfigError("no epoch where every inferer submitted: nothing to compare")
    n = len(compared)
    network = np.array([r.network_loss or 0.0 for r in compared])  # all defined here
    inferer_means = {
        j: float(np.mean([r.inferer_losses[j] for r in compared])) for j in sorted(inferer_ids)
    }
    forecaster_ids = sorted({k for r in compared for k in r.forecaster_losses})
    forecaster_means = {
        k: float(np.mean([r.forecaster_losses[k] for r in compared if k in r.forecaster_losses]))
        for k in forecaster_ids
    }
    forecaster_epochs = {
        k: sum(1 for r in compared if k in r.forecaster_losses) for k in forecaster_ids
    }

    def mean_log(losses: Sequence[float]) -> float:
        return float(np.mean(np.log10(np.maximum(np.asarray(losses), method.floor))))

    best = min(inferer_means, key=lambda j: (inferer_means[j], j))
    totals = dict.fromkeys(inferer_means, 0.0)
    followed: list[float] = []
    averaged: list[float] = []
    for record in compared:
        leader = min(totals, key=lambda j: (totals[j], j))
        followed.append(record.inferer_losses[leader])
        for j in totals:
            totals[j] += record.inferer_losses[j]
        mean_value = math.fsum(record.inferences[j] for j in totals) / len(totals)
        average_loss = _raw_loss(mean_value, record.truth, method)
        if average_loss is not None:
            averaged.append(average_loss)
    differences = np.array([r.inferer_losses[best] for r in compared]) - network
    spread = float(np.std(differences, ddof=1)) if n > 1 else 0.0
    paired_t = float(np.mean(differences) / (spread / math.sqrt(n))) if spread > 0 else 0.0
    rewards: dict[tuple[str, str], int] = {}
    for record in records:
        for key, amount in record.payouts.items():
            rewards[key] = rewards.get(key, 0) + amount
    network_mean = float(np.mean(network))
    return StudySummary(
        series=series_name,
        loss_method=format_method(method),
        epochs=n,
        total_epochs=len(records),
        network_mean_loss=network_mean,
        naive_mean_loss=float(np.mean([r.naive_loss or 0.0 for r in compared])),
        inferer_mean_losses=inferer_means,
        forecaster_mean_losses=forecaster_means,
        forecaster_epochs=forecaster_epochs,
        network_mean_log_loss=mean_log(list(network)),
        inferer_mean_log_losses={
            j: mean_log([r.inferer_losses[j] for r in compared]) for j in sorted(inferer_ids)
        },
        best_inferer=best,
        best_inferer_mean_loss=inferer_means[best],
        leader_mean_loss=float(np.mean(followed)),
        average_mean_loss=float(np.mean(averaged)) if averaged else math.nan,
        improvement=1.0 - network_mean / inferer_means[best] if inferer_means[best] > 0 else 0.0,
        paired_t=paired_t,
        mean_inferer_weights={
            j: float(np.mean([r.inferer_weights.get(j, 0.0) for r in compared]))
            for j in sorted(inferer_ids)
        },
        mean_forecaster_weight=float(
            np.mean([math.fsum(r.forecaster_weights.values()) for r in compared])
        ),
        rewards=dict(sorted(rewards.items())),
        total_topic_reward=sum(r.topic_reward for r in records),
    )


def format_study_summary(summary: StudySummary) -> str:
    """A plain-text table of a summary (for reports and the command line)."""
    lines = [
        f"series: {summary.series}",
        f"loss method: {summary.loss_method}; epochs compared: {summary.epochs} of "
        f"{summary.total_epochs}",
        f"{'participant':42s} {'mean loss':>12s} {'vs network':>11s} {'log-loss':>9s} "
        f"{'weight':>7s} {'reward':>8s}",
    ]
    paid = summary.total_topic_reward or 1

    def share(role: str, x: str) -> str:
        return f"{100.0 * summary.rewards.get((role, x), 0) / paid:7.2f}%"

    base = summary.network_mean_loss

    def row(label: str, loss: float, log_loss: float | None, weight: str, reward: str) -> str:
        ratio = f"{loss / base:10.3f}x" if base > 0 else f"{'-':>11s}"
        logged = f"{log_loss:9.4f}" if log_loss is not None else f"{'':9s}"
        return f"{label:42s} {loss:12.6g} {ratio} {logged} {weight:>7s} {reward:>8s}"

    lines.append(row("NETWORK", summary.network_mean_loss, summary.network_mean_log_loss, "", ""))
    lines.append(row("naive network", summary.naive_mean_loss, None, "", ""))
    lines.append(row("baseline: follow the leader", summary.leader_mean_loss, None, "", ""))
    lines.append(row("baseline: mean of inferences", summary.average_mean_loss, None, "", ""))
    for j, loss in summary.inferer_mean_losses.items():
        weight = f"{summary.mean_inferer_weights.get(j, 0.0):.3f}"
        log_loss = summary.inferer_mean_log_losses.get(j)
        lines.append(row(f"inferer {j}", loss, log_loss, weight, share(ROLE_INFERER, j)))
    for k, loss in summary.forecaster_mean_losses.items():
        label = f"forecaster {k} ({summary.forecaster_epochs.get(k, 0)} ep.)"
        lines.append(row(label, loss, None, "", share(ROLE_FORECASTER, k)))
    reputers = sorted(x for role, x in summary.rewards if role == ROLE_REPUTER)
    lines.extend(
        f"{'reputer ' + m:42s} {'':12s} {'':11s} {'':9s} {'':7s} {share(ROLE_REPUTER, m)}"
        for m in reputers
    )
    verdict = "beats" if summary.network_beats_best else "does NOT beat"
    lines.append(
        f"network {verdict} the best inferer ({summary.best_inferer}): "
        f"{summary.network_mean_loss:.6g} vs {summary.best_inferer_mean_loss:.6g} "
        f"({100.0 * summary.improvement:+.2f}%, paired t = {summary.paired_t:.2f}); "
        f"forecast-implied weight in N: {summary.mean_forecaster_weight:.3f}"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The demo topics


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoSetup:
    """Everything needed to run one demo topic offline (or on a localnet)."""

    name: str
    """Demo topic name (:data:`DEMO_TOPICS`)."""

    metadata: str
    """What the topic predicts (the topic's metadata text)."""

    series: TimeSeries
    """The ground truth."""

    inferers: Mapping[str, Inferer]
    forecasters: Mapping[str, Forecaster]
    reputers: tuple[StudyReputer, ...]

    loss_method: str
    """The topic's loss method text."""

    params: SynthesisParams
    """Synthesis parameters: chain defaults with the topic's p_norm, alpha_regret, epsilon."""

    start: int
    """First epoch: the series before it is the history the workers start with."""


DEMO_REPUTERS = (
    StudyReputer(address="reputer-a", stake=500_000, loss_noise=0.01, seed=1),
    StudyReputer(address="reputer-b", stake=300_000, loss_noise=0.02, seed=2),
    StudyReputer(address="reputer-c", stake=200_000, loss_noise=0.03, seed=3),
)
"""Three reputers with different stakes and small independent noise on their log-losses."""

DEMO_TOPICS = ("weather", "weather-min", "stocks")
"""Names accepted by :func:`build_demo_setup`."""

WEATHER_PARAMS = CHAIN_PARAMS.replace(alpha_regret=dec("0.03"))
"""Recommended synthesis parameters of the daily weather topics: the chain defaults with
alpha_regret = 0.03 (p_norm 3, epsilon 0.01). A single day's log-loss is very noisy (the log
of a squared error varies by about one decade from day to day), so regrets need a long
memory to rank participants; the offline study (then with six inferers) measured the
network's MSE advantage over the best inferer growing from 0-0.2 % at α = 0.1 to 1.9 %
(temp_max) and 4.8 % (temp_min) at α = 0.03, and 300-day runs with the chain's two-epoch
loss delay confirm 0.03 against 0.02, 0.05 and 0.1 (module docstring). The price is a
longer bootstrap: regrets take over from the plain mean only after about 1/α = 34 paid
epochs (SYNTHESIS.md §9.3, §17)."""

WEATHER_LOSS = "mse(floor=1)"
"""Recommended loss method of the weather topics: MSE, floored at 1 °C².

The temperatures are recorded in whole °F (steps of 0.56 °C), so errors below about 1 °C are
not meaningful, while the log of an exact hit would be −20 and make a lucky persistence
model look perfect for weeks; with the floor, regrets track the errors that matter."""


def _weather_setup(name: str, column: str, other: str, *, refit_phase: int = 0) -> DemoSetup:
    seasonal = ("doy_sin", "doy_cos")
    weather = (f"{other}_lag1", "precipitation_lag1", "wind_lag1")
    rained = FeatureRegime(feature="precipitation_lag1", low=0.01)
    summer = FeatureRegime(feature="doy_cos", high=-0.5)
    return DemoSetup(
        name=name,
        metadata=f"Seattle daily {column} (degrees C), next day",
        series=load_seattle_weather(column, covariates=(other, "precipitation", "wind")),
        inferers={
            "persistence": PersistenceModel(),
            "moving-average": MovingAverageModel(7),
            "linear-lags": LinearLagModel(3, 365, feature_names=seasonal),
            "boosted-trees": GradientBoostedLagModel(
                3,
                1000,
                refit_every=30,
                refit_phase=refit_phase,
                min_samples_leaf=20,
                n_estimators=150,
                feature_names=seasonal + weather,
            ),
            "rain-specialist": RegimeSpecialistModel(
                rained, lags=3, window=730, feature_names=seasonal + weather
            ),
            "analog": AnalogModel(2, 1000, k=30, feature_names=seasonal + weather),
            "seasonal-anomaly": SeasonalAnomalyModel(2),
        },
        forecasters={
            "ema-forecaster": EmaLossForecaster(alpha=0.1),
            "rain-forecaster": RegimeLossForecaster((rained,), window=730),
            "season-forecaster": RegimeLossForecaster((rained, summer), window=730),
        },
        reputers=DEMO_REPUTERS,
        loss_method=WEATHER_LOSS,
        params=WEATHER_PARAMS,
        start=365,
    )


def build_demo_setup(name: str) -> DemoSetup:
    """The participants and topic parameters of a demo topic (:data:`DEMO_TOPICS`).

    * ``weather`` / ``weather-min``: Seattle's daily maximum / minimum temperature. The
      data source adds the season and yesterday's other temperature, precipitation and wind;
      the first year is history. Seven inferers (persistence, 7-day moving average, linear on
      lags and season, boosted trees on lags, season and weather, a specialist fit only on
      days after rain, analog forecasting on lags, season and weather, and a harmonic
      climatology with anomaly persistence), three forecasters (an EMA of recent losses,
      one conditioned on yesterday's rain, one on rain and summer) and three reputers.
      Loss :data:`WEATHER_LOSS`, parameters :data:`WEATHER_PARAMS`.
    * ``stocks``: AAPL monthly log-returns (2000-2010), MSE, chain default parameters; the
      first two years are history. Six inferers (persistence, 12-month moving average,
      24-month mean reversion, linear on lags, boosted trees, a high-volatility specialist),
      an EMA forecaster and one conditioned on recent volatility. Monthly returns are close
      to unpredictable and the run is only 98 epochs long: the study finds the network
      within noise of, but not below, the best inferer in hindsight.

    Raises
    ------
    StudyConfigError
        For an unknown name.
    """
    if name == "weather":
        return _weather_setup(name, "temp_max", "temp_min")
    if name == "weather-min":
        # Half a refit period out of step with "weather": the demo's two topics end their
        # epochs in the same block, and one agent process refits both models.
        return _weather_setup(name, "temp_min", "temp_max", refit_phase=15)
    if name == "stocks":
        volatile = VolatilityRegime(threshold=0.12, window=6, differences=False)
        return DemoSetup(
            name=name,
            metadata="AAPL monthly log-return, next month",
            series=load_stock_log_returns("AAPL"),
            inferers={
                "persistence": PersistenceModel(),
                "moving-average": MovingAverageModel(12),
                "mean-reversion": MeanReversionModel(24, 0.2),
                "linear-lags": LinearLagModel(2, 60, ridge=0.1),
                "boosted-trees": GradientBoostedLagModel(
                    3, 120, refit_every=6, min_rows=20, min_samples_leaf=5
                ),
                "high-volatility-specialist": RegimeSpecialistModel(volatile, lags=1, window=120),
            },
            forecasters={
                "ema-forecaster": EmaLossForecaster(alpha=0.1),
                "volatility-forecaster": RegimeLossForecaster((volatile,), window=60),
            },
            reputers=DEMO_REPUTERS,
            loss_method="mse",
            params=CHAIN_PARAMS,
            start=24,
        )
    raise StudyConfigError(f"unknown demo topic {name!r} (known: {', '.join(DEMO_TOPICS)})")
