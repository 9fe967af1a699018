"""SYNTHESIS.md §11: reputer consensus, listening coefficients, scores.

Vectors (synthesis_epochs.csv rows 301 and 302) → spec unit cases → an independent 200-bit
reference of §11 → properties → the exact Gram path against the direct path.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import gmpy2
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pyallora.core.dec import Dec, dec, dec_context
from pyallora.core.errors import (
    EmptyInputError,
    LengthMismatchError,
    NegativeValueError,
    NonFiniteValueError,
    ParameterError,
    SynthesisInputError,
)
from pyallora.synthesis.reputer_consensus import (
    GRADIENT_STEP,
    ReputerConsensusError,
    ReputerConsensusParams,
    ReputerConsensusResult,
    compute_adjusted_stakes,
    compute_reputer_consensus,
    compute_reputer_consensus_direct,
    is_gram_path_cheaper,
)

PARAMS = ReputerConsensusParams()
with gmpy2.context(precision=113, trap_invalid=False):
    _NAN = gmpy2.mpfr("nan")
    _INF = gmpy2.mpfr("inf")
BOTH_PATHS = pytest.mark.parametrize(
    "compute", [compute_reputer_consensus, compute_reputer_consensus_direct], ids=["auto", "direct"]
)


def _close(got: Dec, want: Dec, rel: str, floor: str) -> bool:
    return bool(abs(got - want) <= max(dec(rel) * abs(want), dec(floor)))


# ---------------------------------------------------------------------------------------------
# Vectors


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def epochs(vectors_dir: Path) -> tuple[list[str], list[dict[str, str]]]:
    path = vectors_dir / "synthesis_epochs.csv"
    with path.open(newline="") as handle:
        header = next(csv.reader(handle))
    return header, _read_rows(path)


def _reputer_inputs(
    header: list[str], row: dict[str, str], previous: dict[str, str]
) -> tuple[list[list[Dec | None]], list[Dec], list[Dec]]:
    count = len([c for c in header if c.startswith("reputer_stake_")])
    losses: list[list[Dec | None]] = [
        [dec(row[c]) for c in header if c.startswith(f"reputer_{m}_loss_")] for m in range(count)
    ]
    stakes = [dec(row[f"reputer_stake_{m}"]) for m in range(count)]
    start = [dec(previous[f"reputer_listening_coefficient_{m}"]) for m in range(count)]
    return losses, stakes, start


@BOTH_PATHS
@pytest.mark.parametrize("index", [1, 2], ids=["epoch301", "epoch302"])
def test_matches_simulator_rows(compute, epochs, index: int) -> None:
    header, rows = epochs
    row, previous = rows[index], rows[index - 1]
    losses, stakes, start = _reputer_inputs(header, row, previous)
    assert len(losses[0]) == 36
    result = compute(losses, stakes, start, PARAMS)
    assert result.iterations == 10  # "In S all epochs run the full 10 iterations"
    groups = {
        "reputer_score": result.scores,
        "reputer_listening_coefficient": result.coefficients,
        "reputer_adjusted_stake": result.adjusted_stakes,
    }
    for name, values in groups.items():
        for m, got in enumerate(values):
            want = dec(row[f"{name}_{m}"])
            assert _close(got, want, "1e-9", "1e-12"), (name, m, got, want)


# ---------------------------------------------------------------------------------------------
# Unit cases


def test_adjusted_stakes_clip_at_one() -> None:
    with dec_context():
        got = compute_adjusted_stakes([dec(1), dec(1), dec("0.5")], [dec(6), dec(2), dec(4)])
        # Σ a S = 10; R = 3: min(18/10, 1) = 1, 6/10, 6/10.
        assert got == [dec(1), dec(3) * 2 / 10, dec(3) * 2 / 10]


def test_single_reputer_scores_one_over_epsilon() -> None:
    result = compute_reputer_consensus([[dec("-3.5"), dec(2)]], [dec(7)], [dec(1)], PARAMS)
    with dec_context():
        assert result.scores == (1 / PARAMS.epsilon_reputer,)
    assert result.adjusted_stakes == (dec(1),)
    assert result.coefficients == (dec(1),)
    assert result.iterations == 1  # zero gradient: g_max = 0 stops the descent


@BOTH_PATHS
def test_missing_value_filled_with_entry_minimum(compute) -> None:
    losses: list[list[Dec | None]] = [
        [dec(1), dec(4)],
        [dec(3), None],
        [dec(2), dec(6)],
    ]
    one = dec(1)
    params = ReputerConsensusParams(max_iterations=1)
    result = compute(losses, [one, one, one], [one, one, one], params)
    with dec_context():
        # Ŝ = 1 each; c = (2, 5); reputer 1's missing value becomes 4 (the entry's minimum).
        norm = gmpy2.sqrt(dec(29))
        two = gmpy2.sqrt(dec(2))
        expected = [
            one / (two / norm + dec("0.01")),
            one / (two / norm + dec("0.01")),
            one / (one / norm + dec("0.01")),
        ]
    for got, want in zip(result.scores, expected, strict=True):
        assert _close(got, want, "1e-32", "0")


@BOTH_PATHS
def test_zero_consensus_norm_uses_epsilon_safe_div(compute) -> None:
    one = dec(1)
    losses: list[list[Dec | None]] = [[one, -one], [-one, one]]
    result = compute(losses, [one, one], [one, one], ReputerConsensusParams(max_iterations=1))
    with dec_context():
        want = one / (gmpy2.sqrt(dec(2)) / dec("1e-7") + dec("0.01"))
    assert result.scores == (want, want)


def test_no_iteration_reports_the_starting_point() -> None:
    losses: list[list[Dec | None]] = [[dec(1), dec(2)], [dec(2), dec(2)]]
    start = [dec("0.75"), dec("0.25")]
    stakes = [dec(1), dec(3)]
    none = compute_reputer_consensus(
        losses, stakes, start, ReputerConsensusParams(max_iterations=0)
    )
    one = compute_reputer_consensus(losses, stakes, start, ReputerConsensusParams(max_iterations=1))
    assert none.iterations == 0
    assert none.coefficients == tuple(start)
    assert none.scores == one.scores  # base scores of the first iteration
    assert none.adjusted_stakes == one.adjusted_stakes
    high = ReputerConsensusParams(max_gradient_threshold=dec(2))
    assert compute_reputer_consensus(losses, stakes, start, high).iterations == 0


def test_listened_fraction_unchanged_below_minimum_stops() -> None:
    # Identical reports: every gradient is zero, so f_new = f_old = 0.2 < MinStakeFraction.
    losses: list[list[Dec | None]] = [[dec(1), dec(2)], [dec(1), dec(2)]]
    start = [dec("0.2"), dec("0.2")]
    result = compute_reputer_consensus(losses, [dec(1), dec(1)], start, PARAMS)
    assert result.iterations == 1
    assert result.coefficients == tuple(start)


def test_step_is_shortened_onto_min_stake_fraction() -> None:
    # With a huge learning rate the clipped step is a_new = (0, 1, 0): f_new = 1/6 < 0.5, so
    # a = a_old + (a_new − a_old)·(0.5 − 1)/(1/6 − 1) = 1 − 0.6 for reputers 0 and 2.
    losses: list[list[Dec | None]] = [[dec(0), dec(0)], [dec(4), dec(-1)], [dec(-1), dec(1)]]
    stakes = [dec(2), dec(1), dec(3)]
    params = ReputerConsensusParams(learning_rate=dec(1000), max_iterations=1)
    result = compute_reputer_consensus(losses, stakes, [dec(1)] * 3, params)
    expected = [dec("0.4"), dec(1), dec("0.4")]
    for got, want in zip(result.coefficients, expected, strict=True):
        assert _close(got, want, "1e-32", "0")
    with dec_context():
        fraction = gmpy2.fsum([a * s for a, s in zip(result.coefficients, stakes, strict=True)])
        assert _close(fraction / 6, dec("0.5"), "1e-32", "0")


def test_gram_path_choice() -> None:
    one = dec(1)
    full: list[list[Dec | None]] = [[one] * 6 for _ in range(3)]
    assert is_gram_path_cheaper(full)
    patchy: list[list[Dec | None]] = [[one] * 6 for _ in range(3)]
    patchy[0][0] = None
    assert is_gram_path_cheaper(patchy)  # K·R = 2·3 ≤ B = 6
    patchy[1][1] = None
    assert not is_gram_path_cheaper(patchy)  # 3·3 > 6


# ---------------------------------------------------------------------------------------------
# Bad inputs


def _ok() -> tuple[list[list[Dec | None]], list[Dec], list[Dec]]:
    return [[dec(1), dec(2)], [dec(2), dec(3)]], [dec(1), dec(2)], [dec(1), dec(1)]


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda ls, s, a: ([], [], []), EmptyInputError),
        (lambda ls, s, a: ([[], []], s, a), EmptyInputError),
        (lambda ls, s, a: (ls, s[:1], a), LengthMismatchError),
        (lambda ls, s, a: (ls, s, [*a, dec(1)]), LengthMismatchError),
        (lambda ls, s, a: ([ls[0], ls[1][:1]], s, a), LengthMismatchError),
        (lambda ls, s, a: ([[_NAN, dec(2)], ls[1]], s, a), NonFiniteValueError),
        (lambda ls, s, a: (ls, [_INF, dec(1)], a), NonFiniteValueError),
        (lambda ls, s, a: (ls, s, [_NAN, dec(1)]), NonFiniteValueError),
        (lambda ls, s, a: (ls, [dec(-1), dec(2)], a), NegativeValueError),
        (lambda ls, s, a: (ls, [dec(0), dec(0)], a), ReputerConsensusError),
        (lambda ls, s, a: (ls, s, [dec(0), dec(0)]), ReputerConsensusError),
        (lambda ls, s, a: ([[None, dec(1)], [None, dec(2)]], s, a), EmptyInputError),
        (lambda ls, s, a: ([[0.5, dec(1)], ls[1]], s, a), SynthesisInputError),
    ],
)
def test_bad_inputs_raise_typed_errors(mutate, error) -> None:
    losses, stakes, start = mutate(*_ok())
    for compute in (compute_reputer_consensus, compute_reputer_consensus_direct):
        with pytest.raises(error):
            compute(losses, stakes, start, PARAMS)


def test_reporters_with_zero_adjusted_stake_raise() -> None:
    # Only reputer 0 reported entry 1, and its coefficient is 0.
    losses: list[list[Dec | None]] = [[dec(1), dec(1)], [dec(2), None]]
    for compute in (compute_reputer_consensus, compute_reputer_consensus_direct):
        with pytest.raises(ReputerConsensusError):
            compute(losses, [dec(1), dec(1)], [dec(0), dec(1)], PARAMS)


@pytest.mark.parametrize(
    "changes",
    [
        {"learning_rate": dec(0)},
        {"max_iterations": -1},
        {"max_iterations": 2.5},
        {"max_gradient_threshold": dec(-1)},
        {"min_stake_fraction": dec("1.5")},
        {"epsilon_reputer": dec(0)},
        {"epsilon_safe_div": dec(0)},
        {"learning_rate": "0.05"},
    ],
)
def test_bad_params_raise(changes: dict[str, object]) -> None:
    with pytest.raises(ParameterError):
        ReputerConsensusParams(**changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# An independent reference: §11 written out literally at 200 bits.

_REFERENCE = gmpy2.context(precision=200, round=gmpy2.RoundToZero)


def _dot(x: Sequence[Dec], y: Sequence[Dec]) -> Dec:
    return sum((a * b for a, b in zip(x, y, strict=True)), gmpy2.mpfr(0))


def _reference(
    losses: Sequence[Sequence[Dec | None]],
    stakes: Sequence[Dec],
    start: Sequence[Dec],
    params: ReputerConsensusParams,
) -> tuple[list[Dec], list[Dec], list[Dec]] | None:
    """§11 written out literally at 200 bits; None when a consensus is 0/0."""
    try:
        return _reference_descent(losses, stakes, start, params)
    except ZeroDivisionError:
        return None


def _reference_descent(
    losses: Sequence[Sequence[Dec | None]],
    stakes: Sequence[Dec],
    start: Sequence[Dec],
    params: ReputerConsensusParams,
) -> tuple[list[Dec], list[Dec], list[Dec]]:
    with gmpy2.context(_REFERENCE):
        r = len(losses)
        size = len(losses[0])
        minima = [min(row[e] for row in losses if row[e] is not None) for e in range(size)]

        def adjusted(a: Sequence[Dec]) -> list[Dec]:
            total = sum((a[n] * stakes[n] for n in range(r)), gmpy2.mpfr(0))
            return [min(r * a[m] * stakes[m] / total, gmpy2.mpfr(1)) for m in range(r)]

        def scores(a: Sequence[Dec]) -> list[Dec]:
            weights = adjusted(a)
            consensus = []
            for e in range(size):
                num = sum(
                    (weights[m] * losses[m][e] for m in range(r) if losses[m][e] is not None),
                    gmpy2.mpfr(0),
                )
                den = sum((weights[m] for m in range(r) if losses[m][e] is not None), gmpy2.mpfr(0))
                if den == 0:
                    raise ZeroDivisionError
                consensus.append(num / den)
            norm = gmpy2.sqrt(sum((c * c for c in consensus), gmpy2.mpfr(0)))
            if norm == 0:
                norm = params.epsilon_safe_div
            out = []
            for m in range(r):
                row = [minima[e] if v is None else v for e, v in enumerate(losses[m])]
                dist = gmpy2.sqrt(
                    sum(((x - c) ** 2 for x, c in zip(row, consensus, strict=True)), 0)
                )
                out.append(1 / (dist / norm + params.epsilon_reputer))
            return out

        a = list(start)
        total_stake = sum(stakes, gmpy2.mpfr(0))
        g_max, it = gmpy2.mpfr(1), 0
        base: list[Dec] = []
        base_adjusted: list[Dec] = []
        while g_max >= params.max_gradient_threshold and it < params.max_iterations:
            old = list(a)
            base = scores(old)
            base_adjusted = adjusted(old)
            phi = _dot(stakes, base)
            grad = []
            for index in range(r):
                delta = -GRADIENT_STEP if old[index] == 1 else GRADIENT_STEP
                moved = list(old)
                moved[index] = old[index] + delta
                phi2 = sum(
                    (s * t for s, t in zip(stakes, scores(moved), strict=True)), gmpy2.mpfr(0)
                )
                grad.append((1 - phi / phi2) / delta)
            new = [
                min(max(x + params.learning_rate * g, 0), 1) for x, g in zip(old, grad, strict=True)
            ]
            f_old = (
                sum((x * s for x, s in zip(old, stakes, strict=True)), gmpy2.mpfr(0)) / total_stake
            )
            f_new = (
                sum((x * s for x, s in zip(new, stakes, strict=True)), gmpy2.mpfr(0)) / total_stake
            )
            stop = False
            if f_new < params.min_stake_fraction:
                if f_new == f_old:
                    a, stop = old, True
                else:
                    k = (params.min_stake_fraction - f_old) / (f_new - f_old)
                    a = [o + (n - o) * k for o, n in zip(old, new, strict=True)]
            else:
                a = new
            g_max = max(abs(x - o) for x, o in zip(a, old, strict=True)) / params.learning_rate
            it += 1
            if stop:
                break
        return base, a, base_adjusted


# ---------------------------------------------------------------------------------------------
# Properties

_value = st.integers(min_value=-4000, max_value=1000).map(lambda i: dec(i) / 1000)
_stake = st.integers(min_value=1, max_value=10**6).map(dec)
_coefficient = st.integers(min_value=400, max_value=1000).map(lambda i: dec(i) / 1000)


@st.composite
def _problems(draw, *, missing: bool, max_reputers: int = 5, max_entries: int = 12):
    r = draw(st.integers(min_value=1, max_value=max_reputers))
    b = draw(st.integers(min_value=1, max_value=max_entries))
    losses: list[list[Dec | None]] = [[draw(_value) for _ in range(b)] for _ in range(r)]
    if missing and r > 1:
        holes = draw(st.lists(st.tuples(st.integers(0, r - 1), st.integers(0, b - 1)), max_size=b))
        for m, e in holes:
            if sum(1 for row in losses if row[e] is not None) > 1:
                losses[m][e] = None
    stakes = [draw(_stake) for _ in range(r)]
    start = [draw(st.one_of(st.just(dec(1)), _coefficient)) for _ in range(r)]
    return losses, stakes, start


def _assert_results_close(
    got: ReputerConsensusResult | tuple[list[Dec], list[Dec], list[Dec]],
    want: ReputerConsensusResult | tuple[list[Dec], list[Dec], list[Dec]],
    rel: str,
) -> None:
    def parts(x):
        if isinstance(x, ReputerConsensusResult):
            return x.scores, x.coefficients, x.adjusted_stakes
        return x

    for got_part, want_part in zip(parts(got), parts(want), strict=True):
        assert len(got_part) == len(want_part)
        for g, w in zip(got_part, want_part, strict=True):
            assert _close(g, w, rel, rel), (g, w)


Outcome = ReputerConsensusResult | type[ReputerConsensusError]


def _listened_fraction(coefficients: Sequence[Dec], stakes: Sequence[Dec]) -> Dec:
    with dec_context():
        listened = gmpy2.fsum([a * s for a, s in zip(coefficients, stakes, strict=True)])
        return listened / gmpy2.fsum(stakes)


def _assume_start_above_min_stake_fraction(coefficients, stakes) -> None:
    """Start where the chain always is (f ≥ MinStakeFraction; a new reputer starts at 1).

    Below it, a zero gradient leaves f_new − f_old at rounding-noise size, and §11.5 step 4
    divides by it: the step is the noise scaled up to reach MinStakeFraction, so its
    direction depends on the last bit of every implementation.
    """
    assume(_listened_fraction(coefficients, stakes) >= PARAMS.min_stake_fraction)


def _run(compute, losses, stakes, start, params: ReputerConsensusParams = PARAMS) -> Outcome:
    """The result, or ReputerConsensusError when the consensus becomes undefined.

    The descent may clip to 0 the coefficient of the only reputer(s) that reported an entry;
    that entry's consensus is then 0/0 and both paths (like the reference chain) refuse.
    """
    try:
        return compute(losses, stakes, start, params)
    except ReputerConsensusError:
        return ReputerConsensusError


@settings(max_examples=40)
@given(_problems(missing=True))
def test_gram_path_matches_direct(problem) -> None:
    losses, stakes, start = problem
    _assume_start_above_min_stake_fraction(start, stakes)
    fast = _run(compute_reputer_consensus, losses, stakes, start)
    direct = _run(compute_reputer_consensus_direct, losses, stakes, start)
    if fast is ReputerConsensusError or direct is ReputerConsensusError:
        assert fast is direct
        return
    assert fast.iterations == direct.iterations
    _assert_results_close(fast, direct, "1e-25")


@settings(max_examples=25)
@given(_problems(missing=True, max_reputers=4, max_entries=6))
def test_matches_literal_reference(problem) -> None:
    losses, stakes, start = problem
    _assume_start_above_min_stake_fraction(start, stakes)
    got = _run(compute_reputer_consensus, losses, stakes, start)
    want = _reference(losses, stakes, start, PARAMS)
    if want is None:
        assert got is ReputerConsensusError
        return
    _assert_results_close(got, want, "1e-25")


@given(_problems(missing=True), st.integers(min_value=-20, max_value=20))
def test_scaling_stakes_by_a_power_of_two_changes_nothing(problem, power: int) -> None:
    losses, stakes, start = problem
    with dec_context():
        scaled = [s * gmpy2.mpfr(2) ** power for s in stakes]
    assert _run(compute_reputer_consensus, losses, scaled, start) == (
        _run(compute_reputer_consensus, losses, stakes, start)
    )


@given(_problems(missing=False), st.integers(min_value=2, max_value=10**9))
def test_scaling_stakes_changes_nothing_up_to_rounding(problem, factor: int) -> None:
    losses, stakes, start = problem
    _assume_start_above_min_stake_fraction(start, stakes)
    with dec_context():
        scaled = [s * factor for s in stakes]
    _assert_results_close(
        compute_reputer_consensus(losses, scaled, start, PARAMS),
        compute_reputer_consensus(losses, stakes, start, PARAMS),
        "1e-25",
    )


@given(_problems(missing=True), st.randoms(use_true_random=False))
def test_relabelling_reputers_permutes_outputs(problem, rnd) -> None:
    losses, stakes, start = problem
    order = list(range(len(losses)))
    rnd.shuffle(order)
    base = _run(compute_reputer_consensus, losses, stakes, start)
    moved = _run(
        compute_reputer_consensus,
        [losses[i] for i in order],
        [stakes[i] for i in order],
        [start[i] for i in order],
    )
    if base is ReputerConsensusError:
        assert moved is base
        return
    assert moved.scores == tuple(base.scores[i] for i in order)
    assert moved.coefficients == tuple(base.coefficients[i] for i in order)
    assert moved.adjusted_stakes == tuple(base.adjusted_stakes[i] for i in order)
    assert moved.iterations == base.iterations


@given(_problems(missing=True), st.sampled_from(["0.05", "1", "20"]))
def test_coefficients_stay_in_unit_interval_and_above_min_stake_fraction(
    problem, learning_rate: str
) -> None:
    losses, stakes, start = problem
    _assume_start_above_min_stake_fraction(start, stakes)
    params = ReputerConsensusParams(learning_rate=dec(learning_rate))
    result = _run(compute_reputer_consensus, losses, stakes, start, params)
    assume(result is not ReputerConsensusError)
    assert all(0 <= a <= 1 for a in result.coefficients)
    after = _listened_fraction(result.coefficients, stakes)
    assert after >= PARAMS.min_stake_fraction - dec("1e-30")
    assert all(0 < t <= 1 / PARAMS.epsilon_reputer for t in result.scores)
    assert all(0 <= s <= 1 for s in result.adjusted_stakes)


def test_inputs_are_not_mutated() -> None:
    losses: list[list[Dec | None]] = [[dec(1), None], [dec(2), dec(3)], [dec(0), dec(1)]]
    stakes = [dec(1), dec(2), dec(3)]
    start = [dec(1), dec("0.5"), dec(1)]
    copies = ([list(r) for r in losses], list(stakes), list(start))
    compute_reputer_consensus(losses, stakes, start, PARAMS)
    assert (losses, stakes, start) == copies


def test_gram_path_matches_direct_at_the_default_caps() -> None:
    # R = 6 reputers, B = 276 entries (W = 32, F = 6); two reputers skipped some entries, so
    # the Gram path runs with three groups of entries.
    r, size = 6, 276
    losses: list[list[Dec | None]] = [
        [dec(-4000 + (e * 37 + m * 101) % 997) / 1000 for e in range(size)] for m in range(r)
    ]
    for e in range(0, size, 7):
        losses[1][e] = None
    for e in range(3, size, 11):
        losses[4][e] = None
    stakes = [dec(1000 * (m + 1) ** 2) for m in range(r)]
    start = [dec(1), dec("0.9"), dec(1), dec("0.7"), dec(1), dec("0.95")]
    assert is_gram_path_cheaper(losses)
    fast = compute_reputer_consensus(losses, stakes, start, PARAMS)
    direct = compute_reputer_consensus_direct(losses, stakes, start, PARAMS)
    assert fast.iterations == direct.iterations
    _assert_results_close(fast, direct, "1e-28")
