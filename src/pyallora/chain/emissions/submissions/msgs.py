"""InsertWorkerPayload and InsertReputerPayload messages with their stateless checks
(PROTOCOL.md §3.14 steps 1-2, §3.15 steps 1-2, §7.2).

Decoding keeps the request bytes: the [REC] signature rule of §7.2 accepts a signature over
the signed sub-message *as received* (besides the canonical re-encoding), so the message
carries those bytes (:func:`~pyallora.chain.emissions.signatures.received_worker_bundle_bytes`).
A Dec field outside the reference grammar makes the transaction undecodable (sdk tx decode
2); the token ``NaN`` decodes and is rejected by :meth:`validate_basic` (sdk invalid-type 29).

:meth:`validate_basic` runs the checklist of step 2 in the reference's order and ends with
the signature, verified under the lenient [REC] rule. The handler re-verifies under
``reference_compat`` (canonical bytes only), the one part of step 2 that depends on state;
the order of the errors a client can see is unchanged.

The decoded protobuf messages are held by the frozen records and never mutated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeAlias

from pyallora.chain.emissions.dec_text import is_nan_dec_text
from pyallora.chain.emissions.signatures import (
    decode_pubkey_hex,
    pubkey_address,
    received_value_bundle_bytes,
    received_worker_bundle_bytes,
    verify_reputer_payload_signature,
    verify_worker_payload_signature,
)
from pyallora.chain.emissions.validation import decode_request, parse_dec_field, validate_bech32
from pyallora.chain.tx.errors import (
    InvalidAddressError,
    InvalidRequestError,
    InvalidTypeError,
    UnauthorizedError,
)
from pyallora.core.crypto import is_valid_address
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import tx_pb2


def _require_finite(text: str, what: str) -> None:
    if is_nan_dec_text(text):
        raise InvalidTypeError(f"{what} must be a finite number, got NaN")


def _require_bech32(address: str, what: str) -> None:
    if not is_valid_address(address):
        raise InvalidAddressError(f"invalid {what} address {address[:100]!r}")


def _check_decs_of_worker_bundle(bundle: types_pb2.WorkerDataBundle) -> None:
    inner = bundle.inference_forecasts_bundle
    if inner.HasField("inference"):
        parse_dec_field(inner.inference.value, "inference.value")
    if inner.HasField("forecast"):
        for index, element in enumerate(inner.forecast.forecast_elements):
            parse_dec_field(element.value, f"forecast.forecast_elements[{index}].value")


_Attributed: TypeAlias = types_pb2.WorkerAttributedValue | types_pb2.WithheldWorkerAttributedValue


def _attributed_lists(
    bundle: types_pb2.ValueBundle,
) -> tuple[tuple[str, Sequence[_Attributed]], ...]:
    return (
        ("inferer_values", list(bundle.inferer_values)),
        ("forecaster_values", list(bundle.forecaster_values)),
        ("one_out_inferer_values", list(bundle.one_out_inferer_values)),
        ("one_out_forecaster_values", list(bundle.one_out_forecaster_values)),
        ("one_in_forecaster_values", list(bundle.one_in_forecaster_values)),
    )


def _check_decs_of_value_bundle(bundle: types_pb2.ValueBundle) -> None:
    parse_dec_field(bundle.combined_value, "combined_value")
    parse_dec_field(bundle.naive_value, "naive_value")
    for name, items in _attributed_lists(bundle):
        for index, item in enumerate(items):
            parse_dec_field(item.value, f"{name}[{index}].value")
    for index, entry in enumerate(bundle.one_out_inferer_forecaster_values):
        for inner, item in enumerate(entry.one_out_inferer_values):
            parse_dec_field(
                item.value,
                f"one_out_inferer_forecaster_values[{index}].one_out_inferer_values[{inner}]",
            )


# ---------------------------------------------------------------------------------------------
# InsertWorkerPayload (§3.14)


@dataclass(frozen=True, slots=True, kw_only=True)
class InsertWorkerPayload:
    """``/emissions.v5.InsertWorkerPayloadRequest``: a worker's signed inference/forecast."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.InsertWorkerPayloadRequest"

    sender: str
    """Who pays the data fee; need not be the worker (a relayer)."""
    bundle: types_pb2.WorkerDataBundle
    """The worker's bundle (an empty message when absent on the wire)."""
    size: int
    """Protobuf size of the whole decoded message (§3.14 step 3)."""
    received_bundle_bytes: bytes | None
    """The signed ``InferenceForecastBundle`` bytes as received (the [REC] rule)."""

    @classmethod
    def from_bytes(cls, data: bytes) -> InsertWorkerPayload:
        """Decode the request.

        Raises
        ------
        TxDecodeError
            If the bytes do not parse or a Dec field is outside the grammar.
        """
        proto = decode_request(data, tx_pb2.InsertWorkerPayloadRequest)
        _check_decs_of_worker_bundle(proto.worker_data_bundle)
        return cls(
            sender=proto.sender,
            bundle=proto.worker_data_bundle,
            size=proto.ByteSize(),
            received_bundle_bytes=received_worker_bundle_bytes(data),
        )

    @property
    def topic_id(self) -> int:
        """The bundle's (outer) topic id."""
        return self.bundle.topic_id

    @property
    def nonce(self) -> int:
        """The bundle's nonce height."""
        return self.bundle.nonce.block_height

    @property
    def worker(self) -> str:
        """The worker the bundle is from."""
        return self.bundle.worker

    def validate_basic(self) -> None:
        """§3.14 steps 1-2 in the reference's order (module docstring).

        Raises
        ------
        InvalidAddressError
            Bad sender, inferer, forecaster or element inferer (7), or a negative inference
            block height (reported as 7 by the reference).
        InvalidRequestError
            Missing nonce, worker, signature, inner bundle or forecast elements; a malformed
            public key (18).
        InvalidTypeError
            Topic id 0, a negative forecast block height, NaN values (29).
        UnauthorizedError
            Actor fields that are not the key's address, or a bad signature (4).
        """
        validate_bech32(self.sender, "sender")
        bundle = self.bundle
        if not bundle.HasField("nonce"):
            raise InvalidRequestError("worker data bundle: nonce cannot be nil")
        if not bundle.worker:
            raise InvalidRequestError("worker data bundle: worker cannot be empty")
        if not bundle.pubkey:
            raise InvalidRequestError("worker data bundle: pubkey cannot be empty")
        address = pubkey_address(decode_pubkey_hex(bundle.pubkey))
        if not bundle.inferences_forecasts_bundle_signature:
            raise InvalidRequestError("worker data bundle: signature cannot be empty")
        if not bundle.HasField("inference_forecasts_bundle"):
            raise InvalidRequestError("worker data bundle: inference forecast bundle is nil")
        inner = bundle.inference_forecasts_bundle
        if not inner.HasField("inference") and not inner.HasField("forecast"):
            raise InvalidRequestError(
                "worker data bundle: inference and forecast cannot both be nil"
            )
        if inner.HasField("inference"):
            inference = inner.inference
            if inference.topic_id == 0:
                raise InvalidTypeError("inference: topic id cannot be 0")
            _require_bech32(inference.inferer, "inferer")
            if inference.block_height < 0:
                raise InvalidAddressError("inference: block height cannot be negative")
            _require_finite(inference.value, "inference value")
            if inference.inferer != address:
                raise UnauthorizedError("inference.inferer does not match pubkey")
            if bundle.worker != inference.inferer:
                raise UnauthorizedError("worker does not match inferer")
        if inner.HasField("forecast"):
            forecast = inner.forecast
            if forecast.topic_id == 0:
                raise InvalidTypeError("forecast: topic id cannot be 0")
            if forecast.block_height < 0:
                raise InvalidTypeError("forecast: block height cannot be negative")
            _require_bech32(forecast.forecaster, "forecaster")
            if not forecast.forecast_elements:
                raise InvalidRequestError("forecast: at least one forecast element is required")
            for element in forecast.forecast_elements:
                _require_bech32(element.inferer, "forecast element inferer")
                _require_finite(element.value, "forecast element value")
            if forecast.forecaster != address:
                raise UnauthorizedError("forecast.forecaster does not match pubkey")
            if bundle.worker != forecast.forecaster:
                raise UnauthorizedError("worker does not match forecaster")
        verify_worker_payload_signature(
            bundle, received_bundle_bytes=self.received_bundle_bytes, reference_compat=False
        )

    def validate_signature(self, *, reference_compat: bool) -> None:
        """The signature check alone, under the chain's rule (canonical only when compat).

        Raises
        ------
        InvalidWorkerSignatureError, PubkeyActorMismatchError, MalformedPubkeyError
            As :func:`~pyallora.chain.emissions.signatures.verify_worker_payload_signature`.
        """
        verify_worker_payload_signature(
            self.bundle,
            received_bundle_bytes=self.received_bundle_bytes,
            reference_compat=reference_compat,
        )

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)


# ---------------------------------------------------------------------------------------------
# InsertReputerPayload (§3.15)


def _check_attributed(items: Sequence[_Attributed], what: str) -> None:
    for item in items:
        _require_bech32(item.worker, f"{what} worker")
        _require_finite(item.value, f"{what} value")


@dataclass(frozen=True, slots=True, kw_only=True)
class InsertReputerPayload:
    """``/emissions.v5.InsertReputerPayloadRequest``: a reputer's signed loss bundle."""

    TYPE_URL: ClassVar[str] = "/emissions.v5.InsertReputerPayloadRequest"

    sender: str
    """Who pays the data fee; need not be the reputer."""
    bundle: types_pb2.ReputerValueBundle
    """The reputer's bundle (an empty message when absent on the wire)."""
    size: int
    """Protobuf size of the whole decoded message (§3.15 step 3)."""
    received_bundle_bytes: bytes | None
    """The signed ``ValueBundle`` bytes as received (the [REC] rule)."""

    @classmethod
    def from_bytes(cls, data: bytes) -> InsertReputerPayload:
        """Decode the request.

        Raises
        ------
        TxDecodeError
            If the bytes do not parse or a Dec field is outside the grammar.
        """
        proto = decode_request(data, tx_pb2.InsertReputerPayloadRequest)
        _check_decs_of_value_bundle(proto.reputer_value_bundle.value_bundle)
        return cls(
            sender=proto.sender,
            bundle=proto.reputer_value_bundle,
            size=proto.ByteSize(),
            received_bundle_bytes=received_value_bundle_bytes(data),
        )

    @property
    def value_bundle(self) -> types_pb2.ValueBundle:
        """The signed losses."""
        return self.bundle.value_bundle

    @property
    def topic_id(self) -> int:
        """The bundle's topic id."""
        return self.bundle.value_bundle.topic_id

    @property
    def nonce(self) -> int:
        """N: the worker nonce whose outputs the losses score."""
        return self.bundle.value_bundle.reputer_request_nonce.reputer_nonce.block_height

    @property
    def reputer(self) -> str:
        """The reputer."""
        return self.bundle.value_bundle.reputer

    def validate_basic(self) -> None:
        """§3.15 steps 1-2 in the reference's order.

        The missing inner ``reputer_nonce`` is rejected with sdk invalid-request in both
        modes (quirk C15: the reference fails with a recovered panic, which pyallora does not
        reproduce).

        Raises
        ------
        InvalidAddressError
            Bad sender, reputer or worker addresses (7).
        InvalidRequestError
            Missing value bundle or nonce, a malformed public key, or a bad signature (18).
        InvalidTypeError
            Topic id 0, NaN values, an empty per-forecaster one-out list (29).
        UnauthorizedError
            A reputer field that is not the key's address (4).
        """
        validate_bech32(self.sender, "sender")
        if not self.bundle.HasField("value_bundle"):
            raise InvalidRequestError("reputer value bundle cannot be nil")
        address = pubkey_address(decode_pubkey_hex(self.bundle.pubkey))
        bundle = self.bundle.value_bundle
        if bundle.reputer != address:
            raise UnauthorizedError("value bundle's reputer does not match pubkey")
        if bundle.topic_id == 0:
            raise InvalidTypeError("value bundle: topic id cannot be 0")
        if not bundle.HasField("reputer_request_nonce"):
            raise InvalidRequestError("value bundle: reputer request nonce cannot be nil")
        if not bundle.reputer_request_nonce.HasField("reputer_nonce"):
            raise InvalidRequestError("value bundle: reputer nonce cannot be nil")
        _require_bech32(bundle.reputer, "reputer")
        _require_finite(bundle.combined_value, "combined value")
        _check_attributed(list(bundle.inferer_values), "inferer")
        _check_attributed(list(bundle.forecaster_values), "forecaster")
        _require_finite(bundle.naive_value, "naive value")
        _check_attributed(list(bundle.one_out_inferer_values), "one-out inferer")
        _check_attributed(list(bundle.one_out_forecaster_values), "one-out forecaster")
        _check_attributed(list(bundle.one_in_forecaster_values), "one-in forecaster")
        for entry in bundle.one_out_inferer_forecaster_values:
            _require_bech32(entry.forecaster, "one-out inferer forecaster")
            if not entry.one_out_inferer_values:
                raise InvalidTypeError("one-out inferer forecaster values cannot be empty")
            _check_attributed(list(entry.one_out_inferer_values), "one-out inferer forecaster")
        verify_reputer_payload_signature(
            self.bundle, received_bundle_bytes=self.received_bundle_bytes, reference_compat=False
        )

    def validate_signature(self, *, reference_compat: bool) -> None:
        """The signature check alone, under the chain's rule (canonical only when compat).

        Raises
        ------
        InvalidReputerSignatureError, PubkeyActorMismatchError, MalformedPubkeyError
            As :func:`~pyallora.chain.emissions.signatures.verify_reputer_payload_signature`.
        """
        verify_reputer_payload_signature(
            self.bundle,
            received_bundle_bytes=self.received_bundle_bytes,
            reference_compat=reference_compat,
        )

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.sender,)
