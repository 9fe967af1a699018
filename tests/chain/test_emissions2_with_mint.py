"""The emissions end blocker with the real mint and staking (PROTOCOL.md §5.1, §5.2, §5.7):
the allora cut the mint records in its begin block is what the reward step of the same
block pays out, topic by topic, to the uallo.

Standard modules (auth, bank, distribution, slashing, staking, mint, emissions) with three
bonded genesis validators; one topic with E = 5, G = 5, W = 3, three inferers (one also
forecasts) and two reputers who submit whenever they can.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from emissions2_harness import (
    REWARDS,
    Actors,
    add_stake_msg,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
)
from google.protobuf.message import Message
from test_standard_modules_support import Chain as StandardChain

from pyallora.chain.abci_types import FinalizeBlockResult, QueryRequest
from pyallora.chain.emissions.invariants_part2 import validate_all_emissions_invariants
from pyallora.chain.emissions.module import EmissionsModule
from pyallora.chain.emissions.rewards.state import get_reward_current_block_emission
from pyallora.client.keys import PrivateKey

TOPIC = 1


class Adapter:
    """The part of the emissions2 harness API that :class:`Actors` uses, over the standard
    chain."""

    def __init__(self, chain: StandardChain) -> None:
        self.chain = chain
        self._offsets: dict[str, int] = {}

    @property
    def next_height(self) -> int:
        return self.chain.app.next_height

    @property
    def store(self) -> Any:
        return self.chain.store

    def sign(self, key: PrivateKey, *messages: Message) -> bytes:
        offset = self._offsets.get(key.address, 0)
        self._offsets[key.address] = offset + 1
        return self.chain.sign(key, messages, sequence_offset=offset)

    def run_block(self, txs: Sequence[bytes] = ()) -> FinalizeBlockResult:
        result = self.chain.block(txs)
        self._offsets.clear()
        validate_all_emissions_invariants(self.chain.store, self.chain.height)
        return result

    def query(self, method: str, request: Message, response_type: type[Message]) -> Any:
        result = self.chain.app.query(
            QueryRequest(
                path=f"/emissions.v5.QueryService/{method}", data=request.SerializeToString()
            )
        )
        assert result.code == 0, result.log
        response = response_type()
        response.ParseFromString(result.value)
        return response


def test_rewards_pay_out_the_mint_allora_cut() -> None:
    params = EmissionsModule().default_genesis()["params"]
    params.update(min_epoch_length="1", create_topic_fee="0", registration_fee="0")
    chain = StandardChain.start(include_emissions=True, accounts=7, emissions={"params": params})
    adapter = Adapter(chain)
    adapter.run_block()  # commits the genesis
    keys = chain.keys
    creator, inferers, reputers = keys[0], keys[1:4], keys[4:6]
    assert adapter.run_block([adapter.sign(creator, create_topic_msg(creator, epoch_length=5,
        ground_truth_lag=5, worker_submission_window=3))]).tx_results[0].code == 0  # fmt: skip
    txs = [adapter.sign(w, register_msg(w, TOPIC, reputer=False)) for w in inferers]
    txs += [adapter.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
    txs += [adapter.sign(r, add_stake_msg(r, TOPIC, 10**20)) for r in reputers]
    txs.append(adapter.sign(creator, fund_topic_msg(creator, TOPIC, 10**20)))
    assert all(r.code == 0 for r in adapter.run_block(txs).tx_results)
    actors = Actors(adapter, TOPIC, inferers, inferers[:1], reputers)  # type: ignore[arg-type]
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
