"""SYNTHESIS.md §14 / PROTOCOL.md §5.3, §5.7: topic weights, revenue drip, topic rewards.

Known values, properties (rewards never exceed the treasury; integer amounts are the floors
of the exact rewards; deterministic tie-breaks) and must-raise inputs. The simulator profile
is also checked month by month against ``tokenomics.csv`` in ``test_vectors_tokenomics.py``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.core.dec import Dec, dec, dec_context
from pyallora.core.errors import NegativeValueError, NonFiniteValueError, ParameterError
from pyallora.core.ids import TopicId
from pyallora.synthesis.topic_weights import (
    CHAIN_TOPIC_WEIGHT_PARAMS,
    TopicRewardRequest,
    TopicWeightParams,
    compute_fee_revenue_after_drip,
    compute_rewardable_topics,
    compute_target_weight,
    compute_topic_reward_amounts,
    compute_topic_rewards,
    compute_topic_weight,
    is_topic_weight_active,
)

with gmpy2.context(precision=113, trap_invalid=False):
    NAN = gmpy2.mpfr("nan")


def exact(value: Dec) -> Fraction:
    numerator, denominator = (int(x) for x in value.as_integer_ratio())
    return Fraction(numerator, denominator)


def request(topic: int, weight: str | int, epoch_length: int = 10) -> TopicRewardRequest:
    return TopicRewardRequest(
        topic_id=TopicId(topic), weight=dec(weight), epoch_length=epoch_length
    )


# ---------------------------------------------------------------------------------------------
# Weights


def test_target_weight_is_stake_times_revenue_per_block_to_the_half() -> None:
    assert compute_target_weight(stake=400, fee_revenue=900, epoch_length=1) == dec(600)
    assert compute_target_weight(stake=400, fee_revenue=900, epoch_length=9) == dec(200)
    assert compute_target_weight(stake=dec(400), fee_revenue=dec(900), epoch_length=9) == dec(200)
    linear = TopicWeightParams(stake_importance=dec(1), fee_revenue_importance=dec(0))
    assert compute_target_weight(stake=7, fee_revenue=3, epoch_length=5, params=linear) == dec(7)


def test_zero_revenue_gives_zero_weight_without_ema() -> None:
    assert compute_target_weight(stake=10**24, fee_revenue=0, epoch_length=12) == 0
    weight = compute_topic_weight(
        stake=10**24, fee_revenue=0, epoch_length=12, previous_weight=dec(5000)
    )
    assert weight == 0


def test_weight_ema_and_first_time_rule() -> None:
    first = compute_topic_weight(stake=400, fee_revenue=900, epoch_length=1, previous_weight=None)
    assert first == dec(600)
    # α = 0.5 (chain default): 0.5 · 600 + 0.5 · 200 = 400.
    later = compute_topic_weight(
        stake=400, fee_revenue=900, epoch_length=1, previous_weight=dec(200)
    )
    assert later == dec(400)
    # A stored weight of 0 is a value, not "no weight".
    stored_zero = compute_topic_weight(
        stake=400, fee_revenue=900, epoch_length=1, previous_weight=dec(0)
    )
    assert stored_zero == dec(300)


def test_activation_threshold() -> None:
    assert is_topic_weight_active(dec(100))
    assert not is_topic_weight_active(dec("99.99"))
    assert is_topic_weight_active(dec(1), TopicWeightParams(min_topic_weight=dec(0)))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"stake": -1, "fee_revenue": 1, "epoch_length": 1}, NegativeValueError),
        ({"stake": 1, "fee_revenue": dec(-1), "epoch_length": 1}, NegativeValueError),
        ({"stake": NAN, "fee_revenue": 1, "epoch_length": 1}, NonFiniteValueError),
        ({"stake": 1, "fee_revenue": 1, "epoch_length": 0}, ParameterError),
        ({"stake": 1.0, "fee_revenue": 1, "epoch_length": 1}, ParameterError),
    ],
)
def test_weight_rejects(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        compute_target_weight(**kwargs)  # type: ignore[arg-type]


def test_params_are_validated() -> None:
    with pytest.raises(ParameterError):
        TopicWeightParams(alpha=dec(2))
    with pytest.raises(ParameterError):
        TopicWeightParams(max_active_topics_per_block=0)
    with pytest.raises(ParameterError):
        TopicWeightParams(stake_importance=dec(-1))


@given(
    st.integers(min_value=0, max_value=10**30),
    st.integers(min_value=1, max_value=10**30),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=0, max_value=10**15),
)
def test_weight_lies_between_target_and_previous(stake, revenue, length, previous) -> None:
    target = compute_target_weight(stake=stake, fee_revenue=revenue, epoch_length=length)
    weight = compute_topic_weight(
        stake=stake, fee_revenue=revenue, epoch_length=length, previous_weight=dec(previous)
    )
    low, high = sorted((target, dec(previous)))
    with dec_context():
        slack = high * dec("1e-32")
        assert low - slack <= weight <= high + slack


# ---------------------------------------------------------------------------------------------
# Drip (§14.3)


def test_drip_by_hand() -> None:
    # epochs per week = (864000 / 4.345) / 1000; drip = C / that = 10⁹ · 4.345 / 864000.
    assert compute_fee_revenue_after_drip(1_000_000, 1_000) == 994_971
    assert compute_fee_revenue_after_drip(0, 12) == 0
    # An epoch longer than a week drains everything (floored at 0).
    assert compute_fee_revenue_after_drip(10**20, 864_000) == 0


@given(st.integers(min_value=0, max_value=10**40), st.integers(min_value=1, max_value=10**6))
def test_drip_is_exact(revenue: int, length: int) -> None:
    after = compute_fee_revenue_after_drip(revenue, length)
    # C − C·ℓ·4345/(1000·BPM), floored, never below 0: compare in integers only.
    denominator = 1000 * CHAIN_TOPIC_WEIGHT_PARAMS.blocks_per_month
    remaining_times_denominator = revenue * denominator - revenue * length * 4345
    expected = max(0, remaining_times_denominator // denominator)
    assert after == expected
    assert 0 <= after <= revenue


def test_drip_rejects() -> None:
    with pytest.raises(NegativeValueError):
        compute_fee_revenue_after_drip(-1, 12)
    with pytest.raises(ParameterError):
        compute_fee_revenue_after_drip(10, 0)


# ---------------------------------------------------------------------------------------------
# Which topics are rewarded


def test_rewardable_topics_ties_go_to_the_lower_id() -> None:
    candidates = [(TopicId(3), dec(5)), (TopicId(1), dec(5)), (TopicId(2), dec(7))]
    two = TopicWeightParams(max_active_topics_per_block=2)
    assert compute_rewardable_topics(candidates, two) == [2, 1]
    assert compute_rewardable_topics(candidates) == [2]  # one per block (chain default)
    zero = [(TopicId(4), dec(0)), (TopicId(5), dec(1))]
    assert compute_rewardable_topics(zero, two) == [5]
    with pytest.raises(ParameterError):
        compute_rewardable_topics([(TopicId(1), dec(1)), (TopicId(1), dec(2))])


@given(
    st.lists(
        st.tuples(st.integers(1, 50), st.integers(0, 5)), unique_by=lambda t: t[0], max_size=12
    ),
    st.integers(1, 5),
    st.randoms(use_true_random=False),
)
def test_rewardable_topics_are_the_heaviest_in_any_input_order(pairs, keep, rnd) -> None:
    candidates = [(TopicId(t), dec(w)) for t, w in pairs]
    params = TopicWeightParams(max_active_topics_per_block=keep)
    chosen = compute_rewardable_topics(candidates, params)
    shuffled = list(candidates)
    rnd.shuffle(shuffled)
    assert compute_rewardable_topics(shuffled, params) == chosen
    weights = dict(candidates)
    assert len(chosen) <= keep
    assert all(weights[t] > 0 for t in chosen)
    keys = [(-weights[t], t) for t in chosen]
    assert keys == sorted(keys)
    others = [t for t, _ in candidates if t not in chosen and weights[t] > 0]
    if others and len(chosen) == keep:
        assert all((-weights[o], o) > keys[-1] for o in others)


# ---------------------------------------------------------------------------------------------
# Topic rewards (§14.4)


def test_reward_is_weight_share_times_block_emission_times_epoch_length() -> None:
    rewards = compute_topic_rewards(
        [request(1, 1, 10)], total_weight=dec(4), block_emission=1000, treasury=10**9
    )
    assert rewards == [dec(2500)]
    amounts = compute_topic_reward_amounts(
        [request(1, 1, 10), request(2, 2, 3)], total_weight=dec(3), block_emission=1000,
        treasury=10**9,
    )  # fmt: skip
    assert amounts == [3333, 2000]  # ⌊10000/3⌋ and 2/3 · 1000 · 3


def test_treasury_cap() -> None:
    # One topic: it gets the whole treasury.
    assert compute_topic_reward_amounts(
        [request(1, 1, 10)], total_weight=dec(1), block_emission=1000, treasury=7
    ) == [7]
    # Several: the treasury is split by w·ℓ (1·10 : 3·10 : 2·5 = 1 : 3 : 1).
    rewards = compute_topic_rewards(
        [request(1, 1, 10), request(2, 3, 10), request(3, 2, 5)],
        total_weight=dec(6),
        block_emission=1000,
        treasury=50,
    )
    assert rewards == [dec(10), dec(30), dec(10)]


def test_zero_total_weight_pays_nothing() -> None:
    # PROTOCOL.md quirk C8: the reference halts; the recommended fix skips the rewards.
    assert compute_topic_reward_amounts(
        [request(1, 0)], total_weight=dec(0), block_emission=1000, treasury=100
    ) == [0]


@pytest.mark.parametrize(
    ("topics", "kwargs", "error"),
    [
        ([request(1, 1), request(1, 2)], {}, ParameterError),
        ([request(1, 1, 0)], {}, ParameterError),
        ([request(1, -1)], {}, NegativeValueError),
        ([request(1, 1)], {"total_weight": dec(-1)}, NegativeValueError),
        ([request(1, 1)], {"total_weight": NAN}, NonFiniteValueError),
        ([request(1, 1)], {"treasury": -5}, NegativeValueError),
        ([request(1, 1)], {"block_emission": dec("1.5")}, ParameterError),
    ],
)
def test_rewards_reject(topics, kwargs, error) -> None:
    arguments = {"total_weight": dec(3), "block_emission": 1000, "treasury": 100, **kwargs}
    with pytest.raises(error):
        compute_topic_reward_amounts(topics, **arguments)


_weights = st.integers(min_value=0, max_value=10**12).map(lambda i: dec(i) / 1000)


@given(
    st.lists(st.tuples(_weights, st.integers(1, 10**5)), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=10**15),
    st.integers(min_value=0, max_value=10**24),
    st.integers(min_value=0, max_value=10**30),
)
def test_topic_rewards_never_exceed_the_treasury(pairs, extra_weight, emission, treasury) -> None:
    topics = [
        TopicRewardRequest(topic_id=TopicId(i + 1), weight=w, epoch_length=length)
        for i, (w, length) in enumerate(pairs)
    ]
    with dec_context():
        total = gmpy2.fsum([w for w, _ in pairs]) + extra_weight
    rewards = compute_topic_rewards(
        topics, total_weight=total, block_emission=emission, treasury=treasury
    )
    amounts = compute_topic_reward_amounts(
        topics, total_weight=total, block_emission=emission, treasury=treasury
    )
    assert sum(exact(r) for r in rewards) <= treasury
    assert sum(amounts) <= treasury
    assert all(r >= 0 for r in rewards)
    # Amounts are the floors of the (exactly computed) rewards.
    assert amounts == [math.floor(exact(r)) for r in rewards]
    if total > 0:
        uncapped = [exact(w) * length * emission / exact(total) for w, length in pairs]
        if sum(uncapped) <= treasury:
            for got, want in zip(rewards, uncapped, strict=True):
                assert exact(got) <= want < exact(got) + max(want, 1) * Fraction(1, 10**33)
