"""Accepted payloads (PROTOCOL.md §3.14, §3.15, §7.2) and the quirks they can show:

* a relayer (sender ≠ worker) pays the data fee and the worker's payload is stored;
* the SDK signs ``str(prediction)`` (``"1e-05"``); the [REC] rule accepts the signature over
  the bytes as received, ``reference_compat`` rejects it (4);
* C3: an inner block height other than the nonce is refused (18) unless ``reference_compat``;
* C4: a forecast element about an unregistered inferer is dropped on its own, or drops the
  whole forecast under ``reference_compat``;
* the fee counts as the topic's revenue.

Topic: E = 5, W = 3, G = 5, activated in block 2; worker nonce 7 accepts payloads in blocks 8-9.
"""

from __future__ import annotations

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

from pyallora.chain.emissions.signatures import encode_inference_forecast_bundle
from pyallora.chain.emissions.submissions.state import get_latest_forecast, get_latest_inference
from pyallora.chain.emissions.topics.state import get_topic_fee_revenue
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v5 import tx_pb2 as tx

TOPIC = 1
NONCE = 7


def build(*, reference_compat: bool = False) -> Chain:
    """Creator 0, workers 1-2, reputer 3, relayer 4, outsider 5 (never registered)."""
    chain = Chain(accounts=6, reference_compat=reference_compat)
    creator, reputer = chain.keys[0], chain.keys[3]
    chain.run_tx(
        creator,
        create_topic_msg(creator, epoch_length=5, ground_truth_lag=5, worker_submission_window=3),
    )
    txs = [chain.sign(w, register_msg(w, TOPIC, reputer=False)) for w in chain.keys[1:3]]
    txs += [
        chain.sign(reputer, register_msg(reputer, TOPIC, reputer=True)),
        chain.sign(reputer, add_stake_msg(reputer, TOPIC, 10**6)),
        chain.sign(creator, fund_topic_msg(creator, TOPIC, 10**9)),
    ]
    assert all(code == ("", 0) for code in codes(chain.run_block(txs)))
    chain.advance_to(NONCE + 1)
    return chain


def test_relayer_pays_and_the_worker_is_credited() -> None:
    chain = build()
    worker, relayer = chain.keys[1], chain.keys[4]
    worker_balance, relayer_balance = chain.balance(worker.address), chain.balance(relayer.address)
    ecosystem = chain.module_balance(ECOSYSTEM)
    revenue = get_topic_fee_revenue(chain.store, TOPIC)
    message = worker_payload_msg(worker, topic_id=TOPIC, nonce=NONCE, sender=relayer.address)
    result = chain.run_tx(relayer, message)
    assert result.code == 0, result.log
    fee = TEST_PARAMS.data_sending_fee
    assert chain.balance(relayer.address) == relayer_balance - fee
    assert chain.balance(worker.address) == worker_balance
    assert chain.module_balance(ECOSYSTEM) == ecosystem + fee
    assert get_topic_fee_revenue(chain.store, TOPIC) == revenue + fee
    stored = get_latest_inference(chain.store, TOPIC, worker.address)
    assert stored is not None and stored.inferer == worker.address


def sdk_style_message(chain: Chain, value: str) -> tx.InsertWorkerPayloadRequest:
    """A bundle signed over its own serialization with the value text as given (the SDK)."""
    worker = chain.keys[1]
    bundle = v3.InferenceForecastBundle(
        inference=v3.Inference(
            topic_id=TOPIC, block_height=NONCE, inferer=worker.address, value=value
        )
    )
    assert bundle.SerializeToString() != encode_inference_forecast_bundle(bundle)
    data = v3.WorkerDataBundle(
        worker=worker.address,
        nonce=v3.Nonce(block_height=NONCE),
        topic_id=TOPIC,
        inference_forecasts_bundle=bundle,
        inferences_forecasts_bundle_signature=worker.sign(bundle.SerializeToString()),
        pubkey=worker.public_key.hex(),
    )
    return tx.InsertWorkerPayloadRequest(sender=worker.address, worker_data_bundle=data)


def test_non_canonical_value_signed_as_sent_is_accepted() -> None:
    chain = build()
    result = chain.run_tx(chain.keys[1], sdk_style_message(chain, "1e-05"))
    assert result.code == 0, result.log
    stored = get_latest_inference(chain.store, TOPIC, chain.keys[1].address)
    assert stored is not None and stored.value == "1e-05"


def test_non_canonical_value_is_refused_under_reference_compat() -> None:
    chain = build(reference_compat=True)
    result = chain.run_tx(chain.keys[1], sdk_style_message(chain, "1e-05"))
    assert (result.codespace, result.code) == ("sdk", 4)


def test_replayed_inner_height_is_accepted_under_reference_compat() -> None:
    """C3: the reference does not compare the inner block height with the nonce."""
    chain = build(reference_compat=True)
    worker = chain.keys[1]
    result = chain.run_tx(
        worker, worker_payload_msg(worker, topic_id=TOPIC, nonce=NONCE, inner_height=2)
    )
    assert result.code == 0, result.log


def forecast_with_outsider(chain: Chain) -> list[tuple[str, str]]:
    return [(chain.keys[1].address, "0.1"), (chain.keys[5].address, "0.2")]


def test_unregistered_inferer_element_is_dropped_alone() -> None:
    chain = build()
    worker = chain.keys[2]
    result = chain.run_tx(
        worker,
        worker_payload_msg(
            worker, topic_id=TOPIC, nonce=NONCE, value="3", forecast=forecast_with_outsider(chain)
        ),
    )
    assert result.code == 0, result.log
    stored = get_latest_forecast(chain.store, TOPIC, worker.address)
    assert stored is not None
    assert [e.inferer for e in stored.forecast_elements] == [chain.keys[1].address]


def test_unregistered_inferer_element_drops_the_forecast_under_reference_compat() -> None:
    """C4: the handler succeeds, keeps the inference and silently drops the whole forecast."""
    chain = build(reference_compat=True)
    worker = chain.keys[2]
    result = chain.run_tx(
        worker,
        worker_payload_msg(
            worker, topic_id=TOPIC, nonce=NONCE, value="3", forecast=forecast_with_outsider(chain)
        ),
    )
    assert result.code == 0, result.log
    assert get_latest_forecast(chain.store, TOPIC, worker.address) is None
    assert get_latest_inference(chain.store, TOPIC, worker.address) is not None
