"""Worker and reputer payloads, built and signed with the agent's key (PROTOCOL.md §3.14, §3.15,
§7.2).

A worker signs its ``InferenceForecastBundle``, a reputer its ``ValueBundle``: secp256k1 over
SHA-256 of the bundle's deterministic protobuf encoding, a 64-byte low-s ``r‖s`` signature,
and the 33-byte compressed key sent as lower-case hex. The chain verifies over its own
re-encoding of the decoded bundle, in which every Dec field is printed in canonical text
(:func:`pyallora.core.dectext.canonical_dec_text`: ``"1e-07"`` → ``"1E-7"``). The builders
here therefore put canonical text into the messages themselves, so the bytes signed, the
bytes sent and the chain's re-encoding are one and the same:

* fields in ascending tag order (protobuf's serializer), no unknown fields;
* every Dec emitted, as canonical text (``"0"`` for zero; never empty);
* empty strings and bytes and zero integers omitted (proto3 rules, as the chain's encoder).

>>> canonical_value_text(1e-07)
'1E-7'
>>> canonical_value_text(0.5)
'0.5'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import json_format

from pyallora.agents.context import AgentError, format_dec_text
from pyallora.client.wallet import Wallet
from pyallora.core.dectext import canonical_dec_text
from pyallora.core.errors import InvalidDecError
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import tx_pb2

__all__ = [
    "PayloadError",
    "build_reputer_payload",
    "build_worker_payload",
    "canonical_text",
    "canonical_value_text",
    "encode_signed_value_bundle",
    "encode_signed_worker_bundle",
    "parse_value_bundle_json",
]


class PayloadError(AgentError, ValueError):
    """A payload cannot be built (a value without decimal text, an empty forecast, ...)."""


def canonical_value_text(value: float) -> str:
    """The canonical Dec text of a finite float (what the chain re-prints).

    Raises
    ------
    NonFiniteOutputError
        For NaN and infinities.
    """
    return canonical_dec_text(format_dec_text(value))


def canonical_text(text: str) -> str:
    """The canonical form of Dec text received from the node (e.g. plain ``"0.0000001"``).

    Raises
    ------
    PayloadError
        If the text is not a Dec.
    """
    try:
        return canonical_dec_text(text)
    except InvalidDecError as exc:
        raise PayloadError(f"not a decimal: {text!r}") from exc


def encode_signed_worker_bundle(bundle: types_pb2.InferenceForecastBundle) -> bytes:
    """The bytes a worker signs: the deterministic encoding of its inference-forecast bundle
    (whose Dec fields the builder already set to canonical text)."""
    return bytes(bundle.SerializeToString(deterministic=True))


def encode_signed_value_bundle(bundle: types_pb2.ValueBundle) -> bytes:
    """The bytes a reputer signs: the deterministic encoding of its value bundle."""
    return bytes(bundle.SerializeToString(deterministic=True))


def build_worker_payload(
    wallet: Wallet,
    *,
    topic_id: int,
    nonce: int,
    inference: float | None = None,
    forecast: Mapping[str, float] | None = None,
    extra_data: bytes = b"",
) -> tx_pb2.InsertWorkerPayloadRequest:
    """A signed ``InsertWorkerPayloadRequest`` of the wallet's inference and/or forecast.

    Parameters
    ----------
    wallet
        The worker's key (worker, inferer, forecaster and sender are its address).
    topic_id, nonce
        The topic and the open worker nonce; inner ``block_height`` fields are the nonce.
    inference
        The inference (a finite number), or ``None`` for a forecast-only bundle.
    forecast
        Expected loss per inferer address (elements in address order), or ``None``.
    extra_data
        Free bytes stored with the inference (not interpreted by the chain).

    Raises
    ------
    PayloadError
        If neither part is given, or the forecast has no element.
    NonFiniteOutputError
        If a value is NaN or infinite.
    """
    if inference is None and forecast is None:
        raise PayloadError("a worker payload needs an inference or a forecast")
    address = wallet.address
    inner = types_pb2.InferenceForecastBundle()
    if inference is not None:
        inner.inference.CopyFrom(
            types_pb2.Inference(
                topic_id=topic_id,
                block_height=nonce,
                inferer=address,
                value=canonical_value_text(inference),
                extra_data=extra_data,
            )
        )
    if forecast is not None:
        if not forecast:
            raise PayloadError("a forecast needs at least one element")
        elements = [
            types_pb2.ForecastElement(inferer=inferer, value=canonical_value_text(value))
            for inferer, value in sorted(forecast.items())
        ]
        inner.forecast.CopyFrom(
            types_pb2.Forecast(
                topic_id=topic_id,
                block_height=nonce,
                forecaster=address,
                forecast_elements=elements,
            )
        )
    signature = wallet.private_key.sign(encode_signed_worker_bundle(inner))
    return tx_pb2.InsertWorkerPayloadRequest(
        sender=address,
        worker_data_bundle=types_pb2.WorkerDataBundle(
            worker=address,
            nonce=types_pb2.Nonce(block_height=nonce),
            topic_id=topic_id,
            inference_forecasts_bundle=inner,
            inferences_forecasts_bundle_signature=signature,
            pubkey=wallet.public_key.hex(),
        ),
    )


def parse_value_bundle_json(data: Mapping[str, Any]) -> types_pb2.ValueBundle:
    """A ``ValueBundle`` from the node's proto-JSON (``GetNetworkInferencesAtBlock``).

    Raises
    ------
    PayloadError
        If the JSON is not a value bundle.
    """
    bundle = types_pb2.ValueBundle()
    try:
        json_format.ParseDict(dict(data), bundle, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise PayloadError(f"not a value bundle: {exc}") from exc
    return bundle


def _set_values(target: Any, values: Sequence[tuple[str, str]]) -> None:
    for worker, value in values:
        target.add(worker=worker, value=canonical_text(value))


def build_reputer_payload(
    wallet: Wallet, losses: types_pb2.ValueBundle, *, topic_id: int, nonce: int
) -> tx_pb2.InsertReputerPayloadRequest:
    """A signed ``InsertReputerPayloadRequest`` of a loss bundle for reputer nonce ``nonce``.

    Parameters
    ----------
    wallet
        The reputer's key (reputer and sender are its address).
    losses
        The losses, shaped like the network's value bundle (only the value fields are read;
        topic, nonce and reputer are set here). Every Dec is re-written in canonical text and
        empty Decs become ``"0"``.
    topic_id, nonce
        The topic and the reputer nonce (the worker nonce whose values were scored).

    Raises
    ------
    PayloadError
        If a value is not decimal text, or a one-out list of a forecaster is empty.
    """
    bundle = types_pb2.ValueBundle(
        topic_id=topic_id,
        reputer_request_nonce=types_pb2.ReputerRequestNonce(
            reputer_nonce=types_pb2.Nonce(block_height=nonce)
        ),
        reputer=wallet.address,
        extra_data=bytes(losses.extra_data),
        combined_value=canonical_text(losses.combined_value),
        naive_value=canonical_text(losses.naive_value),
    )
    for name in (
        "inferer_values",
        "forecaster_values",
        "one_out_inferer_values",
        "one_out_forecaster_values",
        "one_in_forecaster_values",
    ):
        _set_values(
            getattr(bundle, name),
            [(item.worker, item.value) for item in getattr(losses, name)],
        )
    for entry in losses.one_out_inferer_forecaster_values:
        if not entry.one_out_inferer_values:
            raise PayloadError(f"empty one-out list of forecaster {entry.forecaster}")
        out = bundle.one_out_inferer_forecaster_values.add(forecaster=entry.forecaster)
        _set_values(
            out.one_out_inferer_values,
            [(item.worker, item.value) for item in entry.one_out_inferer_values],
        )
    signature = wallet.private_key.sign(encode_signed_value_bundle(bundle))
    return tx_pb2.InsertReputerPayloadRequest(
        sender=wallet.address,
        reputer_value_bundle=types_pb2.ReputerValueBundle(
            value_bundle=bundle, signature=signature, pubkey=wallet.public_key.hex()
        ),
    )
