"""Building and signing Cosmos transactions (PROTOCOL.md §7.1; INFRA.md §9.5).

:func:`build_tx` produces the ``TxRaw`` bytes a node accepts: messages packed into ``Any``
with type URL ``/`` + full protobuf name, one ``SignerInfo`` (the
``/cosmos.crypto.secp256k1.PubKey`` of the key, SIGN_MODE_DIRECT, the account sequence), a fee
of one ``uallo`` coin (none when the fee is 0) and the gas limit, signed over
``SHA-256(SignDoc{body_bytes, auth_info_bytes, chain_id, account_number})``.

This module shares nothing with the chain's decoder but the protobuf classes and
:mod:`pyallora.core.crypto`, so a round trip through both is a real check of each.
"""

from __future__ import annotations

from collections.abc import Sequence

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.crypto.secp256k1 import keys_pb2
from cosmpy.protos.cosmos.tx.signing.v1beta1 import signing_pb2
from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2
from google.protobuf import any_pb2
from google.protobuf.message import Message

from pyallora.client.keys import PrivateKey
from pyallora.core.amounts import DENOM
from pyallora.core.crypto import sha256


def pack_any(message: Message) -> any_pb2.Any:
    """Wrap a protobuf message in ``Any`` with type URL ``/`` + its full name.

    An ``Any`` is returned unchanged (already packed).
    """
    if isinstance(message, any_pb2.Any):
        return message
    return any_pb2.Any(
        type_url="/" + message.DESCRIPTOR.full_name,
        value=message.SerializeToString(deterministic=True),
    )


def build_body_bytes(
    messages: Sequence[Message], *, memo: str = "", timeout_height: int = 0
) -> bytes:
    """Serialized ``TxBody`` of the messages, memo and timeout height."""
    body = tx_pb2.TxBody(
        messages=[pack_any(message) for message in messages],
        memo=memo,
        timeout_height=timeout_height,
    )
    return bytes(body.SerializeToString(deterministic=True))


def build_auth_info_bytes(
    *, public_key: bytes, sequence: int, fee_amount: int, gas_limit: int
) -> bytes:
    """Serialized ``AuthInfo``: one SIGN_MODE_DIRECT signer and a uallo fee."""
    key = any_pb2.Any(
        type_url="/" + keys_pb2.PubKey.DESCRIPTOR.full_name,
        value=keys_pb2.PubKey(key=public_key).SerializeToString(deterministic=True),
    )
    signer_info = tx_pb2.SignerInfo(
        public_key=key,
        mode_info=tx_pb2.ModeInfo(single=tx_pb2.ModeInfo.Single(mode=signing_pb2.SIGN_MODE_DIRECT)),
        sequence=sequence,
    )
    coins = [coin_pb2.Coin(denom=DENOM, amount=str(fee_amount))] if fee_amount else []
    auth_info = tx_pb2.AuthInfo(
        signer_infos=[signer_info], fee=tx_pb2.Fee(amount=coins, gas_limit=gas_limit)
    )
    return bytes(auth_info.SerializeToString(deterministic=True))


def sign_doc_bytes(
    *, body_bytes: bytes, auth_info_bytes: bytes, chain_id: str, account_number: int
) -> bytes:
    """Serialized ``SignDoc``; the signature covers its SHA-256."""
    sign_doc = tx_pb2.SignDoc(
        body_bytes=body_bytes,
        auth_info_bytes=auth_info_bytes,
        chain_id=chain_id,
        account_number=account_number,
    )
    return bytes(sign_doc.SerializeToString(deterministic=True))


def sign_tx(
    *,
    body_bytes: bytes,
    auth_info_bytes: bytes,
    private_key: PrivateKey,
    chain_id: str,
    account_number: int,
) -> bytes:
    """Sign given body and auth-info bytes (SIGN_MODE_DIRECT) and return the ``TxRaw`` bytes."""
    signature = private_key.sign(
        sign_doc_bytes(
            body_bytes=body_bytes,
            auth_info_bytes=auth_info_bytes,
            chain_id=chain_id,
            account_number=account_number,
        )
    )
    tx_raw = tx_pb2.TxRaw(
        body_bytes=body_bytes, auth_info_bytes=auth_info_bytes, signatures=[signature]
    )
    return bytes(tx_raw.SerializeToString(deterministic=True))


def build_tx(
    messages: Sequence[Message],
    *,
    private_key: PrivateKey,
    chain_id: str,
    account_number: int,
    sequence: int,
    fee_amount: int,
    gas_limit: int,
    memo: str = "",
    timeout_height: int = 0,
) -> bytes:
    """Build and sign a single-signer tx; returns the ``TxRaw`` bytes to broadcast.

    Parameters
    ----------
    messages
        Protobuf messages (or ready ``Any`` values), in execution order.
    private_key
        The signer; every message's signer field must be its address.
    chain_id, account_number, sequence
        The chain's id and the signer account's number and current sequence.
    fee_amount, gas_limit
        Fee in uallo (0 for none) and the gas limit.
    memo, timeout_height
        Optional memo (≤ 256 bytes) and last height at which the tx may be included (0: none).

    Raises
    ------
    ValueError
        If there is no message or an amount is negative (a caller bug).
    """
    if not messages:
        raise ValueError("a tx needs at least one message")
    if fee_amount < 0 or gas_limit < 0 or sequence < 0 or account_number < 0:
        raise ValueError("fee, gas limit, sequence and account number must be non-negative")
    body_bytes = build_body_bytes(messages, memo=memo, timeout_height=timeout_height)
    auth_info_bytes = build_auth_info_bytes(
        public_key=private_key.public_key,
        sequence=sequence,
        fee_amount=fee_amount,
        gas_limit=gas_limit,
    )
    return sign_tx(
        body_bytes=body_bytes,
        auth_info_bytes=auth_info_bytes,
        private_key=private_key,
        chain_id=chain_id,
        account_number=account_number,
    )


def tx_hash(raw: bytes) -> str:
    """The tx hash as CometBFT RPC prints it: upper-case hex of SHA-256 of the raw bytes."""
    return sha256(raw).hex().upper()
