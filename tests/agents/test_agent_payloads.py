"""Worker and reputer payloads: signed so that the chain's own verifier (canonical
re-encoding, reference mode) accepts them; losses of every value-bundle entry with the topic's
loss method."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.agents.context import NonFiniteOutputError
from pyallora.agents.payloads import (
    PayloadError,
    build_reputer_payload,
    build_worker_payload,
    parse_value_bundle_json,
)
from pyallora.agents.reputer import compute_loss_value_bundle
from pyallora.chain.emissions.signatures import (
    InvalidReputerSignatureError,
    InvalidWorkerSignatureError,
    verify_reputer_payload_signature,
    verify_worker_payload_signature,
)
from pyallora.client.keys import PrivateKey
from pyallora.client.wallet import Wallet
from pyallora.core.dectext import canonical_dec_text

WALLET = Wallet(PrivateKey(secret=bytes(range(1, 33))))
OTHERS = [Wallet(PrivateKey(secret=bytes([i]) * 32)).address for i in (7, 8, 9)]


def test_a_worker_payload_verifies_on_the_chain_with_canonical_decimal_text() -> None:
    forecast = {OTHERS[1]: -1e-05, OTHERS[0]: 2.5}
    request = build_worker_payload(
        WALLET, topic_id=4, nonce=120, inference=1e-07, forecast=forecast
    )
    bundle = request.worker_data_bundle
    verify_worker_payload_signature(bundle, reference_compat=True)
    inner = bundle.inference_forecasts_bundle
    assert request.sender == bundle.worker == inner.inference.inferer == WALLET.address
    assert inner.forecast.forecaster == WALLET.address
    assert (bundle.topic_id, bundle.nonce.block_height) == (4, 120)
    assert inner.inference.block_height == inner.forecast.block_height == 120
    assert inner.inference.value == "1E-7"
    elements = [(e.inferer, e.value) for e in inner.forecast.forecast_elements]
    assert [inferer for inferer, _ in elements] == sorted(forecast)
    assert dict(elements) == {OTHERS[0]: "2.5", OTHERS[1]: "-0.00001"}
    assert len(bundle.inferences_forecasts_bundle_signature) == 64
    assert bundle.pubkey == WALLET.public_key.hex() and bundle.pubkey.islower()
    # The signature binds the values: change one and the chain refuses it.
    inner.inference.value = "2E-7"
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(bundle, reference_compat=True)


def test_forecast_elements_are_sorted_and_canonical() -> None:
    forecast = {OTHERS[2]: -1e-05, OTHERS[0]: 1e16, OTHERS[1]: -0.0}
    request = build_worker_payload(WALLET, topic_id=1, nonce=10, forecast=forecast)
    inner = request.worker_data_bundle.inference_forecasts_bundle
    assert not inner.HasField("inference")
    elements = [(e.inferer, e.value) for e in inner.forecast.forecast_elements]
    assert [inferer for inferer, _ in elements] == sorted(forecast)
    assert dict(elements) == {OTHERS[2]: "-0.00001", OTHERS[0]: "1E+16", OTHERS[1]: "0.0"}
    verify_worker_payload_signature(request.worker_data_bundle, reference_compat=True)


def test_unbuildable_worker_payloads_are_refused() -> None:
    with pytest.raises(PayloadError, match="inference or a forecast"):
        build_worker_payload(WALLET, topic_id=1, nonce=10)
    with pytest.raises(PayloadError, match="at least one element"):
        build_worker_payload(WALLET, topic_id=1, nonce=10, forecast={})
    with pytest.raises(NonFiniteOutputError):
        build_worker_payload(WALLET, topic_id=1, nonce=10, inference=math.nan)
    with pytest.raises(NonFiniteOutputError):
        build_worker_payload(WALLET, topic_id=1, nonce=10, forecast={OTHERS[0]: math.inf})


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_inference_is_signed_verifiably_and_reads_back_exactly(value: float) -> None:
    request = build_worker_payload(WALLET, topic_id=2, nonce=7, inference=value)
    bundle = request.worker_data_bundle
    verify_worker_payload_signature(bundle, reference_compat=True)
    text = bundle.inference_forecasts_bundle.inference.value
    assert canonical_dec_text(text) == text
    assert float(text) == value


NETWORK = {
    "topic_id": "4",
    "reputer": "",
    "combined_value": "0.0000125",
    "naive_value": "1.25",
    "inferer_values": [
        {"worker": OTHERS[0], "value": "1.0"},
        {"worker": OTHERS[1], "value": "-3"},
    ],
    "forecaster_values": [{"worker": OTHERS[2], "value": "0.5"}],
    "one_out_inferer_values": [
        {"worker": OTHERS[0], "value": "-3"},
        {"worker": OTHERS[1], "value": "1E+0"},
    ],
    "one_out_forecaster_values": [{"worker": OTHERS[2], "value": "0.75"}],
    "one_in_forecaster_values": [{"worker": OTHERS[2], "value": "0.25"}],
    "one_out_inferer_forecaster_values": [
        {
            "forecaster": OTHERS[2],
            "one_out_inferer_values": [
                {"worker": OTHERS[0], "value": "0.5"},
                {"worker": OTHERS[1], "value": "-0.5"},
            ],
        }
    ],
}


def _entries(bundle: object) -> dict[tuple[str, ...], float]:
    found: dict[tuple[str, ...], float] = {
        ("combined",): float(bundle.combined_value),  # type: ignore[attr-defined]
        ("naive",): float(bundle.naive_value),  # type: ignore[attr-defined]
    }
    for name in (
        "inferer_values",
        "forecaster_values",
        "one_out_inferer_values",
        "one_out_forecaster_values",
        "one_in_forecaster_values",
    ):
        for item in getattr(bundle, name):
            found[(name, item.worker)] = float(item.value)
    for group in bundle.one_out_inferer_forecaster_values:  # type: ignore[attr-defined]
        for item in group.one_out_inferer_values:
            found[("oo", group.forecaster, item.worker)] = float(item.value)
    return found


LOSSES: dict[str, Callable[[float, float], float]] = {
    "mse": lambda v, t: math.log10((v - t) * (v - t)),
    "mae": lambda v, t: math.log10(abs(v - t)),
    "ztae": lambda v, t: math.log10(abs(math.tanh(v) - math.tanh(t))),
    "ztransformed_mae(mean=1, std=2)": lambda v, t: math.log10(
        abs(math.tanh((v - 1) / 2) - math.tanh((t - 1) / 2))
    ),
}


@pytest.mark.parametrize("method", sorted(LOSSES))
def test_the_loss_of_every_value_bundle_entry_uses_the_topics_method(method: str) -> None:
    values = parse_value_bundle_json(NETWORK)
    truth = 0.2
    losses = compute_loss_value_bundle(values, truth, method)
    got = _entries(losses)
    want = {key: LOSSES[method](value, truth) for key, value in _entries(values).items()}
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-12, abs=1e-12), key


def test_allow_negative_topics_get_raw_losses() -> None:
    values = parse_value_bundle_json(NETWORK)
    losses = compute_loss_value_bundle(values, 0.2, "mae", allow_negative=True)
    assert float(losses.naive_value) == pytest.approx(1.05)
    assert float(losses.inferer_values[1].value) == pytest.approx(3.2)


def test_log_space_losses_leave_out_entries_they_cannot_score() -> None:
    values = parse_value_bundle_json(NETWORK)
    losses = compute_loss_value_bundle(values, 2.0, "log_space_mae")
    kept = _entries(losses)
    assert ("inferer_values", OTHERS[1]) not in kept  # the value -3 has no logarithm
    assert kept[("inferer_values", OTHERS[0])] == pytest.approx(math.log10(math.log(2.0)))
    assert [(k[1], k[2]) for k in kept if k[0] == "oo"] == [(OTHERS[2], OTHERS[0])]
    negative = dict(NETWORK, combined_value="-1")
    with pytest.raises(PayloadError, match="combined value"):
        compute_loss_value_bundle(parse_value_bundle_json(negative), 2.0, "log_space_mae")


def test_a_reputer_payload_verifies_on_the_chain() -> None:
    losses = compute_loss_value_bundle(parse_value_bundle_json(NETWORK), 0.2, "mse")
    request = build_reputer_payload(WALLET, losses, topic_id=4, nonce=300)
    wrapped = request.reputer_value_bundle
    verify_reputer_payload_signature(wrapped, reference_compat=True)
    bundle = wrapped.value_bundle
    assert request.sender == bundle.reputer == WALLET.address
    assert bundle.topic_id == 4 and bundle.reputer_request_nonce.reputer_nonce.block_height == 300
    assert _entries(bundle) == _entries(losses)
    for text in (bundle.combined_value, bundle.naive_value, bundle.inferer_values[0].value):
        assert canonical_dec_text(text) == text
    bundle.reputer_request_nonce.reputer_nonce.block_height = 310
    with pytest.raises(InvalidReputerSignatureError):
        verify_reputer_payload_signature(wrapped, reference_compat=True)
