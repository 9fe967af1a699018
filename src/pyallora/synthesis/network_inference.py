"""The network inference family (SYNTHESIS.md §7) and its edge cases (§17).

Every member is a §5.4 combination whose weights come from §5.2–5.3 applied to exactly the
regrets of its participants, read from the stored regrets (a missing regret reads as the
topic initial regret R₀, §9.2):

* N (§7.1): inferers (I_j, R_j) and forecasters (Ĩ_k, R_k);
* N⁻ (§7.2): inferers (I_j, R⁻_j);
* N⁻_l (§7.3, W ≥ 2): inferers j ≠ l (I_j, R⁻_{l,j}), forecasters (Ĩ_k^{(−l)}, R⁻_{l,k});
* N⁻_{k'} (§7.4, F ≥ 2): inferers (I_j, R⁻_{k',j}), forecasters k ≠ k' (Ĩ_k, R⁻_{k',k});
* N⁺_k (§7.5, F ≥ 2): inferers (I_j, R⁺_{k,j}) and forecaster k (Ĩ_k, R⁺_{k,k});
* the confidence band (§7.6): weighted percentiles of the §7.1 values and weights.

F counts the forecasters that have a forecast-implied inference (only they participate).

Cost: N, N⁻ and the band O((W + F) log(W + F)); the W one-out-inferer members O(W·(W + F))
exponentials; the one-out-forecaster and one-in members O(F·(W + F)). The forecast-implied
inferences they use are computed once (:mod:`pyallora.synthesis.forecast_implied`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import gmpy2

from pyallora.core.dec import ONE, ZERO, Dec, dec
from pyallora.synthesis.forecast_implied import (
    ForecastImpliedInferences,
    compute_forecast_implied_inferences,
)
from pyallora.synthesis.helpers import compute_median, compute_weighted_percentiles
from pyallora.synthesis.params import SynthesisParams
from pyallora.synthesis.types import (
    ERROR_BAR_PERCENTILES,
    Forecast,
    NetworkInferences,
    PairKey,
    RegretState,
    ValueBundle,
    freeze_map,
)
from pyallora.synthesis.weights import (
    WeightMap,
    compute_regret_weights,
    compute_weight_map,
    compute_weight_sum,
)

MODE_FULL = "full"
"""The regular synthesis of §6–§7."""
MODE_SINGLE_INFERENCE = "single_inference"
"""Exactly one inference (§17)."""
MODE_NO_PREVIOUS_LOSS = "no_previous_loss"
"""No previous network loss: the median of the inferences (§17)."""
MODE_ALL_INFERERS_NEW = "all_inferers_new"
"""Topic initial regret exactly 0: plain means and medians (§17)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Combination:
    """One member of the family: its value and the raw §5.3 weights of its participants."""

    value: Dec
    weights: tuple[Dec, ...]


def compute_combination(
    values: Sequence[Dec],
    regrets: Sequence[Dec],
    *,
    epsilon: Dec,
    epsilon_safe_div: Dec,
    weight_map: WeightMap,
) -> Combination:
    """Normalise ``regrets`` jointly, map them to weights and combine ``values`` (§5.2–5.4)."""
    weights = compute_regret_weights(regrets, epsilon=epsilon, weight_map=weight_map)
    denominator = compute_weight_sum(weights)
    if denominator < epsilon_safe_div:
        denominator = epsilon_safe_div
    numerator = gmpy2.fsum([w * v for w, v in zip(weights, values, strict=True) if w != 0])
    return Combination(value=numerator / denominator, weights=tuple(weights))


def _read(regrets: Mapping[str, Dec], key: str, initial: Dec) -> Dec:
    value = regrets.get(key)
    return initial if value is None else value


def _read_pair(regrets: Mapping[PairKey, Dec], key: PairKey, initial: Dec) -> Dec:
    value = regrets.get(key)
    return initial if value is None else value


def compute_error_bars(values: Sequence[Dec], weights: Sequence[Dec]) -> tuple[Dec, ...] | None:
    """The confidence band of §7.6 (None when the weights sum to 0)."""
    if not values or compute_weight_sum(weights) == 0:
        return None
    percentiles = [dec(q) for q in ERROR_BAR_PERCENTILES]
    return tuple(compute_weighted_percentiles(values, weights, percentiles))


def _mean(values: Sequence[Dec]) -> Dec:
    result: Dec = gmpy2.fsum(values) / len(values)
    return result


def _normalize(weights: Sequence[Dec], epsilon_safe_div: Dec) -> list[Dec]:
    denominator = compute_weight_sum(weights)
    if denominator < epsilon_safe_div:
        denominator = epsilon_safe_div
    return [w / denominator for w in weights]


def compute_full_family(
    inferences: Mapping[str, Dec],
    implied: ForecastImpliedInferences,
    regrets: RegretState,
    initial_regret: Dec,
    params: SynthesisParams,
) -> NetworkInferences:
    """The §7 family from the forecast-implied inferences and the stored regrets."""
    eps, safe = params.epsilon, params.epsilon_safe_div
    weight_map = compute_weight_map(params.p_norm, params.c_norm)
    r0 = initial_regret
    inferers = list(inferences)  # sorted (the caller passes a sorted map)
    forecasters = list(implied.values)
    i_values = [inferences[j] for j in inferers]
    f_values = [implied.values[k] for k in forecasters]

    def combine(values: Sequence[Dec], regret_list: Sequence[Dec]) -> Combination:
        return compute_combination(
            values, regret_list, epsilon=eps, epsilon_safe_div=safe, weight_map=weight_map
        )

    # §7.1
    network = combine(
        i_values + f_values,
        [_read(regrets.inferer, j, r0) for j in inferers]
        + [_read(regrets.forecaster, k, r0) for k in forecasters],
    )
    normalized = _normalize(network.weights, safe)
    # §7.2
    naive = combine(i_values, [_read(regrets.naive_inferer, j, r0) for j in inferers])
    # §7.3
    one_out_inferers: dict[str, Dec] = {}
    if len(inferers) >= 2:
        for withheld in inferers:
            members = [j for j in inferers if j != withheld]
            with_l = [k for k in forecasters if (k, withheld) in implied.one_out]
            one_out_inferers[withheld] = combine(
                [inferences[j] for j in members] + [implied.one_out[(k, withheld)] for k in with_l],
                [_read_pair(regrets.one_out_inferer_inferer, (withheld, j), r0) for j in members]
                + [
                    _read_pair(regrets.one_out_inferer_forecaster, (withheld, k), r0)
                    for k in with_l
                ],
            ).value
    # §7.4 and §7.5
    one_out_forecasters: dict[str, Dec] = {}
    one_in_forecasters: dict[str, Dec] = {}
    if len(forecasters) >= 2:
        for withheld in forecasters:
            others = [k for k in forecasters if k != withheld]
            one_out_forecasters[withheld] = combine(
                i_values + [implied.values[k] for k in others],
                [
                    _read_pair(regrets.one_out_forecaster_inferer, (withheld, j), r0)
                    for j in inferers
                ]
                + [
                    _read_pair(regrets.one_out_forecaster_forecaster, (withheld, k), r0)
                    for k in others
                ],
            ).value
        for k in forecasters:
            one_in_forecasters[k] = combine(
                [*i_values, implied.values[k]],
                [_read_pair(regrets.one_in_forecaster_inferer, (k, j), r0) for j in inferers]
                + [_read(regrets.one_in_forecaster_self, k, r0)],
            ).value
    bundle = ValueBundle(
        combined=network.value,
        naive=naive.value,
        inferers=inferences,
        forecasters=implied.values,
        one_out_inferer_forecasters=implied.one_out,
        one_out_inferers=one_out_inferers,
        one_out_forecasters=one_out_forecasters,
        one_in_forecasters=one_in_forecasters,
    )
    w = len(inferers)
    return NetworkInferences(
        bundle=bundle,
        inferer_weights=freeze_map(zip(inferers, normalized[:w], strict=True)),
        forecaster_weights=freeze_map(zip(forecasters, normalized[w:], strict=True)),
        forecasted_regrets=implied.forecasted_regrets,
        error_bars=compute_error_bars(i_values + f_values, network.weights),
        mode=MODE_FULL,
    )


def compute_bootstrap_family(
    inferences: Mapping[str, Dec], implied: ForecastImpliedInferences
) -> NetworkInferences:
    """The "all inferers new" family (§17): every member is the plain mean of its (remaining)
    inferences, forecasters get no weight, Ĩ_k are medians (computed by the caller)."""
    inferers = list(inferences)
    i_values = [inferences[j] for j in inferers]
    forecasters = list(implied.values)
    mean = _mean(i_values)
    one_out_inferers: dict[str, Dec] = {}
    if len(inferers) >= 2:
        for position, withheld in enumerate(inferers):
            one_out_inferers[withheld] = _mean(i_values[:position] + i_values[position + 1 :])
    one_out_forecasters: dict[str, Dec] = {}
    one_in_forecasters: dict[str, Dec] = {}
    if len(forecasters) >= 2:
        one_out_forecasters = {k: mean for k in forecasters}
        one_in_forecasters = {k: mean for k in forecasters}
    equal = ONE / len(inferers)
    weights = [equal] * len(inferers) + [ZERO] * len(forecasters)
    return NetworkInferences(
        bundle=ValueBundle(
            combined=mean,
            naive=mean,
            inferers=inferences,
            forecasters=implied.values,
            one_out_inferer_forecasters=implied.one_out,
            one_out_inferers=one_out_inferers,
            one_out_forecasters=one_out_forecasters,
            one_in_forecasters=one_in_forecasters,
        ),
        inferer_weights=freeze_map((j, equal) for j in inferers),
        forecaster_weights=freeze_map((k, ZERO) for k in forecasters),
        forecasted_regrets=implied.forecasted_regrets,
        error_bars=compute_error_bars(i_values + [implied.values[k] for k in forecasters], weights),
        mode=MODE_ALL_INFERERS_NEW,
    )


def compute_network_inference_family(
    inferences: Mapping[str, Dec],
    forecasts: Sequence[Forecast],
    regrets: RegretState,
    initial_regret: Dec,
    previous_network_loss: Dec | None,
    params: SynthesisParams,
) -> NetworkInferences:
    """The value bundle of one epoch with the rules of §17 for the degenerate cases.

    In order: one inference → it is N and N⁻ and nothing else is produced; no previous network
    loss → N is the median of the inferences, N⁻ = 0, nothing else; topic initial regret
    exactly 0 → the "all inferers new" bootstrap; otherwise §6–§7.

    ``inferences`` must be a map sorted by inferer id with at least one entry and
    ``forecasts`` valid (see :func:`pyallora.synthesis.epoch.compute_network_inferences`, which
    validates and then calls this).
    """
    empty: Mapping[str, Dec] = freeze_map({})
    if len(inferences) == 1:
        (value,) = inferences.values()
        return NetworkInferences(
            bundle=ValueBundle(combined=value, naive=value, inferers=inferences),
            inferer_weights=empty,
            forecaster_weights=empty,
            forecasted_regrets=freeze_map({}),
            error_bars=None,
            mode=MODE_SINGLE_INFERENCE,
        )
    if previous_network_loss is None:
        return NetworkInferences(
            bundle=ValueBundle(
                combined=compute_median(list(inferences.values())), naive=ZERO, inferers=inferences
            ),
            inferer_weights=empty,
            forecaster_weights=empty,
            forecasted_regrets=freeze_map({}),
            error_bars=None,
            mode=MODE_NO_PREVIOUS_LOSS,
        )
    all_new = initial_regret == 0
    implied = compute_forecast_implied_inferences(
        inferences,
        forecasts,
        previous_network_loss,
        epsilon=params.epsilon,
        weight_map=compute_weight_map(params.p_norm, params.c_norm),
        with_one_out=True,
        all_inferers_new=all_new,
    )
    if all_new:
        return compute_bootstrap_family(inferences, implied)
    return compute_full_family(inferences, implied, regrets, initial_regret, params)
