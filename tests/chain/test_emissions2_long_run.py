"""A long run on the standard modules with the real mint: one topic, 5 inferers, 3
forecasters, 5 reputers (one with a delegator), 300 epochs of 12 blocks with synthetic data
(PROTOCOL.md §5, §6; Appendix D).

Checked after every block (besides the standard modules' invariants and every Appendix D
invariant, which the harness checks):

* **conservation**: the rewards paid in the block (inferers' and forecasters' balances, the
  reputers' re-staked share, the delegators' share in ``allorapendingrewards``) add up to the
  topic rewards of ``EventTopicRewardsSet`` to the uallo, and the treasury moves by exactly
  the allora cut the mint sent in (``EventRewardCurrentBlockEmission``) minus those rewards;
* **bounded state**: the per-nonce archives and score lists hold a bounded number of records
  (pruning, §5.7 step 5e), and the number of keys in the whole store never exceeds what it
  was after the first 50 epochs;
* **determinism**: a second, independent run produces the same app hash at every height.
"""

from __future__ import annotations

import json

import pytest
from emissions2_harness import (
    PENDING,
    REWARDS,
    Actors,
    MintedChain,
    add_stake_msg,
    codes,
    create_topic_msg,
    delegate_msg,
    fund_topic_msg,
    register_msg,
)

from pyallora.chain.abci_types import FinalizeBlockResult
from pyallora.chain.emissions.nonces.state import count_archived_records
from pyallora.chain.emissions.params import DEFAULT_PARAMS
from pyallora.chain.emissions.rewards.state import (
    FORECASTER,
    INFERER,
    count_score_lists,
    get_inclusion_count,
)

TOPIC = 1
EPOCH = 12
EPOCHS = 300
SNAPSHOT_EVERY = 50 * EPOCH

SCORE_LIST_BOUND = 3 * (
    DEFAULT_PARAMS.min_epoch_length_record_limit + 2 + DEFAULT_PARAMS.max_samples_to_scale_scores
)
"""Per role: the lists above the pruning horizon (a few epochs) plus at most
``max_samples_to_scale_scores`` kept below it for the §12.1 sample."""


def _event_amounts(result: FinalizeBlockResult, name: str, field: str = "rewards") -> list[int]:
    amounts: list[int] = []
    for event in result.events:
        if event.type == name:
            value = json.loads(dict(event.attributes)[field])
            amounts.extend(int(v) for v in (value if isinstance(value, list) else [value]))
    return amounts


class Ledger:
    """Per-block conservation and state-size checks (module docstring)."""

    def __init__(self) -> None:
        self.treasury = 0
        self.pending = 0
        self.rewarded = 0
        self.paid = 0
        self.blocks_with_rewards = 0
        self.archive_peak = 0
        self.score_list_peak = 0
        self.sizes: list[int] = []

    def start(self, chain: MintedChain) -> None:
        self.treasury = chain.module_balance(REWARDS)
        self.pending = chain.module_balance(PENDING)

    def on_block(self, chain: MintedChain, result: FinalizeBlockResult) -> None:
        topic_rewards = sum(_event_amounts(result, "emissions.v4.EventTopicRewardsSet"))
        settled = sum(_event_amounts(result, "emissions.v4.EventRewardsSettled"))
        [cut] = _event_amounts(
            result, "mint.v3.EventRewardCurrentBlockEmission", field="token_amount"
        )
        treasury = chain.module_balance(REWARDS)
        pending = chain.module_balance(PENDING)
        to_delegators = pending - self.pending
        assert settled + to_delegators == topic_rewards, chain.height
        assert cut > 0, chain.height
        assert treasury - self.treasury == cut - topic_rewards, chain.height
        self.treasury, self.pending = treasury, pending
        self.rewarded += topic_rewards
        self.paid += settled + to_delegators
        self.blocks_with_rewards += topic_rewards > 0
        self.archive_peak = max(self.archive_peak, count_archived_records(chain.store, TOPIC))
        self.score_list_peak = max(self.score_list_peak, count_score_lists(chain.store, TOPIC))
        if chain.height % SNAPSHOT_EVERY == 0:
            self.sizes.append(sum(1 for _ in chain.store.iterate()))


def run(ledger: Ledger | None) -> tuple[MintedChain, Actors]:
    chain = MintedChain(accounts=15, on_block=None if ledger is None else ledger.on_block)
    chain.chain.block()  # commits the genesis (before the ledger starts)
    keys = chain.keys
    creator, inferers, forecasters, reputers = keys[0], keys[1:6], keys[6:9], keys[9:14]
    delegator = keys[14]
    if ledger is not None:
        ledger.start(chain)
    topic = create_topic_msg(
        creator, epoch_length=EPOCH, ground_truth_lag=EPOCH, worker_submission_window=6
    )
    assert chain.run_tx(creator, topic).code == 0
    txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in (*inferers, *forecasters)]
    txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
    txs += [chain.sign(r, add_stake_msg(r, TOPIC, 10**6 * (i + 1))) for i, r in enumerate(reputers)]
    txs.append(chain.sign(delegator, delegate_msg(delegator, TOPIC, reputers[0].address, 500_000)))
    txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**12)))
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
    # Pruning keeps a few nonces of history and the score lists the reward sample reads.
    assert 0 < ledger.archive_peak <= 4 * 6
    assert 0 < ledger.score_list_peak <= SCORE_LIST_BOUND
    assert len(ledger.sizes) == EPOCHS // 50
    assert max(ledger.sizes) <= ledger.sizes[0], ledger.sizes
    # A second, independent run: the same app hash at every height.
    again, _ = run(None)
    assert again.app_hashes == chain.app_hashes
    assert len(chain.app_hashes) == EPOCHS * EPOCH + 2
