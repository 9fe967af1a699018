"""The emissions end blocker with the real mint and staking (PROTOCOL.md §5.1, §5.2, §5.7):
the allora cut the mint records in its begin block is what the reward step of the same
block pays out, topic by topic, to the uallo.

Standard modules (auth, bank, distribution, slashing, staking, mint, emissions) with three
bonded genesis validators; one topic with E = 5, G = 5, W = 3, three inferers (one also
forecasts) and two reputers who submit whenever they can.
"""

from __future__ import annotations

import json

from emissions2_harness import (
    REWARDS,
    Actors,
    MintedChain,
    add_stake_msg,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
)

from pyallora.chain.emissions.rewards.state import get_reward_current_block_emission

TOPIC = 1


def test_rewards_pay_out_the_mint_allora_cut() -> None:
    chain = MintedChain(accounts=7)
    chain.run_block()  # commits the genesis
    keys = chain.keys
    creator, inferers, reputers = keys[0], keys[1:4], keys[4:6]
    topic = create_topic_msg(
        creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=3
    )
    assert chain.run_tx(creator, topic).code == 0
    txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in inferers]
    txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
    txs += [chain.sign(r, add_stake_msg(r, TOPIC, 10**20)) for r in reputers]
    txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**20)))
    assert all(r.code == 0 for r in chain.run_block(txs).tx_results)
    actors = Actors(chain, TOPIC, inferers, inferers[:1], reputers)
    rewarded = 0
    for _ in range(40):
        treasury = chain.module_balance(REWARDS)
        result = actors.step()
        assert all(r.code == 0 for r in result.tx_results)
        cut = get_reward_current_block_emission(chain.store)
        assert cut > 0, "the mint records the allora cut every block"
        topic_rewards = [
            int(value)
            for event in result.events
            if event.type == "emissions.v4.EventTopicRewardsSet"
            for value in json.loads(dict(event.attributes)["rewards"])
        ]
        if topic_rewards:
            rewarded += 1
            # One active topic: it is paid E blocks' worth of the allora cut.
            assert topic_rewards == [5 * cut]
            assert chain.module_balance(REWARDS) == treasury + cut - 5 * cut
    assert rewarded >= 5
