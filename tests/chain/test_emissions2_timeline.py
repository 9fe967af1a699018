"""The worked timeline of PROTOCOL.md §5.10, block by block, and the W = E trap (§5.5, C5).

Topic: E = 10, W = 5, G = 20, activated by a FundTopic in block 100 (creation and registration
are free in these tests, so the topic's revenue and weight stay 0 until it is funded). Three
inferers (one also forecasts), two staked reputers, one delegator on the first reputer. Every
block's state passes every Appendix D invariant (the harness checks after each block).
"""

from __future__ import annotations

import json

from emissions2_harness import (
    EMISSION,
    PENDING,
    REWARDS,
    STAKING,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    delegate_msg,
    fund_topic_msg,
    losses_for,
    register_msg,
    reputer_payload_msg,
    worker_payload_msg,
)

from pyallora.chain.abci_types import FinalizeBlockResult
from pyallora.chain.emissions.nonces.state import (
    count_archived_records,
    get_last_reputer_commit,
    get_last_worker_commit,
    get_open_worker_windows,
    get_topic_reward_nonce,
    get_unfulfilled_reputer_nonces,
    get_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.stake.state import (
    get_delegate_reward_per_share,
    get_stake_reputer_authority,
)
from pyallora.chain.emissions.topics.state import get_next_churning_block, get_topic
from pyallora.proto.emissions.v5 import query_pb2 as q

TOPIC = 1
E, W, G = 10, 5, 20


def event_types(result: FinalizeBlockResult) -> list[str]:
    return [event.type for event in result.events]


def events_of(result: FinalizeBlockResult, name: str) -> list[dict[str, object]]:
    return [
        {key: json.loads(value) for key, value in event.attributes if key != "mode"}
        for event in result.events
        if event.type.endswith(name)
    ]


class Timeline:
    def __init__(self) -> None:
        self.chain = Chain(accounts=8)
        keys = self.chain.keys
        self.creator = keys[0]
        self.inferers = keys[1:4]
        self.reputers = keys[4:6]
        self.delegator = keys[6]

    def setup(self) -> None:
        chain = self.chain
        assert chain.run_tx(self.creator, create_topic_msg(self.creator)).code == 0
        txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in self.inferers]
        txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in self.reputers]
        txs += [chain.sign(r, add_stake_msg(r, TOPIC, 2_000_000)) for r in self.reputers]
        txs.append(
            chain.sign(
                self.delegator,
                delegate_msg(self.delegator, TOPIC, self.reputers[0].address, 1_000_000),
            )
        )
        assert all(code == ("", 0) for code in codes(chain.run_block(txs)))

    def worker_tx(self, index: int, nonce: int) -> bytes:
        key = self.inferers[index]
        forecast = None
        if index == 2:
            forecast = [(w.address, f"0.{index + 1}") for w in self.inferers[:2]]
        return self.chain.sign(
            key,
            worker_payload_msg(
                key, topic_id=TOPIC, nonce=nonce, value=f"{100 + index}.5", forecast=forecast
            ),
        )

    def reputer_tx(self, index: int, nonce: int) -> bytes:
        key = self.reputers[index]
        network = self.chain.query(
            "GetNetworkInferencesAtBlock",
            q.GetNetworkInferencesAtBlockRequest(topic_id=TOPIC, block_height_last_inference=nonce),
            q.GetNetworkInferencesAtBlockResponse,
        ).network_inferences
        return self.chain.sign(
            key,
            reputer_payload_msg(key, losses_for(network, 101.0 + index / 10, key.address, nonce)),
        )


def test_section_5_10_timeline_block_by_block() -> None:
    t = Timeline()
    chain = t.chain
    store = lambda: chain.store  # noqa: E731 - the committed store changes every block
    t.setup()
    chain.advance_to(100)
    assert get_next_churning_block(store(), TOPIC) is None

    # Block 100: the FundTopic activates the topic; slot 110.
    funded = chain.run_block([chain.sign(t.creator, fund_topic_msg(t.creator, TOPIC, 10**9))])
    assert codes(funded) == [("", 0)]
    assert get_next_churning_block(store(), TOPIC) == 110
    chain.advance_to(110)
    assert get_unfulfilled_worker_nonces(store(), TOPIC) == ()

    # Block 110: its own transactions run before the nonce exists (75); its end opens it.
    block = chain.run_block([t.worker_tx(0, 110)])
    assert codes(block) == [("emissions", 75)]
    assert get_unfulfilled_worker_nonces(store(), TOPIC) == (110,)
    assert get_topic(store(), TOPIC).epoch_last_ended == 110
    assert get_open_worker_windows(store(), 115) == (TOPIC,)
    assert get_next_churning_block(store(), TOPIC) == 120
    opened = events_of(block, "EventWorkerSubmissionWindowOpened")
    assert opened == [{"topic_id": "1", "nonce_block_height": "110", "window_end_block": "115"}]

    # Blocks 111-114: the window [110, 115).
    assert codes(chain.run_block([t.worker_tx(0, 110)])) == [("", 0)]
    assert codes(chain.run_block([t.worker_tx(1, 110)])) == [("", 0)]
    chain.run_block()
    assert codes(chain.run_block([t.worker_tx(2, 110)])) == [("", 0)]
    assert chain.next_height == 115

    # Block 115: too late for nonce 110 (67); its end closes the window.
    block = chain.run_block([t.worker_tx(1, 110)])
    assert codes(block) == [("emissions", 67)]
    assert get_unfulfilled_worker_nonces(store(), TOPIC) == ()
    assert get_unfulfilled_reputer_nonces(store(), TOPIC) == (110,)
    commit = get_last_worker_commit(store(), TOPIC)
    assert commit is not None and (commit.block_height, commit.nonce) == (115, 110)
    archived = chain.query(
        "GetInferencesAtBlock",
        q.GetInferencesAtBlockRequest(topic_id=TOPIC, block_height=110),
        q.GetInferencesAtBlockResponse,
    ).inferences.inferences
    assert [i.inferer for i in archived] == sorted(w.address for w in t.inferers)
    forecasts = chain.query(
        "GetForecastsAtBlock",
        q.GetForecastsAtBlockRequest(topic_id=TOPIC, block_height=110),
        q.GetForecastsAtBlockResponse,
    ).forecasts.forecasts
    assert [f.forecaster for f in forecasts] == [t.inferers[2].address]
    assert "emissions.v4.EventWorkerLastCommitSet" in event_types(block)
    assert events_of(block, "EventReputerSubmissionWindowOpened") == [
        {"topic_id": "1", "nonce_block_height": "110", "window_end_block": "150"}
    ]
    assert (
        chain.query(
            "GetActiveInferersForTopic",
            q.GetActiveInferersForTopicRequest(topic_id=TOPIC),
            q.GetActiveInferersForTopicResponse,
        ).inferers
        == []
    )

    # Block 116: the reputer window of 110 is [130, 150].
    assert codes(chain.run_block([t.reputer_tx(0, 110)])) == [("emissions", 68)]

    # 120 and 130: new worker nonces; 125 and 135 open reputer nonces 120 and 130.
    while chain.next_height <= 139:
        height = chain.next_height
        txs = []
        if height in (121, 131):
            txs = [t.worker_tx(i, height - 1) for i in range(3)]
        if height == 130:
            txs = [t.reputer_tx(0, 110)]
        block = chain.run_block(txs)
        assert all(code == ("", 0) for code in codes(block)), (height, codes(block))
        if height in (120, 130):
            assert get_unfulfilled_worker_nonces(store(), TOPIC)[0] == height
            assert 110 in get_unfulfilled_reputer_nonces(store(), TOPIC)
    assert get_unfulfilled_reputer_nonces(store(), TOPIC) == (130, 120, 110)

    # Block 140: last block for reports on 110; its end closes 110 and pays for it.
    treasury = chain.module_balance(REWARDS)
    pending = chain.module_balance(PENDING)
    staking = chain.module_balance(STAKING)
    worker_balances = [chain.balance(w.address) for w in t.inferers]
    authorities = [get_stake_reputer_authority(store(), TOPIC, r.address) for r in t.reputers]
    block = chain.run_block([t.reputer_tx(1, 110)])
    assert codes(block) == [("", 0)]
    assert get_unfulfilled_worker_nonces(store(), TOPIC) == (140,)
    assert get_unfulfilled_reputer_nonces(store(), TOPIC) == (130, 120)
    commit = get_last_reputer_commit(store(), TOPIC)
    assert commit is not None and (commit.block_height, commit.nonce) == (140, 110)
    assert get_topic_reward_nonce(store(), TOPIC) == 0, "the reward step consumes the nonce"
    assert "emissions.v4.EventNetworkLossSet" in event_types(block)
    assert events_of(block, "EventReputerSubmissionWindowClosed") == [
        {"topic_id": "1", "nonce_block_height": "110"}
    ]
    # One topic, Σ weights = its weight: reward = e_block × E, all of it paid out.
    [topic_rewards] = events_of(block, "EventTopicRewardsSet")
    reward = int(topic_rewards["rewards"][0])  # type: ignore[index]
    assert reward == EMISSION * E
    assert chain.module_balance(REWARDS) == treasury + EMISSION - reward
    worker_gain = sum(
        chain.balance(w.address) - b for w, b in zip(t.inferers, worker_balances, strict=True)
    )
    restaked = chain.module_balance(STAKING) - staking
    delegated = chain.module_balance(PENDING) - pending
    assert worker_gain + restaked + delegated == reward
    assert restaked > 0 and delegated > 0
    gains = [
        get_stake_reputer_authority(store(), TOPIC, r.address) - a
        for r, a in zip(t.reputers, authorities, strict=True)
    ]
    assert sum(gains) == restaked and all(gain > 0 for gain in gains)
    assert get_delegate_reward_per_share(store(), TOPIC, t.reputers[0].address) > 0
    settled = events_of(block, "EventRewardsSettled")
    assert {event["actor_type"] for event in settled} >= {"ACTOR_TYPE_REPUTER"}
    # Archives: nothing at or below 120 − 3 × 10 = 90 existed, nothing pruned.
    assert count_archived_records(store(), TOPIC) > 0

    # Pruning: keep everyone reporting; the reward for 130 (at 160) prunes nonces ≤ 110.
    while chain.next_height <= 160:
        height = chain.next_height
        txs = []
        if height in (141, 151):
            txs = [t.worker_tx(i, height - 1) for i in range(3)]
        if height in (145, 155):
            nonce = 120 if height == 145 else 130
            txs = [t.reputer_tx(0, nonce), t.reputer_tx(1, nonce)]
        block = chain.run_block(txs)
        assert all(code == ("", 0) for code in codes(block)), (height, codes(block))
        if height == 150:
            assert events_of(block, "EventTopicRewardsSet"), "nonce 120 is rewarded at 150"
            assert chain.query(
                "GetInferencesAtBlock",
                q.GetInferencesAtBlockRequest(topic_id=TOPIC, block_height=110),
                q.GetInferencesAtBlockResponse,
            ).inferences.inferences, "cutoff 130 − 30 = 100 keeps nonce 110"
    assert get_unfulfilled_reputer_nonces(store(), TOPIC) == (150, 140)
    assert (
        chain.query(
            "GetInferencesAtBlock",
            q.GetInferencesAtBlockRequest(topic_id=TOPIC, block_height=110),
            q.GetInferencesAtBlockResponse,
        ).inferences.inferences
        == []
    )
    assert (
        chain.query(
            "GetForecastsAtBlock",
            q.GetForecastsAtBlockRequest(topic_id=TOPIC, block_height=110),
            q.GetForecastsAtBlockResponse,
        ).forecasts.forecasts
        == []
    )
    assert (
        chain.query(
            "GetReputerLossBundlesAtBlock",
            q.GetReputerLossBundlesAtBlockRequest(topic_id=TOPIC, block_height=110),
            q.GetReputerLossBundlesAtBlockResponse,
        ).loss_bundles.reputer_value_bundles
        == []
    )
    losses = chain.query(
        "GetNetworkLossBundleAtBlock",
        q.GetNetworkLossBundleAtBlockRequest(topic_id=TOPIC, block_height=110),
        q.GetNetworkLossBundleAtBlockResponse,
    ).loss_bundle
    assert losses.combined_value == "" and not losses.inferer_values
    assert chain.query(
        "GetInferencesAtBlock",
        q.GetInferencesAtBlockRequest(topic_id=TOPIC, block_height=120),
        q.GetInferencesAtBlockResponse,
    ).inferences.inferences


# ---------------------------------------------------------------------------------------------
# W = E (§5.5 trap, quirk C5)


def run_w_equals_e(*, reference_compat: bool) -> Chain:
    """E = W = 5, G = 5: worker nonce n's window closes at n + 5, the block of the next epoch
    end. One inferer submits for the first two nonces (a staked reputer gives the topic its
    weight)."""
    chain = Chain(accounts=3, reference_compat=reference_compat)
    creator, worker, reputer = chain.keys
    chain.run_tx(
        creator,
        create_topic_msg(creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=5),
    )
    chain.run_block(
        [
            chain.sign(worker, register_msg(worker, TOPIC, reputer=False)),
            chain.sign(reputer, register_msg(reputer, TOPIC, reputer=True)),
            chain.sign(reputer, add_stake_msg(reputer, TOPIC, 10**6)),
            chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**9)),
        ]
    )
    # Activated in block 2: epoch ends at 7, 12, 17.
    chain.advance_to(8)
    first = chain.run_tx(worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=7))
    assert first.code == 0, first.log
    chain.advance_to(13)
    chain.results[13] = chain.run_block(
        [chain.sign(worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=12, value="2"))]
    )
    return chain


def test_w_equals_e_closes_windows_under_the_fix() -> None:
    chain = run_w_equals_e(reference_compat=False)
    assert codes(chain.results[13]) == [("", 0)]
    store = chain.store
    assert (
        chain.query(
            "GetInferencesAtBlock",
            q.GetInferencesAtBlockRequest(topic_id=TOPIC, block_height=7),
            q.GetInferencesAtBlockResponse,
        )
        .inferences.inferences[0]
        .value
        == "1"
    )
    assert get_unfulfilled_reputer_nonces(store, TOPIC) == (7,)
    commit = get_last_worker_commit(store, TOPIC)
    assert commit is not None and (commit.block_height, commit.nonce) == (12, 7)


def test_w_equals_e_drops_every_nonce_under_reference_compat() -> None:
    """C5: the close at n + E sees epoch_last_ended = n + E (set earlier in the same end block),
    fails and drops the nonce without archiving; the working sets are never cleared, so the
    inferer is refused as "already submitted" in the next window."""
    chain = run_w_equals_e(reference_compat=True)
    store = chain.store
    assert get_unfulfilled_reputer_nonces(store, TOPIC) == ()
    assert get_last_worker_commit(store, TOPIC) is None
    assert (
        chain.query(
            "GetInferencesAtBlock",
            q.GetInferencesAtBlockRequest(topic_id=TOPIC, block_height=7),
            q.GetInferencesAtBlockResponse,
        ).inferences.inferences
        == []
    )
    [result] = chain.results[13].tx_results
    assert (result.codespace, result.code) == ("undefined", 1)
    assert result.log.startswith("inference already submitted")
