"""A long run: one topic, 5 inferers, 3 forecasters, 5 reputers (one with a delegator), 300
epochs of 12 blocks with synthetic data (PROTOCOL.md §5; Appendix D).

Checked after every block (besides every Appendix D invariant, which the harness checks):

* **conservation**: the rewards paid in the block (inferers' and forecasters' balances, the
  reputers' re-staked share, the delegators' share in ``allorapendingrewards``) add up to the
  topic rewards of ``EventTopicRewardsSet`` to the uallo, and the treasury moves by exactly
  the emission minted minus those rewards;
* **bounded state**: the per-nonce archives hold a bounded number of records (pruning), and
  the store grows only by the per-nonce score lists the reference never prunes (3 per epoch);
* **determinism**: a second, independent run produces the same app hash at every height.
"""

from __future__ import annotations

import itertools
import json

import pytest
from emissions2_harness import (
    EMISSION,
    PENDING,
    REWARDS,
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
from pyallora.chain.emissions.nonces.state import count_archived_records
from pyallora.chain.emissions.rewards.state import FORECASTER, INFERER, get_inclusion_count
from pyallora.chain.emissions.stores import (
    FORECASTER_SCORES_BY_BLOCK,
    INFERER_SCORES_BY_BLOCK,
    REPUTER_SCORES_BY_BLOCK,
)

TOPIC = 1
EPOCH = 12
EPOCHS = 300


def _event_amounts(result: FinalizeBlockResult, name: str) -> list[int]:
    amounts: list[int] = []
    for event in result.events:
        if event.type == f"emissions.v4.{name}":
            values = dict(event.attributes)["rewards"]
            amounts.extend(int(value) for value in json.loads(values))
    return amounts


class Ledger:
    """Per-block conservation checks (module docstring)."""

    def __init__(self) -> None:
        self.treasury = 0
        self.pending = 0
        self.rewarded = 0
        self.paid = 0
        self.blocks_with_rewards = 0
        self.archive_peak = 0
        self.growth: list[tuple[int, int]] = []

    def start(self, chain: Chain) -> None:
        self.treasury = chain.module_balance(REWARDS)
        self.pending = chain.module_balance(PENDING)

    def on_block(self, chain: Chain, result: FinalizeBlockResult) -> None:
        topic_rewards = sum(_event_amounts(result, "EventTopicRewardsSet"))
        settled = sum(_event_amounts(result, "EventRewardsSettled"))
        treasury = chain.module_balance(REWARDS)
        pending = chain.module_balance(PENDING)
        to_delegators = pending - self.pending
        assert settled + to_delegators == topic_rewards, chain.height
        assert treasury - self.treasury == EMISSION - topic_rewards, chain.height
        self.treasury, self.pending = treasury, pending
        self.rewarded += topic_rewards
        self.paid += settled + to_delegators
        self.blocks_with_rewards += topic_rewards > 0
        self.archive_peak = max(self.archive_peak, count_archived_records(chain.store, TOPIC))
        if chain.height % (50 * EPOCH) == 0:
            state = chain.snapshot()
            score_lists = sum(
                1
                for key in state
                if key.startswith(
                    (
                        INFERER_SCORES_BY_BLOCK.prefix,
                        FORECASTER_SCORES_BY_BLOCK.prefix,
                        REPUTER_SCORES_BY_BLOCK.prefix,
                    )
                )
            )
            self.growth.append((len(state) - score_lists, score_lists))


def run(ledger: Ledger | None) -> tuple[Chain, Actors]:
    chain = Chain(accounts=15, on_block=None if ledger is None else ledger.on_block)
    keys = chain.keys
    creator, inferers, forecasters, reputers = keys[0], keys[1:6], keys[6:9], keys[9:14]
    delegator = keys[14]
    chain.run_tx(
        creator,
        create_topic_msg(
            creator, epoch_length=EPOCH, ground_truth_lag=EPOCH, worker_submission_window=6
        ),
    )
    txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in (*inferers, *forecasters)]
    txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
    txs += [chain.sign(r, add_stake_msg(r, TOPIC, 10**6 * (i + 1))) for i, r in enumerate(reputers)]
    txs.append(chain.sign(delegator, delegate_msg(delegator, TOPIC, reputers[0].address, 500_000)))
    txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**12)))
    if ledger is not None:
        ledger.start(chain)
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    actors = Actors(chain, TOPIC, inferers, forecasters, reputers)
    for _ in range(EPOCHS * EPOCH):
        block = actors.step()
        assert all(code == ("", 0) for code in codes(block)), (chain.height, codes(block))
    return chain, actors


@pytest.mark.slow
def test_long_run_conserves_rewards_bounds_state_and_is_deterministic() -> None:
    ledger = Ledger()
    chain, actors = run(ledger)
    assert ledger.blocks_with_rewards >= EPOCHS - 3
    assert ledger.paid == ledger.rewarded > 0
    # Every participant was paid at some point.
    for key in actors.inferers:
        assert get_inclusion_count(chain.store, INFERER, TOPIC, key.address) > 0
    for key in actors.forecasters:
        assert get_inclusion_count(chain.store, FORECASTER, TOPIC, key.address) > 0
    # Pruning keeps a few nonces of history; only the unpruned score lists grow.
    assert 0 < ledger.archive_peak <= 4 * 6
    non_score = [size for size, _ in ledger.growth]
    assert len(non_score) == 6 and len(set(non_score[1:])) == 1, ledger.growth
    lists = [count for _, count in ledger.growth]
    assert [b - a for a, b in itertools.pairwise(lists)] == [3 * 50] * (len(lists) - 1)
    # A second, independent run: the same app hash at every height.
    again, _ = run(None)
    assert again.app_hashes == chain.app_hashes
    assert len(chain.app_hashes) == EPOCHS * EPOCH + 2
