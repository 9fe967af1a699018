"""Money: turn exact Dec reward amounts into integer base units that add up exactly to the
topic's integer reward (SYNTHESIS.md §13.3).

The Dec amounts a_x of §13.3 (u_j·U, u_k·V, u_m·W) add up to E only up to rounding, and the
chain pays integers. :func:`compute_payouts` apportions an integer total T in proportion to
the amounts by the largest-remainder (Hamilton) method, in exact integer arithmetic (every Dec
is a dyadic rational, so the quotas q_x = T·a_x/Σa are exact fractions):

1. each participant first gets ⌊q_x⌋;
2. the r = T − Σ⌊q_x⌋ units left over (0 ≤ r < number of participants with a positive
   amount) go one each to the participants with the largest fractional parts q_x − ⌊q_x⌋;
   equal fractional parts are served in ascending key order (role, then id).

So every payout is within one base unit of its exact quota, the payouts add up to T exactly,
and the result does not depend on the order of the input. When every amount is 0 nothing is
paid (the reward stays in the rewards account, §13.2).

>>> from pyallora.core.dec import dec
>>> compute_payouts(10, {("inferer", "a"): dec(1), ("inferer", "b"): dec(1),
...     ("inferer", "c"): dec(1)})
{('inferer', 'a'): 4, ('inferer', 'b'): 3, ('inferer', 'c'): 3}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pyallora.core.dec import Dec, is_finite
from pyallora.core.errors import NegativeValueError, NonFiniteValueError

_K = TypeVar("_K", str, tuple[str, str])


def compute_payouts(total: int, amounts: Mapping[_K, Dec]) -> dict[_K, int]:
    """Apportion ``total`` base units in proportion to ``amounts`` (module docstring).

    Parameters
    ----------
    total
        The integer amount to pay out (≥ 0).
    amounts
        Non-negative, finite shares by key (the exact Dec rewards, or fractions).

    Returns
    -------
    dict
        Base units per key, in ascending key order; they add up to ``total`` unless every
        amount is 0 (then all are 0).

    Raises
    ------
    NegativeValueError
        For a negative total or amount.
    NonFiniteValueError
        For a NaN or infinite amount.
    """
    if total < 0:
        raise NegativeValueError(f"negative total to pay out: {total}")
    keys = sorted(amounts)
    numerators: list[int] = []
    denominators: list[int] = []
    for key in keys:
        amount = amounts[key]
        if not is_finite(amount):
            raise NonFiniteValueError(f"reward amount of {key!r} is not finite: {amount}")
        if amount < 0:
            raise NegativeValueError(f"reward amount of {key!r} is negative: {amount}")
        numerator, denominator = (int(part) for part in amount.as_integer_ratio())
        numerators.append(numerator)
        denominators.append(denominator)
    # Denominators are powers of two: bring every amount to the largest one.
    common = max(denominators, default=1)
    scaled = [n * (common // d) for n, d in zip(numerators, denominators, strict=True)]
    weight_sum = sum(scaled)
    if weight_sum == 0:
        return dict.fromkeys(keys, 0)
    floors: list[int] = []
    remainders: list[int] = []
    for weight in scaled:
        quotient, remainder = divmod(total * weight, weight_sum)
        floors.append(quotient)
        remainders.append(remainder)
    left = total - sum(floors)
    # Largest remainder first; ties in ascending key order (the keys are already sorted).
    order = sorted(range(len(keys)), key=lambda i: -remainders[i])
    for i in order[:left]:
        floors[i] += 1
    return dict(zip(keys, floors, strict=True))
