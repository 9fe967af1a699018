"""Network losses (SYNTHESIS.md §8): stake-weighted means of the reputers' log-losses.

For every value-bundle entry, L_entry = Σ_m S_m ℓ_{m,entry} / Σ_m S_m over the reputers that
reported that entry, with S_m the raw stake; reputers whose stake is below
RequiredMinimumStake are ignored. An entry that no counted reputer with a positive stake
reported has no network loss. Both sums are correctly rounded (``fsum``), so the result does
not depend on the reputers' order.

Cost: O(R·B) for R reputers and B bundle entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import gmpy2

from pyallora.core.dec import Dec
from pyallora.synthesis.types import BundleKey, ReputerReport, ValueBundle


def is_counted_reputer(report: ReputerReport, required_minimum_stake: Dec) -> bool:
    """True when the reputer's stake reaches RequiredMinimumStake (§8)."""
    return bool(report.stake >= required_minimum_stake)


def compute_network_losses(
    reports: Sequence[ReputerReport], *, required_minimum_stake: Dec
) -> ValueBundle:
    """The network log-loss of every entry reported by a counted reputer (§8).

    Parameters
    ----------
    reports
        The reputers' loss bundles and stakes (validated by the caller: finite, non-negative
        stakes, distinct reputers).
    required_minimum_stake
        Reputers with a smaller stake are ignored.
    """
    rows = [
        (report.stake, dict(report.losses.entries()))
        for report in reports
        if is_counted_reputer(report, required_minimum_stake)
    ]
    return ValueBundle.from_entries(compute_stake_weighted_losses(rows))


def compute_stake_weighted_losses(
    rows: Sequence[tuple[Dec, Mapping[BundleKey, Dec]]],
) -> dict[BundleKey, Dec]:
    """Σ_m S_m ℓ_{m,e} / Σ_m S_m per entry e over the rows (stake, losses by entry) that have
    e, skipping zero stakes; entries only zero-stake rows have are left out (§8)."""
    weighted = [(stake, losses) for stake, losses in rows if stake != 0]
    keys: set[BundleKey] = set()
    for _, losses in weighted:
        keys.update(losses)
    out: dict[BundleKey, Dec] = {}
    for key in sorted(keys):
        present = [(stake, losses[key]) for stake, losses in weighted if key in losses]
        numerator = gmpy2.fsum([stake * loss for stake, loss in present])
        out[key] = numerator / gmpy2.fsum([stake for stake, _ in present])
    return out
