"""The participants of a run: the demo topics and the default set for any series.

* :func:`build_demo_topic` turns a demo setup of :func:`pyallora.agents.study.build_demo_setup`
  (the measured recommendation: Seattle daily maximum / minimum temperature, α_regret 0.03,
  p 3, ε 0.01, loss ``mse(floor=1)``, a year of history) into a
  :class:`~pyallora.backtest.actors.TopicSpec`, optionally replaying only ``epochs`` days.
* :func:`build_series_topic` runs the same kinds of participants on any numeric series
  (``allora backtest --csv FILE --column NAME``): persistence, a moving average, mean
  reversion, a linear model on lags, gradient-boosted trees on lags, a specialist fit only
  in volatile periods, an EMA forecaster and a forecaster conditioned on volatility, and
  three reputers with different stakes. Window lengths and the volatility threshold scale
  with the series' history, so no choice depends on the series' units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

import numpy as np

from pyallora.agents.context import Inferer, dec_to_float, format_dec_text
from pyallora.agents.datasets import TimeSeries
from pyallora.agents.models import (
    EmaLossForecaster,
    GradientBoostedLagModel,
    LinearLagModel,
    MeanReversionModel,
    MovingAverageModel,
    PersistenceModel,
    RegimeLossForecaster,
    RegimeSpecialistModel,
    VolatilityRegime,
    compute_volatility,
)
from pyallora.agents.study import DEMO_REPUTERS, build_demo_setup
from pyallora.backtest.actors import ActorError, ReputerSpec, TopicSpec
from pyallora.core.dec import Dec

__all__ = [
    "DEMO_TOPIC_NAMES",
    "STAKE_UNIT",
    "build_demo_topic",
    "build_series_topic",
    "demo_reputers",
]

DEMO_TOPIC_NAMES: Final = ("weather", "weather-min")
"""The demo's topics (real data shipped inside ``vega_datasets``)."""

STAKE_UNIT: Final = 10**15
"""uallo per unit of the study's reputer stakes (500 000 units = 500 ALLO), so that the
rewards compounded into stakes stay small next to them."""

DEFAULT_LOSS: Final = "mse"
"""Loss method of a series topic."""


def _text(value: Dec) -> str:
    return format_dec_text(dec_to_float(value))


def demo_reputers() -> tuple[ReputerSpec, ...]:
    """The study's three reputers (stakes 5 : 3 : 2, small independent noise)."""
    return tuple(
        ReputerSpec(
            label=r.address, stake=r.stake * STAKE_UNIT, loss_noise=r.loss_noise, seed=r.seed
        )
        for r in DEMO_REPUTERS
    )


def scale_refits(models: Mapping[str, object], epoch_length: int) -> None:
    """Make "refit every k epochs" mean the same on chain, where the nonce advances by the
    epoch length each epoch, as in the study, where it advances by one
    (:class:`~pyallora.agents.models.GradientBoostedLagModel` counts nonces)."""
    for model in models.values():
        if isinstance(model, GradientBoostedLagModel):
            model.refit_every *= epoch_length


def build_demo_topic(
    name: str, *, epochs: int | None = None, offset: int = 0, epoch_length: int = 1
) -> TopicSpec:
    """A demo topic (:data:`DEMO_TOPIC_NAMES`, or ``stocks``) as a spec.

    Parameters
    ----------
    name
        The demo setup's name.
    epochs
        Replay only this many epochs (None: to the end of the series).
    offset
        Start this many positions after the setup's start (more history).
    epoch_length
        Blocks per epoch on the chain that will run it: the boosted trees refit every
        ``refit_every`` epochs, as in the study (:func:`scale_refits`).

    Raises
    ------
    StudyConfigError
        For an unknown name.
    ActorError
        If the range is empty.
    """
    setup = build_demo_setup(name)
    start = setup.start + offset
    stop = len(setup.series) if epochs is None else min(len(setup.series), start + epochs)
    if start >= stop:
        raise ActorError(f"{name}: nothing to replay from position {start}")
    params = setup.params
    scale_refits(setup.inferers, epoch_length)
    return TopicSpec(
        name=setup.name,
        metadata=setup.metadata,
        series=setup.series,
        inferers=setup.inferers,
        forecasters=setup.forecasters,
        reputers=demo_reputers(),
        loss_method=setup.loss_method,
        p_norm=_text(params.p_norm),
        alpha_regret=_text(params.alpha_regret),
        epsilon=_text(params.epsilon),
        merit_sortition_alpha=_text(params.merit_sortition_alpha),
        active_quantile=_text(params.active_inferer_quantile),
        start=start,
        stop=stop,
    )


def _volatility_threshold(values: tuple[float, ...], window: int, differences: bool) -> float:
    """The median rolling volatility over the history (the regime splits it in half)."""
    points = [
        compute_volatility(values[:t], window, differences=differences)
        for t in range(window + 2, len(values) + 1)
    ]
    points = [p for p in points if math.isfinite(p)]
    return float(np.median(points)) if points else 0.0


def build_series_topic(
    series: TimeSeries,
    *,
    name: str = "series",
    history: int | None = None,
    epochs: int | None = None,
    loss_method: str = DEFAULT_LOSS,
    alpha_regret: str = "0.1",
    epoch_length: int = 1,
) -> TopicSpec:
    """The default participants on any numeric series (module docstring).

    Parameters
    ----------
    series
        The ground truth, in time order (at least 12 values).
    name
        The topic's name.
    history
        Positions given to the models as history before the first epoch (default: a fifth
        of the series, at least 10).
    epochs
        Replay at most this many epochs (default: to the end).
    loss_method, alpha_regret
        Topic parameters (p_norm 3 and ε 0.01 as on the demo topics).
    epoch_length
        Blocks per epoch on the chain that will run it (:func:`scale_refits`).

    Raises
    ------
    ActorError
        If the series is too short for the history asked.
    """
    count = len(series)
    start = history if history is not None else max(10, count // 5)
    if count < 12 or not 2 <= start < count:
        raise ActorError(
            f"{series.name}: need at least 12 values and 2 <= history < {count}, "
            f"got {count} values and history {start}"
        )
    stop = count if epochs is None else min(count, start + epochs)
    scale = max(10, start)
    short = max(3, min(12, scale // 10))
    long = max(short + 1, min(60, scale // 2))
    lags = 3
    fit_window = max(lags + 10, min(500, scale))
    differences = not _looks_like_returns(series.values[:start])
    vol_window = max(4, min(12, scale // 8))
    threshold = _volatility_threshold(series.values[:start], vol_window, differences)
    volatile = VolatilityRegime(threshold=threshold, window=vol_window, differences=differences)
    boosted_rows = max(8, min(30, scale // 3))
    inferers: dict[str, Inferer] = {
        "persistence": PersistenceModel(),
        "moving-average": MovingAverageModel(short),
        "mean-reversion": MeanReversionModel(long, 0.5),
        "linear-lags": LinearLagModel(lags, fit_window, ridge=1e-3),
        "boosted-trees": GradientBoostedLagModel(
            lags,
            max(fit_window, boosted_rows),
            refit_every=40,
            min_rows=boosted_rows,
            min_samples_leaf=max(2, boosted_rows // 4),
            n_estimators=100,
        ),
        "volatility-specialist": RegimeSpecialistModel(
            volatile, lags=2, window=max(fit_window, 20)
        ),
    }
    scale_refits(inferers, epoch_length)
    return TopicSpec(
        name=name,
        metadata=f"{series.name}, next value",
        series=series,
        inferers=inferers,
        forecasters={
            "ema-forecaster": EmaLossForecaster(alpha=0.1),
            "volatility-forecaster": RegimeLossForecaster((volatile,), window=max(60, scale)),
        },
        reputers=demo_reputers(),
        loss_method=loss_method,
        alpha_regret=alpha_regret,
        start=start,
        stop=stop,
    )


def _looks_like_returns(values: tuple[float, ...]) -> bool:
    """A series that changes sign around a near-zero mean is modelled in levels (returns);
    others by their first differences (prices, temperatures)."""
    data = np.asarray(values, dtype=float)
    if data.size < 3:
        return False
    spread = float(np.std(data))
    return bool(spread > 0 and abs(float(np.mean(data))) < 0.5 * spread and (data < 0).any())
