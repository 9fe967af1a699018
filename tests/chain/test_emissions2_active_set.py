"""The active-set contest of PROTOCOL.md §5.9 with K = 2 inferers (and quirk C6).

Four inferers A, B, C, D start with stored score EMAs 0.5, 0.2, 0.9, 0.1 (stamped at height
1, from genesis) and the topic's inferer quantile q̄ = 0.3; merit_sortition_alpha α = 0.1.
Topic: E = 10, W = 8, G = 10, activated in block 2, so worker nonce 12 accepts payloads in
blocks 13-19 and nonce 22 in blocks 23-29.

* A and B are admitted (first come, first served).
* C (0.9 > lowest 0.2) evicts B: B's EMA becomes α·q̄ + (1 − α)·0.2 = 0.21, stamped 12, and
  B's inference is deleted.
* D (0.1 < lowest 0.5) is refused but the transaction succeeds and keeps its fee; D's EMA
  becomes α·q̄ + (1 − α)·0.1 = 0.12, stamped 12; a retry gets 78, and so does B's.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from emissions2_harness import (
    ECOSYSTEM,
    TEST_PARAMS,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
    worker_payload_msg,
)

from pyallora.chain.emissions.nonces.state import get_archived_inferences
from pyallora.chain.emissions.rewards.state import INFERER, get_score_ema
from pyallora.chain.emissions.submissions.state import get_active_set, get_latest_inference
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v5 import genesis_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q

TOPIC = 1
NONCE = 12
NEXT_NONCE = 22
EMAS = {"A": "0.5", "B": "0.2", "C": "0.9", "D": "0.1"}
QUANTILE = "0.3"


def build(*, reference_compat: bool = False) -> tuple[Chain, dict[str, str]]:
    chain_keys_count = 7
    names = ["A", "B", "C", "D"]
    # Key order: creator, A, B, C, D, reputer.
    from foundation_helpers import make_key

    addresses = {name: make_key(index + 1).address for index, name in enumerate(names)}
    genesis = genesis_pb2.GenesisState(
        inferer_score_emas=[
            genesis_pb2.TopicIdActorIdScore(
                topic_id=TOPIC,
                actor_id=addresses[name],
                score=v3.Score(
                    topic_id=TOPIC, block_height=1, address=addresses[name], score=EMAS[name]
                ),
            )
            for name in names
        ],
        previous_topic_quantile_inferer_score_ema=[
            genesis_pb2.TopicIdAndDec(topic_id=TOPIC, value=QUANTILE)
        ],
    )
    chain = Chain(
        accounts=chain_keys_count,
        params=replace(TEST_PARAMS, max_top_inferers_to_reward=2),
        reference_compat=reference_compat,
        extra_genesis=genesis,
    )
    creator, reputer = chain.keys[0], chain.keys[5]
    chain.run_tx(
        creator,
        create_topic_msg(creator, epoch_length=10, ground_truth_lag=10, worker_submission_window=8),
    )
    txs = [
        chain.sign(chain.keys[i], register_msg(chain.keys[i], TOPIC, reputer=False))
        for i in range(1, 5)
    ]
    txs += [
        chain.sign(reputer, register_msg(reputer, TOPIC, reputer=True)),
        chain.sign(reputer, add_stake_msg(reputer, TOPIC, 10**6)),
        chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**9)),
    ]
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    chain.advance_to(NONCE + 1)
    return chain, addresses


def submit(chain: Chain, name: str, nonce: int = NONCE, value: str = "1") -> tuple[str, int]:
    key = chain.keys["ABCD".index(name) + 1]
    result = chain.run_tx(key, worker_payload_msg(key, topic_id=TOPIC, nonce=nonce, value=value))
    return result.codespace, result.code


def ema(chain: Chain, address: str) -> tuple[int, Decimal]:
    record = get_score_ema(chain.store, INFERER, TOPIC, address)
    return record.block_height, Decimal(str(record.score))


def close_to(value: Decimal, expected: str) -> bool:
    return abs(value - Decimal(expected)) < Decimal("1e-30")


def run_first_window(chain: Chain, addresses: dict[str, str]) -> None:
    """The window of nonce 12 with the sequence of the module docstring (asserted)."""
    assert submit(chain, "A") == ("", 0)
    assert submit(chain, "B") == ("", 0)
    # C evicts B.
    block = chain.run_block(
        [chain.sign(chain.keys[3], worker_payload_msg(chain.keys[3], topic_id=TOPIC, nonce=NONCE))]
    )
    assert codes(block) == [("", 0)]
    members = get_active_set(chain.store, INFERER, TOPIC)
    assert sorted(members) == sorted([addresses["A"], addresses["C"]])
    assert get_latest_inference(chain.store, TOPIC, addresses["B"]) is None
    height, value = ema(chain, addresses["B"])
    assert height == NONCE and close_to(value, "0.21")
    passive = [e for e in block.tx_results[0].events if e.type == "emissions.v4.EventEMAScoresSet"]
    assert len(passive) == 1
    assert dict(passive[0].attributes)["is_active"] == "[false]"
    assert dict(passive[0].attributes)["addresses"] == f'["{addresses["B"]}"]'


def test_contest_with_k_2() -> None:
    chain, addresses = build()
    run_first_window(chain, addresses)
    # D loses: success, fee kept, EMA stamped.
    ecosystem = chain.module_balance(ECOSYSTEM)
    assert submit(chain, "D") == ("", 0)
    assert chain.module_balance(ECOSYSTEM) == ecosystem + TEST_PARAMS.data_sending_fee
    assert addresses["D"] not in get_active_set(chain.store, INFERER, TOPIC)
    assert get_latest_inference(chain.store, TOPIC, addresses["D"]) is None
    height, value = ema(chain, addresses["D"])
    assert height == NONCE and close_to(value, "0.12")
    # Retries in the same window: 78 (D refused, B evicted), and nothing changes.
    before = chain.snapshot()
    assert submit(chain, "D", value="2") == ("emissions", 78)
    assert submit(chain, "B", value="2") == ("emissions", 78)
    noise = chain.block_noise_keys(chain.keys[2], chain.keys[4])
    from emissions2_harness import changed_keys

    assert changed_keys(before, chain.snapshot()) <= noise
    assert (
        chain.results[chain.height].tx_results[0].log.find("cannot update EMA") >= 0
    ), "clients match the text of 78"
    # A member retrying is "already submitted".
    assert submit(chain, "A", value="3") == ("undefined", 1)
    # The window closes at 20: only A and C are archived.
    chain.advance_to(21)
    archived = get_archived_inferences(chain.store, TOPIC, NONCE)
    assert [i.inferer for i in archived] == sorted([addresses["A"], addresses["C"]])
    assert get_active_set(chain.store, INFERER, TOPIC) == ()


def second_window(chain: Chain) -> None:
    """Nonce 22: B and D fill the set, then C contests."""
    chain.advance_to(NEXT_NONCE + 1)
    assert submit(chain, "B", nonce=NEXT_NONCE) == ("", 0)
    assert submit(chain, "D", nonce=NEXT_NONCE) == ("", 0)
    assert submit(chain, "C", nonce=NEXT_NONCE) == ("", 0)


def test_the_lowest_member_is_computed_from_the_current_set() -> None:
    """The C6 fix: in the next window C contests the real lowest member, D (EMA 0.12)."""
    chain, addresses = build()
    run_first_window(chain, addresses)
    assert submit(chain, "D") == ("", 0)  # refused, EMA 0.12
    second_window(chain)
    members = get_active_set(chain.store, INFERER, TOPIC)
    assert sorted(members) == sorted([addresses["B"], addresses["C"]])
    height, value = ema(chain, addresses["D"])
    assert height == NEXT_NONCE and close_to(value, "0.138")
    lowest = chain.query(
        "GetCurrentLowestInfererScore",
        q.GetCurrentLowestInfererScoreRequest(topic_id=TOPIC),
        q.GetCurrentLowestInfererScoreResponse,
    ).score
    assert lowest.address == addresses["B"]


def test_stale_cached_lowest_under_reference_compat() -> None:
    """C6 reproduced: the cache still names A (0.5) from the first window; C beats it, A (no
    longer a member) has its EMA overwritten from the cached score, the removal is a no-op and
    the set grows to 3 > K."""
    chain, addresses = build(reference_compat=True)
    run_first_window(chain, addresses)
    assert submit(chain, "D") == ("", 0)
    second_window(chain)
    members = get_active_set(chain.store, INFERER, TOPIC)
    assert sorted(members) == sorted([addresses["B"], addresses["C"], addresses["D"]])
    height, value = ema(chain, addresses["A"])
    assert height == NEXT_NONCE and close_to(value, "0.48")
