"""CreateNewTopic (PROTOCOL.md §3.1), FundTopic (§3.11) and the §4.1 topic queries."""

from __future__ import annotations

import pytest
from emissions_helpers import EmissionsChain, topic_request
from foundation_helpers import FUNDS

from pyallora.chain.emissions.topics.state import get_topic, get_topic_fee_revenue
from pyallora.proto.emissions.v5 import query_pb2, tx_pb2


@pytest.fixture
def chain() -> EmissionsChain:
    return EmissionsChain()


def test_create_topic_charges_the_fee_to_ecosystem_as_revenue(chain: EmissionsChain) -> None:
    ecosystem = chain.module_balance("ecosystem")
    assert chain.query("GetNextTopicId").next_topic_id == 1
    topic_id = chain.create_topic(0)
    assert topic_id == 1
    assert chain.balance(0) == FUNDS - 75_000
    assert chain.module_balance("ecosystem") == ecosystem + 75_000
    assert get_topic_fee_revenue(chain.store, 1) == 75_000
    assert chain.query("GetNextTopicId").next_topic_id == 2
    topic = get_topic(chain.store, 1)
    assert topic is not None
    assert (topic.creator, topic.epoch_length, topic.ground_truth_lag) == (chain.address(0), 10, 20)
    assert (topic.epoch_last_ended, topic.initial_regret) == (0, "0")
    # Creation does not activate (§5.3).
    assert not chain.query("IsTopicActive", query_pb2.IsTopicActiveRequest(topic_id=1)).is_active
    assert chain.create_topic(1) == 2


def test_dec_fields_are_stored_in_the_reference_text(chain: EmissionsChain) -> None:
    chain.create_topic(0, p_norm="3.0", epsilon="1e-02", alpha_regret=".5")
    topic = chain.query("GetTopic", query_pb2.GetTopicRequest(topic_id=1)).topic
    assert (topic.p_norm, topic.epsilon, topic.alpha_regret) == ("3.0", "0.01", "0.5")


@pytest.mark.parametrize(
    ("overrides", "codespace", "code"),
    [
        ({"creator": "allo1notanaddress"}, "sdk", 7),
        ({"creator": ""}, "sdk", 7),
        ({"loss_method": ""}, "sdk", 18),
        ({"loss_method": "x" * 256}, "sdk", 18),
        ({"metadata": "é" * 128}, "sdk", 18),
        ({"epoch_length": 0}, "sdk", 18),
        ({"worker_submission_window": 0}, "sdk", 18),
        ({"ground_truth_lag": 9}, "sdk", 18),
        ({"worker_submission_window": 11}, "sdk", 18),
        ({"alpha_regret": "0"}, "sdk", 18),
        ({"alpha_regret": "1.01"}, "sdk", 18),
        ({"alpha_regret": "NaN"}, "sdk", 18),
        ({"p_norm": "2.49"}, "sdk", 18),
        ({"p_norm": "4.51"}, "sdk", 18),
        ({"epsilon": "0"}, "sdk", 18),
        ({"merit_sortition_alpha": "1"}, "sdk", 18),
        ({"active_inferer_quantile": "-0.1"}, "sdk", 18),
        ({"active_forecaster_quantile": "1"}, "sdk", 18),
        ({"active_reputer_quantile": "1.5"}, "sdk", 18),
        ({"p_norm": " 3"}, "sdk", 2),
        ({"epsilon": "1_0"}, "sdk", 2),
        ({"worker_submission_window": -1}, "sdk", 18),
    ],
)
def test_create_topic_rejections(
    chain: EmissionsChain, overrides: dict[str, object], codespace: str, code: int
) -> None:
    fields = dict(overrides)
    creator = str(fields.pop("creator", chain.address(0)))
    message = topic_request(creator, **fields)
    if creator != chain.address(0):
        # The tx is signed by key 0; a bad creator is refused before the signer match.
        result = chain.run(0, message)
        assert (result.codespace, result.code) == (codespace, code), result.log
        return
    chain.rejects(0, message, codespace, code)


def test_cadence_and_ground_truth_lag_bounds_come_from_params() -> None:
    chain = EmissionsChain(
        params={"min_epoch_length": "12", "max_unfulfilled_reputer_requests": "3"}
    )
    chain.rejects(
        0,
        topic_request(
            chain.address(0), epoch_length=11, ground_truth_lag=11, worker_submission_window=5
        ),
        "emissions",
        40,
    )
    chain.rejects(
        0, topic_request(chain.address(0), epoch_length=12, ground_truth_lag=37), "emissions", 74
    )
    chain.ok(0, topic_request(chain.address(0), epoch_length=12, ground_truth_lag=36))


def test_order_cadence_before_lag_before_fee() -> None:
    chain = EmissionsChain(
        params={"min_epoch_length": "12", "max_unfulfilled_reputer_requests": "1"}, funds=10
    )
    # Both 40 and 74 apply: 40 first; then 74 before the (unaffordable) fee.
    chain.rejects(
        0,
        topic_request(
            chain.address(0), epoch_length=11, ground_truth_lag=30, worker_submission_window=5
        ),
        "emissions",
        40,
    )
    chain.rejects(
        0, topic_request(chain.address(0), epoch_length=12, ground_truth_lag=30), "emissions", 74
    )
    chain.rejects(
        0, topic_request(chain.address(0), epoch_length=12, ground_truth_lag=12), "sdk", 5
    )


def test_w_equal_e_is_accepted(chain: EmissionsChain) -> None:
    # C5 is fixed at the nonce close (part 2), not by refusing the topic.
    chain.ok(0, topic_request(chain.address(0), epoch_length=10, worker_submission_window=10))


def test_fund_topic_any_amount_counts_as_revenue(chain: EmissionsChain) -> None:
    chain.create_topic(0)
    ecosystem = chain.module_balance("ecosystem")
    chain.ok(1, tx_pb2.FundTopicRequest(sender=chain.address(1), topic_id=1, amount="0"))
    assert get_topic_fee_revenue(chain.store, 1) == 75_000
    chain.ok(1, tx_pb2.FundTopicRequest(sender=chain.address(1), topic_id=1, amount="1234"))
    assert get_topic_fee_revenue(chain.store, 1) == 75_000 + 1234
    assert chain.module_balance("ecosystem") == ecosystem + 1234
    assert chain.balance(1) == FUNDS - 1234
    revenue = chain.query("GetTopicFeeRevenue", query_pb2.GetTopicFeeRevenueRequest(topic_id=1))
    assert revenue.fee_revenue == str(75_000 + 1234)


def test_fund_topic_rejections(chain: EmissionsChain) -> None:
    chain.create_topic(0)
    sender = chain.address(1)
    chain.rejects(1, tx_pb2.FundTopicRequest(sender=sender, topic_id=9, amount="5"), "sdk", 38)
    chain.rejects(1, tx_pb2.FundTopicRequest(sender=sender, topic_id=1, amount="-5"), "sdk", 10)
    chain.rejects(1, tx_pb2.FundTopicRequest(sender=sender, topic_id=1), "sdk", 10)
    chain.rejects(
        1, tx_pb2.FundTopicRequest(sender=sender, topic_id=1, amount=str(FUNDS + 1)), "sdk", 5
    )
    chain.rejects(1, tx_pb2.FundTopicRequest(sender=sender, topic_id=1, amount="1.5"), "sdk", 2)


def test_topic_queries(chain: EmissionsChain) -> None:
    chain.create_topic(0)
    missing = chain.query_result("GetTopic", query_pb2.GetTopicRequest(topic_id=7))
    assert (missing.codespace, missing.code) == ("sdk", 38)
    assert chain.query("TopicExists", query_pb2.TopicExistsRequest(topic_id=1)).exists
    assert not chain.query("TopicExists", query_pb2.TopicExistsRequest(topic_id=0)).exists
    answer = chain.query("GetTopic", query_pb2.GetTopicRequest(topic_id=1))
    assert (answer.weight, answer.effective_revenue) == ("0", "75000")  # no stake yet
    previous = chain.query(
        "GetPreviousTopicWeight", query_pb2.GetPreviousTopicWeightRequest(topic_id=1)
    )
    assert (previous.weight, previous.not_found) == ("0", True)
    assert chain.query("GetTotalSumPreviousTopicWeights").weight == "0"
    assert (
        chain.query(
            "GetNextChurningBlockByTopicId",
            query_pb2.GetNextChurningBlockByTopicIdRequest(topic_id=1),
        ).block_height
        == 0
    )
    assert (
        chain.query("GetTopicRewardNonce", query_pb2.GetTopicRewardNonceRequest(topic_id=1)).nonce
        == 0
    )
    never = chain.query_result(
        "GetTopicLastWorkerCommitInfo", query_pb2.GetTopicLastWorkerCommitInfoRequest(topic_id=1)
    )
    assert (never.codespace, never.code) == ("sdk", 38)
    never = chain.query_result(
        "GetTopicLastReputerCommitInfo",
        query_pb2.GetTopicLastReputerCommitInfoRequest(topic_id=1),
    )
    assert (never.codespace, never.code) == ("sdk", 38)
    empty = chain.query(
        "GetActiveTopicsAtBlock", query_pb2.GetActiveTopicsAtBlockRequest(block_height=5)
    )
    assert list(empty.topics) == []
    assert empty.HasField("pagination")
