"""Tests of worker and reputer payload signatures (PROTOCOL.md §7.2, §3.14-§3.15, App. D).

Vectors: the Appendix D bundle ("55000.0", "1E-7", "-3.25", zero) signed and verified; a
client that signs ``"1e-07"`` (the Python SDK's ``str(prediction)``) passes under the [REC]
rule through the exact received bytes and fails under ``reference_compat``; high-s, wrong
length, wrong key, mismatched actor and malformed hex are rejected with the codes §7.2 names.
Differential: the canonical re-encoding against an independent field-by-field encoder that
follows gogoproto's rules, over Hypothesis-generated bundles.
"""

from __future__ import annotations

import doctest
import hashlib

import coincurve
import ecdsa  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.chain.emissions import signatures
from pyallora.chain.emissions.signatures import (
    InvalidReputerSignatureError,
    InvalidWorkerSignatureError,
    MalformedBundleDecError,
    MalformedPubkeyError,
    PubkeyActorMismatchError,
    canonical_inference_forecast_bundle,
    canonical_value_bundle,
    decode_pubkey_hex,
    encode_inference_forecast_bundle,
    encode_value_bundle,
    find_submessage_bytes,
    pubkey_address,
    received_value_bundle_bytes,
    received_worker_bundle_bytes,
    signed_byte_candidates,
    validate_actor_matches_pubkey,
    verify_reputer_payload_signature,
    verify_worker_payload_signature,
)
from pyallora.chain.tx.errors import InvalidRequestError, UnauthorizedError
from pyallora.core.crypto import SECP256K1_ORDER, address_from_pubkey, sha256
from pyallora.core.dectext import canonical_dec_text
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v5 import tx_pb2

WORKER_KEY = coincurve.PrivateKey(sha256(b"pyallora test worker"))
REPUTER_KEY = coincurve.PrivateKey(sha256(b"pyallora test reputer"))
OTHER_KEY = coincurve.PrivateKey(sha256(b"pyallora test other"))


def pubkey(key: coincurve.PrivateKey) -> bytes:
    return bytes(key.public_key.format(compressed=True))


def address(key: coincurve.PrivateKey) -> str:
    return address_from_pubkey(pubkey(key))


def sign(key: coincurve.PrivateKey, data: bytes) -> bytes:
    """64-byte r‖s over SHA-256(data); libsecp256k1 always produces low s."""
    return bytes(key.sign_recoverable(data, hasher=sha256)[:64])


def high_s(signature: bytes) -> bytes:
    """The same signature with s replaced by n − s (valid ECDSA, rejected by the low-s rule)."""
    s = int.from_bytes(signature[32:], "big")
    return signature[:32] + (SECP256K1_ORDER - s).to_bytes(32, "big")


# ---------------------------------------------------------------------------------------------
# An independent encoder with gogoproto's rules (PROTOCOL.md §7.2), for the differential test


def _uvarint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return _uvarint(number << 3 | wire_type)


def _int(number: int, value: int) -> bytes:
    return _key(number, 0) + _uvarint(value) if value else b""


def _bytes(number: int, data: bytes) -> bytes:
    return _key(number, 2) + _uvarint(len(data)) + data if data else b""


def _string(number: int, text: str) -> bytes:
    return _bytes(number, text.encode())


def _dec(number: int, text: str) -> bytes:
    canonical = canonical_dec_text(text).encode()
    return _key(number, 2) + _uvarint(len(canonical)) + canonical  # always emitted


def _message(number: int, payload: bytes) -> bytes:
    return _key(number, 2) + _uvarint(len(payload)) + payload  # emitted when present


def reference_inference(inference: v3.Inference) -> bytes:
    return (
        _int(1, inference.topic_id)
        + _int(2, inference.block_height)
        + _string(3, inference.inferer)
        + _dec(4, inference.value)
        + _bytes(5, inference.extra_data)
        + _string(6, inference.proof)
    )


def reference_forecast(forecast: v3.Forecast) -> bytes:
    elements = b"".join(
        _message(4, _string(1, element.inferer) + _dec(2, element.value))
        for element in forecast.forecast_elements
    )
    return (
        _int(1, forecast.topic_id)
        + _int(2, forecast.block_height)
        + _string(3, forecast.forecaster)
        + elements
        + _bytes(5, forecast.extra_data)
    )


def reference_worker_bundle(bundle: v3.InferenceForecastBundle) -> bytes:
    out = b""
    if bundle.HasField("inference"):
        out += _message(1, reference_inference(bundle.inference))
    if bundle.HasField("forecast"):
        out += _message(2, reference_forecast(bundle.forecast))
    return out


def _attributed(number: int, values: list[v3.WorkerAttributedValue]) -> bytes:
    return b"".join(
        _message(number, _string(1, item.worker) + _dec(2, item.value)) for item in values
    )


def reference_value_bundle(bundle: v3.ValueBundle) -> bytes:
    out = _int(1, bundle.topic_id)
    if bundle.HasField("reputer_request_nonce"):
        nonce = b""
        if bundle.reputer_request_nonce.HasField("reputer_nonce"):
            nonce = _message(1, _int(1, bundle.reputer_request_nonce.reputer_nonce.block_height))
        out += _message(2, nonce)
    out += _string(3, bundle.reputer)
    out += _bytes(4, bundle.extra_data)
    out += _dec(5, bundle.combined_value)
    out += _attributed(6, list(bundle.inferer_values))
    out += _attributed(7, list(bundle.forecaster_values))
    out += _dec(8, bundle.naive_value)
    out += _attributed(9, list(bundle.one_out_inferer_values))
    out += _attributed(10, list(bundle.one_out_forecaster_values))
    out += _attributed(11, list(bundle.one_in_forecaster_values))
    for entry in bundle.one_out_inferer_forecaster_values:
        out += _message(
            12, _string(3, entry.forecaster) + _attributed(4, list(entry.one_out_inferer_values))
        )
    return out


# ---------------------------------------------------------------------------------------------
# Fixtures: the Appendix D bundles


def appendix_d_worker_bundle(worker: str) -> v3.InferenceForecastBundle:
    """Values "55000.0", "1E-7", "-3.25" and zero (absent and explicit) in one bundle."""
    return v3.InferenceForecastBundle(
        inference=v3.Inference(
            topic_id=7, block_height=110, inferer=worker, value="55000.0", proof="p"
        ),
        forecast=v3.Forecast(
            topic_id=7,
            block_height=110,
            forecaster=worker,
            forecast_elements=[
                v3.ForecastElement(inferer=address(OTHER_KEY), value="1E-7"),
                v3.ForecastElement(inferer=address(REPUTER_KEY), value="-3.25"),
                v3.ForecastElement(inferer=worker, value="0"),
            ],
        ),
    )


def worker_data_bundle(
    inner: v3.InferenceForecastBundle, *, key: coincurve.PrivateKey, signature: bytes
) -> v3.WorkerDataBundle:
    return v3.WorkerDataBundle(
        worker=address(key),
        nonce=v3.Nonce(block_height=110),
        topic_id=7,
        inference_forecasts_bundle=inner,
        inferences_forecasts_bundle_signature=signature,
        pubkey=pubkey(key).hex(),
    )


def appendix_d_value_bundle(reputer: str) -> v3.ValueBundle:
    return v3.ValueBundle(
        topic_id=7,
        reputer_request_nonce=v3.ReputerRequestNonce(reputer_nonce=v3.Nonce(block_height=110)),
        reputer=reputer,
        combined_value="55000.0",
        inferer_values=[
            v3.WorkerAttributedValue(worker=address(WORKER_KEY), value="1E-7"),
            v3.WorkerAttributedValue(worker=address(OTHER_KEY), value="-3.25"),
        ],
        naive_value="",
        one_out_inferer_values=[
            v3.WithheldWorkerAttributedValue(worker=address(WORKER_KEY), value="0")
        ],
        one_out_inferer_forecaster_values=[
            v3.OneOutInfererForecasterValues(
                forecaster=address(WORKER_KEY),
                one_out_inferer_values=[
                    v3.WithheldWorkerAttributedValue(worker=address(OTHER_KEY), value="2.5E+3")
                ],
            )
        ],
    )


def reputer_value_bundle(
    bundle: v3.ValueBundle, *, key: coincurve.PrivateKey, signature: bytes
) -> v3.ReputerValueBundle:
    return v3.ReputerValueBundle(value_bundle=bundle, signature=signature, pubkey=pubkey(key).hex())


# ---------------------------------------------------------------------------------------------
# Canonical encoding


def test_hand_encoded_inference_vector() -> None:
    # Inference{topic_id 1, block_height 10, inferer "a", value "1e-07"}, written out by hand:
    # 08 01 | 10 0a | 1a 01 'a' | 22 04 '1E-7' -- the Dec re-printed in canonical form.
    bundle = v3.InferenceForecastBundle(
        inference=v3.Inference(topic_id=1, block_height=10, inferer="a", value="1e-07")
    )
    inner = bytes.fromhex("0801100a1a0161") + bytes.fromhex("2204") + b"1E-7"
    assert encode_inference_forecast_bundle(bundle) == b"\x0a" + bytes([len(inner)]) + inner


def test_absent_dec_is_encoded_as_zero() -> None:
    # An empty Dec is omitted by proto3 but the reference always writes it, as "0".
    bundle = v3.InferenceForecastBundle(inference=v3.Inference(topic_id=1))
    assert bundle.SerializeToString() == bytes.fromhex("0a020801")
    assert encode_inference_forecast_bundle(bundle) == bytes.fromhex("0a05080122013" + "0")


def test_empty_present_submessages_are_emitted() -> None:
    bundle = v3.InferenceForecastBundle()
    bundle.forecast.SetInParent()
    assert encode_inference_forecast_bundle(bundle) == bytes.fromhex("1200")
    assert encode_inference_forecast_bundle(v3.InferenceForecastBundle()) == b""


def test_appendix_d_encodings_match_the_independent_encoder() -> None:
    worker_bundle = appendix_d_worker_bundle(address(WORKER_KEY))
    assert encode_inference_forecast_bundle(worker_bundle) == reference_worker_bundle(worker_bundle)
    value_bundle = appendix_d_value_bundle(address(REPUTER_KEY))
    assert encode_value_bundle(value_bundle) == reference_value_bundle(value_bundle)
    # "55000.0", "1E-7", "-3.25" are canonical already; the empty naive value becomes "0".
    canonical = canonical_value_bundle(value_bundle)
    assert canonical.naive_value == "0"
    assert [item.value for item in canonical.inferer_values] == ["1E-7", "-3.25"]
    assert canonical.combined_value == "55000.0"


def test_canonicalisation_does_not_mutate_its_input() -> None:
    bundle = v3.InferenceForecastBundle(inference=v3.Inference(topic_id=1, value="1e-07"))
    before = bundle.SerializeToString()
    copy = canonical_inference_forecast_bundle(bundle)
    assert copy.inference.value == "1E-7"
    assert bundle.inference.value == "1e-07"
    assert bundle.SerializeToString() == before


def test_unknown_fields_are_dropped() -> None:
    plain = v3.InferenceForecastBundle(inference=v3.Inference(topic_id=3, value="1"))
    extra = plain.SerializeToString() + bytes.fromhex("f8061e")  # field 111, varint 30
    decoded = v3.InferenceForecastBundle.FromString(extra)
    assert decoded.SerializeToString() == extra  # protobuf keeps it ...
    assert encode_inference_forecast_bundle(decoded) == encode_inference_forecast_bundle(plain)


def test_malformed_dec_in_a_bundle_is_a_decode_error() -> None:
    bundle = v3.InferenceForecastBundle(inference=v3.Inference(topic_id=1, value="1 "))
    with pytest.raises(MalformedBundleDecError) as caught:
        encode_inference_forecast_bundle(bundle)
    assert (caught.value.codespace, caught.value.code) == ("sdk", 2)
    with pytest.raises(MalformedBundleDecError):
        encode_value_bundle(v3.ValueBundle(naive_value="Infinity"))


_ADDRESSES = st.sampled_from([address(WORKER_KEY), address(REPUTER_KEY), ""])
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
_DECS = st.one_of(
    st.sampled_from(["", "0", "-0", "55000.0", "1e-07", "1E-7", "-3.25", "1.0E5", "0E-10"]),
    st.builds(
        lambda whole, fraction, exponent: f"{whole}.{fraction}e{exponent}",
        st.integers(0, 10**6),
        st.integers(0, 999),
        st.integers(-30, 30),
    ),
)
_U64 = st.integers(0, (1 << 64) - 1)
_I64 = st.integers(-(1 << 63), (1 << 63) - 1)


@st.composite
def worker_bundles(draw: st.DrawFn) -> v3.InferenceForecastBundle:
    bundle = v3.InferenceForecastBundle()
    if draw(st.booleans()):
        bundle.inference.CopyFrom(
            v3.Inference(
                topic_id=draw(_U64),
                block_height=draw(_I64),
                inferer=draw(_ADDRESSES),
                value=draw(_DECS),
                extra_data=draw(st.binary(max_size=6)),
                proof=draw(_TEXT),
            )
        )
    if draw(st.booleans()):
        bundle.forecast.CopyFrom(
            v3.Forecast(
                topic_id=draw(_U64),
                block_height=draw(_I64),
                forecaster=draw(_ADDRESSES),
                forecast_elements=[
                    v3.ForecastElement(inferer=inferer, value=value)
                    for inferer, value in draw(st.lists(st.tuples(_ADDRESSES, _DECS), max_size=4))
                ],
                extra_data=draw(st.binary(max_size=6)),
            )
        )
    return bundle


def _values(kind: type, draw: st.DrawFn) -> list:
    return [
        kind(worker=worker, value=value)
        for worker, value in draw(st.lists(st.tuples(_ADDRESSES, _DECS), max_size=3))
    ]


@st.composite
def value_bundles(draw: st.DrawFn) -> v3.ValueBundle:
    bundle = v3.ValueBundle(
        topic_id=draw(_U64),
        reputer=draw(_ADDRESSES),
        extra_data=draw(st.binary(max_size=6)),
        combined_value=draw(_DECS),
        inferer_values=_values(v3.WorkerAttributedValue, draw),
        forecaster_values=_values(v3.WorkerAttributedValue, draw),
        naive_value=draw(_DECS),
        one_out_inferer_values=_values(v3.WithheldWorkerAttributedValue, draw),
        one_out_forecaster_values=_values(v3.WithheldWorkerAttributedValue, draw),
        one_in_forecaster_values=_values(v3.WorkerAttributedValue, draw),
        one_out_inferer_forecaster_values=[
            v3.OneOutInfererForecasterValues(
                forecaster=draw(_ADDRESSES),
                one_out_inferer_values=_values(v3.WithheldWorkerAttributedValue, draw),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
    )
    presence = draw(st.sampled_from(["absent", "empty", "set"]))
    if presence == "empty":
        bundle.reputer_request_nonce.SetInParent()
    elif presence == "set":
        bundle.reputer_request_nonce.reputer_nonce.block_height = draw(_I64)
    return bundle


@given(worker_bundles())
def test_worker_encoding_is_the_reference_encoding(bundle: v3.InferenceForecastBundle) -> None:
    assert encode_inference_forecast_bundle(bundle) == reference_worker_bundle(bundle)


@given(value_bundles())
def test_value_encoding_is_the_reference_encoding(bundle: v3.ValueBundle) -> None:
    assert encode_value_bundle(bundle) == reference_value_bundle(bundle)


@given(worker_bundles())
def test_canonical_encoding_is_a_fixed_point(bundle: v3.InferenceForecastBundle) -> None:
    encoded = encode_inference_forecast_bundle(bundle)
    decoded = v3.InferenceForecastBundle.FromString(encoded)
    assert encode_inference_forecast_bundle(decoded) == encoded


# ---------------------------------------------------------------------------------------------
# Worker signatures


def signed_worker_bundle(
    key: coincurve.PrivateKey = WORKER_KEY,
) -> tuple[v3.WorkerDataBundle, bytes]:
    inner = appendix_d_worker_bundle(address(key))
    message = encode_inference_forecast_bundle(inner)
    return worker_data_bundle(inner, key=key, signature=sign(key, message)), message


@pytest.mark.parametrize("reference_compat", [False, True])
def test_appendix_d_worker_signature_verifies(reference_compat: bool) -> None:
    bundle, _ = signed_worker_bundle()
    verify_worker_payload_signature(bundle, reference_compat=reference_compat)


def test_worker_signature_survives_the_wire() -> None:
    bundle, _ = signed_worker_bundle()
    request = tx_pb2.InsertWorkerPayloadRequest(sender=address(OTHER_KEY))
    request.worker_data_bundle.CopyFrom(bundle)
    decoded = tx_pb2.InsertWorkerPayloadRequest.FromString(request.SerializeToString())
    verify_worker_payload_signature(
        decoded.worker_data_bundle,
        received_bundle_bytes=received_worker_bundle_bytes(request.SerializeToString()),
        reference_compat=True,
    )


def sdk_style_worker_request(value: str) -> tuple[tx_pb2.InsertWorkerPayloadRequest, bytes]:
    """A client that signs its own message bytes with the value text as given (§7.2)."""
    worker = address(WORKER_KEY)
    inner = v3.InferenceForecastBundle(
        inference=v3.Inference(topic_id=7, block_height=110, inferer=worker, value=value)
    )
    signed = inner.SerializeToString()
    request = tx_pb2.InsertWorkerPayloadRequest(sender=worker)
    request.worker_data_bundle.CopyFrom(
        worker_data_bundle(inner, key=WORKER_KEY, signature=sign(WORKER_KEY, signed))
    )
    return request, request.SerializeToString()


def test_sdk_spelling_verifies_under_rec_via_the_received_bytes() -> None:
    request, wire = sdk_style_worker_request("1e-07")
    received = received_worker_bundle_bytes(wire)
    assert received == request.worker_data_bundle.inference_forecasts_bundle.SerializeToString()
    assert received != encode_inference_forecast_bundle(
        request.worker_data_bundle.inference_forecasts_bundle
    )
    decoded = tx_pb2.InsertWorkerPayloadRequest.FromString(wire)
    verify_worker_payload_signature(
        decoded.worker_data_bundle, received_bundle_bytes=received, reference_compat=False
    )


def test_sdk_spelling_fails_under_reference_compat() -> None:
    request, wire = sdk_style_worker_request("1e-07")
    with pytest.raises(InvalidWorkerSignatureError) as caught:
        verify_worker_payload_signature(
            request.worker_data_bundle,
            received_bundle_bytes=received_worker_bundle_bytes(wire),
            reference_compat=True,
        )
    assert isinstance(caught.value, UnauthorizedError)
    assert (caught.value.codespace, caught.value.code) == ("sdk", 4)
    assert caught.value.worker == address(WORKER_KEY)


def test_sdk_spelling_fails_without_the_received_bytes() -> None:
    request, _ = sdk_style_worker_request("1e-07")
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(request.worker_data_bundle, reference_compat=False)


@pytest.mark.parametrize("value", ["55000.0", "1E-7", "-3.25", "0"])
def test_canonical_spellings_verify_either_way(value: str) -> None:
    request, wire = sdk_style_worker_request(value)
    for compat in (False, True):
        verify_worker_payload_signature(
            request.worker_data_bundle,
            received_bundle_bytes=received_worker_bundle_bytes(wire),
            reference_compat=compat,
        )


def test_omitted_zero_needs_rec() -> None:
    # A client whose protobuf omits the empty Dec signs bytes without it; the reference
    # re-encodes the value as "0", so only the [REC] path accepts the signature.
    request, wire = sdk_style_worker_request("")
    received = received_worker_bundle_bytes(wire)
    verify_worker_payload_signature(
        request.worker_data_bundle, received_bundle_bytes=received, reference_compat=False
    )
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(
            request.worker_data_bundle, received_bundle_bytes=received, reference_compat=True
        )


def test_high_s_worker_signature_is_rejected() -> None:
    bundle, message = signed_worker_bundle()
    bundle.inferences_forecasts_bundle_signature = high_s(
        bundle.inferences_forecasts_bundle_signature
    )
    # Mathematically valid: a verifier without the low-s rule accepts it.
    plain_ecdsa = ecdsa.VerifyingKey.from_string(pubkey(WORKER_KEY), curve=ecdsa.SECP256k1)
    assert plain_ecdsa.verify(
        bundle.inferences_forecasts_bundle_signature, message, hashfunc=hashlib.sha256
    )
    for compat in (False, True):
        with pytest.raises(InvalidWorkerSignatureError):
            verify_worker_payload_signature(
                bundle, received_bundle_bytes=message, reference_compat=compat
            )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda sig: sig[:63],
        lambda sig: sig + b"\x00",
        lambda sig: b"",
        lambda sig: bytes(64),
        lambda sig: sig[:32] + bytes(32),
        lambda sig: sig[:-1] + bytes([sig[-1] ^ 1]),
    ],
    ids=["63-bytes", "65-bytes", "empty", "zeros", "zero-s", "flipped-bit"],
)
def test_malformed_worker_signatures_are_rejected(mangle) -> None:  # type: ignore[no-untyped-def]
    bundle, _ = signed_worker_bundle()
    bundle.inferences_forecasts_bundle_signature = mangle(
        bundle.inferences_forecasts_bundle_signature
    )
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(bundle, reference_compat=False)


def test_der_signature_is_rejected() -> None:
    bundle, message = signed_worker_bundle()
    bundle.inferences_forecasts_bundle_signature = WORKER_KEY.sign(message, hasher=sha256)
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(bundle, reference_compat=False)


def test_signature_by_another_key_is_rejected() -> None:
    bundle, message = signed_worker_bundle()
    bundle.inferences_forecasts_bundle_signature = sign(OTHER_KEY, message)
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(bundle, reference_compat=False)


def test_signature_over_other_content_is_rejected() -> None:
    bundle, _ = signed_worker_bundle()
    bundle.inference_forecasts_bundle.inference.value = "55000.1"
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(bundle, reference_compat=False)


def test_pubkey_worker_mismatch_is_rejected() -> None:
    # Signed correctly by WORKER_KEY, but claimed for another worker address.
    bundle, _ = signed_worker_bundle()
    bundle.worker = address(OTHER_KEY)
    with pytest.raises(PubkeyActorMismatchError) as caught:
        verify_worker_payload_signature(bundle, reference_compat=False)
    assert (caught.value.codespace, caught.value.code) == ("sdk", 4)
    assert caught.value.field == "worker"
    assert caught.value.actor == address(OTHER_KEY)
    assert caught.value.address == address(WORKER_KEY)


def test_pubkey_of_another_key_is_rejected() -> None:
    bundle, _ = signed_worker_bundle()
    bundle.pubkey = pubkey(OTHER_KEY).hex()
    with pytest.raises(UnauthorizedError):
        verify_worker_payload_signature(bundle, reference_compat=False)


def test_inner_actor_binding_helper() -> None:
    validate_actor_matches_pubkey(address(WORKER_KEY), pubkey(WORKER_KEY), field="inferer")
    with pytest.raises(PubkeyActorMismatchError) as caught:
        validate_actor_matches_pubkey(address(OTHER_KEY), pubkey(WORKER_KEY), field="inferer")
    assert caught.value.field == "inferer"
    assert pubkey_address(pubkey(WORKER_KEY)) == address(WORKER_KEY)


def test_upper_case_pubkey_hex_is_accepted() -> None:
    bundle, _ = signed_worker_bundle()
    bundle.pubkey = bundle.pubkey.upper()
    verify_worker_payload_signature(bundle, reference_compat=True)


def test_key_that_is_not_a_valid_point_fails_the_signature_not_the_hex() -> None:
    # 33 bytes with an 04 prefix: well-formed hex, so not invalid-request; the address is
    # its hash, so binding it to the worker passes; the signature check then fails (4).
    bogus = b"\x04" + pubkey(WORKER_KEY)[1:]
    bundle, _ = signed_worker_bundle()
    bundle.pubkey = bogus.hex()
    bundle.worker = pubkey_address(bogus)
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(bundle, reference_compat=False)


MALFORMED_HEX = [
    "",
    " " + "02" + "ab" * 32,
    "02" + "ab" * 32 + " ",
    "02" + "ab" * 32 + "\n",
    "0x02" + "ab" * 31,
    "02" + "ab" * 31 + "a",
    "02" + "ab" * 33,
    "02" + "ab" * 31,
    "02" + "gg" * 32,
    "02:" + "ab" * 32,
    "02" + "\uff10" * 64,  # full-width digits
    "02" + "\u0660" * 64,  # Arabic-Indic digits
    "02 " + "ab" * 32,
]


@pytest.mark.parametrize("text", MALFORMED_HEX)
def test_malformed_pubkey_hex_is_rejected(text: str) -> None:
    with pytest.raises(MalformedPubkeyError) as caught:
        decode_pubkey_hex(text)
    assert isinstance(caught.value, InvalidRequestError)
    assert (caught.value.codespace, caught.value.code) == ("sdk", 18)
    bundle, _ = signed_worker_bundle()
    bundle.pubkey = text
    with pytest.raises(MalformedPubkeyError):
        verify_worker_payload_signature(bundle, reference_compat=False)


def test_pubkey_hex_in_any_case() -> None:
    key = pubkey(WORKER_KEY)
    mixed = "".join(char.upper() if index % 2 else char for index, char in enumerate(key.hex()))
    for text in (key.hex(), key.hex().upper(), mixed):
        assert decode_pubkey_hex(text) == key


# ---------------------------------------------------------------------------------------------
# Reputer signatures


def signed_reputer_bundle(
    key: coincurve.PrivateKey = REPUTER_KEY,
) -> tuple[v3.ReputerValueBundle, bytes]:
    inner = appendix_d_value_bundle(address(key))
    message = encode_value_bundle(inner)
    return reputer_value_bundle(inner, key=key, signature=sign(key, message)), message


@pytest.mark.parametrize("reference_compat", [False, True])
def test_appendix_d_reputer_signature_verifies(reference_compat: bool) -> None:
    bundle, _ = signed_reputer_bundle()
    verify_reputer_payload_signature(bundle, reference_compat=reference_compat)


def test_reputer_signature_failure_is_invalid_request() -> None:
    bundle, message = signed_reputer_bundle()
    bundle.signature = high_s(bundle.signature)
    with pytest.raises(InvalidReputerSignatureError) as caught:
        verify_reputer_payload_signature(
            bundle, received_bundle_bytes=message, reference_compat=False
        )
    assert isinstance(caught.value, InvalidRequestError)
    assert (caught.value.codespace, caught.value.code) == ("sdk", 18)
    assert caught.value.reputer == address(REPUTER_KEY)


def test_reputer_mismatch_is_unauthorized_and_checked_first() -> None:
    bundle, _ = signed_reputer_bundle()
    bundle.value_bundle.reputer = address(OTHER_KEY)
    bundle.signature = b"garbage"
    with pytest.raises(PubkeyActorMismatchError) as caught:
        verify_reputer_payload_signature(bundle, reference_compat=False)
    assert (caught.value.codespace, caught.value.code) == ("sdk", 4)


def test_reputer_malformed_pubkey_is_invalid_request() -> None:
    bundle, _ = signed_reputer_bundle()
    bundle.pubkey = "0x" + bundle.pubkey
    with pytest.raises(MalformedPubkeyError):
        verify_reputer_payload_signature(bundle, reference_compat=False)


def test_reputer_sdk_spelling_rec_and_reference_compat() -> None:
    reputer = address(REPUTER_KEY)
    inner = v3.ValueBundle(
        topic_id=7,
        reputer_request_nonce=v3.ReputerRequestNonce(reputer_nonce=v3.Nonce(block_height=110)),
        reputer=reputer,
        combined_value="1e-07",
        naive_value="0.5",
    )
    bundle = reputer_value_bundle(
        inner, key=REPUTER_KEY, signature=sign(REPUTER_KEY, inner.SerializeToString())
    )
    request = tx_pb2.InsertReputerPayloadRequest(sender=reputer, reputer_value_bundle=bundle)
    wire = request.SerializeToString()
    received = received_value_bundle_bytes(wire)
    assert received == inner.SerializeToString()
    decoded = tx_pb2.InsertReputerPayloadRequest.FromString(wire).reputer_value_bundle
    verify_reputer_payload_signature(
        decoded, received_bundle_bytes=received, reference_compat=False
    )
    with pytest.raises(InvalidReputerSignatureError):
        verify_reputer_payload_signature(
            decoded, received_bundle_bytes=received, reference_compat=True
        )


def test_reputer_signature_binds_the_nonce() -> None:
    bundle, _ = signed_reputer_bundle()
    bundle.value_bundle.reputer_request_nonce.reputer_nonce.block_height = 115
    with pytest.raises(InvalidReputerSignatureError):
        verify_reputer_payload_signature(bundle, reference_compat=False)


# ---------------------------------------------------------------------------------------------
# Received bytes


def test_unknown_fields_signed_by_the_client_need_rec() -> None:
    worker = address(WORKER_KEY)
    inner = v3.InferenceForecastBundle(
        inference=v3.Inference(topic_id=7, block_height=110, inferer=worker, value="1")
    )
    signed = inner.SerializeToString() + bytes.fromhex("f8061e")  # unknown field 111
    outer = worker_data_bundle(inner, key=WORKER_KEY, signature=sign(WORKER_KEY, signed))
    outer.ClearField("inference_forecasts_bundle")
    # Field 4 written by hand, with the unknown field inside, as the client sent it.
    outer_bytes = outer.SerializeToString() + _message(4, signed)
    data_bundle = v3.WorkerDataBundle.FromString(outer_bytes)
    request_bytes = _message(2, data_bundle.SerializeToString())
    received = received_worker_bundle_bytes(request_bytes)
    assert received == signed
    verify_worker_payload_signature(
        data_bundle, received_bundle_bytes=received, reference_compat=False
    )
    with pytest.raises(InvalidWorkerSignatureError):
        verify_worker_payload_signature(
            data_bundle, received_bundle_bytes=received, reference_compat=True
        )


def test_find_submessage_bytes_merges_repeated_occurrences() -> None:
    first = v3.Inference(topic_id=1).SerializeToString()
    second = v3.Inference(inferer="x").SerializeToString()
    data = b"\x0a" + bytes([len(first)]) + first + b"\x0a" + bytes([len(second)]) + second
    merged = find_submessage_bytes(data, (1,))
    assert merged == first + second
    parsed = v3.InferenceForecastBundle.FromString(data)
    assert v3.Inference.FromString(merged) == parsed.inference


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x0a",  # truncated length
        b"\x0a\x05ab",  # length beyond the end
        b"\x0b\x0c",  # a group
        b"\x08",  # truncated varint
        b"\x00\x01",  # field number 0
        b"\x09" + bytes(7),  # truncated fixed64
        b"\x0d\x01\x02\x03\x04",  # field 1 with wire type 5: not a message
        b"\x10\x01",  # field 2 only
    ],
)
def test_find_submessage_bytes_gives_up_on_odd_input(data: bytes) -> None:
    assert find_submessage_bytes(data, (1,)) is None


def test_find_submessage_bytes_skips_other_wire_types() -> None:
    data = bytes.fromhex("0801") + bytes.fromhex("1101020304050607 08".replace(" ", ""))
    data += bytes.fromhex("1d01020304") + b"\x22\x02hi"
    assert find_submessage_bytes(data, (4,)) == b"hi"


def test_candidates() -> None:
    assert signed_byte_candidates(b"a", None, reference_compat=False) == (b"a",)
    assert signed_byte_candidates(b"a", b"a", reference_compat=False) == (b"a",)
    assert signed_byte_candidates(b"a", b"b", reference_compat=False) == (b"a", b"b")
    assert signed_byte_candidates(b"a", b"b", reference_compat=True) == (b"a",)


def test_doctests() -> None:
    failures, tests = doctest.testmod(signatures)
    assert tests > 0
    assert failures == 0
