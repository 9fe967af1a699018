"""Topic rewards at epoch ends (PROTOCOL.md §5.7; SYNTHESIS.md §13-§14).

* the reputers' share of the treasury is sampled at a monthly boundary block (step 6, C10)
  and left alone in other blocks;
* several topics ending in one block share the block emission by weight (step 4);
* a topic whose reward exceeds the treasury takes the whole treasury (step 4);
* a delegator's share accrues in ``allorapendingrewards`` and is claimable (step 5b).

Topics: E = 5, G = 5, W = 3, activated in block 2 (epoch ends 7, 12, …); reputer nonce N is
closed and paid at N + 10. Every actor submits whenever it can.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from emissions2_harness import (
    EMISSION,
    PENDING,
    REWARDS,
    TEST_PARAMS,
    Actors,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    delegate_msg,
    fund_topic_msg,
    register_msg,
)

from pyallora.chain.abci_types import FinalizeBlockResult
from pyallora.chain.emissions.rewards.state import (
    get_previous_percentage_reward_to_staked_reputers,
)
from pyallora.chain.emissions.topics.state import (
    get_previous_topic_weight,
    get_total_sum_previous_topic_weights,
)
from pyallora.proto.emissions.v5 import tx_pb2 as tx


def setup_topics(chain: Chain, count: int) -> list[Actors]:
    """``count`` topics sharing one creator; each with 3 inferers (one forecasts) and two
    reputers of its own (keys 1 + 5·t …)."""
    creator = chain.keys[0]
    txs = [
        chain.sign(
            creator,
            create_topic_msg(
                creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=3
            ),
        )
        for _ in range(count)
    ]
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    actors = []
    txs = []
    for index in range(count):
        topic = index + 1
        base = 1 + 5 * index
        inferers, reputers = chain.keys[base : base + 3], chain.keys[base + 3 : base + 5]
        txs += [chain.sign(w, register_msg(w, topic, reputer=False)) for w in inferers]
        txs += [chain.sign(r, register_msg(r, topic, reputer=True)) for r in reputers]
        txs += [chain.sign(r, add_stake_msg(r, topic, 10**6 * (index + 1))) for r in reputers]
        txs.append(chain.sign(creator, fund_topic_msg(creator, topic, 10**9 * (index + 1))))
        actors.append(Actors(chain, topic, inferers, inferers[:1], reputers))
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    return actors


def step_all(chain: Chain, actors: list[Actors]) -> FinalizeBlockResult:
    txs = []
    for group in actors:
        txs += group.worker_txs() + group.reputer_txs()
    result = chain.run_block(txs)
    assert all(code == ("", 0) for code in codes(result)), codes(result)
    return result


def rewards_of(result: FinalizeBlockResult) -> dict[int, int]:
    for event in result.events:
        if event.type == "emissions.v4.EventTopicRewardsSet":
            attributes = dict(event.attributes)
            ids = [int(t) for t in json.loads(attributes["topic_ids"])]
            return dict(zip(ids, (int(r) for r in json.loads(attributes["rewards"])), strict=True))
    return {}


def settled_of(result: FinalizeBlockResult, actor_type: str) -> int:
    total = 0
    for event in result.events:
        attributes = dict(event.attributes)
        if (
            event.type == "emissions.v4.EventRewardsSettled"
            and json.loads(attributes["actor_type"]) == actor_type
        ):
            total += sum(int(r) for r in json.loads(attributes["rewards"]))
    return total


def test_reputer_percentage_is_sampled_at_the_monthly_boundary() -> None:
    """blocks_per_month = 102: the epoch end at 102 (a reward block) samples Σ W / T."""
    chain = Chain(accounts=6, params=replace(TEST_PARAMS, blocks_per_month=102))
    [actors] = setup_topics(chain, 1)  # created in block 1, activated in block 2 → ends 7 + 5k
    genesis_value = get_previous_percentage_reward_to_staked_reputers(chain.store)
    treasury = 0
    while chain.next_height < 102:
        step_all(chain, [actors])
        treasury = chain.module_balance(REWARDS)
        if chain.height in (96, 101):
            assert get_previous_percentage_reward_to_staked_reputers(chain.store) == genesis_value
    result = step_all(chain, [actors])
    assert chain.height == 102 and rewards_of(result), "102 is an epoch end with a reward"
    sampled = Decimal(str(get_previous_percentage_reward_to_staked_reputers(chain.store)))
    reputers = settled_of(result, "ACTOR_TYPE_REPUTER")
    treasury_before = treasury + EMISSION
    # W is the reputer task's exact reward; the integer payouts differ by < 1 per reputer.
    assert abs(sampled * treasury_before - reputers) < 3
    assert sampled != Decimal(str(genesis_value))
    step_all(chain, [actors])
    assert Decimal(str(get_previous_percentage_reward_to_staked_reputers(chain.store))) == sampled


def test_two_topics_ending_together_share_by_weight() -> None:
    chain = Chain(accounts=11, params=replace(TEST_PARAMS, max_active_topics_per_block=2))
    actors = setup_topics(chain, 2)
    paid: dict[int, int] = {}
    while not paid:
        result = step_all(chain, actors)
        paid = rewards_of(result)
        if paid:
            treasury_delta = EMISSION - sum(paid.values())
    assert set(paid) == {1, 2}
    total = Decimal(str(get_total_sum_previous_topic_weights(chain.store)))
    for topic, amount in paid.items():
        weight = Decimal(str(get_previous_topic_weight(chain.store, topic)))
        expected = weight / total * EMISSION * 5
        assert abs(expected - amount) <= 1, (topic, expected, amount)
    assert treasury_delta == EMISSION - sum(paid.values())
    heavier = max(paid, key=lambda t: get_previous_topic_weight(chain.store, t))
    assert paid[heavier] == max(paid.values())


def test_reward_above_the_treasury_takes_the_whole_treasury() -> None:
    """100 uallo minted per block, but 10⁶ recorded as the block emission: E_t = 5·10⁶ exceeds
    the treasury, so the single topic rewarded takes all of it."""
    chain = Chain(accounts=6, emission=100, recorded_emission=10**6)
    [actors] = setup_topics(chain, 1)
    while True:
        before = chain.module_balance(REWARDS)
        result = step_all(chain, [actors])
        paid = rewards_of(result)
        if paid:
            break
    assert paid == {1: before + 100}
    assert chain.module_balance(REWARDS) == 0


def test_delegator_share_accrues_and_can_be_claimed() -> None:
    chain = Chain(accounts=7)
    [actors] = setup_topics(chain, 1)
    delegator, reputer = chain.keys[6], actors.reputers[0]
    assert chain.run_tx(delegator, delegate_msg(delegator, 1, reputer.address, 10**6)).code == 0
    pending_before = chain.module_balance(PENDING)
    while not rewards_of(step_all(chain, [actors])):
        pass
    accrued = chain.module_balance(PENDING) - pending_before
    assert accrued > 0
    balance = chain.balance(delegator.address)
    claim = tx.RewardDelegateStakeRequest(
        sender=delegator.address, topic_id=1, reputer=reputer.address
    )
    assert chain.run_tx(delegator, claim).code == 0
    gained = chain.balance(delegator.address) - balance
    assert 0 < gained <= accrued and accrued - gained <= 1
