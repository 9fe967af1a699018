"""SYNTHESIS.md §12 (fractions, sample window, smoothing, entropy), §13 (χ, split) and the
integer payouts."""

from __future__ import annotations

import itertools
from fractions import Fraction

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from synthesis_factories import d

from pyallora.core.dec import ONE, ZERO, dec, dec_context
from pyallora.core.errors import NegativeValueError, NonFiniteValueError
from pyallora.synthesis.payouts import compute_payouts
from pyallora.synthesis.rewards import (
    SINGLE_PARTICIPANT_ENTROPY,
    compute_entropy,
    compute_forecasting_utility,
    compute_reputer_fractions,
    compute_score_history,
    compute_score_sample,
    compute_smoothing,
    compute_task_rewards,
    compute_worker_fractions,
)


@pytest.mark.parametrize(
    ("task_score", "chi", "tau"),
    [("-0.1", "0.1", "-0.2"), ("1.1", "0.5", "2.2"), ("0.125", "0.2", "0.25")],
)
def test_forecasting_utility_unit_cases(task_score: str, chi: str, tau: str) -> None:
    """§13.1: α = 1, previous τ = 0, inferer scores 0.5, 0.5."""
    with dec_context():
        got_chi, got_tau = compute_forecasting_utility(
            dec(task_score), [dec("0.5"), dec("0.5")], previous_ratio=ZERO, alpha=ONE
        )
        assert abs(got_chi - dec(chi)) <= dec("1e-30")
        assert abs(got_tau - dec(tau)) <= dec("1e-30")


def test_forecasting_utility_degenerate_cases() -> None:
    with dec_context():
        # Every inferer score ≤ 0 and T = 0: χ = 0.5 and τ resets.
        assert compute_forecasting_utility(
            ZERO, [dec(-1)], previous_ratio=dec(3), alpha=dec("0.1")
        ) == (dec("0.5"), ZERO)
        # Every inferer score ≤ 0: the denominator is |T|, so ρ = ±1.
        chi, tau = compute_forecasting_utility(dec(-2), [dec(-1)], previous_ratio=ZERO, alpha=ONE)
        assert (chi, tau) == (dec("0.1"), dec(-1))


def test_sample_window_takes_epochs_newest_first_and_partly() -> None:
    """S: forecasters → 3 + 3 + 3 + the first forecaster of three epochs back."""
    history = [
        (dec(21), dec(22), dec(23)),
        (dec(11), dec(12), dec(13)),
        (dec(1), dec(2), dec(3)),
    ]
    current = [dec(31), dec(32), dec(33)]
    sample = compute_score_sample(current, history, 10)
    assert sample == [dec(x) for x in (31, 32, 33, 21, 22, 23, 11, 12, 13, 1)]
    # More than 10 participants: the current epoch's last 10 in sorted order.
    many = [dec(x) for x in range(12)]
    assert compute_score_sample(many, history, 10) == many[2:]
    # The stored history keeps just enough epochs.
    kept = compute_score_history(current, history, 10)
    assert kept == (tuple(current), history[0], history[1], history[2])
    assert len(compute_score_history(many, history, 10)) == 1


def test_equal_fractions_when_sigma_is_below_epsilon() -> None:
    with dec_context():
        scores = {"a": dec("0.1"), "b": dec("0.1001")}
        fractions = compute_worker_fractions(
            scores, list(scores.values()), p=dec(3), c=dec("0.75"), epsilon=dec("0.01")
        )
    assert dict(fractions) == {"a": dec("0.5"), "b": dec("0.5")}


@given(st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=8))
def test_worker_fractions_are_a_distribution_increasing_in_score(scores: list[float]) -> None:
    with dec_context():
        named = {f"w{i}": d(s) for i, s in enumerate(scores)}
        fractions = compute_worker_fractions(
            named, list(named.values()), p=dec(3), c=dec("0.75"), epsilon=dec("0.01")
        )
        assert abs(sum(fractions.values(), ZERO) - ONE) <= dec("1e-30")
        ordered = sorted(named, key=lambda k: named[k])
        for low, high in itertools.pairwise(ordered):
            assert fractions[low] <= fractions[high]


def test_reputer_fractions_with_exponent_one_are_stake_times_score() -> None:
    with dec_context():
        got = compute_reputer_fractions(
            {"a": dec(1), "b": dec(3), "z": ZERO},
            {"a": dec(2), "b": dec(2), "z": dec(5)},
            p_reward_reputer=ONE,
        )
    assert dict(got) == {"a": dec("0.25"), "b": dec("0.75"), "z": ZERO}


def test_smoothing_and_entropy() -> None:
    with dec_context():
        smoothing = compute_smoothing({"a": dec("0.5"), "b": dec("0.5")}, {"a": dec(1)}, dec("0.1"))
        # e_a = 0.1·0.5 + 0.9·1 = 0.95, e_b = 0.5 (no stored value)
        assert abs(smoothing.smoothed["a"] - dec("0.95") / dec("1.45")) <= dec("1e-32")
        n_eff = ONE / (dec("0.95") ** 2 + dec("0.5") ** 2)
        assert smoothing.effective_count is not None
        assert abs(smoothing.effective_count - n_eff) <= dec("1e-32")
        entropy = compute_entropy(smoothing, dec("0.25"))
        ua, ub = smoothing.smoothed["a"], smoothing.smoothed["b"]
        want = -(ua * gmpy2.log(ua) + ub * gmpy2.log(ub)) * (smoothing.effective_count / 2) ** dec(
            "0.25"
        )
        assert abs(entropy - want) <= want * dec("1e-30")
        alone = compute_smoothing({"a": ONE}, {}, dec("0.1"))
        assert compute_entropy(alone, dec("0.25")) == SINGLE_PARTICIPANT_ENTROPY
        with_zero = compute_smoothing({"a": ONE, "z": ZERO}, {}, dec("0.1"))
        assert compute_entropy(with_zero, dec("0.25")) == ZERO  # 0·ln 0 = 0, 1·ln 1 = 0


@given(
    st.floats(0, 3),
    st.floats(0, 3),
    st.floats(0, 3),
    st.sampled_from(["0.1", "0.3", "0.5"]),
    st.integers(0, 10**24),
)
def test_task_split_adds_up(f: float, g: float, h: float, chi: str, reward: int) -> None:
    with dec_context():
        split = compute_task_rewards(d(f), d(g), d(h), utility=dec(chi), topic_reward=dec(reward))
        total = split.inference + split.forecasting + split.reputation
        if f + g + h == 0:
            assert total == 0
        else:
            assert abs(total - reward) <= dec(reward) * dec("1e-30")
        if f + g == 0:
            assert split.inference == split.forecasting == 0


# ---------------------------------------------------------------------------------------------
# payouts

amounts_strategy = st.dictionaries(
    st.tuples(st.sampled_from(["inferer", "forecaster", "reputer"]), st.text("abc", max_size=3)),
    st.floats(0, 1e6, allow_nan=False),
    min_size=1,
    max_size=12,
)


@given(st.integers(0, 10**27), amounts_strategy)
def test_payouts_add_up_exactly_and_stay_within_one_unit(total: int, raw: dict) -> None:
    with dec_context():
        amounts = {key: d(value) for key, value in raw.items()}
        paid = compute_payouts(total, amounts)
        weight = sum(amounts.values(), ZERO)
    assert list(paid) == sorted(amounts)
    if weight == 0:
        assert set(paid.values()) == {0}
        return
    assert sum(paid.values()) == total
    exact = {key: Fraction(*map(int, a.as_integer_ratio())) for key, a in amounts.items()}
    exact_total = sum(exact.values())
    for key, units in paid.items():
        assert abs(units - total * exact[key] / exact_total) < 1


@given(st.integers(0, 10**27), amounts_strategy, st.randoms())
def test_payouts_do_not_depend_on_input_order(total: int, raw: dict, rnd: object) -> None:
    with dec_context():
        amounts = {key: d(value) for key, value in raw.items()}
        keys = list(amounts)
        rnd.shuffle(keys)  # type: ignore[attr-defined]
        assert compute_payouts(total, {k: amounts[k] for k in keys}) == compute_payouts(
            total, amounts
        )


@given(st.integers(0, 10**27), st.floats(1e-9, 1e9))
def test_a_participant_alone_gets_everything(total: int, amount: float) -> None:
    assert compute_payouts(total, {("reputer", "r"): d(amount)}) == {("reputer", "r"): total}


def test_leftover_units_go_to_the_largest_remainders_then_by_key() -> None:
    amounts = {"b": dec(1), "a": dec(1), "c": dec(2)}
    # Quotas 1.25, 1.25, 2.5: the one leftover unit goes to c (largest remainder).
    assert compute_payouts(5, amounts) == {"a": 1, "b": 1, "c": 3}
    # Quotas 1.5, 1.5, 3: a and b tie for the leftover unit; a comes first by key.
    assert compute_payouts(6, amounts) == {"a": 2, "b": 1, "c": 3}
    assert compute_payouts(4, amounts) == {"a": 1, "b": 1, "c": 2}
    assert compute_payouts(2, {"a": dec(1), "b": dec(1), "c": dec(1)}) == {"a": 1, "b": 1, "c": 0}


def test_payouts_reject_bad_amounts() -> None:
    with pytest.raises(NegativeValueError, match="-1"):
        compute_payouts(-1, {"a": ONE})
    with pytest.raises(NegativeValueError, match="'a'"):
        compute_payouts(10, {"a": dec(-1)})
    with dec_context(), pytest.raises(NonFiniteValueError, match="'a'"):
        compute_payouts(10, {"a": gmpy2.mpfr("inf")})
