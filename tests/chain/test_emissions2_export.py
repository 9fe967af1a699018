"""Export and import of the full state through genesis, on the standard modules with the real
mint and the emissions module (PROTOCOL.md §2.12): after a run with open nonces, archives,
regrets, scores, EMAs, a delegation and a pending stake removal, the exported document
imports into a fresh app with the same app hash, and both chains then execute the same
blocks (epoch ends, closes, rewards, the removal's payout) identically.
"""

from __future__ import annotations

import json

import pytest
from emissions2_harness import (
    Actors,
    MintedChain,
    add_stake_msg,
    codes,
    create_topic_msg,
    delegate_msg,
    fund_topic_msg,
    register_msg,
)
from foundation_helpers import CHAIN_ID

from pyallora.chain.abci_types import FinalizeBlockRequest, InitChainRequest
from pyallora.chain.app import App
from pyallora.chain.genesis import encode_app_state
from pyallora.chain.modules import build_standard_modules
from pyallora.proto.emissions.v5 import tx_pb2 as tx
from pyallora.storage import MemoryCommittedStore

TOPIC = 1

FULL_SECTIONS = (
    "topics",
    "unfulfilled_worker_nonces",
    "unfulfilled_reputer_nonces",
    "open_worker_windows",
    "topic_last_worker_commit",
    "topic_last_reputer_commit",
    "all_inferences",
    "all_forecasts",
    "all_loss_bundles",
    "network_loss_bundles",
    "inferer_scores_by_block",
    "forecaster_scores_by_block",
    "reputer_scores_by_block",
    "inferer_score_emas",
    "forecaster_score_emas",
    "reputer_score_emas",
    "inferer_network_regrets",
    "forecaster_network_regrets",
    "one_in_forecaster_network_regrets",
    "naive_inferer_network_regrets",
    "one_out_inferer_inferer_network_regrets",
    "one_out_inferer_forecaster_network_regrets",
    "one_out_forecaster_inferer_network_regrets",
    "reputer_listening_coefficient",
    "previous_inference_reward_fraction",
    "count_inferer_inclusions_in_topic",
    "delegated_stakes",
    "stake_removals_by_block",
)
"""Emissions genesis fields the exported run must fill."""


@pytest.mark.parametrize("compat", [False, True])
def test_full_state_survives_export_and_import(compat: bool) -> None:
    chain = MintedChain(accounts=10, reference_compat=compat)
    chain.run_block()  # commits the genesis
    keys = chain.keys
    creator, inferers, forecasters, reputers = keys[0], keys[1:5], keys[3:6], keys[6:9]
    topic = create_topic_msg(
        creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=3
    )
    assert chain.run_tx(creator, topic).code == 0
    txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in keys[1:6]]
    txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
    txs += [chain.sign(r, add_stake_msg(r, TOPIC, 10**20)) for r in reputers]
    txs.append(chain.sign(keys[9], delegate_msg(keys[9], TOPIC, reputers[0].address, 10**18)))
    txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**20)))
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    actors = Actors(chain, TOPIC, inferers, forecasters, reputers)
    for _ in range(40):
        assert all(code == ("", 0) for code in codes(actors.step()))
    removal = tx.RemoveStakeRequest(sender=reputers[1].address, topic_id=TOPIC, amount="1000")
    assert chain.run_tx(reputers[1], removal).code == 0
    actors.step()  # a worker window is open now, with submissions in the working sets

    exported = chain.app.export_genesis()
    section = exported["emissions"]
    assert isinstance(section, dict) and section["reference_compat"] is compat
    empty = [name for name in FULL_SECTIONS if not section.get(name)]
    assert not empty, f"not exported: {empty}"
    imported = App(MemoryCommittedStore(), modules=build_standard_modules(include_emissions=True))
    result = imported.init_chain(
        InitChainRequest(
            chain_id=CHAIN_ID,
            time_ns=chain.chain.time_of(chain.height),
            initial_height=chain.height + 1,
            app_state_bytes=encode_app_state(json.loads(json.dumps(exported))),
        )
    )
    assert result.app_hash == chain.app.info().last_block_app_hash

    # Both chains execute the same blocks: submissions, epoch ends, closes, rewards and
    # the removal's payout (delay 10) all happen in the next 15 blocks.
    seen: set[str] = set()
    for _ in range(15):
        txs = actors.worker_txs() + actors.reputer_txs()
        height = chain.next_height
        mine = chain.run_block(txs)
        theirs = imported.finalize_block(
            FinalizeBlockRequest(height=height, time_ns=chain.chain.time_of(height), txs=tuple(txs))
        )
        imported.commit()
        assert theirs.app_hash == mine.app_hash, height
        assert [r.code for r in theirs.tx_results] == [r.code for r in mine.tx_results]
        seen.update(event.type for event in mine.events)
    assert {
        "emissions.v4.EventWorkerLastCommitSet",
        "emissions.v4.EventReputerLastCommitSet",
        "emissions.v4.EventTopicRewardsSet",
        "pyallora.emissions.EventStakeRemovalPaid",
    } <= seen
    assert imported.export_genesis() == chain.app.export_genesis()
