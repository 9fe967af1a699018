"""Regrets (SYNTHESIS.md §9): the EMA update of every family and the topic initial regret.

After the network losses of an epoch are known every regret present in the loss bundle is
replaced by R ← α_R·(ℓ_reference − ℓ_own) + (1 − α_R)·R_previous (§9.1), where a regret that
does not exist yet reads as the topic initial regret R₀ (§9.2, no first-time shortcut).
Regrets of participants absent from the bundle keep their value. Then R₀ is recomputed from
the new network regrets of experienced workers (§9.3).

Cost: O((W + F)²) for the one-out pairs, O(F·W) for the one-in pairs, O((W + F) log(W + F))
for the initial regret.

>>> from pyallora.core.dec import dec, dec_context
>>> regrets = [dec(t) for t in ("0.6445506208021189", "1.0216386898413485",
...     "0.6092049398135028", "0.6971588004566455", "0.9030751421888253", "0.8219035038858344")]
>>> with dec_context():
...     r0 = compute_initial_regret(regrets, quantile=dec("0.25"), p_norm=dec(3),
...         c_norm=dec("0.75"), p_norm_safe_div=dec("8.25"), epsilon=dec("1e-4"))
...     format(r0, ".16Zf")
'0.3354820760526412'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyallora.core.dec import ONE, Dec, dec
from pyallora.synthesis.helpers import compute_quantile, compute_stdev
from pyallora.synthesis.types import PairKey, RegretState, ValueBundle

_EXPERIENCE_SLACK = ONE - dec(2) ** -100
"""count·α_R ≥ 1 − 2⁻¹⁰⁰ stands for count ≥ 1/α_R: α_R is a binary approximation of its
decimal text (0.1 is slightly below 1/10 after rounding toward zero), so 10·α_R falls short
of 1 in the last bit although 10 ≥ 1/0.1 holds for the decimal parameter."""


def _ema(
    alpha: Dec, complement: Dec, reference: Dec, own: Dec, previous: Dec | None, r0: Dec
) -> Dec:
    prior = r0 if previous is None else previous
    result: Dec = alpha * (reference - own) + complement * prior
    return result


def _update_single(
    previous: Mapping[str, Dec],
    updates: Mapping[str, tuple[Dec, Dec]],
    alpha: Dec,
    r0: Dec,
) -> dict[str, Dec]:
    out = dict(previous)
    complement = ONE - alpha
    for key, (reference, own) in updates.items():
        out[key] = _ema(alpha, complement, reference, own, previous.get(key), r0)
    return out


def _update_pairs(
    previous: Mapping[PairKey, Dec],
    updates: Mapping[PairKey, tuple[Dec, Dec]],
    alpha: Dec,
    r0: Dec,
) -> dict[PairKey, Dec]:
    out = dict(previous)
    complement = ONE - alpha
    for key, (reference, own) in updates.items():
        out[key] = _ema(alpha, complement, reference, own, previous.get(key), r0)
    return out


def compute_updated_regrets(
    previous: RegretState, losses: ValueBundle, *, initial_regret: Dec, alpha_regret: Dec
) -> RegretState:
    """Every regret family after this epoch's network losses (§9.1 table).

    Only regrets whose reference and own losses are both in ``losses`` are updated.
    """
    combined, naive = losses.combined, losses.naive
    inferers, forecasters = losses.inferers, losses.forecasters
    r0, alpha = initial_regret, alpha_regret

    inferer: dict[str, tuple[Dec, Dec]] = {}
    forecaster: dict[str, tuple[Dec, Dec]] = {}
    naive_inferer: dict[str, tuple[Dec, Dec]] = {}
    if combined is not None:
        inferer = {j: (combined, loss) for j, loss in inferers.items()}
        forecaster = {k: (combined, loss) for k, loss in forecasters.items()}
    if naive is not None:
        naive_inferer = {j: (naive, loss) for j, loss in inferers.items()}

    oo_ii: dict[PairKey, tuple[Dec, Dec]] = {}
    oo_if: dict[PairKey, tuple[Dec, Dec]] = {}
    for withheld, reference in losses.one_out_inferers.items():
        for j, loss in inferers.items():
            oo_ii[(withheld, j)] = (reference, loss)
    for (k, withheld), loss in losses.one_out_inferer_forecasters.items():
        reference_or_none = losses.one_out_inferers.get(withheld)
        if reference_or_none is not None:
            oo_if[(withheld, k)] = (reference_or_none, loss)

    oo_fi: dict[PairKey, tuple[Dec, Dec]] = {}
    oo_ff: dict[PairKey, tuple[Dec, Dec]] = {}
    for withheld, reference in losses.one_out_forecasters.items():
        for j, loss in inferers.items():
            oo_fi[(withheld, j)] = (reference, loss)
        for k, loss in forecasters.items():
            oo_ff[(withheld, k)] = (reference, loss)

    oi_fi: dict[PairKey, tuple[Dec, Dec]] = {}
    oi_self: dict[str, tuple[Dec, Dec]] = {}
    for k, reference in losses.one_in_forecasters.items():
        for j, loss in inferers.items():
            oi_fi[(k, j)] = (reference, loss)
        own = forecasters.get(k)
        if own is not None:
            oi_self[k] = (reference, own)

    return RegretState(
        inferer=_update_single(previous.inferer, inferer, alpha, r0),
        forecaster=_update_single(previous.forecaster, forecaster, alpha, r0),
        naive_inferer=_update_single(previous.naive_inferer, naive_inferer, alpha, r0),
        one_out_inferer_inferer=_update_pairs(previous.one_out_inferer_inferer, oo_ii, alpha, r0),
        one_out_inferer_forecaster=_update_pairs(
            previous.one_out_inferer_forecaster, oo_if, alpha, r0
        ),
        one_out_forecaster_inferer=_update_pairs(
            previous.one_out_forecaster_inferer, oo_fi, alpha, r0
        ),
        one_out_forecaster_forecaster=_update_pairs(
            previous.one_out_forecaster_forecaster, oo_ff, alpha, r0
        ),
        one_in_forecaster_inferer=_update_pairs(
            previous.one_in_forecaster_inferer, oi_fi, alpha, r0
        ),
        one_in_forecaster_self=_update_single(previous.one_in_forecaster_self, oi_self, alpha, r0),
    )


def is_experienced(had_regret: bool, inclusions: int, alpha_regret: Dec) -> bool:
    """A worker is experienced when it had a stored regret before the update and its
    inclusion count is at least 1/α_R (§9.3)."""
    return had_regret and bool(inclusions * alpha_regret >= _EXPERIENCE_SLACK)


def compute_initial_regret(
    regrets: Sequence[Dec],
    *,
    quantile: Dec,
    p_norm: Dec,
    c_norm: Dec,
    p_norm_safe_div: Dec,
    epsilon: Dec,
) -> Dec:
    """R₀ = Q_q(regrets) + (c − PNormSafeDiv/p)·(σ(regrets) + ε) (§9.3); ``regrets`` non-empty."""
    offset = c_norm - p_norm_safe_div / p_norm
    result: Dec = compute_quantile(regrets, quantile) + offset * (compute_stdev(regrets) + epsilon)
    return result


def compute_experienced_regrets(
    previous: RegretState,
    updated: RegretState,
    losses: ValueBundle,
    *,
    inferer_inclusions: Mapping[str, int],
    forecaster_inclusions: Mapping[str, int],
    alpha_regret: Dec,
) -> list[Dec]:
    """The network regrets R_j and R_k just updated from ``losses`` of the experienced
    workers (§9.3), inferers first, each role in sorted order."""
    out: list[Dec] = []
    if losses.combined is None:
        return out
    out.extend(
        updated.inferer[j]
        for j in losses.inferers
        if is_experienced(j in previous.inferer, inferer_inclusions.get(j, 0), alpha_regret)
    )
    out.extend(
        updated.forecaster[k]
        for k in losses.forecasters
        if is_experienced(k in previous.forecaster, forecaster_inclusions.get(k, 0), alpha_regret)
    )
    return out
