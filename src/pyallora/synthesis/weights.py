"""From regrets to weights (SYNTHESIS.md §5): joint normalisation, the weight map with its
cap / anchor / cut rules, and the weighted combination with the EpsilonSafeDiv floor.

The σ of the normalisation (§5.2, the sample standard deviation of §2.2) is computed from
*exact* moments: every Dec is a dyadic rational, so Σx and Σx² are summed exactly as integers
and σ = sqrt((nΣx² − (Σx)²) / (n(n − 1))) is rounded only three times (integer → Dec, the
division, the square root). The result does not depend on the order of the regrets, and
:class:`RegretMoments` removes one element in O(1) with the very same result as recomputing
σ of the reduced set, which is what the one-out forecast-implied inferences (§6) need.

Cost: σ of n regrets O(n) big-integer additions; the weights O(n) with one exponential per
weight that is not cut (§5.3 step 3 skips the exponential).

>>> from pyallora.core.dec import dec, dec_context
>>> with dec_context():
...     w = compute_weight(dec(0), dec(0), p=dec(3), c=dec("0.75"))
...     format(w, ".15Zf")
'0.286048394697328'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gmpy2

from pyallora.core.dec import ONE, TWO, ZERO, Dec, dec

_CAP_OFFSET = dec("6.75")
_ANCHOR_OFFSET = dec("8.25")
_CUT_OFFSET = dec("17.25")


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightMap:
    """The constants of the §5.3 map for one (p, c): cap = c + 6.75/p, anchor = c − 8.25/p,
    cut = c − 17.25/p, and the exponents p·c, p(c − cap), p(c − anchor), p(c − cut) that the
    vectorised kernel (:func:`compute_weights_with_denominator`) works with."""

    p: Dec
    c: Dec
    cap: Dec
    anchor: Dec
    cut: Dec
    p_c: Dec
    exponent_at_cap: Dec
    exponent_at_anchor: Dec
    exponent_at_cut: Dec


def compute_weight_map(p: Dec, c: Dec) -> WeightMap:
    """The §5.3 constants for (p, c) (defaults p = 3, c = 0.75: cap 3, anchor −2, cut −5)."""
    cap = c + _CAP_OFFSET / p
    anchor = c - _ANCHOR_OFFSET / p
    cut = c - _CUT_OFFSET / p
    return WeightMap(
        p=p,
        c=c,
        cap=cap,
        anchor=anchor,
        cut=cut,
        p_c=p * c,
        exponent_at_cap=p * (c - cap),
        exponent_at_anchor=p * (c - anchor),
        exponent_at_cut=p * (c - cut),
    )


# ---------------------------------------------------------------------------------------------
# σ from exact moments


@dataclass(frozen=True, slots=True, kw_only=True)
class RegretMoments:
    """Exact first and second moments of a list of Decs: x_i = X_i · 2^scale with integer X_i,
    ``total`` = ΣX_i, ``total_squares`` = ΣX_i²."""

    count: int
    total: int
    total_squares: int
    scale: int


def compute_moments(values: Sequence[Dec]) -> tuple[RegretMoments, list[int]]:
    """Exact moments of ``values`` and each value's integer X_i at the common scale."""
    parts = [value.as_mantissa_exp() for value in values]
    scale = min((int(e) for _, e in parts), default=0)
    scaled = [int(m) << (int(e) - scale) for m, e in parts]
    moments = RegretMoments(
        count=len(scaled),
        total=sum(scaled),
        total_squares=sum(x * x for x in scaled),
        scale=scale,
    )
    return moments, scaled


def compute_stdev_from_moments(count: int, total: int, total_squares: int, scale: int) -> Dec:
    """Sample standard deviation (§2.2) of a list with the given exact moments; 0 if n ≤ 1."""
    if count <= 1:
        return ZERO
    numerator = count * total_squares - total * total
    if numerator <= 0:
        return ZERO
    variance: Dec = gmpy2.mpfr(numerator) / (count * (count - 1))
    result: Dec = gmpy2.sqrt(variance) * (TWO**scale)
    return result


def compute_regret_stdev(values: Sequence[Dec]) -> Dec:
    """σ of §5.2 (sample standard deviation of §2.2) from exact moments, order-independent."""
    moments, _ = compute_moments(values)
    return compute_stdev_from_moments(
        moments.count, moments.total, moments.total_squares, moments.scale
    )


def compute_stdev_without(moments: RegretMoments, removed: int) -> Dec:
    """σ of the list without one element whose scaled integer is ``removed`` (O(1))."""
    return compute_stdev_from_moments(
        moments.count - 1,
        moments.total - removed,
        moments.total_squares - removed * removed,
        moments.scale,
    )


# ---------------------------------------------------------------------------------------------
# The weight map


def compute_weight(normalized: Dec, normalized_max: Dec, *, p: Dec, c: Dec) -> Dec:
    """w = φ'_{p,c}(r) after the cap / anchor / cut rules of §5.3 for one participant.

    Parameters
    ----------
    normalized
        The participant's normalised regret R̂.
    normalized_max
        The largest (uncapped) normalised regret of the set, R̂_max.
    p, c
        The map's exponent and centre.
    """
    return compute_weight_with(normalized, normalized_max, compute_weight_map(p, c))


def compute_weight_with(normalized: Dec, normalized_max: Dec, weight_map: WeightMap) -> Dec:
    """:func:`compute_weight` with precomputed constants."""
    r = normalized if normalized < weight_map.cap else weight_map.cap
    if normalized_max < weight_map.anchor:
        r = r - normalized_max + weight_map.anchor
    if r < weight_map.cut:
        return ZERO
    # The rules bound the exponent p(c − r) to [−6.75, 17.25] before exponentiating (§20).
    result: Dec = weight_map.p / (ONE + gmpy2.exp(weight_map.p * (weight_map.c - r)))
    return result


def compute_weights_with_denominator(
    regrets: Sequence[Dec], denominator: Dec, max_regret: Dec, weight_map: WeightMap
) -> list[Dec]:
    """Weights of ``regrets`` normalised by ``denominator`` = |σ| + ε (§5.2–5.3), vectorised.

    ``max_regret`` is the largest regret of the set. The kernel works on the exponent
    t = p(c − r) of φ'(r) = p/(1 + e^t) with k = p/denominator, which is the §5.3 map with the
    normalised regret R̂ = R/denominator substituted:

    * no shift: t = p·c − k·R, raised to p(c − cap) when below it (the cap on R̂);
    * shift (R̂_max < anchor, never capped then): t = p(c − anchor) − k·(R − R_max);
    * cut: t > p(c − cut) gives weight 0 without an exponential.

    Per weight that is one multiplication and one subtraction fewer than evaluating the map
    on R̂ literally (:func:`compute_weight_with`); both are the same function of the regrets
    and agree to the last few bits. Every combination in the engine uses this kernel, so a
    member computed fast (one-out variants) equals the member recomputed from its own set.
    """
    scale: Dec = weight_map.p / denominator
    p = weight_map.p
    exp = gmpy2.exp
    at_cut = weight_map.exponent_at_cut
    if max_regret / denominator < weight_map.anchor:
        base = weight_map.exponent_at_anchor
        return [
            ZERO if (t := base - scale * (regret - max_regret)) > at_cut else p / (ONE + exp(t))
            for regret in regrets
        ]
    p_c, at_cap = weight_map.p_c, weight_map.exponent_at_cap
    return [
        ZERO
        if (t := p_c - scale * regret) > at_cut
        else p / (ONE + exp(at_cap if t < at_cap else t))
        for regret in regrets
    ]


def compute_regret_weights(
    regrets: Sequence[Dec], *, epsilon: Dec, weight_map: WeightMap
) -> list[Dec]:
    """The weights of §5.2–5.3 for one jointly normalised set of regrets (any order)."""
    if not regrets:
        return []
    sigma = compute_regret_stdev(regrets)
    return compute_weights_with_denominator(regrets, abs(sigma) + epsilon, max(regrets), weight_map)


# ---------------------------------------------------------------------------------------------
# Combination (§5.4)


def compute_weight_sum(weights: Sequence[Dec]) -> Dec:
    """Σ w over the weights (zeros add nothing), correctly rounded and order-independent."""
    result: Dec = gmpy2.fsum(weights) if weights else ZERO
    return result


def compute_weighted_combination(
    values: Sequence[Dec], weights: Sequence[Dec], *, epsilon_safe_div: Dec
) -> Dec:
    """Σ w_x v_x / D with D = Σ w_x floored at EpsilonSafeDiv (§5.4).

    Products are rounded once each and both sums are correctly rounded (``fsum``), so the
    result does not depend on the participants' order.
    """
    denominator = compute_weight_sum(weights)
    if denominator < epsilon_safe_div:
        denominator = epsilon_safe_div
    numerator = gmpy2.fsum([w * v for w, v in zip(weights, values, strict=True) if w != 0])
    result: Dec = numerator / denominator
    return result


def compute_normalized_weights(weights: Sequence[Dec], *, epsilon_safe_div: Dec) -> list[Dec]:
    """w_x / D with the same floored D as :func:`compute_weighted_combination`."""
    denominator = compute_weight_sum(weights)
    if denominator < epsilon_safe_div:
        denominator = epsilon_safe_div
    return [w / denominator for w in weights]
