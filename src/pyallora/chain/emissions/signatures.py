"""Payload signatures of worker and reputer bundles (PROTOCOL.md §7.2, §3.14, §3.15).

A worker signs its ``InferenceForecastBundle`` (field 4 of ``WorkerDataBundle``), a reputer
its ``ValueBundle``: secp256k1 ECDSA over SHA-256 of the bundle's protobuf bytes, a 64-byte
``r‖s`` signature with low ``s``, and a 33-byte compressed public key sent as hex, whose
address ``bech32("allo", RIPEMD-160(SHA-256(key)))`` must equal the actor field.

Which bytes are signed
----------------------
The reference does not hash the bytes it received: it re-encodes the decoded message
(gogoproto) and verifies over that. :func:`encode_inference_forecast_bundle` and
:func:`encode_value_bundle` reproduce that re-encoding:

* fields in ascending tag order, unknown fields dropped;
* every Dec field emitted in the canonical text of :func:`pyallora.core.dectext
  .canonical_dec_text` (``"1e-07"`` → ``"1E-7"``), an absent or empty Dec as ``"0"``;
* empty strings and bytes, zero integers and ``false`` omitted; nested messages emitted
  when present (even when empty), repeated elements in order.

protobuf's ``SerializeToString(deterministic=True)`` of a copy whose unknown fields are
discarded and whose Dec fields are set to their canonical text gives exactly those bytes:
proto3 omits exactly the defaults gogoproto omits, a canonical Dec is never empty (so the
proto3 rule "omit empty strings" never drops one), present sub-messages are written even
when empty, and fields are written in field-number order (``deterministic`` only orders
map entries, of which these messages have none; it is set for clarity). The tests check
this against an independent field-by-field encoder.

[REC] rule
----------
The Python SDK signs its own message bytes with the value text exactly as given
(``str(prediction)``: ``"1e-07"``), which the reference rejects. Outside
``reference_compat`` a signature is also accepted when it verifies over the exact bytes of
the sub-message as received (:func:`received_worker_bundle_bytes`,
:func:`received_value_bundle_bytes` cut them out of the request bytes); those bytes decode
to the very message being processed (unknown fields aside), so the signature still binds
every field the chain uses. Under ``reference_compat`` only the canonical re-encoding counts.

Errors (§3.14-§3.15): a malformed public key is sdk invalid-request (18); an actor field
that is not the key's address is sdk unauthorized (4) on both paths; a signature that does
not verify is sdk unauthorized (4) for workers but sdk invalid-request (18) for reputers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from pyallora.chain.store.memo import MemoTable
from pyallora.chain.tx.errors import InvalidRequestError, TxDecodeError, UnauthorizedError
from pyallora.core import crypto
from pyallora.core.dectext import canonical_dec_text
from pyallora.core.encoding import VarintError, decode_uvarint
from pyallora.core.errors import InvalidDecError
from pyallora.proto.emissions.v3 import types_pb2

PUBKEY_HEX_LENGTH: Final = 2 * crypto.SECP256K1_PUBKEY_LENGTH
"""Length of the hex text of a compressed secp256k1 public key (66 characters)."""

WORKER_BUNDLE_PATH: Final = (2, 4)
"""Field path of the signed InferenceForecastBundle in ``InsertWorkerPayloadRequest`` bytes
(``worker_data_bundle`` = 2, then ``inference_forecasts_bundle`` = 4)."""

REPUTER_BUNDLE_PATH: Final = (2, 1)
"""Field path of the signed ValueBundle in ``InsertReputerPayloadRequest`` bytes
(``reputer_value_bundle`` = 2, then ``value_bundle`` = 1)."""

_HEX_PUBKEY: Final = re.compile(rf"[0-9a-fA-F]{{{PUBKEY_HEX_LENGTH}}}")
"""Strict hex: ASCII digits and letters a-f in either case (as Go's decoder), nothing else."""

_LENGTH_DELIMITED: Final = 2
_WIRE_SKIP: Final = {1: 8, 5: 4}
"""Bytes to skip for the fixed-width wire types (64-bit, 32-bit)."""


class MalformedPubkeyError(InvalidRequestError):
    """The ``pubkey`` field is not the hex of exactly 33 bytes (sdk invalid-request 18)."""

    def __init__(self, text: str) -> None:
        super().__init__(
            f"pubkey must be {PUBKEY_HEX_LENGTH} hex characters (33 bytes), got {text[:80]!r}"
        )
        self.text = text


class PubkeyActorMismatchError(UnauthorizedError):
    """An actor field is not the address of the bundle's public key (sdk unauthorized 4)."""

    def __init__(self, *, field: str, actor: str, address: str) -> None:
        super().__init__(f"{field} {actor[:100]!r} does not match pubkey address {address!r}")
        self.field = field
        self.actor = actor
        self.address = address


class InvalidWorkerSignatureError(UnauthorizedError):
    """A worker's bundle signature does not verify (sdk unauthorized 4, §3.14)."""

    def __init__(self, *, worker: str) -> None:
        super().__init__(f"invalid inference-forecast bundle signature of worker {worker!r}")
        self.worker = worker


class InvalidReputerSignatureError(InvalidRequestError):
    """A reputer's value-bundle signature does not verify (sdk invalid-request 18, §3.15)."""

    def __init__(self, *, reputer: str) -> None:
        super().__init__(f"invalid value bundle signature of reputer {reputer!r}")
        self.reputer = reputer


class MalformedBundleDecError(TxDecodeError):
    """A Dec field of a signed bundle is outside the grammar: the reference cannot decode it.

    Normally unreachable (the message decoder rejects such text first); sdk tx decode 2.
    """


# ---------------------------------------------------------------------------------------------
# Public keys and addresses


def decode_pubkey_hex(text: str) -> bytes:
    """The 33 bytes of a public key sent as hex (PROTOCOL.md §7.2).

    Lower, upper or mixed case hex digits are accepted (the reference's decoder accepts
    both cases); whitespace, separators, a ``0x`` prefix or any other length are not.
    Whether the bytes are a valid compressed point (``02``/``03`` prefix, on the curve) is
    checked by the signature verification, as in the reference.

    Raises
    ------
    MalformedPubkeyError
        If ``text`` is not exactly 66 hex characters.

    Examples
    --------
    >>> len(decode_pubkey_hex("02" + "AB" * 32))
    33
    """
    if not isinstance(text, str) or _HEX_PUBKEY.fullmatch(text) is None:
        raise MalformedPubkeyError(text if isinstance(text, str) else repr(text))
    return bytes.fromhex(text)


def pubkey_address(public_key: bytes) -> str:
    """``bech32("allo", RIPEMD-160(SHA-256(key)))`` of the raw key bytes.

    Like the reference, the address is a hash of the bytes: the point is not validated here
    (a key that is not a valid point fails at signature verification instead). Memoised by
    the key (a pure function of the bytes): every payload checks its actors against it.
    """
    return _ADDRESSES.get_or_compute(bytes(public_key), _compute_pubkey_address)


def _compute_pubkey_address(public_key: bytes) -> str:
    return crypto.encode_address(crypto.ripemd160(crypto.sha256(public_key)))


_ADDRESSES: Final[MemoTable[bytes, str]] = MemoTable(1 << 16)


def validate_actor_matches_pubkey(actor: str, public_key: bytes, *, field: str) -> None:
    """Check that an actor field (inferer, forecaster, worker, reputer) is the key's address.

    Raises
    ------
    PubkeyActorMismatchError
        If it is not (sdk unauthorized 4 on both the worker and the reputer path).
    """
    address = pubkey_address(public_key)
    if actor != address:
        raise PubkeyActorMismatchError(field=field, actor=actor, address=address)


# ---------------------------------------------------------------------------------------------
# Canonical re-encoding


def _canonical(text: str, where: str) -> str:
    try:
        return canonical_dec_text(text)
    except InvalidDecError as exc:
        raise MalformedBundleDecError(f"invalid decimal string in {where}: {exc}") from exc


def canonical_inference_forecast_bundle(
    bundle: types_pb2.InferenceForecastBundle,
) -> types_pb2.InferenceForecastBundle:
    """A copy of ``bundle`` as the reference re-encodes it (input left untouched).

    Unknown fields are dropped and every Dec field (``inference.value``, each forecast
    element's ``value``) is set to its canonical text.

    Raises
    ------
    MalformedBundleDecError
        If a Dec field is outside the grammar.
    """
    copy = types_pb2.InferenceForecastBundle()
    copy.CopyFrom(bundle)
    copy.DiscardUnknownFields()
    if copy.HasField("inference"):
        copy.inference.value = _canonical(copy.inference.value, "inference.value")
    if copy.HasField("forecast"):
        for index, element in enumerate(copy.forecast.forecast_elements):
            element.value = _canonical(element.value, f"forecast.forecast_elements[{index}]")
    return copy


def encode_inference_forecast_bundle(bundle: types_pb2.InferenceForecastBundle) -> bytes:
    """The bytes a worker signs and the reference verifies (PROTOCOL.md §7.2).

    Raises
    ------
    MalformedBundleDecError
        If a Dec field is outside the grammar.
    """
    return bytes(canonical_inference_forecast_bundle(bundle).SerializeToString(deterministic=True))


def _canonical_values(
    values: Sequence[types_pb2.WorkerAttributedValue | types_pb2.WithheldWorkerAttributedValue],
    where: str,
) -> None:
    for index, item in enumerate(values):
        item.value = _canonical(item.value, f"{where}[{index}]")


def canonical_value_bundle(bundle: types_pb2.ValueBundle) -> types_pb2.ValueBundle:
    """A copy of ``bundle`` as the reference re-encodes it (input left untouched).

    Unknown fields are dropped and every Dec field (combined and naive values, every
    attributed value, every one-out value of every forecaster) is set to its canonical text.

    Raises
    ------
    MalformedBundleDecError
        If a Dec field is outside the grammar.
    """
    copy = types_pb2.ValueBundle()
    copy.CopyFrom(bundle)
    copy.DiscardUnknownFields()
    copy.combined_value = _canonical(copy.combined_value, "combined_value")
    copy.naive_value = _canonical(copy.naive_value, "naive_value")
    _canonical_values(copy.inferer_values, "inferer_values")
    _canonical_values(copy.forecaster_values, "forecaster_values")
    _canonical_values(copy.one_out_inferer_values, "one_out_inferer_values")
    _canonical_values(copy.one_out_forecaster_values, "one_out_forecaster_values")
    _canonical_values(copy.one_in_forecaster_values, "one_in_forecaster_values")
    for index, entry in enumerate(copy.one_out_inferer_forecaster_values):
        _canonical_values(
            entry.one_out_inferer_values,
            f"one_out_inferer_forecaster_values[{index}].one_out_inferer_values",
        )
    return copy


def encode_value_bundle(bundle: types_pb2.ValueBundle) -> bytes:
    """The bytes a reputer signs and the reference verifies (PROTOCOL.md §7.2).

    Raises
    ------
    MalformedBundleDecError
        If a Dec field is outside the grammar.
    """
    return bytes(canonical_value_bundle(bundle).SerializeToString(deterministic=True))


# ---------------------------------------------------------------------------------------------
# The sub-message bytes as received


def _field_payloads(data: bytes, field_number: int) -> list[bytes] | None:
    """Payloads of every length-delimited occurrence of ``field_number`` in ``data``.

    ``None`` when ``data`` is not plain wire format this walker follows (groups, invalid
    wire types, truncation) or the field occurs with another wire type.
    """
    payloads: list[bytes] = []
    position = 0
    end = len(data)
    try:
        while position < end:
            key, position = decode_uvarint(data, position)
            number, wire_type = key >> 3, key & 7
            if number == 0:
                return None
            if wire_type == _LENGTH_DELIMITED:
                length, position = decode_uvarint(data, position)
                if position + length > end:
                    return None
                if number == field_number:
                    payloads.append(data[position : position + length])
                position += length
                continue
            if number == field_number:
                return None
            if wire_type == 0:
                _, position = decode_uvarint(data, position)
            elif wire_type in _WIRE_SKIP:
                position += _WIRE_SKIP[wire_type]
            else:
                return None
    except VarintError:
        return None
    if position != end:
        return None
    return payloads


def find_submessage_bytes(data: bytes, path: Sequence[int]) -> bytes | None:
    """The bytes of the sub-message at field ``path`` of the serialized message ``data``.

    A non-repeated message field that occurs several times is the merge of its occurrences,
    which is what parsing their concatenation gives; the concatenation is returned. ``None``
    when the field is absent or the bytes cannot be walked.

    >>> find_submessage_bytes(bytes.fromhex("0a01411203220142"), (2, 4))
    b'B'
    """
    current = data
    for number in path:
        payloads = _field_payloads(current, number)
        if not payloads:
            return None
        current = b"".join(payloads)
    return current


def received_worker_bundle_bytes(request_bytes: bytes) -> bytes | None:
    """The InferenceForecastBundle bytes inside serialized ``InsertWorkerPayloadRequest``."""
    return find_submessage_bytes(request_bytes, WORKER_BUNDLE_PATH)


def received_value_bundle_bytes(request_bytes: bytes) -> bytes | None:
    """The ValueBundle bytes inside serialized ``InsertReputerPayloadRequest``."""
    return find_submessage_bytes(request_bytes, REPUTER_BUNDLE_PATH)


# ---------------------------------------------------------------------------------------------
# Verification


def signed_byte_candidates(
    canonical: bytes, received: bytes | None, *, reference_compat: bool
) -> tuple[bytes, ...]:
    """The byte strings a payload signature may cover: the canonical re-encoding, then (the
    [REC] rule, outside ``reference_compat``) the sub-message bytes as received."""
    if reference_compat or received is None or received == canonical:
        return (canonical,)
    return (canonical, received)


def is_valid_payload_signature(
    public_key: bytes, signature: bytes, candidates: Sequence[bytes]
) -> bool:
    """Whether ``signature`` verifies over one of ``candidates`` under ``public_key``.

    secp256k1 ECDSA over SHA-256 of the bytes; the signature must be exactly 64 bytes
    ``r‖s`` with ``s`` in the lower half of the group order, and the key a valid compressed
    point (``02``/``03`` prefix).
    """
    if not crypto.is_valid_secp256k1_pubkey(public_key):
        return False
    return any(
        crypto.is_valid_secp256k1_signature(public_key, candidate, signature)
        for candidate in candidates
    )


def verify_worker_payload_signature(
    bundle: types_pb2.WorkerDataBundle,
    *,
    received_bundle_bytes: bytes | None = None,
    reference_compat: bool,
) -> None:
    """Check a worker bundle's signature and its binding to the worker (§3.14 step 2, §7.2).

    The checklist: the public key is 33 bytes of hex (18); the signature verifies over the
    inner bundle (4); the key's address is the ``worker`` field (4). The inferer/forecaster
    binding checks (4), which §3.14 interleaves with the field validations, are left to the
    message validator (:func:`validate_actor_matches_pubkey`).

    Parameters
    ----------
    bundle
        The decoded ``WorkerDataBundle``.
    received_bundle_bytes
        The inner bundle's bytes as received (:func:`received_worker_bundle_bytes`), for the
        [REC] rule; ``None`` to verify over the canonical re-encoding only.
    reference_compat
        Verify over the canonical re-encoding only, as the reference does.

    Raises
    ------
    MalformedPubkeyError
        If the public key is not 66 hex characters (sdk invalid-request 18).
    InvalidWorkerSignatureError
        If the signature does not verify (sdk unauthorized 4).
    PubkeyActorMismatchError
        If the key's address is not the worker (sdk unauthorized 4).
    MalformedBundleDecError
        If a Dec field is outside the grammar (normally rejected earlier, at decoding).
    """
    public_key = decode_pubkey_hex(bundle.pubkey)
    canonical = encode_inference_forecast_bundle(bundle.inference_forecasts_bundle)
    candidates = signed_byte_candidates(
        canonical, received_bundle_bytes, reference_compat=reference_compat
    )
    signature = bytes(bundle.inferences_forecasts_bundle_signature)
    if not is_valid_payload_signature(public_key, signature, candidates):
        raise InvalidWorkerSignatureError(worker=bundle.worker)
    validate_actor_matches_pubkey(bundle.worker, public_key, field="worker")


def verify_reputer_payload_signature(
    bundle: types_pb2.ReputerValueBundle,
    *,
    received_bundle_bytes: bytes | None = None,
    reference_compat: bool,
) -> None:
    """Check a reputer bundle's binding to the reputer and its signature (§3.15, §7.2).

    The checklist, in the reference's order: the public key is 33 bytes of hex (18); the
    key's address is ``value_bundle.reputer`` (4); the signature verifies over the value
    bundle (18). The field validations §3.15 places between the last two are the message
    validator's.

    Parameters
    ----------
    bundle
        The decoded ``ReputerValueBundle``.
    received_bundle_bytes
        The value bundle's bytes as received (:func:`received_value_bundle_bytes`), for the
        [REC] rule; ``None`` to verify over the canonical re-encoding only.
    reference_compat
        Verify over the canonical re-encoding only, as the reference does.

    Raises
    ------
    MalformedPubkeyError
        If the public key is not 66 hex characters (sdk invalid-request 18).
    PubkeyActorMismatchError
        If the key's address is not the reputer (sdk unauthorized 4).
    InvalidReputerSignatureError
        If the signature does not verify (sdk invalid-request 18).
    MalformedBundleDecError
        If a Dec field is outside the grammar (normally rejected earlier, at decoding).
    """
    public_key = decode_pubkey_hex(bundle.pubkey)
    validate_actor_matches_pubkey(bundle.value_bundle.reputer, public_key, field="reputer")
    canonical = encode_value_bundle(bundle.value_bundle)
    candidates = signed_byte_candidates(
        canonical, received_bundle_bytes, reference_compat=reference_compat
    )
    if not is_valid_payload_signature(public_key, bytes(bundle.signature), candidates):
        raise InvalidReputerSignatureError(reputer=bundle.value_bundle.reputer)
