"""Ready-made inferers and forecasters (pyallora.agents.models)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyallora.agents.context import (
    ForecastContext,
    Forecaster,
    InferenceContext,
    Inferer,
    InsufficientHistoryError,
)
from pyallora.agents.models import (
    EmaLossForecaster,
    FeatureRegime,
    GradientBoostedLagModel,
    LinearLagModel,
    MeanReversionModel,
    MissingFeatureError,
    ModelConfigError,
    MovingAverageModel,
    PersistenceModel,
    RegimeLossForecaster,
    RegimeSpecialistModel,
    VolatilityRegime,
    compute_volatility,
)


def _context(
    history: Sequence[float],
    *,
    nonce: int | None = None,
    features: Mapping[str, float] | None = None,
    feature_history: Sequence[Mapping[str, float]] = (),
) -> InferenceContext:
    return InferenceContext(
        topic_id=1,
        nonce=len(history) if nonce is None else nonce,
        history=tuple(history),
        features=features or {},
        feature_history=tuple(feature_history),
    )


def _all_inferers() -> list[Inferer]:
    return [
        PersistenceModel(),
        MovingAverageModel(4),
        MeanReversionModel(10, 0.5),
        LinearLagModel(2, 50),
        GradientBoostedLagModel(3, 100, min_rows=10, n_estimators=20),
        RegimeSpecialistModel(VolatilityRegime(threshold=1.0), lags=1, window=50),
    ]


def test_every_model_implements_its_protocol() -> None:
    for model in _all_inferers():
        assert isinstance(model, Inferer)
    assert isinstance(EmaLossForecaster(), Forecaster)
    assert isinstance(RegimeLossForecaster((VolatilityRegime(threshold=1.0),)), Forecaster)


@pytest.mark.parametrize("model", _all_inferers(), ids=lambda m: m.name)
def test_no_history_raises(model: Inferer) -> None:
    with pytest.raises(InsufficientHistoryError) as caught:
        model.infer(_context([]))
    assert caught.value.available == 0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=60))
def test_outputs_are_finite_for_any_history(history: list[float]) -> None:
    for model in _all_inferers():
        assert math.isfinite(model.infer(_context(history)))


# --- simple inferers: exact values


def test_persistence_moving_average_and_mean_reversion() -> None:
    history = [1.0, 2.0, 3.0, 10.0]
    assert PersistenceModel().infer(_context(history)) == 10.0
    assert MovingAverageModel(2).infer(_context(history)) == 6.5
    assert MovingAverageModel(10).infer(_context(history)) == 4.0  # warm-up: all values
    # level = mean(2, 3, 10) = 5; 5 + 0.25·(10 − 5)
    assert MeanReversionModel(3, 0.25).infer(_context(history)) == 6.25
    assert MeanReversionModel(3, 1.0).infer(_context(history)) == 10.0
    assert MeanReversionModel(3, 0.0).infer(_context(history)) == 5.0


@pytest.mark.parametrize(
    "build",
    [
        lambda: MovingAverageModel(0),
        lambda: MeanReversionModel(5, 1.5),
        lambda: LinearLagModel(0),
        lambda: LinearLagModel(2, ridge=-1.0),
        lambda: GradientBoostedLagModel(refit_every=0),
        lambda: GradientBoostedLagModel(window=5, min_rows=10),
        lambda: EmaLossForecaster(alpha=0.0),
        lambda: RegimeLossForecaster((), min_observations=12),
        lambda: RegimeLossForecaster((FeatureRegime(feature="x"),), prior_weight=-1.0),
    ],
)
def test_bad_configuration_is_refused(build: object) -> None:
    with pytest.raises(ModelConfigError):
        build()  # type: ignore[operator]


def test_volatility() -> None:
    # differences 1, 2, 3 → sample std 1
    assert compute_volatility([1.0, 2.0, 4.0, 7.0], 3) == 1.0
    assert compute_volatility([1.0, 2.0, 4.0, 7.0], 2) == pytest.approx(math.sqrt(0.5))
    assert compute_volatility([2.0, 4.0], 5, differences=False) == pytest.approx(math.sqrt(2.0))
    assert compute_volatility([5.0], 3) == 0.0


# --- linear lag model


def test_linear_lag_model_recovers_an_exact_ar2() -> None:
    rng = np.random.default_rng(5)
    series = list(rng.normal(size=10))  # a random start makes the regressors independent
    for _ in range(50):
        series.append(0.5 + 0.6 * series[-1] - 0.2 * series[-2])
    truth_next = 0.5 + 0.6 * series[-1] - 0.2 * series[-2]
    model = LinearLagModel(2, 45, ridge=0.0)  # the window skips the random start
    assert model.infer(_context(series)) == pytest.approx(truth_next, abs=1e-8)


def test_linear_lag_model_uses_features() -> None:
    rng = np.random.default_rng(3)
    drive = rng.normal(size=80)
    series = [0.0]
    for t in range(1, 80):
        series.append(0.5 * series[-1] + 2.0 * drive[t])
    rows = [{"drive": float(d)} for d in drive]
    context = _context(series[:79], features=rows[79], feature_history=rows[:79])
    expected = 0.5 * series[78] + 2.0 * drive[79]
    model = LinearLagModel(1, 100, ridge=0.0, feature_names=("drive",))
    assert model.infer(context) == pytest.approx(expected, abs=1e-8)
    with pytest.raises(MissingFeatureError):
        model.infer(_context(series[:79], feature_history=rows[:79]))  # no current feature
    with pytest.raises(MissingFeatureError):
        model.infer(_context(series[:79], features=rows[79]))  # no feature history


def test_linear_lag_model_warm_up_is_the_mean() -> None:
    model = LinearLagModel(3, 100)
    assert model.min_rows == 5
    assert model.infer(_context([1.0, 2.0, 6.0])) == 3.0


# --- gradient-boosted model


def _periodic(n: int) -> list[float]:
    pattern = [0.0, 1.0, 3.0, 1.0]
    return [pattern[t % 4] for t in range(n)]


def test_gradient_boosted_model_learns_and_is_reproducible() -> None:
    series = _periodic(120)
    first = GradientBoostedLagModel(4, 200, min_rows=20, n_estimators=200, learning_rate=0.1)
    second = GradientBoostedLagModel(4, 200, min_rows=20, n_estimators=200, learning_rate=0.1)
    prediction = first.infer(_context(series))
    assert prediction == second.infer(_context(series))
    assert prediction == pytest.approx(_periodic(121)[-1], abs=0.05)


def test_gradient_boosted_model_refit_schedule_and_warm_up() -> None:
    series = _periodic(80)
    model = GradientBoostedLagModel(3, 200, refit_every=5, min_rows=10, n_estimators=10)
    assert model.infer(_context(series[:5])) == pytest.approx(sum(series[2:5]) / 3)  # warm-up
    assert model.fit_count == 0
    for n in range(40, 52):
        model.infer(_context(series[:n], nonce=n))
    # fits at nonces 40, 45, 50
    assert model.fit_count == 3
    model.infer(_context(series[:45], nonce=45))  # the nonce went backwards: refit
    assert model.fit_count == 4


def test_gradient_boosted_model_refit_phase_moves_only_the_first_refit() -> None:
    series = _periodic(80)
    fits: list[int] = []
    model = GradientBoostedLagModel(
        3, 200, refit_every=5, refit_phase=2, min_rows=10, n_estimators=10
    )
    for n in range(40, 54):
        before = model.fit_count
        model.infer(_context(series[:n], nonce=n))
        if model.fit_count > before:
            fits.append(n)
    assert fits == [40, 43, 48, 53]
    with pytest.raises(ValueError, match="refit_phase"):
        GradientBoostedLagModel(refit_every=5, refit_phase=5)


# --- regime specialist


def _two_regime_series(n: int) -> tuple[list[float], list[dict[str, float]]]:
    """Regime A (flag 1): reverts to +10 slowly; regime B (flag 0): flips around −10."""
    values = [0.0]
    rows = [{"flag": 0.0}]
    for t in range(1, n):
        flag = 1.0 if (t // 25) % 2 == 0 else 0.0
        previous = values[-1]
        values.append(10 + 0.8 * (previous - 10) if flag else -10 - 0.5 * (previous + 10))
        rows.append({"flag": flag})
    return values, rows


def test_regime_specialist_is_good_in_its_regime_only() -> None:
    values, rows = _two_regime_series(300)
    specialist = RegimeSpecialistModel(FeatureRegime(feature="flag", low=0.5), lags=1, window=300)
    in_errors: list[float] = []
    out_errors: list[float] = []
    for t in range(150, 300):
        context = _context(values[:t], features=rows[t], feature_history=rows[:t])
        error = abs(specialist.infer(context) - values[t])
        (in_errors if rows[t]["flag"] == 1.0 else out_errors).append(error)
    assert max(in_errors) < 1e-6
    assert float(np.mean(out_errors)) > 3.0


def test_regime_specialist_falls_back_to_persistence() -> None:
    values, rows = _two_regime_series(30)
    never = RegimeSpecialistModel(FeatureRegime(feature="flag", low=2.0), lags=1)
    context = _context(values, features=rows[-1], feature_history=rows)
    assert never.infer(context) == values[-1]


def test_regimes() -> None:
    summer = FeatureRegime(feature="doy_cos", high=-0.5)
    assert summer.is_active([], {"doy_cos": -0.9})
    assert not summer.is_active([], {"doy_cos": 0.2})
    assert not summer.is_active([], {})
    calm = [1.0, 1.1, 1.0, 1.1, 1.0]
    wild = [1.0, 5.0, -3.0, 4.0, 0.0]
    high = VolatilityRegime(threshold=1.0, window=4)
    assert high.is_active(wild, {}) and not high.is_active(calm, {})
    low = VolatilityRegime(threshold=1.0, window=4, high=False)
    assert low.is_active(calm, {}) and not low.is_active(wild, {})


# --- forecasters


def _forecast_context(
    history: Sequence[float],
    inferences: Mapping[str, float],
    losses: Mapping[str, Sequence[float | None]],
    past_inferences: Mapping[str, Sequence[float | None]] | None = None,
) -> ForecastContext:
    return ForecastContext(
        topic_id=1,
        nonce=len(history),
        history=tuple(history),
        inferences=dict(inferences),
        inferer_loss_history={k: tuple(v) for k, v in losses.items()},
        inference_history={k: tuple(v) for k, v in (past_inferences or {}).items()},
    )


def test_ema_loss_forecaster_averages_raw_losses() -> None:
    context = _forecast_context(
        [0.0] * 5,
        {"a": 1.0, "b": 2.0, "c": 3.0},
        {
            "a": [None, -1.0, None, -2.0, -3.0],
            "b": [None, None, None, 0.0, 1.0],  # only two known losses: left out
            "d": [0.0] * 5,  # no inference this epoch: left out
        },
    )
    forecast = EmaLossForecaster(alpha=0.5, min_observations=3).forecast(context)
    # raw losses 0.1, 0.01, 0.001: EMA 0.1 → 0.055 → 0.028
    assert forecast == {"a": pytest.approx(math.log10(0.028))}
    raw = EmaLossForecaster(alpha=0.5, min_observations=3, log_losses=False).forecast(context)
    assert raw == {"a": pytest.approx(-2.25)}  # −1 → −1.5 → −2.25 when losses are raw


def _regime_context(
    flags: Sequence[float], current: float, losses: Mapping[str, Sequence[float | None]]
) -> ForecastContext:
    n = len(flags)
    return ForecastContext(
        topic_id=1,
        nonce=n,
        history=tuple(float(i) for i in range(n)),
        features={"flag": current},
        feature_history=tuple({"flag": f} for f in flags),
        inferences={name: 0.0 for name in losses},
        inferer_loss_history={k: tuple(v) for k, v in losses.items()},
    )


def test_regime_loss_forecaster_conditions_on_the_regime() -> None:
    flags = [float(t % 3 == 0) for t in range(60)]
    losses = {
        "specialist": [-1.0 if f else 1.0 for f in flags],  # 0.1 in the regime, 10 outside
        "generalist": [0.0] * 60,
    }
    regime = FeatureRegime(feature="flag", low=0.5)
    sharp = RegimeLossForecaster((regime,), prior_weight=0.0, min_observations=12)
    inside = sharp.forecast(_regime_context(flags, 1.0, losses))
    outside = sharp.forecast(_regime_context(flags, 0.0, losses))
    assert inside == {"generalist": pytest.approx(0.0), "specialist": pytest.approx(-1.0)}
    assert outside == {"generalist": pytest.approx(0.0), "specialist": pytest.approx(1.0)}
    # Shrinkage toward the overall mean with 10 pseudo-observations.
    shrunk = RegimeLossForecaster((regime,), prior_weight=10.0).forecast(
        _regime_context(flags, 1.0, losses)
    )
    overall = (20 * 0.1 + 40 * 10.0) / 60
    assert shrunk["specialist"] == pytest.approx(math.log10((20 * 0.1 + 10 * overall) / 30))


def test_regime_loss_forecaster_window_gaps_and_warm_up() -> None:
    flags = [1.0] * 30
    known: list[float | None] = [2.0 if t < 20 else 0.0 for t in range(30)]
    losses: dict[str, list[float | None]] = {
        "a": [None] * 25 + [0.0] * 5,  # five known losses: below min_observations
        "b": known,
    }
    regime = FeatureRegime(feature="flag", low=0.5)
    forecaster = RegimeLossForecaster((regime,), window=10, prior_weight=0.0, min_observations=6)
    # only the last 10 epochs count: b's losses there are all 0
    assert forecaster.forecast(_regime_context(flags, 1.0, losses)) == {"b": pytest.approx(0.0)}


def test_forecasters_warm_up_with_empty_forecasts() -> None:
    context = _forecast_context([1.0, 2.0], {"a": 1.0}, {"a": [0.0, 0.0]}, {"a": [1.0, 1.0]})
    regime = VolatilityRegime(threshold=1.0)
    assert RegimeLossForecaster((regime,)).forecast(context) == {}
    assert EmaLossForecaster().forecast(context) == {}
