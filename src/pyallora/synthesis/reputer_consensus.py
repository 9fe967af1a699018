"""Reputer consensus, listening coefficients and reputer scores: implements SYNTHESIS.md §11.

Each reputer m reports a log-loss vector ℓ_m over the B entries of the value bundle (§7.7),
possibly with missing entries. With listening coefficients a and raw stakes S:

* adjusted stakes Ŝ_m(a) = min(R·a_m S_m / Σ_n a_n S_n, 1)                          (§11.1);
* consensus c_e = Ŝ-weighted mean of the values reported at e                       (§11.2);
* a missing value is replaced by the smallest value reported at that entry          (§11.3);
* score T_m(a) = 1 / (‖ℓ_m − c‖ / ‖c‖ + EpsilonReputer), ‖c‖ := EpsilonSafeDiv if 0  (§11.4);
* a finite-difference gradient descent on a with the MinStakeFraction guard          (§11.5).

Two exact evaluations of T(a)
-----------------------------
The descent evaluates T at R + 1 coefficient vectors per iteration (the base and one
perturbation per reputer). Only the adjusted stakes change between evaluations; the loss
matrix does not. Two implementations of one evaluation exist:

* **direct** (:func:`compute_reputer_consensus_direct`): builds c entry by entry and sums the
  squared differences: O(R·B) per evaluation, O(I·R²·B) per call. Each consensus numerator is
  the correctly rounded exact sum of exact products, every other operation is one 113-bit
  rounding.
* **Gram** (the default in :func:`compute_reputer_consensus` whenever it is cheaper): the
  entries are grouped by the set of reputers that reported them (one group when nothing is
  missing). Inside a group P with weights s_n (n ∈ P) and σ = Σ s_n,

      ‖ℓ_m − c‖²_P = G_mm − 2 (Σ_n s_n G_mn)/σ + (Σ_nk s_n s_k G_nk)/σ²,
      ‖c‖²_P       = (Σ_nk s_n s_k G_nk)/σ²,

  with G the Gram matrix of the filled loss vectors over the group's entries. The loss values
  and the adjusted stakes are binary floating-point numbers, so they are converted *exactly*
  to integers at a common binary scale; G and both numerators are then exact integers. Each
  group's (non-negative) term is truncated to 242 bits, the terms are added exactly and the
  sum is truncated to 113 bits; with one group (nothing missing) that is the exact squared
  distance truncated once. The usual hazard of this identity (distances are small
  differences of large norms, so a floating-point evaluation loses as many digits as
  ‖ℓ‖²/‖ℓ_m − c‖² has) therefore does not arise and no centring is needed: the result is at
  least as accurate as the direct evaluation. Cost: R(R+1)/2·B exact integer products once
  for the Gram matrices, then O(K·R²) integer operations per evaluation (K groups),
  O(I·K·R³) for the descent instead of O(I·R²·B). The Gram path is used when K·R ≤ B (at
  that boundary it is still about 5 times faster than the direct one).

Both paths run the same descent code and the same adjusted-stake function; they agree to
about 1e-30 relative (the direct path's own rounding), and they agree exactly on whether ‖c‖
is zero (both test the exact weighted sums).

Measured on one core of the development machine (synthetic bundles, 10 iterations, every
entry reported): R = 6, B = 276: direct 0.085 s, Gram 0.005 s; R = 32, B = 4450 (W = 128,
F = 32): direct 27.5 s, Gram 0.3 s (half of it the Gram matrix); the two agree to 3e-32.

>>> from pyallora.core.dec import dec, to_text
>>> result = compute_reputer_consensus(
...     [[dec(1), dec(2)], [dec(1), dec(2)]], [dec(1), dec(1)], [dec(1), dec(1)],
...     ReputerConsensusParams(),
... )
>>> [to_text(score) for score in result.scores], result.iterations
(['100.0', '100.0'], 1)
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gmpy2
from gmpy2 import mpfr

from pyallora.core.dec import CONTEXT, ONE, ZERO, Dec, dec, is_finite, with_dec_context
from pyallora.core.errors import (
    EmptyInputError,
    LengthMismatchError,
    NegativeValueError,
    NonFiniteValueError,
    ParameterError,
    SynthesisInputError,
)

__all__ = [
    "GRADIENT_STEP",
    "ReputerConsensusError",
    "ReputerConsensusParams",
    "ReputerConsensusResult",
    "compute_adjusted_stakes",
    "compute_reputer_consensus",
    "compute_reputer_consensus_direct",
    "is_gram_path_cheaper",
]

GRADIENT_STEP: Dec = dec("0.001")
"""|δ| of the finite-difference gradient (§11.5 step 2); −δ is used for a coefficient of 1."""

_WIDE = gmpy2.context(CONTEXT, precision=2 * 113 + 16)
"""A context in which the product of two 113-bit Decs is exact (direct consensus numerators)."""


class ReputerConsensusError(SynthesisInputError):
    """The consensus is undefined for these inputs.

    Raised when the total stake is zero, when the listened stake Σ a_n S_n is zero, or when
    every reputer that reported some entry has a zero adjusted stake (its weighted mean would
    divide by zero).
    """


_DEFAULT_LEARNING_RATE = dec("0.05")
_DEFAULT_MAX_GRADIENT_THRESHOLD = dec("0.001")
_DEFAULT_MIN_STAKE_FRACTION = dec("0.5")
_DEFAULT_EPSILON_REPUTER = dec("0.01")
_DEFAULT_EPSILON_SAFE_DIV = dec("1e-7")


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputerConsensusParams:
    """Global parameters of §11 (defaults: SYNTHESIS.md §3.1)."""

    learning_rate: Dec = _DEFAULT_LEARNING_RATE
    """LearningRate: step of the coefficient update; g_max is measured in its units."""
    max_iterations: int = 10
    """GradientDescentMaxIters: at most this many descent iterations (0: none)."""
    max_gradient_threshold: Dec = _DEFAULT_MAX_GRADIENT_THRESHOLD
    """MaxGradientThreshold: the descent stops once max |Δa| / LearningRate is below it."""
    min_stake_fraction: Dec = _DEFAULT_MIN_STAKE_FRACTION
    """MinStakeFraction: minimum stake-weighted mean listening coefficient."""
    epsilon_reputer: Dec = _DEFAULT_EPSILON_REPUTER
    """EpsilonReputer: added to the normalised distance in the score."""
    epsilon_safe_div: Dec = _DEFAULT_EPSILON_SAFE_DIV
    """EpsilonSafeDiv: replaces a zero consensus norm."""

    def __post_init__(self) -> None:
        _check_params(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputerConsensusResult:
    """Outputs of §11.5, one value per reputer in the caller's order."""

    scores: tuple[Dec, ...]
    """Base scores T(a) of the last executed iteration."""
    coefficients: tuple[Dec, ...]
    """Final listening coefficients (the next epoch's starting point)."""
    adjusted_stakes: tuple[Dec, ...]
    """Ŝ of the coefficients at the start of the last executed iteration."""
    iterations: int
    """Number of descent iterations executed."""


# ---------------------------------------------------------------------------------------------
# Validation


def _check_params(params: ReputerConsensusParams) -> None:
    named = (
        ("learning_rate", params.learning_rate),
        ("max_gradient_threshold", params.max_gradient_threshold),
        ("min_stake_fraction", params.min_stake_fraction),
        ("epsilon_reputer", params.epsilon_reputer),
        ("epsilon_safe_div", params.epsilon_safe_div),
    )
    for name, value in named:
        if not isinstance(value, mpfr) or not is_finite(value):
            raise ParameterError(f"{name} must be a finite Dec, got {value!r}")
    if params.learning_rate <= 0:
        raise ParameterError(f"learning_rate must be > 0, got {params.learning_rate}")
    if params.max_gradient_threshold < 0:
        raise ParameterError("max_gradient_threshold must be >= 0")
    if not ZERO <= params.min_stake_fraction <= ONE:
        raise ParameterError("min_stake_fraction must be in [0, 1]")
    if params.epsilon_reputer <= 0:
        raise ParameterError("epsilon_reputer must be > 0")
    if params.epsilon_safe_div <= 0:
        raise ParameterError("epsilon_safe_div must be > 0")
    if isinstance(params.max_iterations, bool) or not isinstance(params.max_iterations, int):
        raise ParameterError("max_iterations must be an int")
    if params.max_iterations < 0:
        raise ParameterError("max_iterations must be >= 0")


def _as_dec(value: object, what: str) -> Dec:
    if isinstance(value, mpfr):
        if not is_finite(value):
            raise NonFiniteValueError(f"{what} is not finite: {value}")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return dec(value)
    raise SynthesisInputError(f"{what} must be a Dec, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class _Inputs:
    """Validated inputs: reported values (None = missing), filled values, stakes, a, groups."""

    reported: tuple[tuple[Dec | None, ...], ...]
    filled: tuple[tuple[Dec, ...], ...]
    stakes: tuple[Dec, ...]
    coefficients: tuple[Dec, ...]
    groups: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    """(reporters, entries) per set of reporters, in order of first appearance."""


def _check_row(row: Sequence[Dec | None], m: int) -> tuple[Dec | None, ...]:
    values = tuple(row)
    if all(isinstance(v, mpfr) and gmpy2.is_finite(v) for v in values):
        return values
    return tuple(
        None if v is None else _as_dec(v, f"loss of reputer {m} at entry {e}")
        for e, v in enumerate(values)
    )


def _group_entries(
    reported: Sequence[Sequence[Dec | None]],
) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Entries grouped by the set of reputers that reported them (first-appearance order)."""
    n_reputers = len(reported)
    size = len(reported[0])
    # Identity tests: ``None in row`` would compare None with every Dec, which is slow.
    incomplete = [m for m in range(n_reputers) if any(v is None for v in reported[m])]
    if not incomplete:
        return ((tuple(range(n_reputers)), tuple(range(size))),)
    groups: dict[tuple[int, ...], list[int]] = {}
    for e in range(size):
        absent = tuple(m for m in incomplete if reported[m][e] is None)
        groups.setdefault(absent, []).append(e)
    return tuple(
        (tuple(m for m in range(n_reputers) if m not in absent), tuple(entries))
        for absent, entries in groups.items()
    )


def _check_inputs(
    losses: Sequence[Sequence[Dec | None]],
    stakes: Sequence[Dec],
    coefficients: Sequence[Dec],
) -> _Inputs:
    n_reputers = len(losses)
    if n_reputers == 0:
        raise EmptyInputError("reputer consensus needs at least one reputer")
    if len(stakes) != n_reputers:
        raise LengthMismatchError(f"{len(stakes)} stakes for {n_reputers} reputers")
    if len(coefficients) != n_reputers:
        raise LengthMismatchError(f"{len(coefficients)} coefficients for {n_reputers} reputers")
    size = len(losses[0])
    if size == 0:
        raise EmptyInputError("the loss bundles have no entry")
    reported: list[tuple[Dec | None, ...]] = []
    for m, row in enumerate(losses):
        if len(row) != size:
            raise LengthMismatchError(f"reputer {m} reports {len(row)} entries, reputer 0 {size}")
        reported.append(_check_row(row, m))
    clean_stakes = tuple(_as_dec(s, f"stake of reputer {m}") for m, s in enumerate(stakes))
    for m, s in enumerate(clean_stakes):
        if s < 0:
            raise NegativeValueError(f"stake of reputer {m} is negative: {s}")
    if gmpy2.fsum(clean_stakes) == 0:
        raise ReputerConsensusError("the reputers' total stake is zero")
    clean_coefficients = tuple(
        _as_dec(a, f"listening coefficient of reputer {m}") for m, a in enumerate(coefficients)
    )
    groups = _group_entries(reported)
    # Placeholders at the missing positions; every one is overwritten below.
    filled_rows = [[ZERO if v is None else v for v in row] for row in reported]
    for reporters, entries in groups:
        if len(reporters) == n_reputers:
            continue
        if not reporters:
            raise EmptyInputError(f"no reputer reported bundle entry {entries[0]}")
        absent = [m for m in range(n_reputers) if m not in reporters]
        for e in entries:
            # §11.3: a missing value counts as the smallest value reported at the entry.
            smallest = min(v for m in reporters if (v := reported[m][e]) is not None)
            for m in absent:
                filled_rows[m][e] = smallest
    return _Inputs(
        reported=tuple(reported),
        filled=tuple(tuple(row) for row in filled_rows),
        stakes=clean_stakes,
        coefficients=clean_coefficients,
        groups=groups,
    )


# ---------------------------------------------------------------------------------------------
# Adjusted stakes and the score formula


def _weighted_sum(weights: Sequence[Dec], values: Sequence[Dec]) -> Dec:
    result: Dec = gmpy2.fsum([w * v for w, v in zip(weights, values, strict=True)])
    return result


def _adjusted_stakes(coefficients: Sequence[Dec], stakes: Sequence[Dec]) -> list[Dec]:
    listened = _weighted_sum(coefficients, stakes)
    if listened == 0:
        raise ReputerConsensusError("the listened stake Σ a_m S_m is zero")
    count = len(stakes)
    adjusted: list[Dec] = []
    for a, s in zip(coefficients, stakes, strict=True):
        share: Dec = count * a * s / listened
        adjusted.append(share if share < ONE else ONE)
    return adjusted


@with_dec_context
def compute_adjusted_stakes(coefficients: Sequence[Dec], stakes: Sequence[Dec]) -> list[Dec]:
    """Adjusted stakes Ŝ_m(a) = min(R·a_m S_m / Σ_n a_n S_n, 1) (SYNTHESIS.md §11.1).

    Raises
    ------
    LengthMismatchError
        When the two sequences differ in length.
    ReputerConsensusError
        When Σ a_n S_n is zero.
    """
    if len(coefficients) != len(stakes):
        raise LengthMismatchError(f"{len(coefficients)} coefficients for {len(stakes)} stakes")
    return _adjusted_stakes(coefficients, stakes)


def _scores_from_squares(
    distance_squares: Sequence[Dec], norm_square: Dec, params: ReputerConsensusParams
) -> list[Dec]:
    norm: Dec = gmpy2.sqrt(norm_square)
    if norm == 0:
        norm = params.epsilon_safe_div
    scores: list[Dec] = []
    for square in distance_squares:
        distance: Dec = gmpy2.sqrt(square)
        scores.append(ONE / (distance / norm + params.epsilon_reputer))
    return scores


Evaluator = Callable[[Sequence[Dec]], tuple[list[Dec], list[Dec]]]
"""Coefficients → (scores T(a), adjusted stakes Ŝ(a))."""


# ---------------------------------------------------------------------------------------------
# Direct evaluation


def _make_direct_evaluator(inputs: _Inputs, params: ReputerConsensusParams) -> Evaluator:
    n_reputers = len(inputs.reported)
    size = len(inputs.reported[0])
    # Per entry: the reporters and their values (a column of the matrix without the missing).
    columns: list[tuple[tuple[int, ...], tuple[Dec, ...]]] = []
    for e in range(size):
        reporters = tuple(m for m in range(n_reputers) if inputs.reported[m][e] is not None)
        values = tuple(inputs.filled[m][e] for m in reporters)
        columns.append((reporters, values))
    filled = inputs.filled

    def evaluate(coefficients: Sequence[Dec]) -> tuple[list[Dec], list[Dec]]:
        adjusted = _adjusted_stakes(coefficients, inputs.stakes)
        consensus: list[Dec] = []
        for e, (reporters, values) in enumerate(columns):
            weights = [adjusted[m] for m in reporters]
            denominator: Dec = gmpy2.fsum(weights)
            with _WIDE:
                products = [w * v for w, v in zip(weights, values, strict=True)]
            numerator: Dec = gmpy2.fsum(products)
            if denominator == 0:
                raise ReputerConsensusError(
                    f"every reputer that reported entry {e} has a zero adjusted stake"
                )
            consensus.append(numerator / denominator)
        norm_square: Dec = gmpy2.fsum([c * c for c in consensus])
        squares: list[Dec] = []
        for m in range(n_reputers):
            row = filled[m]
            squares.append(
                gmpy2.fsum([(x - c) * (x - c) for x, c in zip(row, consensus, strict=True)])
            )
        return _scores_from_squares(squares, norm_square, params), adjusted

    return evaluate


# ---------------------------------------------------------------------------------------------
# Exact Gram evaluation


def _to_scaled_ints(values: Sequence[Dec]) -> tuple[list[Any], int]:
    """Exact integers X (gmpy2 ``mpz``) with values = X·2^scale, scale the smallest exponent.

    Every Dec is a binary number m·2^e, so the conversion is exact.
    """
    parts: list[tuple[Any, Any]] = [v.as_mantissa_exp() for v in values]
    exponents = [e for m, e in parts if m]
    scale = int(min(exponents)) if exponents else 0
    return [m << (e - scale) for m, e in parts], scale


def _ratio_to_wide(numerator: int, denominator: int, exponent: int) -> Dec:
    """numerator/denominator·2^exponent truncated to :data:`_WIDE` precision (0 ≤ num, 0 < den).

    Call under the wide context.
    """
    if numerator == 0:
        return ZERO
    bits = _WIDE.precision + 8
    shift = max(0, bits + denominator.bit_length() - numerator.bit_length())
    # The integer quotient has more bits than the precision, so truncating it truncates the
    # ratio; the power of two is exact.
    quotient = (numerator << shift) // denominator
    result: Dec = mpfr(quotient) * mpfr(2) ** (exponent - shift)
    return result


def _sum_of_ratios(terms: Sequence[tuple[int, int]], exponent: int) -> Dec:
    """Σ num/den · 2^exponent over non-negative terms, rounded toward zero to a Dec.

    Each term is truncated to the wide precision and summed exactly (fsum); truncations toward
    zero compose, so with one term the result is the exact ratio truncated once.
    """
    with _WIDE:
        total: Dec = gmpy2.fsum([_ratio_to_wide(n, d, exponent) for n, d in terms])
    result: Dec = mpfr(total)
    return result


@dataclass(frozen=True, slots=True)
class _Group:
    """One set of reporters P: exact Gram entries G_mn (every m, n ∈ P) and G_mm."""

    reporters: tuple[int, ...]
    gram_rows: tuple[tuple[Any, ...], ...]
    diagonal: tuple[Any, ...]


def _is_gram_cheaper(n_groups: int, n_reputers: int, size: int) -> bool:
    return n_groups * n_reputers <= size


def is_gram_path_cheaper(losses: Sequence[Sequence[Dec | None]]) -> bool:
    """True when the exact Gram evaluation is used: K·R ≤ B with K missing-value patterns."""
    if not losses or not losses[0]:
        return False
    groups = _group_entries(losses)
    return _is_gram_cheaper(len(groups), len(losses), len(losses[0]))


def _make_gram_evaluator(inputs: _Inputs, params: ReputerConsensusParams) -> Evaluator:
    n_reputers = len(inputs.filled)
    size = len(inputs.filled[0])
    ints, scale = _to_scaled_ints([v for row in inputs.filled for v in row])
    rows = [ints[m * size : (m + 1) * size] for m in range(n_reputers)]
    groups: list[_Group] = []
    for reporters, entries in inputs.groups:
        sub = rows if len(entries) == size else [[row[e] for e in entries] for row in rows]
        gram: list[list[Any]] = [[0] * n_reputers for _ in range(n_reputers)]
        for m in range(n_reputers):
            for n in range(m, n_reputers):
                gram[m][n] = gram[n][m] = sum(map(operator.mul, sub[m], sub[n]))
        groups.append(
            _Group(
                reporters=reporters,
                gram_rows=tuple(tuple(gram[m][n] for n in reporters) for m in range(n_reputers)),
                diagonal=tuple(gram[m][m] for m in range(n_reputers)),
            )
        )
    exponent = 2 * scale

    def evaluate(coefficients: Sequence[Dec]) -> tuple[list[Dec], list[Dec]]:
        adjusted = _adjusted_stakes(coefficients, inputs.stakes)
        weights, _ = _to_scaled_ints(adjusted)
        # Per group P exact integer numerators over σ_P²; the groups' non-negative terms are
        # then added at the wide precision.
        norm_terms: list[tuple[int, int]] = []
        dist_terms: list[list[tuple[int, int]]] = [[] for _ in range(n_reputers)]
        for group in groups:
            w = [weights[n] for n in group.reporters]
            sigma = sum(w)
            if not sigma:
                raise ReputerConsensusError(
                    "every reputer that reported some entry has a zero adjusted stake"
                )
            u = [sum(map(operator.mul, w, row)) for row in group.gram_rows]
            q = sum(map(operator.mul, w, [u[n] for n in group.reporters]))
            sigma2 = int(sigma * sigma)
            two_sigma = 2 * sigma
            norm_terms.append((int(q), sigma2))
            for terms, g, um in zip(dist_terms, group.diagonal, u, strict=True):
                terms.append((int(sigma2 * g - two_sigma * um + q), sigma2))
        norm_square = _sum_of_ratios(norm_terms, exponent)
        squares = [_sum_of_ratios(terms, exponent) for terms in dist_terms]
        return _scores_from_squares(squares, norm_square, params), adjusted

    return evaluate


# ---------------------------------------------------------------------------------------------
# Gradient descent (§11.5)


def _run_descent(
    evaluate: Evaluator, inputs: _Inputs, params: ReputerConsensusParams
) -> ReputerConsensusResult:
    stakes = inputs.stakes
    total_stake: Dec = gmpy2.fsum(stakes)
    learning_rate = params.learning_rate
    coefficients = list(inputs.coefficients)
    g_max = ONE
    iteration = 0
    scores: list[Dec] | None = None
    adjusted: list[Dec] | None = None
    while iteration < params.max_iterations and g_max >= params.max_gradient_threshold:
        old = coefficients
        scores, adjusted = evaluate(old)
        phi = _weighted_sum(stakes, scores)
        gradient: list[Dec] = []
        for index, a in enumerate(old):
            delta = -GRADIENT_STEP if a == ONE else GRADIENT_STEP
            perturbed = list(old)
            perturbed[index] = a + delta
            perturbed_scores, _ = evaluate(perturbed)
            phi_perturbed = _weighted_sum(stakes, perturbed_scores)
            gradient.append((ONE - phi / phi_perturbed) / delta)
        new: list[Dec] = []
        for a, g in zip(old, gradient, strict=True):
            step: Dec = a + learning_rate * g
            new.append(ZERO if step < ZERO else ONE if step > ONE else step)
        fraction_old: Dec = _weighted_sum(old, stakes) / total_stake
        fraction_new: Dec = _weighted_sum(new, stakes) / total_stake
        stop = False
        if fraction_new < params.min_stake_fraction:
            if fraction_new == fraction_old:
                coefficients = old
                stop = True
            else:
                gap = params.min_stake_fraction - fraction_old
                change = fraction_new - fraction_old
                coefficients = [
                    a_old + (a_new - a_old) * gap / change
                    for a_old, a_new in zip(old, new, strict=True)
                ]
        else:
            coefficients = new
        largest = max(abs(a - a_old) for a, a_old in zip(coefficients, old, strict=True))
        g_max = largest / learning_rate
        iteration += 1
        if stop:
            break
    if scores is None or adjusted is None:
        # No iteration ran (max_iterations = 0 or a threshold above 1): report T and Ŝ of the
        # starting coefficients.
        scores, adjusted = evaluate(coefficients)
    return ReputerConsensusResult(
        scores=tuple(scores),
        coefficients=tuple(coefficients),
        adjusted_stakes=tuple(adjusted),
        iterations=iteration,
    )


@with_dec_context
def compute_reputer_consensus(
    losses: Sequence[Sequence[Dec | None]],
    stakes: Sequence[Dec],
    coefficients: Sequence[Dec],
    params: ReputerConsensusParams,
) -> ReputerConsensusResult:
    """Reputer scores, listening coefficients and adjusted stakes (SYNTHESIS.md §11).

    Uses the exact Gram evaluation when it is cheaper (:func:`is_gram_path_cheaper`), else the
    direct one; see the module docstring for both and their cost.

    Parameters
    ----------
    losses
        ``losses[m][e]``: reputer m's log-loss of bundle entry e in one layout shared by all
        reputers; ``None`` marks a missing value. Every entry needs at least one value.
    stakes
        Raw stakes S_m (own + delegated), non-negative, not all zero.
    coefficients
        Listening coefficients a_m from the previous epoch (1 for a new reputer).
    params
        The §3.1 parameters.

    Returns
    -------
    ReputerConsensusResult
        Scores and adjusted stakes of the last executed iteration, final coefficients.

    Raises
    ------
    EmptyInputError
        No reputer, no entry, or an entry nobody reported.
    LengthMismatchError
        Stakes, coefficients or loss rows of inconsistent lengths.
    NonFiniteValueError
        A NaN or infinite input.
    NegativeValueError
        A negative stake.
    ParameterError
        A parameter outside its range.
    ReputerConsensusError
        Zero total stake, zero listened stake, or an entry whose reporters all have a zero
        adjusted stake.
    """
    _check_params(params)
    inputs = _check_inputs(losses, stakes, coefficients)
    size = len(inputs.filled[0])
    if _is_gram_cheaper(len(inputs.groups), len(inputs.filled), size):
        evaluate = _make_gram_evaluator(inputs, params)
    else:
        evaluate = _make_direct_evaluator(inputs, params)
    return _run_descent(evaluate, inputs, params)


@with_dec_context
def compute_reputer_consensus_direct(
    losses: Sequence[Sequence[Dec | None]],
    stakes: Sequence[Dec],
    coefficients: Sequence[Dec],
    params: ReputerConsensusParams,
) -> ReputerConsensusResult:
    """:func:`compute_reputer_consensus` always through the direct O(R·B) evaluation.

    The reference for differential tests and benchmarks; same parameters, results and errors.
    """
    _check_params(params)
    inputs = _check_inputs(losses, stakes, coefficients)
    return _run_descent(_make_direct_evaluator(inputs, params), inputs, params)
