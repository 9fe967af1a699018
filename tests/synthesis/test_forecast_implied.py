"""SYNTHESIS.md §6: forecast-implied inferences and their one-out variants."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from synthesis_factories import d

from pyallora.core.dec import dec, dec_context
from pyallora.synthesis.forecast_implied import (
    compute_forecast_implied_inference,
    compute_forecast_implied_inferences,
    compute_one_out_forecast_implied,
)
from pyallora.synthesis.helpers import compute_median
from pyallora.synthesis.types import Forecast, ForecastElement
from pyallora.synthesis.weights import compute_weight_map

WM = compute_weight_map(dec(3), dec("0.75"))
EPS = dec("0.01")
values_strategy = st.floats(-5, 5, allow_nan=False)
regret_strategy = st.floats(-6, 2, allow_nan=False)


def forecast(k: str, **elements: str) -> Forecast:
    return Forecast(
        forecaster=k,
        elements=tuple(ForecastElement(inferer=j, value=dec(v)) for j, v in elements.items()),
    )


@given(st.lists(st.tuples(values_strategy, regret_strategy), min_size=1, max_size=9))
def test_fast_one_out_equals_recomputation(pairs: list[tuple[float, float]]) -> None:
    """Each Ĩ_k^{(−l)} is bit for bit Ĩ_k of the reduced set (module docstring claim)."""
    with dec_context():
        values = [d(v) for v, _ in pairs]
        regrets = [d(r) for _, r in pairs]
        fast = compute_one_out_forecast_implied(values, regrets, epsilon=EPS, weight_map=WM)
        for position, got in enumerate(fast):
            rest_v = values[:position] + values[position + 1 :]
            rest_r = regrets[:position] + regrets[position + 1 :]
            want = compute_forecast_implied_inference(rest_v, rest_r, epsilon=EPS, weight_map=WM)
            assert got == want


@given(st.lists(st.tuples(values_strategy, regret_strategy), min_size=1, max_size=9))
def test_implied_inference_lies_between_its_inferences(pairs: list[tuple[float, float]]) -> None:
    with dec_context():
        values = [d(v) for v, _ in pairs]
        regrets = [d(r) for _, r in pairs]
        got = compute_forecast_implied_inference(values, regrets, epsilon=EPS, weight_map=WM)
        assert got is not None
        # Each operation rounds toward zero: the mean may leave the range by the last bits.
        slack = max(abs(v) for v in values) * dec("1e-31")
        assert min(values) - slack <= got <= max(values) + slack


def test_regrets_use_the_previous_network_loss() -> None:
    with dec_context():
        inferences = {"a": dec("0.1"), "b": dec("0.3")}
        result = compute_forecast_implied_inferences(
            inferences,
            [forecast("f", a="-3.5", b="-2.5")],
            dec(-3),
            epsilon=EPS,
            weight_map=WM,
            with_one_out=True,
        )
        assert result.forecasted_regrets == {("f", "a"): dec("0.5"), ("f", "b"): dec("-0.5")}
        # Inferer a is forecast to be better: Ĩ leans towards 0.1.
        assert dec("0.1") < result.values["f"] < dec("0.2")
        # Without a only b remains, and vice versa.
        assert result.one_out[("f", "a")] == dec("0.3")
        assert result.one_out[("f", "b")] == dec("0.1")


def test_unknown_inferers_are_dropped_and_single_element_gives_that_inference() -> None:
    with dec_context():
        inferences = {"a": dec("0.1"), "b": dec("0.3")}
        result = compute_forecast_implied_inferences(
            inferences,
            [forecast("f", a="-3", ghost="-9"), forecast("g", ghost="-1")],
            dec(-3),
            epsilon=EPS,
            weight_map=WM,
            with_one_out=True,
        )
        assert dict(result.values) == {"f": dec("0.1")}
        # J_f = {a}: withholding a excludes f (§6, §18 row 12).
        assert dict(result.one_out) == {}
        assert ("f", "ghost") not in result.forecasted_regrets


def test_bootstrap_uses_medians() -> None:
    with dec_context():
        inferences = {"a": dec(1), "b": dec(2), "c": dec(10)}
        result = compute_forecast_implied_inferences(
            inferences,
            [forecast("f", a="-3", b="-1", c="-2")],
            dec(-3),
            epsilon=EPS,
            weight_map=WM,
            with_one_out=True,
            all_inferers_new=True,
        )
        assert result.values["f"] == dec(2)
        assert result.one_out[("f", "c")] == compute_median([dec(1), dec(2)])
        assert result.one_out[("f", "a")] == dec(6)


def test_anchoring_is_active_for_very_negative_forecasted_regrets() -> None:
    """Forecasted losses far above the last network loss shift the whole set (§5.3 step 2)."""
    with dec_context():
        values = [dec("0.1"), dec("0.2"), dec("0.3")]
        regrets = [dec(-3), dec("-3.1"), dec("-3.2")]
        got = compute_forecast_implied_inference(values, regrets, epsilon=EPS, weight_map=WM)
        shifted = compute_forecast_implied_inference(
            values, [r - 5 for r in regrets], epsilon=EPS, weight_map=WM
        )
        # After the shift only differences matter: subtracting a constant changes nothing
        # beyond rounding.
        assert got is not None and shifted is not None
        assert abs(got - shifted) < dec("1e-25")
