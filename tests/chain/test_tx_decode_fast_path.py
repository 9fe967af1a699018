"""decode_tx's canonical-encoding fast path decides exactly as the field-by-field rule, and
the memoised secp256k1 key parsing gives the same answers on every call."""

from __future__ import annotations

import pytest
from cosmpy.protos.cosmos.bank.v1beta1.tx_pb2 import MsgSend
from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from google.protobuf import any_pb2

from pyallora.chain.tx.decode import decode_tx
from pyallora.chain.tx.errors import TxDecodeError
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.core.crypto import (
    InvalidPublicKeyError,
    is_valid_secp256k1_signature,
    sha256,
    validate_secp256k1_pubkey,
)
from pyallora.core.encoding import encode_uvarint

KEY = PrivateKey(secret=sha256(b"fast path key"))


def _field(number: int, payload: bytes) -> bytes:
    return bytes((number << 3 | 2,)) + encode_uvarint(len(payload)) + payload


def _signed(body_bytes: bytes) -> bytes:
    """A TxRaw around ``body_bytes`` with a valid auth info from a client-built tx."""
    template = tx_pb2.TxRaw.FromString(
        build_tx(
            [MsgSend(from_address=KEY.address, to_address=KEY.address, amount=[])],
            private_key=KEY,
            chain_id="c",
            account_number=0,
            sequence=0,
            fee_amount=0,
            gas_limit=100_000,
        )
    )
    return bytes(
        tx_pb2.TxRaw(
            body_bytes=body_bytes,
            auth_info_bytes=template.auth_info_bytes,
            signatures=template.signatures,
        ).SerializeToString()
    )


def _message() -> any_pb2.Any:
    send = MsgSend(
        from_address=KEY.address,
        to_address=KEY.address,
        amount=[Coin(denom="uallo", amount="1")],
    )
    return any_pb2.Any(type_url="/cosmos.bank.v1beta1.MsgSend", value=send.SerializeToString())


def test_non_canonical_field_order_without_unknown_fields_decodes() -> None:
    canonical = tx_pb2.TxBody(messages=[_message()], memo="hi").SerializeToString()
    reordered = _field(2, b"hi") + _field(1, _message().SerializeToString())
    assert reordered != canonical
    first = decode_tx(_signed(reordered), max_tx_bytes=10_000)
    second = decode_tx(_signed(canonical), max_tx_bytes=10_000)
    assert (first.memo, first.messages) == (second.memo, second.messages) == ("hi", first.messages)


def test_unknown_fields_are_found_in_any_order() -> None:
    body = tx_pb2.TxBody(messages=[_message()]).SerializeToString()
    for raw_body in (body + _field(15, b"x"), _field(15, b"x") + body):
        with pytest.raises(TxDecodeError, match="unknown field 15"):
            decode_tx(_signed(raw_body), max_tx_bytes=10_000)


def test_key_parsing_memo_keeps_refusing_bad_keys() -> None:
    off_curve = b"\x02" + b"\xff" * 32
    for _ in range(2):
        with pytest.raises(InvalidPublicKeyError):
            validate_secp256k1_pubkey(off_curve)
        assert not is_valid_secp256k1_signature(off_curve, b"m", b"\x01" * 64)
    signature = KEY.sign(b"message")
    for _ in range(2):
        assert is_valid_secp256k1_signature(KEY.public_key, b"message", signature)
        assert not is_valid_secp256k1_signature(KEY.public_key, b"other", signature)
