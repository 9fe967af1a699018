"""The nonce, submission, output, score and regret queries (PROTOCOL.md §4.3, §4.4, §4.6) and
the pyallora "can submit now" window queries, after a few epochs of synthetic activity.

Topic: E = 6, W = 3, G = 6, five inferers (two of them also forecast), one more forecaster,
three reputers; every actor submits whenever it can (:class:`emissions2_harness.Actors`).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from emissions2_harness import (
    Actors,
    Chain,
    add_stake_msg,
    codes,
    create_topic_msg,
    fund_topic_msg,
    register_msg,
)
from google.protobuf import struct_pb2

from pyallora.chain.abci_types import QueryRequest
from pyallora.chain.emissions.nonces.state import (
    get_last_reputer_commit,
    get_last_worker_commit,
    get_latest_archived_inference_nonce,
)
from pyallora.chain.emissions.rewards.state import INFERER, iterate_score_emas
from pyallora.proto.emissions.v5 import query_pb2 as q

TOPIC = 1


@pytest.fixture(scope="module")
def run() -> tuple[Chain, Actors]:
    chain = Chain(accounts=10)
    keys = chain.keys
    creator, inferers, forecasters, reputers = keys[0], keys[1:6], [*keys[1:3], keys[6]], keys[7:10]
    chain.run_tx(
        creator,
        create_topic_msg(creator, epoch_length=6, ground_truth_lag=6, worker_submission_window=3),
    )
    txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in keys[1:7]]
    txs += [chain.sign(r, register_msg(r, TOPIC, reputer=True)) for r in reputers]
    txs += [chain.sign(r, add_stake_msg(r, TOPIC, 10**6 * (i + 1))) for i, r in enumerate(reputers)]
    txs.append(chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**9)))
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    actors = Actors(chain, TOPIC, inferers, forecasters, reputers)
    for _ in range(70):
        block = actors.step()
        assert all(code == ("", 0) for code in codes(block)), codes(block)
    return chain, actors


def test_nonce_queries(run: tuple[Chain, Actors]) -> None:
    chain, _ = run
    workers = chain.query(
        "GetUnfulfilledWorkerNonces",
        q.GetUnfulfilledWorkerNoncesRequest(topic_id=TOPIC),
        q.GetUnfulfilledWorkerNoncesResponse,
    ).nonces.nonces
    reputers = chain.query(
        "GetUnfulfilledReputerNonces",
        q.GetUnfulfilledReputerNoncesRequest(topic_id=TOPIC),
        q.GetUnfulfilledReputerNoncesResponse,
    ).nonces.nonces
    worker_heights = [n.block_height for n in workers]
    reputer_heights = [n.reputer_nonce.block_height for n in reputers]
    assert worker_heights == sorted(worker_heights, reverse=True)
    assert reputer_heights == sorted(reputer_heights, reverse=True) and reputer_heights
    for height in (*worker_heights, *reputer_heights, 1, 999):
        is_worker = chain.query(
            "IsWorkerNonceUnfulfilled",
            q.IsWorkerNonceUnfulfilledRequest(topic_id=TOPIC, block_height=height),
            q.IsWorkerNonceUnfulfilledResponse,
        ).is_worker_nonce_unfulfilled
        is_reputer = chain.query(
            "IsReputerNonceUnfulfilled",
            q.IsReputerNonceUnfulfilledRequest(topic_id=TOPIC, block_height=height),
            q.IsReputerNonceUnfulfilledResponse,
        ).is_reputer_nonce_unfulfilled
        assert is_worker == (height in worker_heights)
        assert is_reputer == (height in reputer_heights)


def test_latest_network_inferences_with_error_bars(run: tuple[Chain, Actors]) -> None:
    chain, actors = run
    response = chain.query(
        "GetLatestNetworkInferences",
        q.GetLatestNetworkInferencesRequest(topic_id=TOPIC),
        q.GetLatestNetworkInferencesResponse,
    )
    latest = get_latest_archived_inference_nonce(chain.store, TOPIC)
    commit = get_last_reputer_commit(chain.store, TOPIC)
    assert commit is not None
    assert response.inference_block_height == latest
    assert response.loss_block_height == commit.nonce
    bundle = response.network_inferences
    assert bundle.reputer_request_nonce.reputer_nonce.block_height == chain.height
    assert {v.worker for v in bundle.inferer_values} == {k.address for k in actors.inferers}
    assert len(bundle.forecaster_values) == len(actors.forecasters)
    weights = [Decimal(w.weight) for w in response.inferer_weights] + [
        Decimal(w.weight) for w in response.forecaster_weights
    ]
    assert abs(sum(weights) - 1) < Decimal("1e-30")
    assert list(response.confidence_interval_raw_percentiles) == [
        "2.28",
        "15.87",
        "50",
        "84.13",
        "97.72",
    ]
    values = [Decimal(v) for v in response.confidence_interval_values]
    assert len(values) == 5 and values == sorted(values)
    inferences = [Decimal(v.value) for v in bundle.inferer_values] + [
        Decimal(v.value) for v in bundle.forecaster_values
    ]
    assert min(inferences) <= values[0] and values[-1] <= max(inferences)
    assert min(inferences) <= Decimal(bundle.combined_value) <= max(inferences)


def test_network_inferences_at_block_match_the_reputers_input(run: tuple[Chain, Actors]) -> None:
    chain, _ = run
    commit = get_last_worker_commit(chain.store, TOPIC)
    assert commit is not None
    at_block = chain.query(
        "GetNetworkInferencesAtBlock",
        q.GetNetworkInferencesAtBlockRequest(
            topic_id=TOPIC, block_height_last_inference=commit.nonce
        ),
        q.GetNetworkInferencesAtBlockResponse,
    ).network_inferences
    assert at_block.reputer_request_nonce.reputer_nonce.block_height == commit.nonce
    available = chain.query(
        "GetLatestAvailableNetworkInferences",
        q.GetLatestAvailableNetworkInferencesRequest(topic_id=TOPIC),
        q.GetLatestAvailableNetworkInferencesResponse,
    )
    assert available.inference_block_height == commit.nonce
    assert available.network_inferences.combined_value == at_block.combined_value
    assert chain.query_code(
        "GetNetworkInferencesAtBlock",
        q.GetNetworkInferencesAtBlockRequest(topic_id=TOPIC, block_height_last_inference=3),
    ) == ("sdk", 38)
    assert chain.query_code(
        "GetLatestNetworkInferences", q.GetLatestNetworkInferencesRequest(topic_id=42)
    ) == ("sdk", 38)


def test_archived_submission_queries(run: tuple[Chain, Actors]) -> None:
    chain, actors = run
    latest = chain.query(
        "GetLatestTopicInferences",
        q.GetLatestTopicInferencesRequest(topic_id=TOPIC),
        q.GetLatestTopicInferencesResponse,
    )
    assert latest.block_height == get_latest_archived_inference_nonce(chain.store, TOPIC)
    assert [i.inferer for i in latest.inferences] == sorted(k.address for k in actors.inferers)
    forecasts = chain.query(
        "GetForecastsAtBlock",
        q.GetForecastsAtBlockRequest(topic_id=TOPIC, block_height=latest.block_height),
        q.GetForecastsAtBlockResponse,
    ).forecasts.forecasts
    assert [f.forecaster for f in forecasts] == sorted(k.address for k in actors.forecasters)
    commit = get_last_reputer_commit(chain.store, TOPIC)
    assert commit is not None
    bundles = chain.query(
        "GetReputerLossBundlesAtBlock",
        q.GetReputerLossBundlesAtBlockRequest(topic_id=TOPIC, block_height=commit.nonce),
        q.GetReputerLossBundlesAtBlockResponse,
    ).loss_bundles.reputer_value_bundles
    assert [b.value_bundle.reputer for b in bundles] == sorted(k.address for k in actors.reputers)
    losses = chain.query(
        "GetNetworkLossBundleAtBlock",
        q.GetNetworkLossBundleAtBlockRequest(topic_id=TOPIC, block_height=commit.nonce),
        q.GetNetworkLossBundleAtBlockResponse,
    ).loss_bundle
    reported = [Decimal(b.value_bundle.combined_value) for b in bundles]
    assert min(reported) <= Decimal(losses.combined_value) <= max(reported)
    assert (
        chain.query(
            "GetNetworkLossBundleAtBlock",
            q.GetNetworkLossBundleAtBlockRequest(topic_id=TOPIC, block_height=2),
            q.GetNetworkLossBundleAtBlockResponse,
        ).loss_bundle.combined_value
        == ""
    )


def test_current_window_queries_and_window_checks(run: tuple[Chain, Actors]) -> None:
    chain, actors = run
    # Advance to a block whose next block lies inside a fresh worker window.
    while True:
        nonces = chain.query(
            "GetUnfulfilledWorkerNonces",
            q.GetUnfulfilledWorkerNoncesRequest(topic_id=TOPIC),
            q.GetUnfulfilledWorkerNoncesResponse,
        ).nonces.nonces
        if nonces and nonces[0].block_height == chain.height:
            break
        actors.step()
    nonce = chain.height
    inferer = actors.inferers[0]
    status = window_status(chain, "CanSubmitWorkerPayload", inferer.address)
    assert status == {
        "can_submit": True,
        "nonce": str(nonce),
        "window_start": str(nonce),
        "window_end": str(nonce + 2),
        "reason": "ok",
    }
    assert chain.query_code(
        "GetWorkerLatestInferenceByTopicId",
        q.GetWorkerLatestInferenceByTopicIdRequest(topic_id=TOPIC, worker_address=inferer.address),
    ) == ("sdk", 38)
    actors.step()  # the actors submit for the fresh nonce
    latest = chain.query(
        "GetWorkerLatestInferenceByTopicId",
        q.GetWorkerLatestInferenceByTopicIdRequest(topic_id=TOPIC, worker_address=inferer.address),
        q.GetWorkerLatestInferenceByTopicIdResponse,
    ).latest_inference
    assert latest.block_height == nonce and latest.inferer == inferer.address
    active = chain.query(
        "GetActiveInferersForTopic",
        q.GetActiveInferersForTopicRequest(topic_id=TOPIC),
        q.GetActiveInferersForTopicResponse,
    ).inferers
    assert list(active) == sorted(k.address for k in actors.inferers)
    assert list(
        chain.query(
            "GetActiveForecastersForTopic",
            q.GetActiveForecastersForTopicRequest(topic_id=TOPIC),
            q.GetActiveForecastersForTopicResponse,
        ).forecasters
    ) == sorted(k.address for k in actors.forecasters)
    assert window_status(chain, "CanSubmitWorkerPayload", inferer.address)["reason"] == (
        "already submitted in this window"
    )
    assert (
        window_status(chain, "CanSubmitWorkerPayload", actors.reputers[0].address)["reason"]
        == "not registered in the topic"
    )
    reputer_status = window_status(chain, "CanSubmitReputerPayload", actors.reputers[0].address)
    assert set(reputer_status) == {"can_submit", "nonce", "window_start", "window_end", "reason"}


def window_status(chain: Chain, method: str, address: str) -> dict[str, object]:
    request = struct_pb2.Struct()
    request.fields["topic_id"].string_value = str(TOPIC)
    request.fields["address"].string_value = address
    result = chain.app.query(
        QueryRequest(
            path=f"/json/pyallora.emissions.v1.QueryService/{method}",
            data=json.dumps({"topic_id": str(TOPIC), "address": address}).encode(),
        )
    )
    assert result.code == 0, result.log
    return dict(json.loads(result.value))


def test_window_query_refuses_numbers() -> None:
    chain = Chain(accounts=1)
    result = chain.app.query(
        QueryRequest(
            path="/json/pyallora.emissions.v1.QueryService/CanSubmitWorkerPayload",
            data=b'{"topic_id": 1, "address": "x"}',
        )
    )
    assert (result.codespace, result.code) == ("sdk", 18)


def test_score_and_reward_queries(run: tuple[Chain, Actors]) -> None:
    chain, actors = run
    commit = get_last_reputer_commit(chain.store, TOPIC)
    assert commit is not None
    emas = {r.address: r for r in iterate_score_emas(chain.store, INFERER, TOPIC)}
    for key in actors.inferers:
        score = chain.query(
            "GetInfererScoreEma",
            q.GetInfererScoreEmaRequest(topic_id=TOPIC, inferer=key.address),
            q.GetInfererScoreEmaResponse,
        ).score
        assert score.block_height == emas[key.address].block_height > 0
        count = chain.query(
            "GetCountInfererInclusionsInTopic",
            q.GetCountInfererInclusionsInTopicRequest(topic_id=TOPIC, inferer=key.address),
            q.GetCountInfererInclusionsInTopicResponse,
        ).count
        assert count > 0, "every inferer has been paid"
        fraction = chain.query(
            "GetPreviousInferenceRewardFraction",
            q.GetPreviousInferenceRewardFractionRequest(topic_id=TOPIC, worker=key.address),
            q.GetPreviousInferenceRewardFractionResponse,
        )
        assert not fraction.not_found and 0 < Decimal(fraction.reward_fraction) < 1
        regret = chain.query(
            "GetInfererNetworkRegret",
            q.GetInfererNetworkRegretRequest(topic_id=TOPIC, actor_id=key.address),
            q.GetInfererNetworkRegretResponse,
        ).regret
        assert regret.block_height > 0
    unknown = chain.keys[0].address
    fresh = chain.query(
        "GetInfererScoreEma",
        q.GetInfererScoreEmaRequest(topic_id=TOPIC, inferer=unknown),
        q.GetInfererScoreEmaResponse,
    ).score
    assert (fresh.block_height, fresh.score) == (0, "0")
    absent = chain.query(
        "GetPreviousInferenceRewardFraction",
        q.GetPreviousInferenceRewardFractionRequest(topic_id=TOPIC, worker=unknown),
        q.GetPreviousInferenceRewardFractionResponse,
    )
    assert absent.not_found
    topic = chain.query("GetTopic", q.GetTopicRequest(topic_id=TOPIC), q.GetTopicResponse).topic
    default_regret = chain.query(
        "GetOneOutForecasterForecasterNetworkRegret",
        q.GetOneOutForecasterForecasterNetworkRegretRequest(
            topic_id=TOPIC, one_out_forecaster=unknown, forecaster=unknown
        ),
        q.GetOneOutForecasterForecasterNetworkRegretResponse,
    ).regret
    assert (default_regret.block_height, default_regret.value) == (0, topic.initial_regret)
    scores = chain.query(
        "GetWorkerInferenceScoresAtBlock",
        q.GetWorkerInferenceScoresAtBlockRequest(topic_id=TOPIC, block_height=commit.nonce),
        q.GetWorkerInferenceScoresAtBlockResponse,
    ).scores.scores
    assert [s.address for s in scores] == sorted(k.address for k in actors.inferers)
    until = chain.query(
        "GetInferenceScoresUntilBlock",
        q.GetInferenceScoresUntilBlockRequest(topic_id=TOPIC, block_height=commit.nonce),
        q.GetInferenceScoresUntilBlockResponse,
    ).scores
    assert len(until) == 10 and until[0].block_height == commit.nonce
    reputer_scores = chain.query(
        "GetReputersScoresAtBlock",
        q.GetReputersScoresAtBlockRequest(topic_id=TOPIC, block_height=commit.nonce),
        q.GetReputersScoresAtBlockResponse,
    ).scores.scores
    assert len(reputer_scores) == len(actors.reputers)
    coefficient = chain.query(
        "GetListeningCoefficient",
        q.GetListeningCoefficientRequest(topic_id=TOPIC, reputer=actors.reputers[0].address),
        q.GetListeningCoefficientResponse,
    ).listening_coefficient.coefficient
    assert 0 <= Decimal(coefficient) <= 1
    quantile = chain.query(
        "GetPreviousTopicQuantileReputerScoreEma",
        q.GetPreviousTopicQuantileReputerScoreEmaRequest(topic_id=TOPIC),
        q.GetPreviousTopicQuantileReputerScoreEmaResponse,
    ).value
    assert Decimal(quantile) > 0
    treasury = chain.query(
        "GetTotalRewardToDistribute",
        q.GetTotalRewardToDistributeRequest(),
        q.GetTotalRewardToDistributeResponse,
    ).total_reward
    assert int(treasury) == chain.module_balance("allorarewards")
    percentage = chain.query(
        "GetPreviousPercentageRewardToStakedReputers",
        q.GetPreviousPercentageRewardToStakedReputersRequest(),
        q.GetPreviousPercentageRewardToStakedReputersResponse,
    ).percentage_reward
    assert abs(Decimal(percentage) - Decimal("0.3")) < Decimal(
        "1e-30"
    ), "genesis value, not sampled"
