"""Topic weights, fee-revenue drip and topic rewards: implements SYNTHESIS.md §14.

PROTOCOL.md §5.3 (weight, activation, drip), §5.4 step 3 (which topics are kept) and §5.7
steps 2–4 (topic rewards and the treasury cap) describe the same rules from the chain's side.

* target weight ŵ_t = S_t^μ · (C_t/ℓ_t)^ν, 0 when the fee revenue C_t is 0      (§14.1);
* weight w_t = ema_α(ŵ_t, w_t,previous), ŵ_t the first time, 0 when C_t = 0      (§14.2);
* fee revenue after an epoch: ⌊C − C/(epochs per week)⌋ floored at 0           (§14.3);
* topic reward E_t = (w_t / Σ w) · e_block · ℓ_t, capped by the treasury         (§14.4).

Money (stakes, fee revenue, block emission, treasury) is an ``int`` of base units on the chain;
the simulator profile (``tokenomics.csv``) uses fractional whole tokens, so the amount
arguments also accept a Dec. Topic rewards are computed as exact rationals and rounded once:
:func:`compute_topic_rewards` returns Decs rounded toward zero and
:func:`compute_topic_reward_amounts` integer base units rounded down, so neither ever adds up
to more than the treasury.

>>> from pyallora.core.dec import dec, to_text
>>> to_text(compute_target_weight(stake=400, fee_revenue=900, epoch_length=1))
'600.0'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from gmpy2 import mpfr

from pyallora.core.dec import ZERO, Dec, dec, is_finite, with_dec_context
from pyallora.core.errors import NegativeValueError, NonFiniteValueError, ParameterError
from pyallora.core.ids import TopicId
from pyallora.synthesis.helpers import compute_ema

__all__ = [
    "CHAIN_TOPIC_WEIGHT_PARAMS",
    "SIMULATOR_TOPIC_WEIGHT_PARAMS",
    "WEEKS_PER_MONTH",
    "TopicRewardRequest",
    "TopicWeightParams",
    "compute_fee_revenue_after_drip",
    "compute_rewardable_topics",
    "compute_target_weight",
    "compute_topic_reward_amounts",
    "compute_topic_rewards",
    "compute_topic_weight",
    "is_topic_weight_active",
]

WEEKS_PER_MONTH = Fraction(4345, 1000)
"""Weeks in a month for the drip of §14.3 (blocks per week = BlocksPerMonth / 4.345)."""

Amount = int | Dec
"""A token amount: ``int`` base units on the chain, a Dec of whole tokens in the simulator."""

_DEFAULT_IMPORTANCE = dec("0.5")
_DEFAULT_CHAIN_ALPHA = dec("0.5")
_DEFAULT_MIN_TOPIC_WEIGHT = dec(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicWeightParams:
    """Parameters of §14 (defaults: the chain's, SYNTHESIS.md §3.1)."""

    stake_importance: Dec = _DEFAULT_IMPORTANCE
    """TopicRewardStakeImportance μ: exponent of the topic stake; ≥ 0."""
    fee_revenue_importance: Dec = _DEFAULT_IMPORTANCE
    """TopicRewardFeeRevenueImportance ν: exponent of the fee revenue per block; ≥ 0."""
    alpha: Dec = _DEFAULT_CHAIN_ALPHA
    """TopicRewardAlpha: EMA α of the weight per topic epoch; in [0, 1]."""
    min_topic_weight: Dec = _DEFAULT_MIN_TOPIC_WEIGHT
    """MinTopicWeight: topics below it are inactivated; ≥ 0."""
    max_active_topics_per_block: int = 1
    """MaxActiveTopicsPerBlock: topics rewarded per block (the heaviest); ≥ 1."""
    blocks_per_month: int = 864_000
    """BlocksPerMonth: sets the length of a week for the revenue drip; ≥ 1."""

    def __post_init__(self) -> None:
        for name in ("stake_importance", "fee_revenue_importance", "alpha", "min_topic_weight"):
            value = getattr(self, name)
            if not isinstance(value, mpfr) or not is_finite(value):
                raise ParameterError(f"parameter {name} must be a finite Dec, got {value!r}")
            if value < 0:
                raise ParameterError(f"parameter {name} must be >= 0, got {value}")
        if self.alpha > 1:
            raise ParameterError(f"parameter alpha must be <= 1, got {self.alpha}")
        for name in ("max_active_topics_per_block", "blocks_per_month"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ParameterError(f"parameter {name} must be an int >= 1, got {value!r}")


CHAIN_TOPIC_WEIGHT_PARAMS = TopicWeightParams()
"""Profile C: μ = ν = 0.5, α = 0.5 per topic epoch, minimum weight 100, one topic per block."""

SIMULATOR_TOPIC_WEIGHT_PARAMS = TopicWeightParams(
    alpha=dec("0.9375"), min_topic_weight=dec(0), max_active_topics_per_block=1_000_000
)
"""Profile S (``tokenomics.csv``): monthly epochs of length 1, α = 0.9375, no minimum weight."""


# ---------------------------------------------------------------------------------------------
# Validation and exact helpers


def _check_amount(value: Amount, name: str) -> Dec:
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be an amount, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise NegativeValueError(f"{name} is negative: {value}")
        return dec(value)
    if not isinstance(value, mpfr):
        raise ParameterError(f"{name} must be an int or a Dec, got {type(value).__name__}")
    if not is_finite(value):
        raise NonFiniteValueError(f"{name} is not finite: {value}")
    if value < 0:
        raise NegativeValueError(f"{name} is negative: {value}")
    return value


def _check_epoch_length(epoch_length: int) -> None:
    if isinstance(epoch_length, bool) or not isinstance(epoch_length, int) or epoch_length < 1:
        raise ParameterError(f"epoch length must be an int >= 1, got {epoch_length!r}")


def _exact(value: Amount) -> Fraction:
    if isinstance(value, int):
        return Fraction(value)
    numerator, denominator = value.as_integer_ratio()
    return Fraction(int(numerator), int(denominator))


def _to_dec_toward_zero(value: Fraction) -> Dec:
    """The Dec nearest to ``value`` in the direction of zero (one rounding)."""
    if value == 0:
        return ZERO
    magnitude = abs(value)
    numerator, denominator = magnitude.numerator, magnitude.denominator
    shift = max(0, 120 + denominator.bit_length() - numerator.bit_length())
    # The integer quotient has ≥ 119 bits, so truncating it to 113 bits truncates the ratio.
    scaled: Dec = mpfr((numerator << shift) // denominator)
    result: Dec = scaled / mpfr(2) ** shift
    return result if value > 0 else -result


# ---------------------------------------------------------------------------------------------
# Weights (§14.1, §14.2)


@with_dec_context
def compute_target_weight(
    *,
    stake: Amount,
    fee_revenue: Amount,
    epoch_length: int,
    params: TopicWeightParams = CHAIN_TOPIC_WEIGHT_PARAMS,
) -> Dec:
    """Target weight ŵ = S^μ · (C/ℓ)^ν, 0 when C = 0 (SYNTHESIS.md §14.1).

    Parameters
    ----------
    stake
        The topic's total stake S (base units, or whole tokens in the simulator profile).
    fee_revenue
        The topic's accumulated fee revenue C (same unit).
    epoch_length
        ℓ in blocks (1 in the monthly simulator profile).
    params
        μ and ν.

    Raises
    ------
    NegativeValueError, NonFiniteValueError, ParameterError
        For a negative or non-finite amount or an epoch length below 1.
    """
    s = _check_amount(stake, "topic stake")
    c = _check_amount(fee_revenue, "topic fee revenue")
    _check_epoch_length(epoch_length)
    if c == 0:
        return ZERO
    per_block: Dec = c / epoch_length
    result: Dec = s**params.stake_importance * per_block**params.fee_revenue_importance
    return result


@with_dec_context
def compute_topic_weight(
    *,
    stake: Amount,
    fee_revenue: Amount,
    epoch_length: int,
    previous_weight: Dec | None,
    params: TopicWeightParams = CHAIN_TOPIC_WEIGHT_PARAMS,
) -> Dec:
    """Topic weight w = ema_α(ŵ, w_previous); ŵ without a stored weight; 0 when C = 0 (§14.2).

    ``previous_weight`` is None when the topic has no stored weight (a stored 0 is a value and
    enters the EMA). The chain recomputes this at each of the topic's epoch ends (PROTOCOL.md
    §5.3); the simulator once a month.

    Raises
    ------
    NegativeValueError, NonFiniteValueError, ParameterError
        As :func:`compute_target_weight`, or for a non-finite previous weight.
    """
    target = compute_target_weight(
        stake=stake, fee_revenue=fee_revenue, epoch_length=epoch_length, params=params
    )
    if fee_revenue == 0:
        return ZERO
    if previous_weight is None:
        return target
    previous = _check_amount(previous_weight, "previous topic weight")
    return compute_ema(params.alpha, target, previous)


def is_topic_weight_active(
    weight: Dec, params: TopicWeightParams = CHAIN_TOPIC_WEIGHT_PARAMS
) -> bool:
    """True when ``weight`` ≥ MinTopicWeight (a lighter topic is inactivated, §14.2)."""
    return bool(weight >= params.min_topic_weight)


def compute_fee_revenue_after_drip(
    fee_revenue: int,
    epoch_length: int,
    params: TopicWeightParams = CHAIN_TOPIC_WEIGHT_PARAMS,
) -> int:
    """Fee revenue after one epoch's drip: max(0, ⌊C − C/(epochs per week)⌋) (§14.3).

    epochs per week = (BlocksPerMonth / 4.345) / ℓ, so C/(epochs per week) =
    C·ℓ·4.345/BlocksPerMonth; the result is computed exactly with integers.

    >>> compute_fee_revenue_after_drip(1_000_000, 1_000)  # drip 10⁹·4.345/864000 = 5028.9…
    994971

    Raises
    ------
    NegativeValueError, ParameterError
        For a negative revenue or an epoch length below 1.
    """
    if isinstance(fee_revenue, bool) or not isinstance(fee_revenue, int):
        raise ParameterError(f"fee revenue must be an int of base units, got {fee_revenue!r}")
    if fee_revenue < 0:
        raise NegativeValueError(f"fee revenue is negative: {fee_revenue}")
    _check_epoch_length(epoch_length)
    drip = Fraction(fee_revenue * epoch_length) * WEEKS_PER_MONTH / params.blocks_per_month
    remaining = fee_revenue - drip
    if remaining <= 0:
        return 0
    return int(remaining)  # ⌊·⌋ of a positive rational


def compute_rewardable_topics(
    candidates: Sequence[tuple[TopicId, Dec]],
    params: TopicWeightParams = CHAIN_TOPIC_WEIGHT_PARAMS,
) -> list[TopicId]:
    """The topics of ``candidates`` rewarded in this block (§14.4, §17; PROTOCOL.md §5.4).

    Order by weight descending, ties by topic id ascending (never randomness), keep the first
    MaxActiveTopicsPerBlock, skip topics whose weight is 0.

    Raises
    ------
    ParameterError
        When a topic id appears twice.
    """
    ids = [topic for topic, _ in candidates]
    if len(ids) != len(set(ids)):
        raise ParameterError("a topic appears twice among the candidates")
    ordered = sorted(candidates, key=lambda pair: (-pair[1], pair[0]))
    kept = ordered[: params.max_active_topics_per_block]
    return [topic for topic, weight in kept if weight > 0]


# ---------------------------------------------------------------------------------------------
# Topic rewards (§14.4)


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicRewardRequest:
    """A topic rewarded in this block: its weight and epoch length."""

    topic_id: TopicId
    weight: Dec
    """w_t, the weight stored at this epoch end."""
    epoch_length: int
    """ℓ_t in blocks: the topic is paid for the ℓ_t blocks its share accrued."""


def _exact_topic_rewards(
    topics: Sequence[TopicRewardRequest],
    total_weight: Dec,
    block_emission: Amount,
    treasury: Amount | None,
) -> list[Fraction]:
    if not isinstance(total_weight, mpfr) or not is_finite(total_weight):
        raise NonFiniteValueError(f"total topic weight must be a finite Dec: {total_weight!r}")
    if total_weight < 0:
        raise NegativeValueError(f"total topic weight is negative: {total_weight}")
    emission = _exact(_check_amount(block_emission, "block emission"))
    cap = None if treasury is None else _exact(_check_amount(treasury, "treasury"))
    seen: set[int] = set()
    shares: list[Fraction] = []  # w_t · ℓ_t
    for topic in topics:
        if topic.topic_id in seen:
            raise ParameterError(f"topic {topic.topic_id} is rewarded twice")
        seen.add(topic.topic_id)
        _check_epoch_length(topic.epoch_length)
        shares.append(_exact(_check_amount(topic.weight, "topic weight")) * topic.epoch_length)
    if total_weight == 0:
        # PROTOCOL.md C8: the reference halts; the recommended fix is to skip the rewards.
        return [Fraction(0) for _ in topics]
    rewards = [share * emission / _exact(total_weight) for share in shares]
    if cap is not None and sum(rewards, Fraction(0)) > cap:
        if len(rewards) == 1:
            return [cap]
        total_share = sum(shares, Fraction(0))
        return [cap * share / total_share for share in shares]
    return rewards


@with_dec_context
def compute_topic_rewards(
    topics: Sequence[TopicRewardRequest],
    *,
    total_weight: Dec,
    block_emission: Amount,
    treasury: Amount | None,
) -> list[Dec]:
    """Rewards E_t = (w_t/Σw)·e_block·ℓ_t of the topics rewarded in a block (§14.4).

    If they add up to more than the treasury, a single topic gets the whole treasury and
    several share it in proportion to w_t·ℓ_t. Each reward is the exact value rounded toward
    zero, so their sum never exceeds the treasury.

    Parameters
    ----------
    topics
        The topics rewarded now (see :func:`compute_rewardable_topics`), in the caller's order.
    total_weight
        Σ of the latest weights of all active topics (not only those ending now). When it is
        0 nobody is paid (PROTOCOL.md quirk C8, recommended fix).
    block_emission
        e_block: the Allora (non-validator) part of the current block emission.
    treasury
        The reward treasury balance, or None for no cap (the simulator profile).

    Returns
    -------
    list[Dec]
        One reward per topic, in the order of ``topics``.

    Raises
    ------
    NegativeValueError, NonFiniteValueError, ParameterError
        For negative or non-finite amounts or weights, an epoch length below 1 or a topic
        listed twice.
    """
    exact = _exact_topic_rewards(topics, total_weight, block_emission, treasury)
    return [_to_dec_toward_zero(value) for value in exact]


@with_dec_context
def compute_topic_reward_amounts(
    topics: Sequence[TopicRewardRequest],
    *,
    total_weight: Dec,
    block_emission: int,
    treasury: int,
) -> list[int]:
    """:func:`compute_topic_rewards` in integer base units, each rounded down.

    The amounts add up to at most ``treasury`` (each is at most its exact share).

    Raises
    ------
    NegativeValueError, NonFiniteValueError, ParameterError
        As :func:`compute_topic_rewards`, or for amounts that are not ints.
    """
    for name, value in (("block emission", block_emission), ("treasury", treasury)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name} must be an int of base units, got {value!r}")
    exact = _exact_topic_rewards(topics, total_weight, block_emission, treasury)
    return [value.numerator // value.denominator for value in exact]
