"""Stateless decoding of Cosmos transactions (PROTOCOL.md §7.1; INFRA.md §9.5).

:func:`decode_tx` turns the bytes CometBFT hands to CheckTx/FinalizeBlock into a
:class:`DecodedTx`, or raises a typed :class:`~pyallora.chain.tx.errors.SdkError`. It checks,
in this order:

1. size: ``len(raw) ≤ max_tx_bytes`` (``TxTooLarge`` 21), non-empty (``TxDecode`` 2);
2. ``TxRaw``: only fields 1-3, length-delimited, in ascending order with minimal length
   prefixes (the SDK's ADR-027 rule), so trailing garbage and unknown fields are ``TxDecode``;
3. ``TxBody`` and ``AuthInfo`` parse (``TxDecode``), with no unknown fields (in the body,
   unknown fields numbered with bit 11 set are "non-critical" and tolerated, as in the SDK);
   ``unordered`` and ``timeout_timestamp`` (later SDK features) are ``TxDecode`` too;
4. body: extension options, critical or not, are ``UnknownExtensionOptions`` (31); at least one
   message (``InvalidRequest`` 18); memo ≤ ``max_memo_characters`` bytes of UTF-8
   (``MemoTooLarge`` 12; the SDK counts Go string length, i.e. bytes);
5. signers: exactly one signer info (more: ``TooManySignatures`` 14; none: ``NoSignatures``
   15) and exactly one signature (none: ``NoSignatures``; more: ``Unauthorized`` 4); the
   signer's key a ``/cosmos.crypto.secp256k1.PubKey`` holding a valid 33-byte compressed point
   (``InvalidPubKey`` 8); sign mode single ``SIGN_MODE_DIRECT`` and a 64-byte signature
   (``Unauthorized``);
6. fee: at most one coin, of denom ``uallo`` (``InvalidCoins`` 10); amount a canonical
   decimal in 0..2^256-1 (else ``TxDecode``, as the SDK's ``Int`` unmarshal fails; a negative
   or empty amount is ``InsufficientFee`` 13); gas limit ≤ 2^63-1 (``InvalidRequest``); no
   fee granter and no payer other than the signer (``InvalidRequest``); no tip
   (``InvalidRequest``).

Decoding the messages themselves is the router's job: :func:`decode_message` parses one
:class:`AnyMsg` into its protobuf class with the same unknown-field rule.

Deviation from the SDK, on purpose: the signer info must carry the public key (the SDK lets
later transactions omit it and uses the key stored on the account), so a tx is verifiable
from its own bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, TypeVar

from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2
from cosmpy.protos.cosmos.tx.signing.v1beta1 import signing_pb2
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from google.protobuf.message import DecodeError, Message
from google.protobuf.unknown_fields import UnknownFieldSet

from pyallora.chain.tx.errors import (
    InsufficientFeeError,
    InvalidCoinsError,
    InvalidPubKeyError,
    InvalidRequestError,
    MemoTooLargeError,
    NoSignaturesError,
    TooManySignaturesError,
    TxDecodeError,
    TxTooLargeError,
    UnauthorizedError,
    UnknownExtensionOptionsError,
)
from pyallora.core.amounts import DENOM, MAX_AMOUNT
from pyallora.core.crypto import (
    SECP256K1_SIGNATURE_LENGTH,
    InvalidPublicKeyError,
    address_from_pubkey,
    sha256,
    validate_secp256k1_pubkey,
)

SECP256K1_PUBKEY_TYPE_URL: Final = "/cosmos.crypto.secp256k1.PubKey"
"""Type URL of the only accepted signer key type."""

MAX_MEMO_CHARACTERS: Final = 256
"""The SDK's default ``auth`` parameter ``max_memo_characters`` (counted in bytes)."""

MAX_GAS_WANTED: Final = 2**63 - 1
"""Largest gas limit a tx may ask for (the SDK's ``MaxGasWanted``)."""

_NON_CRITICAL_FIELD_BIT: Final = 1 << 10
"""Field numbers with this bit set are non-critical (ADR-020): unknown ones are tolerated."""

_CANONICAL_AMOUNT: Final = re.compile(r"0|[1-9][0-9]*")
_NEGATIVE_AMOUNT: Final = re.compile(r"-[1-9][0-9]*")

_TX_RAW_FIELDS: Final = (1, 2, 3)
_WIRE_TYPE_LEN: Final = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class AnyMsg:
    """One message of a tx body: its type URL (``/`` + full protobuf name) and its bytes."""

    type_url: str
    value: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodedTx:
    """A statelessly valid single-signer tx, ready for the app's stateful checks."""

    raw: bytes
    """The bytes as received."""
    hash: bytes
    """SHA-256 of :attr:`raw` (the CometBFT tx hash)."""
    messages: tuple[AnyMsg, ...]
    """The body's messages, in order (at least one)."""
    memo: str
    timeout_height: int
    """0 = no timeout."""
    public_key: bytes
    """33-byte compressed secp256k1 key of the signer."""
    signer: str
    """Bech32 ``allo`` address of :attr:`public_key`."""
    sequence: int
    """The account sequence the signer claims."""
    fee_amount: int
    """Fee in uallo (0 when the fee is empty)."""
    fee_denom: str
    """Always ``uallo``."""
    gas_limit: int
    body_bytes: bytes
    """``TxRaw.body_bytes`` exactly as signed."""
    auth_info_bytes: bytes
    """``TxRaw.auth_info_bytes`` exactly as signed."""
    signature: bytes
    """64-byte ``r‖s``."""


_M = TypeVar("_M", bound=Message)


def _read_uvarint(data: bytes, pos: int) -> tuple[int, int]:
    """Read an unsigned varint at ``pos``; return ``(value, next position)``."""
    value = 0
    shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise TxDecodeError("truncated or overlong varint in TxRaw")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _uvarint_length(value: int) -> int:
    length = 1
    while value >= 0x80:
        value >>= 7
        length += 1
    return length


def _validate_tx_raw_encoding(raw: bytes) -> None:
    """ADR-027 for ``TxRaw``: fields 1-3 only, wire type 2, ascending, minimal lengths."""
    pos = 0
    previous = 0
    while pos < len(raw):
        tag, pos = _read_uvarint(raw, pos)
        field_number, wire_type = tag >> 3, tag & 7
        if field_number not in _TX_RAW_FIELDS:
            raise TxDecodeError(f"TxRaw has unknown field {field_number} (or trailing bytes)")
        if wire_type != _WIRE_TYPE_LEN:
            raise TxDecodeError(f"TxRaw field {field_number} has wire type {wire_type}, not 2")
        if field_number < previous:
            raise TxDecodeError("TxRaw fields are not in ascending order")
        previous = field_number
        start = pos
        length, pos = _read_uvarint(raw, pos)
        if pos - start != _uvarint_length(length):
            raise TxDecodeError("TxRaw length prefix is not minimally encoded")
        if pos + length > len(raw):
            raise TxDecodeError("TxRaw field is truncated")
        pos += length


def _check_unknown_fields(message: Message, *, what: str, allow_non_critical: bool) -> None:
    """Reject unknown fields in ``message`` and every nested message (not inside ``Any``)."""
    for unknown in UnknownFieldSet(message):
        number = unknown.field_number
        if allow_non_critical and number & _NON_CRITICAL_FIELD_BIT:
            continue
        raise TxDecodeError(f"{what} has unknown field {number}")
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        children = value if descriptor.label == descriptor.LABEL_REPEATED else [value]
        for child in children:
            if not isinstance(child, Message):  # map fields of scalars
                continue
            _check_unknown_fields(
                child, what=f"{what}.{descriptor.name}", allow_non_critical=allow_non_critical
            )


def _parse(message_class: type[_M], data: bytes, *, what: str, allow_non_critical: bool) -> _M:
    message: _M = message_class()
    try:
        message.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise TxDecodeError(f"{what} is not valid protobuf: {exc}") from exc
    # Fast path for the usual canonical encoding: if dropping every unknown field (at any
    # depth) leaves a message that serializes back to exactly ``data``, none was dropped.
    # Otherwise the bytes are parsed again and walked field by field (the exact rule).
    message.DiscardUnknownFields()
    if message.SerializeToString(deterministic=True) == data:
        return message
    message = message_class()
    message.ParseFromString(data)
    _check_unknown_fields(message, what=what, allow_non_critical=allow_non_critical)
    return message


def decode_message(message: AnyMsg, message_class: type[_M]) -> _M:
    """Parse one body message into ``message_class``, rejecting unknown critical fields.

    Raises
    ------
    TxDecodeError
        If the type URL is not ``/`` + the class's full name, or the bytes do not parse.
    """
    expected = "/" + message_class.DESCRIPTOR.full_name
    if message.type_url != expected:
        raise TxDecodeError(f"message type {message.type_url!r} is not {expected!r}")
    return _parse(message_class, message.value, what=expected, allow_non_critical=True)


def _decode_fee(fee: tx_pb2.Fee, *, signer: str) -> tuple[int, int]:
    """``(amount in uallo, gas limit)`` of a fee; see the module docstring for the rules."""
    if len(fee.amount) > 1:
        raise InvalidCoinsError(f"fee must be a single {DENOM} coin, got {len(fee.amount)} coins")
    amount = 0
    if fee.amount:
        coin = fee.amount[0]
        text = coin.amount
        if text == "":
            raise InsufficientFeeError("invalid fee provided: null")
        if _NEGATIVE_AMOUNT.fullmatch(text):
            raise InsufficientFeeError(f"invalid fee provided: {text}{coin.denom}")
        if not _CANONICAL_AMOUNT.fullmatch(text):
            raise TxDecodeError(f"fee amount {text[:80]!r} is not a canonical decimal integer")
        amount = int(text)
        if amount > MAX_AMOUNT:
            raise TxDecodeError("fee amount out of range: more than 256 bits")
        if coin.denom != DENOM:
            raise InvalidCoinsError(f"fee denom must be {DENOM}, got {coin.denom[:80]!r}")
    if fee.gas_limit > MAX_GAS_WANTED:
        raise InvalidRequestError(f"invalid gas supplied; {fee.gas_limit} > {MAX_GAS_WANTED}")
    if fee.granter:
        raise InvalidRequestError("fee grants are not supported; leave fee.granter empty")
    if fee.payer and fee.payer != signer:
        raise InvalidRequestError("fee payer must be the signer; leave fee.payer empty")
    return amount, int(fee.gas_limit)


def _decode_public_key(signer_info: tx_pb2.SignerInfo) -> bytes:
    if not signer_info.HasField("public_key"):
        raise InvalidPubKeyError("signer info has no public key; include the signer's pubkey")
    key_any = signer_info.public_key
    if key_any.type_url != SECP256K1_PUBKEY_TYPE_URL:
        raise InvalidPubKeyError(
            f"unsupported public key type {key_any.type_url[:100]!r}; "
            f"only {SECP256K1_PUBKEY_TYPE_URL} is accepted"
        )
    proto_key = _parse(
        keys_pb2.PubKey, key_any.value, what="secp256k1 PubKey", allow_non_critical=False
    )
    try:
        validate_secp256k1_pubkey(proto_key.key)
    except InvalidPublicKeyError as exc:
        raise InvalidPubKeyError(str(exc)) from exc
    return bytes(proto_key.key)


def _validate_sign_mode(signer_info: tx_pb2.SignerInfo) -> None:
    mode_info = signer_info.mode_info
    if mode_info.WhichOneof("sum") != "single":
        raise UnauthorizedError("only single-key sign modes are supported; use SIGN_MODE_DIRECT")
    mode = mode_info.single.mode
    if mode != signing_pb2.SIGN_MODE_DIRECT:
        name = signing_pb2.SignMode.Name(mode) if mode in signing_pb2.SignMode.values() else mode
        raise UnauthorizedError(f"sign mode {name} is not supported; use SIGN_MODE_DIRECT")


def decode_tx(
    raw: bytes, *, max_tx_bytes: int, max_memo_characters: int = MAX_MEMO_CHARACTERS
) -> DecodedTx:
    """Decode and statelessly validate a Cosmos ``TxRaw`` (see the module docstring).

    Parameters
    ----------
    raw
        The tx bytes as received from CometBFT.
    max_tx_bytes
        Size limit, checked before anything is parsed.
    max_memo_characters
        Memo limit in bytes of UTF-8 (the ``auth`` parameter; default 256).

    Returns
    -------
    DecodedTx
        The tx's fields; the signature is not verified yet (:func:`verify_tx_signature`).

    Raises
    ------
    SdkError
        A subclass naming the first rule the tx breaks, in the module docstring's order.
    """
    if len(raw) > max_tx_bytes:
        raise TxTooLargeError(f"tx is {len(raw)} bytes; the limit is {max_tx_bytes} bytes")
    if not raw:
        raise TxDecodeError("tx bytes are empty")
    _validate_tx_raw_encoding(raw)
    tx_raw = _parse(tx_pb2.TxRaw, raw, what="TxRaw", allow_non_critical=False)
    body = _parse(tx_pb2.TxBody, tx_raw.body_bytes, what="TxBody", allow_non_critical=True)
    auth_info = _parse(
        tx_pb2.AuthInfo, tx_raw.auth_info_bytes, what="AuthInfo", allow_non_critical=False
    )
    if body.unordered or body.HasField("timeout_timestamp"):
        raise TxDecodeError("TxBody fields unordered and timeout_timestamp are not supported")

    if body.extension_options or body.non_critical_extension_options:
        raise UnknownExtensionOptionsError("no extension options are supported; remove them")
    if not body.messages:
        raise InvalidRequestError("must contain at least one message")
    memo_bytes = len(body.memo.encode("utf-8"))
    if memo_bytes > max_memo_characters:
        raise MemoTooLargeError(
            f"maximum number of characters is {max_memo_characters} "
            f"but received {memo_bytes} characters"
        )

    signer_infos = auth_info.signer_infos
    if len(signer_infos) > 1:
        raise TooManySignaturesError(
            f"only single-signer transactions are supported; got {len(signer_infos)} signers"
        )
    if not tx_raw.signatures or not signer_infos:
        raise NoSignaturesError("the tx needs one signer info and one signature")
    if len(tx_raw.signatures) != 1:
        raise UnauthorizedError(
            f"wrong number of signatures; expected 1, got {len(tx_raw.signatures)}"
        )
    if auth_info.HasField("tip"):
        raise InvalidRequestError("tips are not supported; remove auth_info.tip")
    signer_info = signer_infos[0]
    public_key = _decode_public_key(signer_info)
    _validate_sign_mode(signer_info)
    signature = bytes(tx_raw.signatures[0])
    if len(signature) != SECP256K1_SIGNATURE_LENGTH:
        raise UnauthorizedError(f"signature must be 64 bytes (r||s), got {len(signature)} bytes")
    signer = address_from_pubkey(public_key)
    fee_amount, gas_limit = _decode_fee(auth_info.fee, signer=signer)

    return DecodedTx(
        raw=raw,
        hash=sha256(raw),
        messages=tuple(
            AnyMsg(type_url=message.type_url, value=bytes(message.value))
            for message in body.messages
        ),
        memo=body.memo,
        timeout_height=int(body.timeout_height),
        public_key=public_key,
        signer=signer,
        sequence=int(signer_info.sequence),
        fee_amount=fee_amount,
        fee_denom=DENOM,
        gas_limit=gas_limit,
        body_bytes=bytes(tx_raw.body_bytes),
        auth_info_bytes=bytes(tx_raw.auth_info_bytes),
        signature=signature,
    )
