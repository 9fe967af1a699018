"""SYNTHESIS.md §5: regret normalisation, the weight map and the weighted combination."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from synthesis_factories import d

from pyallora.core.dec import ONE, ZERO, Dec, dec, dec_context
from pyallora.synthesis.helpers import compute_phi_prime, compute_stdev
from pyallora.synthesis.weights import (
    compute_moments,
    compute_regret_stdev,
    compute_regret_weights,
    compute_stdev_without,
    compute_weight,
    compute_weight_map,
    compute_weight_with,
    compute_weighted_combination,
    compute_weights_with_denominator,
)

P, C = dec(3), dec("0.75")

# (R̂, R̂_max) → w from the chain's unit tests (SYNTHESIS.md §5.3).
REFERENCE = [
    ("-24.5", "-24.5", "7.835709572871582e-4"),
    ("-15", "-14", "3.90213853994281e-5"),
    ("-1", "-0.5", "0.015660377080675192"),
    ("0", "0", "0.28604839469732846"),
    ("1", "1", "2.037536097526179"),
    ("-1.32345", "0.1238729", "0.00595380787049663"),
]

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(("normalized", "maximum", "expected"), REFERENCE)
def test_reference_weights(normalized: str, maximum: str, expected: str) -> None:
    with dec_context():
        weight = compute_weight(dec(normalized), dec(maximum), p=P, c=C)
        want = dec(expected)
        assert abs(weight - want) <= want * dec("1e-15")


@pytest.mark.parametrize(("normalized", "maximum", "expected"), REFERENCE)
def test_kernel_reproduces_reference_weights(normalized: str, maximum: str, expected: str) -> None:
    """The vectorised kernel with denominator 1 is the same map."""
    with dec_context():
        (weight,) = compute_weights_with_denominator(
            [dec(normalized)], ONE, dec(maximum), compute_weight_map(P, C)
        )
        want = dec(expected)
        assert abs(weight - want) <= want * dec("1e-15")


def test_map_constants_for_the_defaults() -> None:
    with dec_context():
        wm = compute_weight_map(P, C)
        assert (wm.cap, wm.anchor, wm.cut) == (dec(3), dec(-2), dec(-5))


def test_cap_anchor_and_cut() -> None:
    with dec_context():
        wm = compute_weight_map(P, C)
        # Above the cap every regret gets the cap's weight.
        assert compute_weight_with(dec(10), dec(10), wm) == compute_weight_with(dec(3), dec(3), wm)
        # Below the cut (no shift since R̂_max ≥ anchor): weight 0.
        assert compute_weight_with(dec("-5.5"), dec(0), wm) == 0
        assert compute_weight_with(dec(-5), dec(0), wm) > 0
        # The shift puts the best member at the anchor: weight φ'(−2).
        best = compute_weight_with(dec(-30), dec(-30), wm)
        assert abs(best - compute_phi_prime(P, C, dec(-2))) <= best * dec("1e-30")


@given(st.lists(finite, min_size=1, max_size=12), st.sampled_from(["0.01", "1e-4", "0.5"]))
def test_kernel_agrees_with_the_literal_map(values: list[float], epsilon: str) -> None:
    with dec_context():
        regrets = [d(v) for v in values]
        wm = compute_weight_map(P, C)
        eps = dec(epsilon)
        weights = compute_regret_weights(regrets, epsilon=eps, weight_map=wm)
        scale = abs(compute_regret_stdev(regrets)) + eps
        top = max(regrets) / scale
        for regret, weight in zip(regrets, weights, strict=True):
            literal = compute_weight_with(regret / scale, top, wm)
            assert weight >= 0
            if literal == 0 or weight == 0:
                # Only a regret sitting on the cut to the last bits may fall either side.
                assert abs(regret / scale - wm.cut) < dec("1e-25") or weight == literal
            else:
                assert abs(weight - literal) <= literal * dec("1e-30")
        # The best member never has weight 0.
        assert weights[regrets.index(max(regrets))] > 0


@given(st.lists(finite, min_size=0, max_size=15))
def test_exact_moment_stdev_matches_the_definition(values: list[float]) -> None:
    with dec_context():
        xs = [d(v) for v in values]
        exact = compute_regret_stdev(xs)
        literal = compute_stdev(xs)
        assert abs(exact - literal) <= max(literal, ONE) * dec("1e-30")
        # Order never matters.
        assert compute_regret_stdev(list(reversed(xs))) == exact


@given(st.lists(finite, min_size=2, max_size=15), st.data())
def test_removing_one_element_is_exact(values: list[float], data: st.DataObject) -> None:
    with dec_context():
        xs = [d(v) for v in values]
        moments, scaled = compute_moments(xs)
        position = data.draw(st.integers(0, len(xs) - 1))
        rest = xs[:position] + xs[position + 1 :]
        assert compute_stdev_without(moments, scaled[position]) == compute_regret_stdev(rest)


def test_one_regret_uses_sigma_zero() -> None:
    with dec_context():
        assert compute_regret_stdev([dec("1.5")]) == ZERO
        (weight,) = compute_regret_weights(
            [dec("0.02")], epsilon=dec("0.01"), weight_map=compute_weight_map(P, C)
        )
        # R̂ = 0.02/0.01 = 2 → φ'(2).
        want = compute_phi_prime(P, C, dec(2))
        assert abs(weight - want) <= want * dec("1e-30")


def test_combination_floors_the_weight_sum() -> None:
    with dec_context():
        tiny = dec("1e-9")
        value = compute_weighted_combination(
            [dec(5), dec(7)], [tiny, ZERO], epsilon_safe_div=dec("1e-7")
        )
        assert value == tiny * 5 / dec("1e-7")
        plain = compute_weighted_combination(
            [dec(1), dec(3)], [dec(1), dec(3)], epsilon_safe_div=dec("1e-7")
        )
        assert plain == dec("2.5")


@given(st.lists(st.tuples(finite, st.floats(0, 10)), min_size=1, max_size=10))
def test_combination_is_order_independent(pairs: list[tuple[float, float]]) -> None:
    with dec_context():
        values = [d(v) for v, _ in pairs]
        weights: list[Dec] = [d(w) for _, w in pairs]
        forward = compute_weighted_combination(values, weights, epsilon_safe_div=dec("1e-7"))
        order = list(range(len(pairs)))
        random.Random(len(pairs)).shuffle(order)
        shuffled = compute_weighted_combination(
            [values[i] for i in order], [weights[i] for i in order], epsilon_safe_div=dec("1e-7")
        )
        assert forward == shuffled
