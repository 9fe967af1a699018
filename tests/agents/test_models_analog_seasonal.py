"""The analog (k nearest neighbours) and seasonal-anomaly inferers (pyallora.agents.models)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyallora.agents.context import InferenceContext, InsufficientHistoryError
from pyallora.agents.models import (
    AnalogModel,
    MissingFeatureError,
    ModelConfigError,
    SeasonalAnomalyModel,
)
from pyallora.agents.study import build_demo_setup


def _context(
    history: Sequence[float],
    *,
    features: Mapping[str, float] | None = None,
    feature_history: Sequence[Mapping[str, float]] = (),
) -> InferenceContext:
    return InferenceContext(
        topic_id=1,
        nonce=len(history),
        history=tuple(history),
        features=features or {},
        feature_history=tuple(feature_history),
    )


def _season(day: int, period: float = 365.25) -> dict[str, float]:
    angle = 2.0 * math.pi * day / period
    return {"doy_sin": math.sin(angle), "doy_cos": math.cos(angle)}


# --- analog model


def test_analog_repeats_what_followed_the_same_situation() -> None:
    cycle = [0.0, 1.0, 5.0, 3.0]
    history = cycle * 10 + [0.0, 1.0]  # today looks like every "0, 1" before: 5 follows
    assert AnalogModel(2, 40, k=1).infer(_context(history)) == pytest.approx(5.0)
    assert AnalogModel(2, 40, k=5).infer(_context(history)) == pytest.approx(5.0)


def test_analog_averages_the_changes_of_its_k_neighbours() -> None:
    # lag 1 only: after 0 the series went up by 2 twice and by 4 once
    history = [0.0, 2.0, 9.0, 0.0, 2.0, 9.0, 0.0, 4.0, 9.0, 0.0]
    # situations (previous value → change): 0→+2, 2→+7, 9→−9, 0→+2, 2→+7, 9→−9, 0→+4, ...
    assert AnalogModel(1, 20, k=3).infer(_context(history)) == pytest.approx(8.0 / 3.0)


def test_analog_uses_source_features_to_tell_situations_apart() -> None:
    # a walk that goes down after rain (feature 1) and up otherwise
    history = [10.0]
    features: list[dict[str, float]] = [{"rain": 0.0}]
    for day in range(1, 60):
        rain = float(day % 3 == 0)
        features.append({"rain": rain})
        history.append(history[-1] + (-1.0 if rain else 1.0))
    model = AnalogModel(1, 100, k=5, feature_names=("rain",))
    wet = model.infer(_context(history, features={"rain": 1.0}, feature_history=features))
    dry = model.infer(_context(history, features={"rain": 0.0}, feature_history=features))
    assert wet == pytest.approx(history[-1] - 1.0)
    assert dry == pytest.approx(history[-1] + 1.0)


def test_analog_warm_up_is_persistence_and_no_history_raises() -> None:
    model = AnalogModel(2, 50, k=10)
    assert model.infer(_context([3.0, 4.0, 7.0])) == 7.0
    with pytest.raises(InsufficientHistoryError):
        model.infer(_context([]))


def test_analog_is_deterministic_with_tied_distances() -> None:
    history = [1.0, 2.0] * 30
    model = AnalogModel(1, 100, k=7)
    first = model.infer(_context(history))
    assert all(model.infer(_context(history)) == first for _ in range(3))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=80))
def test_analog_output_is_finite_for_any_history(history: list[float]) -> None:
    assert math.isfinite(AnalogModel(2, 60, k=5).infer(_context(history)))


# --- seasonal anomaly model


def test_seasonal_anomaly_reproduces_an_exact_climatology() -> None:
    def climate(day: int) -> float:
        angle = 2.0 * math.pi * day / 365.25
        return 12.0 + 6.0 * math.cos(angle) - 2.0 * math.sin(angle) + 1.5 * math.cos(2 * angle)

    days = range(400)
    history = [climate(d) for d in days]
    model = SeasonalAnomalyModel(2)
    value = model.infer(
        _context(history, features=_season(400), feature_history=[_season(d) for d in days])
    )
    assert value == pytest.approx(climate(400), abs=1e-9)


def test_seasonal_anomaly_carries_today_s_anomaly_forward() -> None:
    # a flat climate with anomalies that alternate in sign: rho is negative, so a warm
    # today predicts a cool tomorrow relative to the climate
    days = range(200)
    history = [20.0 + (3.0 if d % 2 else -3.0) for d in days]
    model = SeasonalAnomalyModel(1)
    value = model.infer(
        _context(history, features=_season(200), feature_history=[_season(d) for d in days])
    )
    assert history[-1] == 23.0
    assert value < 20.0


def test_seasonal_anomaly_warm_up_and_missing_features() -> None:
    model = SeasonalAnomalyModel(2, min_rows=60)
    assert model.infer(_context([1.0, 2.0, 5.0])) == 5.0
    with pytest.raises(InsufficientHistoryError):
        model.infer(_context([]))
    with pytest.raises(MissingFeatureError):
        model.infer(_context([1.0] * 80, features=_season(80)))


@pytest.mark.parametrize(
    "build",
    [
        lambda: AnalogModel(0),
        lambda: AnalogModel(2, k=0),
        lambda: AnalogModel(2, 10, k=20),
        lambda: SeasonalAnomalyModel(0),
        lambda: SeasonalAnomalyModel(2, min_rows=5),
        lambda: SeasonalAnomalyModel(2, 50, min_rows=60),
    ],
)
def test_bad_configuration_is_refused(build: object) -> None:
    with pytest.raises(ModelConfigError):
        build()  # type: ignore[operator]


# --- the demo topics use them on real data


@pytest.mark.parametrize("name", ["weather", "weather-min"])
def test_demo_weather_inferers_are_finite_and_distinct_on_real_data(name: str) -> None:
    setup = build_demo_setup(name)
    series = setup.series
    index = setup.start
    context = _context(
        series.values[:index],
        features=series.features[index],
        feature_history=series.features[:index],
    )
    values = {label: model.infer(context) for label, model in setup.inferers.items()}
    assert {"persistence", "moving-average", "linear-lags", "boosted-trees"} <= set(values)
    assert {"rain-specialist", "analog", "seasonal-anomaly"} <= set(values)
    assert all(math.isfinite(v) for v in values.values())
    assert len({round(v, 9) for v in values.values()}) == len(values)
