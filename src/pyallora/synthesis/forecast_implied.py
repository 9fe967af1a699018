"""Forecast-implied inferences and their one-out variants (SYNTHESIS.md §6).

For forecaster k, J_k is the set of inferers with an accepted inference and an element in k's
forecast. With the previous network log-loss L_{i−1}, the forecasted regrets are
R_kj = L_{i−1} − L̂_kj; with |J_k| = 1 the forecast-implied inference Ĩ_k is the single
inference; with |J_k| ≥ 2 it is Σ w_kj I_j / Σ w_kj with the §5.2–5.3 weights of
{R_kj : j ∈ J_k} (zero weights skipped; no value when the sum is 0); with |J_k| = 0 there is
none. The one-out variant Ĩ_k^{(−l)} repeats this over J_k \\ {l}; k is excluded when
J_k = {l} (§6, §18 row 12). During the "all inferers new" bootstrap (§17) Ĩ_k is the median of
the inferences in J_k (and Ĩ_k^{(−l)} the median over J_k \\ {l}).

Cost (n = |J_k|, W inferers, F forecasters)
-------------------------------------------
* forecasted regrets and Ĩ_k: O(n) each (n exponentials), O(F·W) in all;
* one-out, the dominant term of the synthesis (§19): for each forecaster the exact moments
  Σx, Σx² of its regrets and the two largest regrets are computed once (O(n)); then for each
  withheld l the σ of J_k \\ {l} comes from the moments in O(1) and the maximum from the top
  two in O(1), which leaves the n − 1 weights themselves: one division, one exponential and a
  few additions each, and one correctly rounded sum. That is F·W·(W − 1) exponentials, the
  minimum, since every weight depends on its own set's σ; nothing else grows as W².
  Every one-out value is bit-for-bit what :func:`compute_forecast_implied_inference` gives
  for the reduced set (the σ is exact-moment based, the sums are order-independent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import gmpy2

from pyallora.core.dec import Dec
from pyallora.synthesis.helpers import compute_median
from pyallora.synthesis.types import Forecast, PairKey, freeze_map
from pyallora.synthesis.weights import (
    WeightMap,
    compute_moments,
    compute_regret_stdev,
    compute_stdev_without,
    compute_weights_with_denominator,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastImpliedInferences:
    """Forecast-implied inferences of one epoch (§6)."""

    values: Mapping[str, Dec]
    """Ĩ_k for every forecaster that has one."""
    one_out: Mapping[PairKey, Dec]
    """Ĩ_k^{(−l)} keyed (forecaster k, withheld inferer l)."""
    forecasted_regrets: Mapping[PairKey, Dec]
    """R_kj = L_{i−1} − L̂_kj keyed (forecaster k, inferer j), for j ∈ J_k."""


def compute_forecast_elements(
    forecast: Forecast, inferences: Mapping[str, Dec]
) -> list[tuple[str, Dec]]:
    """(j, L̂_kj) for j ∈ J_k in sorted inferer order: elements about inferers without an
    accepted inference are dropped (§1 step 1)."""
    kept = [(e.inferer, e.value) for e in forecast.elements if e.inferer in inferences]
    kept.sort(key=lambda pair: pair[0])
    return kept


def _combine(values: Sequence[Dec], weights: Sequence[Dec]) -> Dec | None:
    total = gmpy2.fsum(weights)
    if total == 0:
        return None
    numerator = gmpy2.fsum([w * v for w, v in zip(weights, values, strict=True) if w != 0])
    result: Dec = numerator / total
    return result


def compute_forecast_implied_inference(
    values: Sequence[Dec], regrets: Sequence[Dec], *, epsilon: Dec, weight_map: WeightMap
) -> Dec | None:
    """Ĩ_k from the inferences I_j and forecasted regrets R_kj of J_k (§6).

    Returns None when J_k is empty or every weight is 0.
    """
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    sigma = compute_regret_stdev(regrets)
    weights = compute_weights_with_denominator(
        regrets, abs(sigma) + epsilon, max(regrets), weight_map
    )
    return _combine(values, weights)


def compute_one_out_forecast_implied(
    values: Sequence[Dec], regrets: Sequence[Dec], *, epsilon: Dec, weight_map: WeightMap
) -> list[Dec | None]:
    """Ĩ_k^{(−l)} for every position l of J_k (None: excluded), in O(1) extra work per l
    beyond its n − 1 weights (module docstring)."""
    values, regrets = list(values), list(regrets)
    n = len(values)
    if n <= 1:
        return [None] * n
    if n == 2:
        return [values[1], values[0]]
    moments, scaled = compute_moments(regrets)
    # The largest regret, and the largest once its first occurrence is removed.
    top = max(range(n), key=lambda i: regrets[i])
    top_value = regrets[top]
    second_value = max(regrets[i] for i in range(n) if i != top)
    out: list[Dec | None] = []
    for position in range(n):
        sigma = compute_stdev_without(moments, scaled[position])
        max_regret = second_value if position == top else top_value
        rest_regrets = regrets[:position] + regrets[position + 1 :]
        rest_values = values[:position] + values[position + 1 :]
        weights = compute_weights_with_denominator(
            rest_regrets, abs(sigma) + epsilon, max_regret, weight_map
        )
        out.append(_combine(rest_values, weights))
    return out


def compute_forecast_implied_inferences(
    inferences: Mapping[str, Dec],
    forecasts: Sequence[Forecast],
    previous_network_loss: Dec,
    *,
    epsilon: Dec,
    weight_map: WeightMap,
    with_one_out: bool,
    all_inferers_new: bool = False,
) -> ForecastImpliedInferences:
    """Ĩ_k (and Ĩ_k^{(−l)} when ``with_one_out``) for every forecaster (§6, §17).

    Parameters
    ----------
    inferences
        Accepted inferences I_j by inferer.
    forecasts
        The forecasts (at most one element per inferer each; validated by the caller).
    previous_network_loss
        L_{i−1}.
    epsilon, weight_map
        Topic ε and the §5.3 map of the topic's p and the global c.
    with_one_out
        Whether to compute the one-out variants (needed when W ≥ 2).
    all_inferers_new
        The §17 bootstrap: medians instead of regret weights.
    """
    values: dict[str, Dec] = {}
    one_out: dict[PairKey, Dec] = {}
    regrets_out: dict[PairKey, Dec] = {}
    for forecast in forecasts:
        k = forecast.forecaster
        elements = compute_forecast_elements(forecast, inferences)
        if not elements:
            continue
        ids = [j for j, _ in elements]
        xs = [inferences[j] for j in ids]
        regrets = [previous_network_loss - loss for _, loss in elements]
        for j, regret in zip(ids, regrets, strict=True):
            regrets_out[(k, j)] = regret
        if all_inferers_new:
            values[k] = compute_median(xs)
            if with_one_out and len(xs) >= 2:
                for position in range(len(xs)):
                    one_out[(k, ids[position])] = compute_median(xs[:position] + xs[position + 1 :])
            continue
        value = compute_forecast_implied_inference(
            xs, regrets, epsilon=epsilon, weight_map=weight_map
        )
        if value is not None:
            values[k] = value
        if with_one_out:
            variants = compute_one_out_forecast_implied(
                xs, regrets, epsilon=epsilon, weight_map=weight_map
            )
            for withheld, variant in zip(ids, variants, strict=True):
                if variant is not None:
                    one_out[(k, withheld)] = variant
    return ForecastImpliedInferences(
        values=freeze_map(values),
        one_out=freeze_map(one_out),
        forecasted_regrets=freeze_map(regrets_out),
    )
