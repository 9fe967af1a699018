"""Reward fractions, smoothing and entropy (SYNTHESIS.md §12) and the split of a topic's reward
between the three tasks (§13.1–13.3).

* §12.1 workers: σ of the sample of the MaxSamplesToScaleScores most recent scores of the
  task (:func:`compute_score_sample`); if σ < ε every M_x = 1, else
  M_x = φ_{p,c}(T_x/(σ + ε)); u_x = M_x/Σ M.
* §12.2 reputers: u_m = (S_m T_m)^{p_r} / Σ (S_n T_n)^{p_r}.
* §12.3 smoothing e_x = ema(u_x, ū_x) (or u_x), N_eff = 1/Σ e², ū = e/Σ e, entropy
  −Σ ū ln ū · (N_eff/N)^β for N ≥ 2 (0·ln 0 = 0), the constant 0.173286795139986 for N = 1.
* §13.1 forecasting utility χ from T = L⁻ − L and the ratio EMA τ; §13.2 the task rewards
  U, V, W; §13.3 per-participant amounts u·U, u·V, u·W.

Cost: O(W + F + R + MaxSamples).

>>> from pyallora.core.dec import dec, dec_context
>>> with dec_context():
...     chi, tau = compute_forecasting_utility(dec("0.125"), [dec("0.5"), dec("0.5")],
...         previous_ratio=dec(0), alpha=dec(1))
...     format(chi, ".12Nf"), format(tau, ".12Nf")
('0.200000000000', '0.250000000000')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import gmpy2

from pyallora.core.dec import ONE, ZERO, Dec, dec
from pyallora.synthesis.helpers import compute_ema, compute_phi, compute_stdev
from pyallora.synthesis.types import TaskFractions, freeze_map

SINGLE_PARTICIPANT_ENTROPY = dec("0.173286795139986")
"""Entropy of a task with exactly one participant (§12.3)."""

_CHI_LOW = dec("0.1")
_CHI_HIGH = dec("0.5")
_CHI_SLOPE = dec("0.4")


# ---------------------------------------------------------------------------------------------
# §12.1 sample window


def compute_stored_scores(current: Sequence[Dec], max_samples: int) -> tuple[Dec, ...]:
    """The scores of one epoch as stored (§12.1, C): in sorted worker order, at most
    ``max_samples`` of them, dropping the first ones."""
    if len(current) > max_samples:
        return tuple(current[len(current) - max_samples :])
    return tuple(current)


def compute_score_sample(
    current: Sequence[Dec], history: Sequence[Sequence[Dec]], max_samples: int
) -> list[Dec]:
    """The ``max_samples`` most recent scores of a task (§12.1).

    Parameters
    ----------
    current
        This epoch's scores in sorted worker order.
    history
        Stored scores of earlier epochs, newest first (each as :func:`compute_stored_scores`).
    max_samples
        MaxSamplesToScaleScores.

    Epochs are taken newest to oldest, each in sorted worker order, the last one possibly
    only partly.
    """
    sample: list[Dec] = []
    for epoch in (compute_stored_scores(current, max_samples), *history):
        for score in epoch:
            if len(sample) == max_samples:
                return sample
            sample.append(score)
    return sample


def compute_score_history(
    current: Sequence[Dec], history: Sequence[Sequence[Dec]], max_samples: int
) -> tuple[tuple[Dec, ...], ...]:
    """The stored history after this epoch: newest first, only as many epochs as a future
    sample can reach (their scores add up to at least ``max_samples``)."""
    epochs: list[tuple[Dec, ...]] = []
    held = 0
    for epoch in (compute_stored_scores(current, max_samples), *history):
        if held >= max_samples:
            break
        if not epoch:
            continue
        epochs.append(tuple(epoch))
        held += len(epoch)
    return tuple(epochs)


# ---------------------------------------------------------------------------------------------
# §12.1–12.2 instantaneous fractions


def compute_worker_fractions(
    scores: Mapping[str, Dec], sample: Sequence[Dec], *, p: Dec, c: Dec, epsilon: Dec
) -> Mapping[str, Dec]:
    """Instantaneous fractions u_x of one worker task (§12.1)."""
    if not scores:
        return freeze_map({})
    sigma = compute_stdev(sample)
    if sigma < epsilon:
        potentials = {x: ONE for x in scores}
    else:
        scale = sigma + epsilon
        potentials = {x: compute_phi(p, c, t / scale) for x, t in scores.items()}
    total = gmpy2.fsum(list(potentials.values()))
    return freeze_map({x: m / total for x, m in potentials.items()})


def compute_reputer_fractions(
    stakes: Mapping[str, Dec], scores: Mapping[str, Dec], *, p_reward_reputer: Dec
) -> Mapping[str, Dec]:
    """u_m = (S_m T_m)^{p_r} / Σ_n (S_n T_n)^{p_r} (§12.2); all 0 when the sum is 0."""
    powered: dict[str, Dec] = {}
    for m, score in scores.items():
        base = stakes[m] * score
        powered[m] = ZERO if base <= 0 else base**p_reward_reputer
    total = gmpy2.fsum(list(powered.values())) if powered else ZERO
    if total == 0:
        return freeze_map({m: ZERO for m in powered})
    return freeze_map({m: value / total for m, value in powered.items()})


# ---------------------------------------------------------------------------------------------
# §12.3 smoothing and entropy


@dataclass(frozen=True, slots=True, kw_only=True)
class Smoothing:
    """Result of §12.3's smoothing for one task."""

    smoothed: Mapping[str, Dec]
    """ū_x = e_x / Σ e (renormalised)."""
    effective_count: Dec | None
    """N_eff = 1/Σ e² (None when every e is 0)."""


def compute_smoothing(
    fractions: Mapping[str, Dec], previous: Mapping[str, Dec], alpha: Dec
) -> Smoothing:
    """e_x = ema_α(u_x, ū_x) (u_x without a stored value), N_eff and ū (§12.3)."""
    ema: dict[str, Dec] = {}
    for x, u in fractions.items():
        prior = previous.get(x)
        ema[x] = u if prior is None else compute_ema(alpha, u, prior)
    values = list(ema.values())
    total = gmpy2.fsum(values) if values else ZERO
    if total == 0:
        return Smoothing(smoothed=freeze_map({x: ZERO for x in ema}), effective_count=None)
    squares = gmpy2.fsum([e * e for e in values])
    return Smoothing(
        smoothed=freeze_map({x: e / total for x, e in ema.items()}),
        effective_count=ONE / squares,
    )


def compute_entropy(smoothing: Smoothing, beta: Dec) -> Dec:
    """H = −Σ ū ln ū · (N_eff/N)^β for N ≥ 2; 0.173286795139986 for N = 1; 0 without
    participants or when every fraction is 0 (§12.3, §17: 0·ln 0 = 0)."""
    count = len(smoothing.smoothed)
    if count == 0 or smoothing.effective_count is None:
        return ZERO
    if count == 1:
        return SINGLE_PARTICIPANT_ENTROPY
    terms = [u * gmpy2.log(u) for u in smoothing.smoothed.values() if u > 0]
    shannon = -gmpy2.fsum(terms) if terms else ZERO
    correction: Dec = (smoothing.effective_count / count) ** beta
    result: Dec = shannon * correction
    return result


def compute_task_fractions(
    fractions: Mapping[str, Dec], previous_smoothed: Mapping[str, Dec], *, alpha: Dec, beta: Dec
) -> TaskFractions:
    """Instantaneous fractions, smoothed fractions and entropy of one task (§12.3)."""
    smoothing = compute_smoothing(fractions, previous_smoothed, alpha)
    return TaskFractions(
        instantaneous=freeze_map(fractions),
        smoothed=smoothing.smoothed,
        entropy=compute_entropy(smoothing, beta),
    )


# ---------------------------------------------------------------------------------------------
# §13


def compute_forecasting_utility(
    task_score: Dec | None,
    inferer_scores: Sequence[Dec],
    *,
    previous_ratio: Dec,
    alpha: Dec,
) -> tuple[Dec, Dec]:
    """(χ, τ) of §13.1 from T = L⁻ − L, this epoch's inferer scores and the stored τ.

    Without T (a loss missing) χ = 0.5 and τ is kept: χ then multiplies nothing, since the
    forecasting task has no participant.
    """
    if task_score is None:
        return _CHI_HIGH, previous_ratio
    best = max(inferer_scores, default=ZERO)
    m = best if best > 0 else ZERO
    if m == 0 and task_score == 0:
        return _CHI_HIGH, ZERO
    denominator = abs(m) if m != 0 else abs(task_score)
    ratio: Dec = (task_score - min(ZERO, m)) / denominator
    tau = compute_ema(alpha, ratio, previous_ratio)
    if tau < 0:
        return _CHI_LOW, tau
    if tau >= 1:
        return _CHI_HIGH, tau
    chi: Dec = _CHI_SLOPE * tau + _CHI_LOW
    return chi, tau


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskRewards:
    """U, V, W of §13.2 (all 0 when F + G + H = 0: nothing is paid this epoch)."""

    inference: Dec
    forecasting: Dec
    reputation: Dec


def compute_task_rewards(
    inference_entropy: Dec,
    forecasting_entropy: Dec,
    reputation_entropy: Dec,
    *,
    utility: Dec,
    topic_reward: Dec,
) -> TaskRewards:
    """Split E between the tasks (§13.2): γ = (F + G)/((1 − χ)F + χG),
    U = (1 − χ)γF/(F + G + H)·E, V = χγG/(F + G + H)·E, W = H/(F + G + H)·E; γ = 1 when
    F + G = 0."""
    f, g, h, chi = inference_entropy, forecasting_entropy, reputation_entropy, utility
    total = f + g + h
    if total == 0:
        return TaskRewards(inference=ZERO, forecasting=ZERO, reputation=ZERO)
    gamma = ONE if f + g == 0 else (f + g) / ((ONE - chi) * f + chi * g)
    return TaskRewards(
        inference=(ONE - chi) * gamma * f / total * topic_reward,
        forecasting=chi * gamma * g / total * topic_reward,
        reputation=h / total * topic_reward,
    )


def compute_participant_rewards(
    fractions: Mapping[str, Dec], task_reward: Dec
) -> Mapping[str, Dec]:
    """u_x · (task reward) for each participant (§13.3), exact Decs."""
    return freeze_map({x: u * task_reward for x, u in fractions.items()})
