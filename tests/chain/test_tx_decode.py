"""Tests of pyallora.chain.tx: decoding, signature verification, fee and replay checks.

Transactions are built by the client's builder (pyallora.client.tx), by cosmpy's own offline
signer, and by hand from the protobuf classes for every malformed form.
"""

from __future__ import annotations

import hashlib

import ecdsa  # type: ignore[import-untyped]
import pytest
from cosmpy.aerial.tx import SigningCfg, Transaction, TxFee
from cosmpy.crypto.keypairs import PrivateKey as CosmpyPrivateKey
from cosmpy.protos.cosmos.bank.v1beta1.tx_pb2 import MsgSend
from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin
from cosmpy.protos.cosmos.crypto.ed25519 import keys_pb2 as ed25519_keys_pb2
from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2
from cosmpy.protos.cosmos.tx.signing.v1beta1 import signing_pb2
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from google.protobuf import any_pb2
from hypothesis import given
from hypothesis import strategies as st

from pyallora.chain import tx as chain_tx
from pyallora.chain.tx import (
    AnyMsg,
    DecodedTx,
    InsufficientFeeError,
    InvalidCoinsError,
    InvalidGasLimitError,
    InvalidPubKeyError,
    InvalidRequestError,
    MemoTooLargeError,
    NoSignaturesError,
    SdkError,
    TooManySignaturesError,
    TxDecodeError,
    TxTimeoutHeightError,
    TxTooLargeError,
    UnauthorizedError,
    UnknownExtensionOptionsError,
    WrongSequenceError,
    decode_message,
    decode_tx,
    validate_fee,
    validate_gas_limit,
    validate_sequence,
    validate_timeout_height,
    verify_tx_signature,
)
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_auth_info_bytes, build_body_bytes, build_tx, sign_tx
from pyallora.core.crypto import SECP256K1_ORDER
from pyallora.core.errors import registered_codes

GOLDEN_MNEMONIC = "abandon " * 11 + "about"
GOLDEN_ADDRESS = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv"
CHAIN_ID = "allora-testnet-1"
ACCOUNT_NUMBER = 7
MAX_TX_BYTES = 1_048_576

KEY = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC)
OTHER_KEY = PrivateKey.from_mnemonic(GOLDEN_MNEMONIC, index=1)

# The Cosmos SDK's registered codes (types/errors/errors.go), by the SDK's Go names.
SDK_CODES = {
    "ErrTxDecode": 2,
    "ErrInvalidSequence": 3,
    "ErrUnauthorized": 4,
    "ErrInsufficientFunds": 5,
    "ErrUnknownRequest": 6,
    "ErrInvalidAddress": 7,
    "ErrInvalidPubKey": 8,
    "ErrUnknownAddress": 9,
    "ErrInvalidCoins": 10,
    "ErrOutOfGas": 11,
    "ErrMemoTooLarge": 12,
    "ErrInsufficientFee": 13,
    "ErrTooManySignatures": 14,
    "ErrNoSignatures": 15,
    "ErrJSONMarshal": 16,
    "ErrJSONUnmarshal": 17,
    "ErrInvalidRequest": 18,
    "ErrTxInMempoolCache": 19,
    "ErrMempoolIsFull": 20,
    "ErrTxTooLarge": 21,
    "ErrKeyNotFound": 22,
    "ErrWrongPassword": 23,
    "ErrInvalidSigner": 24,
    "ErrInvalidGasAdjustment": 25,
    "ErrInvalidHeight": 26,
    "ErrInvalidVersion": 27,
    "ErrInvalidChainID": 28,
    "ErrInvalidType": 29,
    "ErrTxTimeoutHeight": 30,
    "ErrUnknownExtensionOptions": 31,
    "ErrWrongSequence": 32,
    "ErrPackAny": 33,
    "ErrUnpackAny": 34,
    "ErrLogic": 35,
    "ErrConflict": 36,
    "ErrNotSupported": 37,
    "ErrNotFound": 38,
    "ErrIO": 39,
    "ErrAppConfig": 40,
    "ErrInvalidGasLimit": 41,
    "ErrTxTimeout": 42,
}


def _send(amount: int = 5, sender: str = GOLDEN_ADDRESS) -> MsgSend:
    return MsgSend(
        from_address=sender, to_address=sender, amount=[Coin(denom="uallo", amount=str(amount))]
    )


def _build(**overrides: object) -> bytes:
    args: dict[str, object] = {
        "private_key": KEY,
        "chain_id": CHAIN_ID,
        "account_number": ACCOUNT_NUMBER,
        "sequence": 3,
        "fee_amount": 2_000,
        "gas_limit": 200_000,
    }
    args.update(overrides)
    messages = args.pop("messages", [_send()])
    return build_tx(messages, **args)  # type: ignore[arg-type]


def _decode(raw: bytes, **kwargs: int) -> DecodedTx:
    return decode_tx(raw, max_tx_bytes=kwargs.pop("max_tx_bytes", MAX_TX_BYTES), **kwargs)


def _pubkey_any(public_key: bytes = KEY.public_key) -> any_pb2.Any:
    return any_pb2.Any(
        type_url="/cosmos.crypto.secp256k1.PubKey",
        value=keys_pb2.PubKey(key=public_key).SerializeToString(),
    )


def _signer_info(
    *, public_key: any_pb2.Any | None = None, mode: int = signing_pb2.SIGN_MODE_DIRECT
) -> tx_pb2.SignerInfo:
    info = tx_pb2.SignerInfo(
        mode_info=tx_pb2.ModeInfo(single=tx_pb2.ModeInfo.Single(mode=mode)), sequence=3
    )
    info.public_key.CopyFrom(public_key if public_key is not None else _pubkey_any())
    return info


def _auth_info(**fields: object) -> tx_pb2.AuthInfo:
    fields.setdefault("signer_infos", [_signer_info()])
    fields.setdefault("fee", tx_pb2.Fee(amount=[Coin(denom="uallo", amount="10")], gas_limit=1000))
    return tx_pb2.AuthInfo(**fields)


def _body(**fields: object) -> tx_pb2.TxBody:
    if "messages" not in fields:
        fields["messages"] = [_any(_send())]
    return tx_pb2.TxBody(**fields)


def _any(message: MsgSend) -> any_pb2.Any:
    return any_pb2.Any(
        type_url="/" + message.DESCRIPTOR.full_name, value=message.SerializeToString()
    )


def _raw(
    body: tx_pb2.TxBody | bytes | None = None,
    auth_info: tx_pb2.AuthInfo | bytes | None = None,
    signatures: list[bytes] | None = None,
) -> bytes:
    """A TxRaw signed by KEY (unless signatures are given) from parts, protobuf or raw bytes."""
    body_value = _body() if body is None else body
    auth_value = _auth_info() if auth_info is None else auth_info
    body_bytes = body_value if isinstance(body_value, bytes) else body_value.SerializeToString()
    auth_bytes = auth_value if isinstance(auth_value, bytes) else auth_value.SerializeToString()
    if signatures is None:
        return sign_tx(
            body_bytes=body_bytes,
            auth_info_bytes=auth_bytes,
            private_key=KEY,
            chain_id=CHAIN_ID,
            account_number=ACCOUNT_NUMBER,
        )
    tx_raw = tx_pb2.TxRaw(body_bytes=body_bytes, auth_info_bytes=auth_bytes, signatures=signatures)
    return bytes(tx_raw.SerializeToString())


def _uvarint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _uvarint(number << 3 | 2) + _uvarint(len(payload)) + payload


# --- the SDK's codes ------------------------------------------------------------------------


def test_error_classes_carry_the_sdk_codes() -> None:
    for go_name, code in SDK_CODES.items():
        cls = getattr(chain_tx, go_name)
        assert issubclass(cls, SdkError)
        assert (cls.codespace, cls.code) == ("sdk", code), go_name
    registered = {(space, code) for space, code, _ in registered_codes() if space == "sdk"}
    assert set(SDK_CODES.values()) <= {code for _, code in registered}


def test_sdk_error_message_uses_the_sdk_wrap_format() -> None:
    error = InsufficientFeeError("insufficient fees; got: 1uallo required: 2uallo")
    assert error.message == "insufficient fees; got: 1uallo required: 2uallo: insufficient fee"
    assert str(TxDecodeError()) == "tx parse error [sdk:2]"


# --- round trip -----------------------------------------------------------------------------


def test_client_tx_decodes_with_every_field() -> None:
    message = _send(42)
    raw = _build(messages=[message, _send(1)], memo="hello", timeout_height=900, sequence=11)
    tx = _decode(raw)
    assert tx.raw == raw
    assert tx.hash == hashlib.sha256(raw).digest()
    assert tx.messages[0] == AnyMsg(
        type_url="/cosmos.bank.v1beta1.MsgSend", value=message.SerializeToString()
    )
    assert len(tx.messages) == 2
    assert (tx.memo, tx.timeout_height, tx.sequence) == ("hello", 900, 11)
    assert (tx.fee_amount, tx.fee_denom, tx.gas_limit) == (2_000, "uallo", 200_000)
    assert tx.public_key == KEY.public_key
    assert tx.signer == GOLDEN_ADDRESS
    assert len(tx.signature) == 64
    verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)
    assert decode_message(tx.messages[0], MsgSend) == message


def test_zero_fee_tx_has_zero_uallo_fee() -> None:
    tx = _decode(_build(fee_amount=0))
    assert (tx.fee_amount, tx.fee_denom) == (0, "uallo")
    verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)


def test_cosmpy_signed_tx_verifies() -> None:
    """A tx sealed and signed by cosmpy's own (ecdsa-based) offline signer."""
    cosmpy_key = CosmpyPrivateKey(KEY.secret)
    transaction = Transaction()
    transaction.add_message(_send(9))
    transaction.seal(
        SigningCfg.direct(cosmpy_key.public_key, 4),
        fee=TxFee(amount="1500uallo", gas_limit=123_456),
        memo="from cosmpy",
    )
    transaction.sign(cosmpy_key, CHAIN_ID, ACCOUNT_NUMBER, deterministic=True)
    transaction.complete()
    raw = transaction.tx.SerializeToString()
    tx = _decode(raw)
    assert (tx.signer, tx.sequence, tx.fee_amount, tx.gas_limit) == (
        GOLDEN_ADDRESS,
        4,
        1500,
        123_456,
    )
    verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)
    with pytest.raises(UnauthorizedError):
        verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER + 1)
    # Both signers use RFC 6979 with low S, so the bytes are identical.
    assert raw == _build(
        messages=[_send(9)], sequence=4, fee_amount=1500, gas_limit=123_456, memo="from cosmpy"
    )


# --- signature ------------------------------------------------------------------------------


def test_wrong_chain_id_fails_verification_with_sdk_message() -> None:
    tx = _decode(_build())
    with pytest.raises(UnauthorizedError) as info:
        verify_tx_signature(tx, chain_id="other-chain", account_number=ACCOUNT_NUMBER)
    assert info.value.code == 4
    assert info.value.message == (
        "signature verification failed; please verify account number (7), sequence (3) and "
        "chain-id (other-chain): unauthorized"
    )


def test_wrong_account_number_fails_verification() -> None:
    tx = _decode(_build())
    with pytest.raises(UnauthorizedError, match=r"account number \(8\)"):
        verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER + 1)


def test_tampered_body_fails_verification() -> None:
    good = tx_pb2.TxRaw.FromString(_build())
    body = tx_pb2.TxBody.FromString(good.body_bytes)
    body.memo = "tampered"
    raw = tx_pb2.TxRaw(
        body_bytes=body.SerializeToString(),
        auth_info_bytes=good.auth_info_bytes,
        signatures=good.signatures,
    ).SerializeToString()
    tx = _decode(raw)
    assert tx.memo == "tampered"
    with pytest.raises(UnauthorizedError):
        verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)


def test_tampered_sequence_fails_verification() -> None:
    good = tx_pb2.TxRaw.FromString(_build())
    auth_info = tx_pb2.AuthInfo.FromString(good.auth_info_bytes)
    auth_info.signer_infos[0].sequence = 4
    raw = tx_pb2.TxRaw(
        body_bytes=good.body_bytes,
        auth_info_bytes=auth_info.SerializeToString(),
        signatures=good.signatures,
    ).SerializeToString()
    with pytest.raises(UnauthorizedError):
        verify_tx_signature(_decode(raw), chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)


def test_signature_by_another_key_fails_verification() -> None:
    good = tx_pb2.TxRaw.FromString(_build())
    forged = sign_tx(
        body_bytes=good.body_bytes,
        auth_info_bytes=good.auth_info_bytes,
        private_key=OTHER_KEY,
        chain_id=CHAIN_ID,
        account_number=ACCOUNT_NUMBER,
    )
    with pytest.raises(UnauthorizedError):
        verify_tx_signature(_decode(forged), chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)


def test_high_s_signature_is_rejected() -> None:
    good = tx_pb2.TxRaw.FromString(_build())
    signature = good.signatures[0]
    s = int.from_bytes(signature[32:], "big")
    high = signature[:32] + (SECP256K1_ORDER - s).to_bytes(32, "big")
    sign_doc = chain_tx.compute_sign_doc_bytes(
        body_bytes=good.body_bytes,
        auth_info_bytes=good.auth_info_bytes,
        chain_id=CHAIN_ID,
        account_number=ACCOUNT_NUMBER,
    )
    lenient = ecdsa.VerifyingKey.from_string(KEY.public_key, curve=ecdsa.SECP256k1)
    assert lenient.verify(high, sign_doc, hashfunc=hashlib.sha256)  # valid ECDSA, high S
    raw = tx_pb2.TxRaw(
        body_bytes=good.body_bytes, auth_info_bytes=good.auth_info_bytes, signatures=[high]
    ).SerializeToString()
    tx = _decode(raw)
    with pytest.raises(UnauthorizedError):
        verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)


@given(st.data())
def test_no_single_byte_mutation_verifies(data: st.DataObject) -> None:
    raw = _build()
    position = data.draw(st.integers(0, len(raw) - 1))
    delta = data.draw(st.integers(1, 255))
    mutated = raw[:position] + bytes([(raw[position] + delta) % 256]) + raw[position + 1 :]
    try:
        tx = _decode(mutated)
        verify_tx_signature(tx, chain_id=CHAIN_ID, account_number=ACCOUNT_NUMBER)
    except SdkError:
        return
    pytest.fail(f"mutation at byte {position} still verifies")


# --- size and framing ---------------------------------------------------------------------


def test_oversize_is_rejected_before_parsing() -> None:
    raw = _build()
    assert _decode(raw, max_tx_bytes=len(raw)).raw == raw
    with pytest.raises(TxTooLargeError) as info:
        _decode(raw, max_tx_bytes=len(raw) - 1)
    assert info.value.code == 21
    with pytest.raises(TxTooLargeError):
        _decode(b"\xff" * 100, max_tx_bytes=99)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\xff\xff",
        b"\x0a\x05ab",  # truncated field
        b"\x0a",  # tag without length
        b"\x08\x01",  # varint wire type in TxRaw
        b"\x0a\x80\x00",  # non-minimal length prefix
        b"\x0a\x81\x00" + b"x",  # non-minimal length prefix of a non-empty field
        b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # overlong varint
    ],
)
def test_malformed_bytes_are_tx_decode_errors(raw: bytes) -> None:
    with pytest.raises(TxDecodeError) as info:
        _decode(raw)
    assert info.value.code == 2


def test_trailing_bytes_are_rejected() -> None:
    raw = _build()
    for trailer in (b"\x00", b"garbage", _field(4, b"x"), b"\x22\x00"):
        with pytest.raises(TxDecodeError):
            _decode(raw + trailer)


def test_fields_out_of_order_are_rejected() -> None:
    good = tx_pb2.TxRaw.FromString(_build())
    body = _field(1, good.body_bytes)
    auth = _field(2, good.auth_info_bytes)
    signature = _field(3, good.signatures[0])
    assert _decode(body + auth + signature).signer == GOLDEN_ADDRESS
    with pytest.raises(TxDecodeError, match="ascending"):
        _decode(auth + body + signature)


def test_garbage_body_and_auth_info_are_decode_errors() -> None:
    with pytest.raises(TxDecodeError, match="TxBody"):
        _decode(_raw(body=b"\xff\xff"))
    with pytest.raises(TxDecodeError, match="AuthInfo"):
        _decode(_raw(auth_info=b"\x0a\x05"))


def test_unknown_fields() -> None:
    body = _body().SerializeToString()
    # Unknown critical field (number 99) in the body.
    with pytest.raises(TxDecodeError, match="unknown field 99"):
        _decode(_raw(body=body + b"\x9a\x06\x01x"))
    # Unknown non-critical field (number 1025: bit 11 set) is tolerated in the body ...
    non_critical = body + b"\x8a\x40\x01x"
    assert _decode(_raw(body=non_critical)).signer == GOLDEN_ADDRESS
    # ... but not in the auth info.
    auth = _auth_info().SerializeToString()
    with pytest.raises(TxDecodeError, match="unknown field 1025"):
        _decode(_raw(auth_info=auth + b"\x8a\x40\x01x"))
    # Unknown field nested in the fee.
    fee = tx_pb2.Fee(gas_limit=5).SerializeToString() + _field(9, b"z")
    auth_with_bad_fee = tx_pb2.AuthInfo(signer_infos=[_signer_info()]).SerializeToString() + _field(
        2, fee
    )
    with pytest.raises(TxDecodeError, match=r"AuthInfo\.fee has unknown field 9"):
        _decode(_raw(auth_info=auth_with_bad_fee))
    # Unknown field inside the public key message.
    key_any = any_pb2.Any(
        type_url="/cosmos.crypto.secp256k1.PubKey",
        value=keys_pb2.PubKey(key=KEY.public_key).SerializeToString() + _field(2, b"q"),
    )
    with pytest.raises(TxDecodeError):
        _decode(_raw(auth_info=_auth_info(signer_infos=[_signer_info(public_key=key_any)])))


def test_later_sdk_body_features_are_rejected() -> None:
    with pytest.raises(TxDecodeError, match="unordered"):
        _decode(_raw(body=_body(unordered=True)))


@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_typed_errors(raw: bytes) -> None:
    try:
        _decode(raw)
    except SdkError as error:
        assert error.codespace == "sdk"


# --- body rules -----------------------------------------------------------------------------


def test_no_messages_is_invalid_request() -> None:
    with pytest.raises(InvalidRequestError, match="at least one message") as info:
        _decode(_raw(body=_body(messages=[])))
    assert info.value.code == 18


def test_memo_limit_counts_bytes() -> None:
    assert _decode(_build(memo="m" * 256)).memo == "m" * 256
    with pytest.raises(MemoTooLargeError) as info:
        _decode(_build(memo="m" * 257))
    assert info.value.code == 12
    with pytest.raises(MemoTooLargeError, match="received 258"):
        _decode(_build(memo="é" * 129))
    assert _decode(_build(memo="m" * 10), max_memo_characters=10).memo == "m" * 10


def test_extension_options_are_rejected() -> None:
    option = any_pb2.Any(type_url="/some.Option", value=b"")
    for field in ("extension_options", "non_critical_extension_options"):
        with pytest.raises(UnknownExtensionOptionsError) as info:
            _decode(_raw(body=_body(**{field: [option]})))
        assert info.value.code == 31


# --- signers --------------------------------------------------------------------------------


def test_two_signers_are_rejected() -> None:
    other = _signer_info(public_key=_pubkey_any(OTHER_KEY.public_key))
    raw = _raw(auth_info=_auth_info(signer_infos=[_signer_info(), other]))
    with pytest.raises(TooManySignaturesError) as info:
        _decode(raw)
    assert info.value.code == 14


def test_missing_signatures_and_signers() -> None:
    with pytest.raises(NoSignaturesError) as info:
        _decode(_raw(signatures=[]))
    assert info.value.code == 15
    with pytest.raises(NoSignaturesError):
        _decode(_raw(auth_info=_auth_info(signer_infos=[])))
    with pytest.raises(UnauthorizedError, match="expected 1, got 2"):
        _decode(_raw(signatures=[bytes(64), bytes(64)]))


def test_wrong_pubkey_type_is_invalid_pubkey() -> None:
    ed25519_key = any_pb2.Any(
        type_url="/cosmos.crypto.ed25519.PubKey",
        value=ed25519_keys_pb2.PubKey(key=bytes(32)).SerializeToString(),
    )
    raw = _raw(auth_info=_auth_info(signer_infos=[_signer_info(public_key=ed25519_key)]))
    with pytest.raises(InvalidPubKeyError, match="unsupported public key type") as info:
        _decode(raw)
    assert info.value.code == 8


@pytest.mark.parametrize(
    "key",
    [b"", KEY.public_key[:32], b"\x04" + KEY.public_key[1:], b"\x02" + bytes(32)],
)
def test_malformed_pubkey_is_invalid_pubkey(key: bytes) -> None:
    raw = _raw(auth_info=_auth_info(signer_infos=[_signer_info(public_key=_pubkey_any(key))]))
    with pytest.raises(InvalidPubKeyError):
        _decode(raw)


def test_missing_pubkey_is_invalid_pubkey() -> None:
    info = tx_pb2.SignerInfo(
        mode_info=tx_pb2.ModeInfo(single=tx_pb2.ModeInfo.Single(mode=1)), sequence=3
    )
    with pytest.raises(InvalidPubKeyError, match="no public key"):
        _decode(_raw(auth_info=_auth_info(signer_infos=[info])))


def test_other_sign_modes_are_unauthorized() -> None:
    amino = _signer_info(mode=signing_pb2.SIGN_MODE_LEGACY_AMINO_JSON)
    with pytest.raises(UnauthorizedError, match="SIGN_MODE_LEGACY_AMINO_JSON"):
        _decode(_raw(auth_info=_auth_info(signer_infos=[amino])))
    multi = _signer_info()
    multi.mode_info.Clear()
    multi.mode_info.multi.SetInParent()
    with pytest.raises(UnauthorizedError, match="single-key"):
        _decode(_raw(auth_info=_auth_info(signer_infos=[multi])))


@pytest.mark.parametrize("length", [0, 63, 65, 70])
def test_signature_length_must_be_64(length: int) -> None:
    with pytest.raises(UnauthorizedError, match="64 bytes") as info:
        _decode(_raw(signatures=[b"\x01" * length]) if length else _raw(signatures=[b""]))
    assert info.value.code == 4


# --- fee ------------------------------------------------------------------------------------


def _fee_raw(*coins: tuple[str, str], **fee_fields: object) -> bytes:
    fee = tx_pb2.Fee(
        amount=[Coin(denom=denom, amount=amount) for denom, amount in coins], **fee_fields
    )
    return _raw(auth_info=_auth_info(fee=fee))


def test_fee_amount_bounds() -> None:
    largest = 2**256 - 1
    assert _decode(_fee_raw(("uallo", str(largest)))).fee_amount == largest
    assert _decode(_fee_raw(("uallo", "0"))).fee_amount == 0
    with pytest.raises(TxDecodeError, match="256 bits"):
        _decode(_fee_raw(("uallo", str(2**256))))
    for text in ("007", "1.5", "1e3", " 5", "+5", "0x10", "١٢"):
        with pytest.raises(TxDecodeError, match="canonical"):
            _decode(_fee_raw(("uallo", text)))
    for text in ("-5", ""):
        with pytest.raises(InsufficientFeeError) as info:
            _decode(_fee_raw(("uallo", text)))
        assert info.value.code == 13


def test_fee_must_be_one_uallo_coin() -> None:
    with pytest.raises(InvalidCoinsError, match="denom must be uallo") as info:
        _decode(_fee_raw(("uatom", "5")))
    assert info.value.code == 10
    with pytest.raises(InvalidCoinsError, match="2 coins"):
        _decode(_fee_raw(("uallo", "5"), ("uallo", "6")))


def test_fee_gas_granter_payer() -> None:
    assert _decode(_fee_raw(gas_limit=2**63 - 1)).gas_limit == 2**63 - 1
    with pytest.raises(InvalidRequestError, match="invalid gas supplied"):
        _decode(_fee_raw(gas_limit=2**63))
    with pytest.raises(InvalidRequestError, match="fee grants"):
        _decode(_fee_raw(granter=OTHER_KEY.address))
    with pytest.raises(InvalidRequestError, match="fee payer"):
        _decode(_fee_raw(payer=OTHER_KEY.address))
    assert _decode(_fee_raw(payer=GOLDEN_ADDRESS)).signer == GOLDEN_ADDRESS


def test_tip_is_rejected() -> None:
    tip = tx_pb2.Tip(tipper=GOLDEN_ADDRESS)
    with pytest.raises(InvalidRequestError, match="tips"):
        _decode(_raw(auth_info=_auth_info(tip=tip)))


def test_validate_fee_against_min_gas_price() -> None:
    tx = _decode(_build(fee_amount=2_000_000, gas_limit=200_000))
    validate_fee(tx, min_gas_price=10)
    validate_fee(tx, min_gas_price=0)
    with pytest.raises(InsufficientFeeError) as info:
        validate_fee(tx, min_gas_price=11)
    assert info.value.message == (
        "insufficient fees; got: 2000000uallo required: 2200000uallo: insufficient fee"
    )
    free = _decode(_build(fee_amount=0))
    validate_fee(free, min_gas_price=0)
    with pytest.raises(InsufficientFeeError, match="insufficient fees"):
        validate_fee(free, min_gas_price=1)


def test_validate_gas_limit() -> None:
    tx = _decode(_build(gas_limit=500))
    validate_gas_limit(tx, max_block_gas=500)
    validate_gas_limit(tx, max_block_gas=-1)
    with pytest.raises(InvalidGasLimitError) as info:
        validate_gas_limit(tx, max_block_gas=499)
    assert info.value.code == 41


# --- replay protection ------------------------------------------------------------------------


def test_wrong_sequence_wording() -> None:
    tx = _decode(_build(sequence=3))
    validate_sequence(tx, account_sequence=3)
    with pytest.raises(WrongSequenceError) as info:
        validate_sequence(tx, account_sequence=5)
    assert (info.value.expected, info.value.got, info.value.code) == (5, 3, 32)
    assert info.value.message == (
        "account sequence mismatch, expected 5, got 3: incorrect account sequence"
    )


def test_timeout_height() -> None:
    tx = _decode(_build(timeout_height=100))
    validate_timeout_height(tx, height=100)
    with pytest.raises(TxTimeoutHeightError) as info:
        validate_timeout_height(tx, height=101)
    assert info.value.code == 30
    validate_timeout_height(_decode(_build()), height=10**9)  # 0 = no timeout


# --- messages -------------------------------------------------------------------------------


def test_decode_message_checks_type_and_unknown_fields() -> None:
    value = _send().SerializeToString()
    with pytest.raises(TxDecodeError, match="is not"):
        decode_message(AnyMsg(type_url="/cosmos.bank.v1beta1.MsgMultiSend", value=value), MsgSend)
    with pytest.raises(TxDecodeError, match="unknown field 9"):
        decode_message(
            AnyMsg(type_url="/cosmos.bank.v1beta1.MsgSend", value=value + _field(9, b"x")),
            MsgSend,
        )
    with pytest.raises(TxDecodeError):
        decode_message(AnyMsg(type_url="/cosmos.bank.v1beta1.MsgSend", value=b"\xff"), MsgSend)


def test_builder_parts_are_plain_protobuf() -> None:
    body = tx_pb2.TxBody.FromString(build_body_bytes([_send()], memo="x"))
    assert body.memo == "x"
    auth = tx_pb2.AuthInfo.FromString(
        build_auth_info_bytes(public_key=KEY.public_key, sequence=2, fee_amount=0, gas_limit=9)
    )
    assert len(auth.fee.amount) == 0
    assert auth.signer_infos[0].mode_info.single.mode == signing_pb2.SIGN_MODE_DIRECT
