"""Worker scores (SYNTHESIS.md §10) and the per-role score EMAs that feed the active sets
(§16.1–16.2).

* Inferer j: T_j = L⁻_j − L for every inferer with a one-out loss; with a single inferer in
  the loss bundle its score is 0.
* Forecaster k: T_k = f·(L⁻ − L⁺_k) + (1 − f)·(L⁻_k − L) with f = 1/2^{F−1}, F the number of
  forecasters with a one-out loss, for every forecaster with both a one-in and a one-out loss;
  with a single forecaster in the loss bundle its score is 0.

Cost: O(W + F).

>>> from pyallora.core.dec import dec, dec_context, to_text
>>> from pyallora.synthesis.types import ValueBundle
>>> losses = ValueBundle(combined=dec(-4), naive=dec(-3), inferers={"a": dec(-2), "b": dec(-1)},
...     one_out_inferers={"a": dec("-3.5"), "b": dec("-3.75")})
>>> with dec_context():
...     {j: to_text(t) for j, t in compute_inferer_scores(losses).items()}
{'a': '0.5', 'b': '0.25'}
"""

from __future__ import annotations

from collections.abc import Mapping

from pyallora.core.dec import ONE, TWO, ZERO, Dec
from pyallora.synthesis.helpers import compute_ema, compute_quantile
from pyallora.synthesis.types import ValueBundle, freeze_map


def compute_inferer_scores(losses: ValueBundle) -> Mapping[str, Dec]:
    """Instantaneous inferer scores T_j (§10)."""
    if len(losses.inferers) == 1:
        return freeze_map({j: ZERO for j in losses.inferers})
    combined = losses.combined
    if combined is None:
        return freeze_map({})
    return freeze_map(
        {withheld: loss - combined for withheld, loss in losses.one_out_inferers.items()}
    )


def compute_forecaster_scores(losses: ValueBundle) -> Mapping[str, Dec]:
    """Instantaneous forecaster scores T_k (§10)."""
    if len(losses.forecasters) == 1:
        return freeze_map({k: ZERO for k in losses.forecasters})
    combined, naive = losses.combined, losses.naive
    if combined is None or naive is None:
        return freeze_map({})
    count = len(losses.one_out_forecasters)
    if count == 0:
        return freeze_map({})
    f: Dec = ONE / (TWO ** (count - 1))
    scores: dict[str, Dec] = {}
    for k, one_in in losses.one_in_forecasters.items():
        one_out = losses.one_out_forecasters.get(k)
        if one_out is None:
            continue
        scores[k] = f * (naive - one_in) + (ONE - f) * (one_out - combined)
    return freeze_map(scores)


def compute_score_emas(
    previous: Mapping[str, Dec], scores: Mapping[str, Dec], alpha: Dec
) -> Mapping[str, Dec]:
    """Score EMAs after this epoch (§16.1): ema_α(score, previous), the first value equals the
    score; participants not scored keep their EMA (the active-set rules move passive ones)."""
    out = dict(previous)
    for key, score in scores.items():
        prior = previous.get(key)
        out[key] = score if prior is None else compute_ema(alpha, score, prior)
    return freeze_map(out)


def compute_score_quantile(scores: Mapping[str, Dec], quantile: Dec) -> Dec | None:
    """The topic quantile of this epoch's instantaneous scores (§16.2); None without scores."""
    if not scores:
        return None
    return compute_quantile(list(scores.values()), quantile)
