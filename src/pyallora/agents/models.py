"""Ready-made models for workers: inferers and forecasters (plain objects, see
:mod:`pyallora.agents.context`).

Inferers (``infer(context) -> float``), from the simplest to the richest:

* :class:`PersistenceModel`: the last value;
* :class:`MovingAverageModel`: the mean of the last ``window`` values;
* :class:`MeanReversionModel`: the long-window mean plus a fraction of the last deviation;
* :class:`LinearLagModel`: least squares on the last ``lags`` values (and optional context
  features), refit on a rolling window every epoch (numpy);
* :class:`GradientBoostedLagModel`: scikit-learn ``GradientBoostingRegressor`` on lags and
  features, refit every ``refit_every`` epochs with a fixed ``random_state``;
* :class:`RegimeSpecialistModel`: a lag model fit *only* on samples of one regime
  (:class:`FeatureRegime`, :class:`VolatilityRegime`) and applied everywhere, so it is good in
  its regime and genuinely poor outside it;
* :class:`AnalogModel`: analog forecasting (k nearest neighbours): the last value plus the
  mean next-step change of the ``k`` past situations most like today's (lags and features);
* :class:`SeasonalAnomalyModel`: a harmonic climatology of the day of year plus the
  persistence of today's anomaly from it (AR(1) on anomalies).

Forecasters (``forecast(context) -> {inferer: expected log10 loss}``):

* :class:`EmaLossForecaster`: an EMA of each inferer's recent network losses;
* :class:`RegimeLossForecaster`: each inferer's mean past loss in the current regime (e.g.
  after a rainy day, in a volatile market), from context features.

Warm-up. Every model documents what it does with short history. With no history at all an
inferer raises :class:`~pyallora.agents.context.InsufficientHistoryError` (a worker skips the
epoch); with some history but less than its fit needs, a model falls back to a simpler
documented rule. Forecasters leave out inferers they know too little about. No model returns
NaN: outputs pass :func:`~pyallora.agents.context.validate_finite` or raise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from pyallora.agents.context import (
    AgentError,
    ForecastContext,
    InferenceContext,
    InsufficientHistoryError,
    validate_finite,
)

__all__ = [
    "AnalogModel",
    "EmaLossForecaster",
    "FeatureRegime",
    "GradientBoostedLagModel",
    "LinearLagModel",
    "MeanReversionModel",
    "MissingFeatureError",
    "ModelConfigError",
    "MovingAverageModel",
    "PersistenceModel",
    "Regime",
    "RegimeLossForecaster",
    "RegimeSpecialistModel",
    "SeasonalAnomalyModel",
    "VolatilityRegime",
    "compute_volatility",
]

FloatArray = NDArray[np.float64]


class ModelConfigError(AgentError, ValueError):
    """A model was built with parameters outside their range."""


class MissingFeatureError(AgentError, KeyError):
    """A model needs a source feature that the context does not carry."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ModelConfigError(message)


def _require_history(context: InferenceContext, needed: int, model: str) -> None:
    if len(context.history) < needed:
        raise InsufficientHistoryError(model, needed=needed, available=len(context.history))


def compute_volatility(values: Sequence[float], window: int, *, differences: bool = True) -> float:
    """Sample standard deviation of the last ``window`` values or first differences.

    Parameters
    ----------
    values
        A series, oldest first.
    window
        Number of (differenced) values to use, at most.
    differences
        Use first differences (for level series such as temperatures); ``False`` uses the
        values themselves (for return series).

    Returns
    -------
    float
        The standard deviation, 0.0 with fewer than two points.

    Examples
    --------
    >>> compute_volatility([1.0, 2.0, 4.0, 7.0], 3)
    1.0
    """
    data = np.asarray(values[-(window + 1) :] if differences else values[-window:], dtype=float)
    if differences:
        data = np.diff(data)
    if data.size < 2:
        return 0.0
    return float(np.std(data, ddof=1))


def _feature_row(features: Mapping[str, float], names: Sequence[str], where: str) -> list[float]:
    row: list[float] = []
    for name in names:
        if name not in features:
            raise MissingFeatureError(f"feature {name!r} is missing at {where}")
        row.append(float(features[name]))
    return row


def _lag_design(
    context: InferenceContext, lags: int, window: int, feature_names: Sequence[str]
) -> tuple[FloatArray, FloatArray, FloatArray, list[int]]:
    """Training rows (lags then features), targets, the query row, and each row's index.

    Row t (lags ≤ t < n, the last ``window`` such t) predicts history[t] from history[t−1],
    …, history[t−lags] and the features of t; the query row predicts the current epoch.
    """
    history = np.asarray(context.history, dtype=float)
    n = history.size
    first = max(lags, n - window)
    indices = list(range(first, n))
    use_features = bool(feature_names)
    if use_features and len(context.feature_history) != n:
        raise MissingFeatureError(
            f"the model uses features {list(feature_names)} but the context's feature history "
            f"has {len(context.feature_history)} rows for {n} values"
        )
    rows = np.empty((len(indices), lags + len(feature_names)))
    for position, t in enumerate(indices):
        rows[position, :lags] = history[t - lags : t][::-1]
        if use_features:
            rows[position, lags:] = _feature_row(
                context.feature_history[t], feature_names, f"row {t}"
            )
    targets = history[indices]
    query = np.empty(lags + len(feature_names))
    query[:lags] = history[n - lags :][::-1]
    if use_features:
        query[lags:] = _feature_row(context.features, feature_names, "the current epoch")
    return rows, targets, query, indices


def _fit_ridge(rows: FloatArray, targets: FloatArray, ridge: float) -> FloatArray:
    """Least squares with an intercept (first coefficient, not penalised) and an L2 penalty."""
    design = np.hstack([np.ones((rows.shape[0], 1)), rows])
    penalty = np.sqrt(ridge) * np.eye(design.shape[1])[1:]
    stacked = np.vstack([design, penalty])
    stacked_targets = np.concatenate([targets, np.zeros(penalty.shape[0])])
    coefficients, *_ = np.linalg.lstsq(stacked, stacked_targets, rcond=None)
    result: FloatArray = coefficients
    return result


def _predict_ridge(coefficients: FloatArray, query: FloatArray) -> float:
    return float(coefficients[0] + query @ coefficients[1:])


class PersistenceModel:
    """Predicts the last known value ("tomorrow equals today").

    Warm-up: raises :class:`InsufficientHistoryError` with an empty history.
    """

    def __init__(self, *, name: str = "persistence") -> None:
        self.name = name

    def infer(self, context: InferenceContext) -> float:
        """The last value of ``context.history``."""
        _require_history(context, 1, self.name)
        return validate_finite(context.history[-1], self.name)


class MovingAverageModel:
    """Predicts the mean of the last ``window`` values.

    Warm-up: the mean of all values when fewer than ``window`` are known; raises with none.
    """

    def __init__(self, window: int = 7, *, name: str | None = None) -> None:
        _require(window >= 1, f"window must be at least 1, got {window}")
        self.window = window
        self.name = name or f"moving_average_{window}"

    def infer(self, context: InferenceContext) -> float:
        """Mean of the last ``window`` values."""
        _require_history(context, 1, self.name)
        recent = context.history[-self.window :]
        return validate_finite(math.fsum(recent) / len(recent), self.name)


class MeanReversionModel:
    """Predicts m + ρ·(last − m), m the mean of the last ``window`` values.

    ρ = 0 is the moving average, ρ = 1 persistence; 0 < ρ < 1 shrinks the last value toward a
    long-run level. Warm-up: as :class:`MovingAverageModel`.
    """

    def __init__(self, window: int = 30, strength: float = 0.5, *, name: str | None = None) -> None:
        _require(window >= 1, f"window must be at least 1, got {window}")
        _require(0.0 <= strength <= 1.0, f"strength must lie in [0, 1], got {strength}")
        self.window = window
        self.strength = strength
        self.name = name or f"mean_reversion_{window}"

    def infer(self, context: InferenceContext) -> float:
        """The shrunk last value."""
        _require_history(context, 1, self.name)
        recent = context.history[-self.window :]
        level = math.fsum(recent) / len(recent)
        return validate_finite(level + self.strength * (context.history[-1] - level), self.name)


class LinearLagModel:
    """Ridge regression of the next value on the last ``lags`` values (and features).

    Refit every epoch on the last ``window`` training rows with numpy least squares.

    Parameters
    ----------
    lags
        Number of past values used as regressors.
    window
        Number of most recent training rows in each fit.
    ridge
        L2 penalty on the non-intercept coefficients (stabilises near-collinear lags).
    feature_names
        Names of source features (``context.features`` / ``feature_history``) added as
        regressors.

    Notes
    -----
    Warm-up: with fewer than ``lags + len(feature_names) + 2`` training rows the model predicts
    the mean of the history (raises with an empty history).
    """

    def __init__(
        self,
        lags: int = 3,
        window: int = 200,
        *,
        ridge: float = 1e-6,
        feature_names: Sequence[str] = (),
        name: str | None = None,
    ) -> None:
        _require(lags >= 1, f"lags must be at least 1, got {lags}")
        _require(window >= 2, f"window must be at least 2, got {window}")
        _require(ridge >= 0.0, f"ridge must be non-negative, got {ridge}")
        self.lags = lags
        self.window = window
        self.ridge = ridge
        self.feature_names = tuple(feature_names)
        self.name = name or f"linear_lags_{lags}"

    @property
    def min_rows(self) -> int:
        """Training rows needed before the regression is used instead of the mean."""
        return self.lags + len(self.feature_names) + 2

    def infer(self, context: InferenceContext) -> float:
        """The regression's prediction (or the warm-up mean)."""
        _require_history(context, 1, self.name)
        if len(context.history) - self.lags < self.min_rows:
            return validate_finite(math.fsum(context.history) / len(context.history), self.name)
        rows, targets, query, _ = _lag_design(context, self.lags, self.window, self.feature_names)
        coefficients = _fit_ridge(rows, targets, self.ridge)
        return validate_finite(_predict_ridge(coefficients, query), self.name)


class GradientBoostedLagModel:
    """Gradient-boosted trees on the last ``lags`` values, their mean and source features.

    Uses ``sklearn.ensemble.GradientBoostingRegressor`` (squared error, no subsampling, a
    fixed ``random_state``), so a run is reproducible. (The histogram variant was measured
    and rejected: its OpenMP prediction of one row costs tens of milliseconds when the cores
    are busy, against 0.2 ms here.) The trees are refit when ``refit_every``
    nonces have passed since the last fit (or the nonce went backwards); in between the
    cached trees predict from the current lags. ``refit_phase`` brings the first refit that
    many nonces forward, so that two such models on topics whose epochs end in the same
    block (one agent process serving both) do not both refit, and stall, in the same block.

    Notes
    -----
    Warm-up: with fewer than ``min_rows`` training rows the model predicts the mean of the last
    ``lags`` values (raises with an empty history).
    """

    def __init__(
        self,
        lags: int = 6,
        window: int = 500,
        *,
        refit_every: int = 10,
        refit_phase: int = 0,
        min_rows: int = 30,
        feature_names: Sequence[str] = (),
        n_estimators: int = 100,
        learning_rate: float = 0.05,
        max_depth: int = 3,
        min_samples_leaf: int = 10,
        random_state: int = 0,
        name: str | None = None,
    ) -> None:
        _require(lags >= 1, f"lags must be at least 1, got {lags}")
        _require(refit_every >= 1, f"refit_every must be at least 1, got {refit_every}")
        _require(
            0 <= refit_phase < refit_every,
            f"refit_phase must be in [0, refit_every), got {refit_phase}",
        )
        _require(min_rows >= 2, f"min_rows must be at least 2, got {min_rows}")
        _require(window >= min_rows, f"window ({window}) must be at least min_rows ({min_rows})")
        self.lags = lags
        self.window = window
        self.refit_every = refit_every
        self.refit_phase = refit_phase
        self.min_rows = min_rows
        self.feature_names = tuple(feature_names)
        self.params: dict[str, Any] = {
            "n_estimators": n_estimators,
            "learning_rate": learning_rate,
            "max_depth": max_depth,
            "min_samples_leaf": min_samples_leaf,
            "subsample": 1.0,
            "random_state": random_state,
        }
        self.name = name or f"gradient_boosted_lags_{lags}"
        self._model: Any = None
        self._fitted_nonce: int | None = None
        self.fit_count = 0
        """Number of fits so far (inspection and tests)."""

    @staticmethod
    def _augment(rows: FloatArray, lags: int) -> FloatArray:
        lag_mean = rows[:, :lags].mean(axis=1, keepdims=True)
        step = rows[:, :1] - rows[:, 1:2] if lags >= 2 else np.zeros((rows.shape[0], 1))
        return np.hstack([rows, lag_mean, step])

    def _needs_fit(self, nonce: int) -> bool:
        if self._model is None or self._fitted_nonce is None:
            return True
        return nonce < self._fitted_nonce or nonce - self._fitted_nonce >= self.refit_every

    def infer(self, context: InferenceContext) -> float:
        """The trees' prediction (or the warm-up mean)."""
        from sklearn.ensemble import GradientBoostingRegressor

        _require_history(context, 1, self.name)
        if len(context.history) - self.lags < self.min_rows:
            recent = context.history[-self.lags :]
            return validate_finite(math.fsum(recent) / len(recent), self.name)
        rows, targets, query, _ = _lag_design(context, self.lags, self.window, self.feature_names)
        if self._needs_fit(context.nonce):
            model = GradientBoostingRegressor(**self.params)
            model.fit(self._augment(rows, self.lags), targets)
            self._model = model
            first = self.fit_count == 0
            self._fitted_nonce = context.nonce - (self.refit_phase if first else 0)
            self.fit_count += 1
        prediction = self._model.predict(self._augment(query[np.newaxis, :], self.lags))
        return validate_finite(float(prediction[0]), self.name)


class Regime(Protocol):
    """A rule telling whether an epoch belongs to a regime, from what is known before it."""

    def is_active(self, history: Sequence[float], features: Mapping[str, float]) -> bool:
        """True when the epoch after ``history`` (with ``features``) is in the regime."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureRegime:
    """Active when a source feature lies in [low, high] (e.g. summer: ``doy_cos`` ≤ −0.5)."""

    feature: str
    low: float = -math.inf
    high: float = math.inf

    def is_active(self, history: Sequence[float], features: Mapping[str, float]) -> bool:
        """Whether ``features[feature]`` lies in the interval (False when absent)."""
        value = features.get(self.feature)
        return value is not None and self.low <= value <= self.high


@dataclass(frozen=True, slots=True, kw_only=True)
class VolatilityRegime:
    """Active when the recent volatility is above (``high``) or below a fixed threshold.

    Volatility is :func:`compute_volatility` over ``window`` values (or differences).
    """

    threshold: float
    window: int = 6
    differences: bool = True
    high: bool = True

    def is_active(self, history: Sequence[float], features: Mapping[str, float]) -> bool:
        """Whether the recent volatility is on the regime's side of the threshold."""
        volatility = compute_volatility(history, self.window, differences=self.differences)
        return volatility >= self.threshold if self.high else volatility < self.threshold


class RegimeSpecialistModel:
    """A ridge lag model trained only on the training rows that fall in one regime.

    It is applied in every epoch, so inside its regime it benefits from a fit tailored to that
    regime's dynamics, and outside it extrapolates a model of the wrong regime (its level, its
    persistence), which is genuinely poor when the regimes differ.

    Notes
    -----
    Warm-up: with fewer than ``lags + len(feature_names) + 3`` in-regime rows the model falls
    back to persistence (raises with an empty history).
    """

    def __init__(
        self,
        regime: Regime,
        *,
        lags: int = 2,
        window: int = 730,
        ridge: float = 1e-6,
        feature_names: Sequence[str] = (),
        name: str = "regime_specialist",
    ) -> None:
        _require(lags >= 1, f"lags must be at least 1, got {lags}")
        _require(window >= 2, f"window must be at least 2, got {window}")
        self.regime = regime
        self.lags = lags
        self.window = window
        self.ridge = ridge
        self.feature_names = tuple(feature_names)
        self.name = name

    def infer(self, context: InferenceContext) -> float:
        """The in-regime fit's prediction (or persistence during warm-up)."""
        _require_history(context, 1, self.name)
        fallback = validate_finite(context.history[-1], self.name)
        if len(context.history) <= self.lags:
            return fallback
        rows, targets, query, indices = _lag_design(
            context, self.lags, self.window, self.feature_names
        )
        empty: Mapping[str, float] = {}
        aligned = len(context.feature_history) == len(context.history)
        mask = np.array(
            [
                self.regime.is_active(
                    context.history[:t], context.feature_history[t] if aligned else empty
                )
                for t in indices
            ],
            dtype=bool,
        )
        if int(mask.sum()) < self.lags + len(self.feature_names) + 3:
            return fallback
        coefficients = _fit_ridge(rows[mask], targets[mask], self.ridge)
        return validate_finite(_predict_ridge(coefficients, query), self.name)


class AnalogModel:
    """Analog forecasting: the next change is the mean change that followed similar past days.

    Every past position t of the last ``window`` (t ≥ ``lags``) is a *situation*: its last
    ``lags`` values and its source features, each column standardised over the window; its
    *outcome* is history[t] − history[t−1]. The prediction is the last value plus the mean
    outcome of the ``k`` situations nearest (Euclidean) to today's; ties go to the older
    situation, so the result is deterministic. A nonparametric model: it makes different
    errors from the regressions on the same inputs.

    Notes
    -----
    Warm-up: with fewer than ``k`` situations the model predicts persistence (raises with an
    empty history).
    """

    def __init__(
        self,
        lags: int = 2,
        window: int = 1000,
        *,
        k: int = 30,
        feature_names: Sequence[str] = (),
        name: str = "analog",
    ) -> None:
        _require(lags >= 1, f"lags must be at least 1, got {lags}")
        _require(k >= 1, f"k must be at least 1, got {k}")
        _require(window >= k, f"window ({window}) must be at least k ({k})")
        self.lags = lags
        self.window = window
        self.k = k
        self.feature_names = tuple(feature_names)
        self.name = name

    def infer(self, context: InferenceContext) -> float:
        """The last value plus the mean change after the ``k`` nearest analogs."""
        _require_history(context, 1, self.name)
        last = validate_finite(context.history[-1], self.name)
        if len(context.history) - self.lags < self.k:
            return last
        rows, targets, query, _ = _lag_design(context, self.lags, self.window, self.feature_names)
        changes = targets - rows[:, 0]
        scale = rows.std(axis=0)
        scale[scale == 0.0] = 1.0
        distances = (((rows - query) / scale) ** 2).sum(axis=1)
        nearest = np.argsort(distances, kind="stable")[: self.k]
        return validate_finite(last + float(changes[nearest].mean()), self.name)


class SeasonalAnomalyModel:
    """A climatology of the day of year plus the persistence of the current anomaly.

    The climatology is least squares of the last ``window`` values on ``harmonics`` yearly
    harmonics built from the day-of-year features (``doy_sin``/``doy_cos``); the anomaly is
    the value minus its climatology, and ρ is the lag-1 regression coefficient of the
    anomalies (clipped to [−1, 1]). The prediction is climatology(today) + ρ · last anomaly.

    Notes
    -----
    Warm-up: with fewer than ``min_rows`` values the model predicts persistence (raises with
    an empty history). It needs the day-of-year features in the context
    (:class:`MissingFeatureError` otherwise).
    """

    def __init__(
        self,
        harmonics: int = 2,
        window: int = 3660,
        *,
        min_rows: int = 60,
        sin_feature: str = "doy_sin",
        cos_feature: str = "doy_cos",
        name: str = "seasonal_anomaly",
    ) -> None:
        _require(harmonics >= 1, f"harmonics must be at least 1, got {harmonics}")
        _require(
            min_rows >= 2 * harmonics + 3,
            f"min_rows must be at least {2 * harmonics + 3}, got {min_rows}",
        )
        _require(window >= min_rows, f"window ({window}) must be at least min_rows ({min_rows})")
        self.harmonics = harmonics
        self.window = window
        self.min_rows = min_rows
        self.features = (sin_feature, cos_feature)
        self.name = name

    def _basis(self, features: Mapping[str, float], where: str) -> list[float]:
        sine, cosine = _feature_row(features, self.features, where)
        row = [1.0]
        angle = complex(cosine, sine)
        power = complex(1.0, 0.0)
        for _ in range(self.harmonics):
            power *= angle
            row += [power.imag, power.real]
        return row

    def infer(self, context: InferenceContext) -> float:
        """Climatology of the target day plus ρ times the last anomaly."""
        _require_history(context, 1, self.name)
        n = len(context.history)
        if n < self.min_rows:
            return validate_finite(context.history[-1], self.name)
        if len(context.feature_history) != n:
            raise MissingFeatureError(
                f"{self.name} needs the feature history ({len(context.feature_history)} rows "
                f"for {n} values)"
            )
        first = max(0, n - self.window)
        values = np.asarray(context.history[first:], dtype=float)
        design = np.array(
            [self._basis(context.feature_history[t], f"row {t}") for t in range(first, n)]
        )
        coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
        anomalies = values - design @ coefficients
        previous = anomalies[:-1]
        denominator = float(previous @ previous)
        rho = float(anomalies[1:] @ previous) / denominator if denominator > 0 else 0.0
        rho = min(1.0, max(-1.0, rho))
        today = np.asarray(self._basis(context.features, "the current epoch"))
        return validate_finite(float(today @ coefficients) + rho * float(anomalies[-1]), self.name)


def _to_loss(reported: float, log_losses: bool) -> float:
    return 10.0**reported if log_losses else reported


def _from_loss(loss: float, log_losses: bool) -> float:
    return math.log10(loss) if log_losses else loss


def _ema(values: Sequence[float], alpha: float) -> float:
    state = values[0]
    for value in values[1:]:
        state = alpha * value + (1.0 - alpha) * state
    return state


class EmaLossForecaster:
    """Forecasts each inferer's loss as an EMA of its past network losses.

    The EMA runs over raw losses (10^ℓ of the reported log10 losses) and the forecast is the
    log10 of the average: the log of an average loss is not dragged down by the occasional
    near-exact hit, whose log-loss is hugely negative, so it ranks inferers by the loss they
    actually incur on average.

    Parameters
    ----------
    alpha
        EMA weight of the newest loss.
    min_observations
        Inferers with fewer known past losses are left out of the forecast (warm-up).
    log_losses
        Whether the topic's losses are log10 losses (``allow_negative`` false); with raw
        losses the EMA is taken and returned as is.
    """

    def __init__(
        self,
        alpha: float = 0.1,
        *,
        min_observations: int = 3,
        log_losses: bool = True,
        name: str = "ema_loss",
    ) -> None:
        _require(0.0 < alpha <= 1.0, f"alpha must lie in (0, 1], got {alpha}")
        _require(min_observations >= 1, f"min_observations must be >= 1, got {min_observations}")
        self.alpha = alpha
        self.min_observations = min_observations
        self.log_losses = log_losses
        self.name = name

    def forecast(self, context: ForecastContext) -> Mapping[str, float]:
        """``{inferer: log10 of the EMA of its known losses}`` for this epoch's inferers."""
        result: dict[str, float] = {}
        for inferer in sorted(context.inferences):
            known = [
                _to_loss(x, self.log_losses)
                for x in context.inferer_loss_history.get(inferer, ())
                if x is not None
            ]
            if len(known) < self.min_observations:
                continue
            average = _ema(known, self.alpha)
            result[inferer] = validate_finite(_from_loss(average, self.log_losses), self.name)
        return result


class RegimeLossForecaster:
    """Forecasts each inferer's loss from its past losses in the same regime.

    Each past epoch t falls in a *cell*: the tuple of the ``regimes``' answers for t, from
    what was known before t (e.g. "it rained yesterday", "volatility is high"). An inferer's
    forecast is its mean raw loss over the past epochs of the current cell, shrunk toward its
    mean over all past epochs with ``prior_weight`` pseudo-observations, reported as log10
    (see :class:`EmaLossForecaster` for why raw losses are averaged). A specialist that is
    good in one regime is thus expected to be good exactly when that regime holds.

    Parameters
    ----------
    regimes
        Regime rules (:class:`FeatureRegime`, :class:`VolatilityRegime`).
    window
        Most recent past epochs used.
    prior_weight
        Pseudo-observations of the overall mean in each cell's estimate (≥ 0).
    min_observations
        Inferers with fewer known past losses are left out (warm-up).
    log_losses
        As in :class:`EmaLossForecaster`.
    """

    def __init__(
        self,
        regimes: Sequence[Regime],
        *,
        window: int = 365,
        prior_weight: float = 10.0,
        min_observations: int = 12,
        log_losses: bool = True,
        name: str = "regime_loss",
    ) -> None:
        _require(len(regimes) >= 1, "at least one regime is needed")
        _require(window >= 2, f"window must be at least 2, got {window}")
        _require(prior_weight >= 0.0, f"prior_weight must be non-negative, got {prior_weight}")
        _require(min_observations >= 2, f"min_observations must be >= 2, got {min_observations}")
        self.regimes = tuple(regimes)
        self.window = window
        self.prior_weight = prior_weight
        self.min_observations = min_observations
        self.log_losses = log_losses
        self.name = name

    def _cell(self, history: Sequence[float], features: Mapping[str, float]) -> tuple[bool, ...]:
        return tuple(regime.is_active(history, features) for regime in self.regimes)

    def forecast(self, context: ForecastContext) -> Mapping[str, float]:
        """``{inferer: log10 of its expected loss in the current regime}``."""
        history = context.history
        n = len(history)
        aligned = len(context.feature_history) == n
        empty: Mapping[str, float] = {}
        current = self._cell(history, context.features)
        start = max(0, n - self.window)
        cells = [
            self._cell(history[:t], context.feature_history[t] if aligned else empty)
            for t in range(start, n)
        ]
        result: dict[str, float] = {}
        for inferer in sorted(context.inferences):
            losses = context.inferer_loss_history.get(inferer, ())
            if len(losses) != n:
                continue
            everywhere: list[float] = []
            here: list[float] = []
            for cell, reported in zip(cells, losses[start:], strict=True):
                if reported is None:
                    continue
                loss = _to_loss(reported, self.log_losses)
                everywhere.append(loss)
                if cell == current:
                    here.append(loss)
            if len(everywhere) < self.min_observations:
                continue
            overall = math.fsum(everywhere) / len(everywhere)
            expected = (math.fsum(here) + self.prior_weight * overall) / (
                len(here) + self.prior_weight
            )
            result[inferer] = validate_finite(_from_loss(expected, self.log_losses), self.name)
        return result
