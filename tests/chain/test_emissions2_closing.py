"""Closing nonces and paying rewards (PROTOCOL.md §5.5-§5.7) and the related quirks:

* a reputer whose stake falls below the minimum between its submission and the close is left
  out silently (§5.6 step 1);
* C21: a reputer bundle for nonce N + E sent in N's closing block is scored under N
  (``reference_compat``) or kept for its own nonce (the fix);
* C22: a forecast-only window fails with 80 and leaves its forecasters blocked in the next
  window (``reference_compat``) or is cleared (the fix);
* an empty treasury pays nothing and keeps the reward nonce; a zero weight sum halts under
  ``reference_compat`` (C8) and skips the rewards otherwise.

Topic: E = 5, W = 3, G = 5, activated in block 2: epoch ends 7, 12, 17, 22; worker nonce n
accepts payloads in blocks n+1 .. n+2 and closes at n + 3; reputer nonce N accepts bundles in
[N + 5, N + 10] and closes at N + 10.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from emissions2_harness import (
    TEST_PARAMS,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    fund_topic_msg,
    losses_for,
    register_msg,
    reputer_payload_msg,
    worker_payload_msg,
)

from pyallora.chain.context import BlockContext, Context, ExecMode
from pyallora.chain.emissions.block.pipeline import run_end_block_stage, run_end_block_to
from pyallora.chain.emissions.errors import InvalidRewardError
from pyallora.chain.emissions.nonces.state import (
    get_archived_loss_bundles,
    get_topic_reward_nonce,
    get_unfulfilled_reputer_nonces,
    get_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.rewards.state import FORECASTER, REPUTER
from pyallora.chain.emissions.stake.state import get_stake_reputer_authority
from pyallora.chain.emissions.submissions.state import get_active_set
from pyallora.chain.store.kv import Branch
from pyallora.client.keys import PrivateKey
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.proto.emissions.v5 import tx_pb2 as tx

TOPIC = 1
STAKE = 10**6


class Topic:
    """Creator 0, inferers 1-2, forecaster 3, reputers 4-5."""

    def __init__(self, **kwargs: object) -> None:
        params = kwargs.pop("params", TEST_PARAMS)
        self.chain = Chain(accounts=6, params=params, **kwargs)  # type: ignore[arg-type]
        keys = self.chain.keys
        self.creator, self.inferers, self.forecaster = keys[0], keys[1:3], keys[3]
        self.reputers = keys[4:6]
        chain = self.chain
        chain.run_tx(
            self.creator,
            create_topic_msg(
                self.creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=3
            ),
        )
        txs = [
            chain.sign(w, register_msg(w, TOPIC, reputer=False))
            for w in (*self.inferers, self.forecaster)
        ]
        txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in self.reputers]
        txs += [chain.sign(r, add_stake_msg(r, TOPIC, STAKE)) for r in self.reputers]
        txs.append(chain.sign(self.creator, fund_topic_msg(self.creator, TOPIC, 10**9)))
        assert all(code == ("", 0) for code in codes(chain.run_block(txs)))

    def infer(self, nonce: int) -> None:
        """Both inferers submit for ``nonce`` in block nonce + 1."""
        chain = self.chain
        chain.advance_to(nonce + 1)
        result = chain.run_block(
            [
                chain.sign(
                    w, worker_payload_msg(w, topic_id=TOPIC, nonce=nonce, value=f"{100 + i}")
                )
                for i, w in enumerate(self.inferers)
            ]
        )
        assert all(code == ("", 0) for code in codes(result)), codes(result)

    def report_tx(self, reputer: PrivateKey, nonce: int) -> bytes:
        network = self.chain.query(
            "GetNetworkInferencesAtBlock",
            q.GetNetworkInferencesAtBlockRequest(topic_id=TOPIC, block_height_last_inference=nonce),
            q.GetNetworkInferencesAtBlockResponse,
        ).network_inferences
        return self.chain.sign(
            reputer,
            reputer_payload_msg(reputer, losses_for(network, 100.4, reputer.address, nonce)),
        )


def test_reputer_below_minimum_stake_at_close_is_left_out() -> None:
    t = Topic()
    chain = t.chain
    low, kept = t.reputers
    # Block 5: remove all but 5,000 of ``low``'s stake (matures at the end of block 15).
    chain.advance_to(5)
    removal = tx.RemoveStakeRequest(sender=low.address, topic_id=TOPIC, amount=str(STAKE - 5_000))
    assert chain.run_tx(low, removal).code == 0
    t.infer(7)
    chain.advance_to(13)
    result = chain.run_block([t.report_tx(low, 7), t.report_tx(kept, 7)])
    assert codes(result) == [("", 0), ("", 0)], "both are above the minimum when they submit"
    chain.advance_to(16)
    assert get_stake_reputer_authority(chain.store, TOPIC, low.address) == 5_000
    chain.advance_to(18)  # block 17 closes reputer nonce 7 and pays it
    archived = get_archived_loss_bundles(chain.store, TOPIC, 7)
    # Pruning may already have run for older nonces only; nonce 7 is the newest closed.
    assert [b.value_bundle.reputer for b in archived] == [kept.address]
    assert get_stake_reputer_authority(chain.store, TOPIC, low.address) == 5_000
    assert get_stake_reputer_authority(chain.store, TOPIC, kept.address) > STAKE
    assert get_active_set(chain.store, REPUTER, TOPIC) == ()


def run_c21(*, reference_compat: bool) -> Topic:
    """Reputer 0 reports for 7 in block 13; reputer 1 reports for 12 in block 17 (the closing
    block of 7 and the first block of 12's window)."""
    t = Topic(reference_compat=reference_compat)
    chain = t.chain
    t.infer(7)
    t.infer(12)
    chain.advance_to(13)
    assert codes(chain.run_block([t.report_tx(t.reputers[0], 7)])) == [("", 0)]
    chain.advance_to(17)
    assert codes(chain.run_block([t.report_tx(t.reputers[1], 12)])) == [("", 0)]
    return t


def test_c21_fix_keeps_a_later_bundle_for_its_own_nonce() -> None:
    t = run_c21(reference_compat=False)
    chain = t.chain
    first, second = (r.address for r in t.reputers)
    assert [b.value_bundle.reputer for b in get_archived_loss_bundles(chain.store, TOPIC, 7)] == [
        first
    ]
    assert get_active_set(chain.store, REPUTER, TOPIC) == (second,)
    chain.advance_to(23)  # block 22 closes 12 with the kept bundle
    assert [b.value_bundle.reputer for b in get_archived_loss_bundles(chain.store, TOPIC, 12)] == [
        second
    ]
    assert 12 not in get_unfulfilled_reputer_nonces(chain.store, TOPIC)


def test_c21_reference_scores_a_later_bundle_under_the_closing_nonce() -> None:
    t = run_c21(reference_compat=True)
    chain = t.chain
    assert [
        b.value_bundle.reputer for b in get_archived_loss_bundles(chain.store, TOPIC, 7)
    ] == sorted(r.address for r in t.reputers)
    assert get_active_set(chain.store, REPUTER, TOPIC) == ()
    chain.advance_to(23)  # block 22: no bundle left for 12, the close fails and drops it
    assert get_archived_loss_bundles(chain.store, TOPIC, 12) == ()
    assert 12 not in get_unfulfilled_reputer_nonces(chain.store, TOPIC)


def run_c22(*, reference_compat: bool) -> tuple[Topic, tuple[str, int]]:
    """Only the forecaster submits for 7 (no inferer: the close fails with 80); then it
    submits again for 12."""
    t = Topic(reference_compat=reference_compat)
    chain = t.chain
    forecaster = t.forecaster
    elements = [(w.address, "0.5") for w in t.inferers]
    chain.advance_to(8)
    first = chain.run_tx(
        forecaster,
        worker_payload_msg(forecaster, topic_id=TOPIC, nonce=7, value=None, forecast=elements),
    )
    assert first.code == 0, first.log
    chain.advance_to(11)  # block 10 fails to close 7
    assert get_unfulfilled_worker_nonces(chain.store, TOPIC) == ()
    assert get_unfulfilled_reputer_nonces(chain.store, TOPIC) == ()
    chain.advance_to(13)
    second = chain.run_tx(
        forecaster,
        worker_payload_msg(forecaster, topic_id=TOPIC, nonce=12, value=None, forecast=elements),
    )
    return t, (second.codespace, second.code)


def test_c22_fix_clears_the_sets_of_a_dropped_window() -> None:
    t, code = run_c22(reference_compat=False)
    assert code == ("", 0)
    assert get_active_set(t.chain.store, FORECASTER, TOPIC) == (t.forecaster.address,)


def test_c22_reference_blocks_leftover_forecasters() -> None:
    t, code = run_c22(reference_compat=True)
    assert code == ("undefined", 1)
    result = t.chain.results[t.chain.height].tx_results[0]
    assert result.log.startswith("forecast already submitted")


def test_empty_treasury_keeps_the_reward_nonce() -> None:
    t = Topic(emission=0)
    chain = t.chain
    t.infer(7)
    chain.advance_to(13)
    assert codes(chain.run_block([t.report_tx(r, 7) for r in t.reputers])) == [("", 0)] * 2
    chain.advance_to(18)
    assert chain.module_balance("allorarewards") == 0
    assert get_topic_reward_nonce(chain.store, TOPIC) == 7
    assert get_archived_loss_bundles(chain.store, TOPIC, 7), "the close itself succeeded"
    assert (
        chain.query(
            "GetTopicRewardNonce",
            q.GetTopicRewardNonceRequest(topic_id=TOPIC),
            q.GetTopicRewardNonceResponse,
        ).nonce
        == 7
    )


def zero_weight_topic(*, reference_compat: bool) -> Chain:
    """min_topic_weight 0 and no revenue: the topic is active with weight 0 (Σ weights 0)."""
    chain = Chain(
        accounts=3,
        params=replace(TEST_PARAMS, min_topic_weight="0"),
        reference_compat=reference_compat,
    )
    creator, worker, reputer = chain.keys
    chain.run_tx(
        creator,
        create_topic_msg(creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=3),
    )
    chain.run_block(
        [
            chain.sign(worker, register_msg(worker, TOPIC, reputer=False)),
            chain.sign(reputer, register_msg(reputer, TOPIC, reputer=True)),
        ]
    )
    return chain


def test_zero_weight_sum_skips_rewards_under_the_fix() -> None:
    chain = zero_weight_topic(reference_compat=False)
    chain.advance_to(12)
    assert chain.module_balance("allorarewards") > 0


def test_zero_weight_sum_halts_under_reference_compat() -> None:
    """C8: the reference's end-block error aborts the block (the node halts)."""
    chain = zero_weight_topic(reference_compat=True)
    with pytest.raises(InvalidRewardError):
        chain.advance_to(12)


def test_pipeline_stops_between_the_reputer_close_and_the_rewards() -> None:
    """STYLE §3.6: run the end block of 17 up to the reward stage on a branch — reputer nonce 7
    is closed and its reward nonce set; the reward stage then pays and consumes it."""
    t = Topic()
    chain = t.chain
    t.infer(7)
    chain.advance_to(13)
    assert codes(chain.run_block([t.report_tx(r, 7) for r in t.reputers])) == [("", 0)] * 2
    chain.advance_to(17)
    branch = Branch(chain.store)
    ctx = Context(
        block=BlockContext(height=17, time_ns=0, chain_id=chain.app.chain_id),
        mode=ExecMode.END_BLOCK,
    )
    state = run_end_block_to(ctx, branch, "process_topic_rewards")
    assert [entry.topic_id for entry in state.topic_weights] == [TOPIC]
    assert get_topic_reward_nonce(branch, TOPIC) == 7
    assert get_unfulfilled_reputer_nonces(branch, TOPIC) == ()
    stakes = [get_stake_reputer_authority(branch, TOPIC, r.address) for r in t.reputers]
    run_end_block_stage(ctx, branch, "process_topic_rewards", state)
    assert get_topic_reward_nonce(branch, TOPIC) == 0
    after = [get_stake_reputer_authority(branch, TOPIC, r.address) for r in t.reputers]
    assert all(a > b for a, b in zip(after, stakes, strict=True))
    assert [event.type for event in ctx.events.events][-1] == "emissions.v4.EventTopicRewardsSet"
