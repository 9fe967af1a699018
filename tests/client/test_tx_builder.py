"""Tests of pyallora.client.tx, checked with the protobuf classes and an independent verifier."""

from __future__ import annotations

import hashlib

import ecdsa  # type: ignore[import-untyped]
import pytest
from cosmpy.protos.cosmos.bank.v1beta1.tx_pb2 import MsgSend
from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin
from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2
from cosmpy.protos.cosmos.tx.signing.v1beta1 import signing_pb2
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from google.protobuf import any_pb2

from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx, pack_any, sign_doc_bytes, tx_hash

KEY = PrivateKey.from_mnemonic("abandon " * 11 + "about")


def _send(amount: str) -> MsgSend:
    return MsgSend(
        from_address=KEY.address,
        to_address=KEY.address,
        amount=[Coin(denom="uallo", amount=amount)],
    )


def test_built_tx_has_the_cosmos_layout_and_a_valid_signature() -> None:
    raw = build_tx(
        [_send("1"), _send("2")],
        private_key=KEY,
        chain_id="testnet",
        account_number=12,
        sequence=34,
        fee_amount=5000,
        gas_limit=250_000,
        memo="note",
        timeout_height=77,
    )
    tx_raw = tx_pb2.TxRaw.FromString(raw)
    body = tx_pb2.TxBody.FromString(tx_raw.body_bytes)
    auth = tx_pb2.AuthInfo.FromString(tx_raw.auth_info_bytes)
    assert [m.type_url for m in body.messages] == ["/cosmos.bank.v1beta1.MsgSend"] * 2
    assert MsgSend.FromString(body.messages[1].value).amount[0].amount == "2"
    assert (body.memo, body.timeout_height) == ("note", 77)
    (signer,) = auth.signer_infos
    assert signer.public_key.type_url == "/cosmos.crypto.secp256k1.PubKey"
    assert keys_pb2.PubKey.FromString(signer.public_key.value).key == KEY.public_key
    assert signer.mode_info.single.mode == signing_pb2.SIGN_MODE_DIRECT
    assert signer.sequence == 34
    assert [(c.denom, c.amount) for c in auth.fee.amount] == [("uallo", "5000")]
    assert auth.fee.gas_limit == 250_000
    sign_doc = tx_pb2.SignDoc(
        body_bytes=tx_raw.body_bytes,
        auth_info_bytes=tx_raw.auth_info_bytes,
        chain_id="testnet",
        account_number=12,
    ).SerializeToString()
    assert sign_doc == sign_doc_bytes(
        body_bytes=tx_raw.body_bytes,
        auth_info_bytes=tx_raw.auth_info_bytes,
        chain_id="testnet",
        account_number=12,
    )
    verifier = ecdsa.VerifyingKey.from_string(KEY.public_key, curve=ecdsa.SECP256k1)
    (signature,) = tx_raw.signatures
    assert verifier.verify(signature, sign_doc, hashfunc=hashlib.sha256)


def test_zero_fee_has_no_coin_and_building_is_deterministic() -> None:
    args = {"private_key": KEY, "chain_id": "c", "account_number": 0, "sequence": 0}
    raw = build_tx([_send("1")], fee_amount=0, gas_limit=0, **args)  # type: ignore[arg-type]
    auth = tx_pb2.AuthInfo.FromString(tx_pb2.TxRaw.FromString(raw).auth_info_bytes)
    assert len(auth.fee.amount) == 0
    assert raw == build_tx([_send("1")], fee_amount=0, gas_limit=0, **args)  # type: ignore[arg-type]


def test_tx_hash_is_upper_hex_sha256() -> None:
    assert tx_hash(b"abc") == ("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")


def test_pack_any() -> None:
    packed = pack_any(_send("3"))
    assert packed.type_url == "/cosmos.bank.v1beta1.MsgSend"
    ready = any_pb2.Any(type_url="/x.Y", value=b"\x01")
    assert pack_any(ready) is ready


def test_build_tx_rejects_caller_bugs() -> None:
    args = {"private_key": KEY, "chain_id": "c", "account_number": 0, "gas_limit": 1}
    with pytest.raises(ValueError, match="at least one message"):
        build_tx([], sequence=0, fee_amount=0, **args)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        build_tx([_send("1")], sequence=0, fee_amount=-1, **args)  # type: ignore[arg-type]
