"""Helper functions of SYNTHESIS.md §2: EMA, standard deviation, quantile, potential, median,
weighted percentiles.

All take and return :data:`~pyallora.core.dec.Dec` and assume the caller runs under the Dec
context (the engine's public entry points do).

>>> from pyallora.core.dec import dec, dec_context, to_text
>>> with dec_context():
...     to_text(quantile([dec(1), dec(2), dec(3), dec(4)], dec("0.25")))
'1.75'
"""

from __future__ import annotations

from collections.abc import Sequence

import gmpy2

from pyallora.core.dec import ONE, ZERO, Dec, softplus


def compute_ema(alpha: Dec, new: Dec, previous: Dec) -> Dec:
    """ema_α(new, prev) = α·new + (1 − α)·prev (§2.1)."""
    result: Dec = alpha * new + (ONE - alpha) * previous
    return result


def compute_mean(values: Sequence[Dec]) -> Dec:
    """Arithmetic mean; 0 for an empty list."""
    if not values:
        return ZERO
    result: Dec = gmpy2.fsum(values) / len(values)
    return result


def compute_stdev(values: Sequence[Dec]) -> Dec:
    """Sample (Bessel-corrected) standard deviation; 0 when n ≤ 1 (§2.2)."""
    n = len(values)
    if n <= 1:
        return ZERO
    mean = compute_mean(values)
    total = gmpy2.fsum([(v - mean) * (v - mean) for v in values])
    result: Dec = gmpy2.sqrt(total / (n - 1))
    return result


def compute_quantile(values: Sequence[Dec], q: Dec) -> Dec:
    """Linear-interpolation quantile of §2.3 (numpy's default); 0 for an empty list."""
    n = len(values)
    if n == 0:
        return ZERO
    descending = sorted(values, reverse=True)
    pos = (ONE - q) * (n - 1)
    lo = int(gmpy2.floor(pos))
    hi = int(gmpy2.ceil(pos))
    result: Dec = descending[lo] + (descending[hi] - descending[lo]) * (pos - lo)
    return result


quantile = compute_quantile


def compute_median(values: Sequence[Dec]) -> Dec:
    """Median of the ascending list (mean of the two middle values for even n) (§2.5)."""
    n = len(values)
    if n == 0:
        return ZERO
    ordered = sorted(values)
    mid = n // 2
    if n % 2:
        return ordered[mid]
    result: Dec = (ordered[mid - 1] + ordered[mid]) / 2
    return result


def compute_phi(p: Dec, c: Dec, x: Dec) -> Dec:
    """Potential φ_{p,c}(x) = ln(1 + e^{p(x − c)}), overflow-free (§2.4, §20)."""
    return softplus(p * (x - c))


def compute_phi_prime(p: Dec, c: Dec, x: Dec) -> Dec:
    """Derivative φ'_{p,c}(x) = p / (1 + e^{p(c − x)}) (§2.4)."""
    result: Dec = p / (ONE + gmpy2.exp(p * (c - x)))
    return result


def compute_weighted_percentiles(
    values: Sequence[Dec], weights: Sequence[Dec], percentiles: Sequence[Dec]
) -> list[Dec]:
    """Weighted percentiles P(x, w, q₁..q_s) of §2.6 (q in percent).

    Zero-weight pairs are dropped; equal x keep their input order; without any weight left
    every percentile is the median of the x.
    """
    pairs = [(x, w) for x, w in zip(values, weights, strict=True) if w != 0]
    if not pairs:
        median = compute_median(values)
        return [median for _ in percentiles]
    # sorted() is stable: equal x keep their input order.
    pairs.sort(key=lambda pair: pair[0])
    total = gmpy2.fsum([w for _, w in pairs])
    nodes: list[Dec] = []
    cumulative = ZERO
    for _, w in pairs:
        cumulative = cumulative + w
        nodes.append((cumulative - w / 2) / total)
    xs = [x for x, _ in pairs]
    out: list[Dec] = []
    for q in percentiles:
        target = q / 100
        if target <= nodes[0]:
            out.append(xs[0])
            continue
        if target >= nodes[-1]:
            out.append(xs[-1])
            continue
        i = 1
        while nodes[i] < target:
            i += 1
        lo_node, hi_node = nodes[i - 1], nodes[i]
        if hi_node == lo_node:
            out.append(xs[i])
            continue
        out.append(xs[i - 1] + (xs[i] - xs[i - 1]) * (target - lo_node) / (hi_node - lo_node))
    return out
