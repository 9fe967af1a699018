"""Signature, sequence and timeout checks of a decoded tx (PROTOCOL.md §7.1).

SIGN_MODE_DIRECT: the signer signs ``SHA-256(SignDoc{body_bytes, auth_info_bytes, chain_id,
account_number})`` with secp256k1, 64-byte ``r‖s``, low S. The body and auth-info bytes are
the ones received (never re-encoded). Replay across chains is prevented by the chain id,
within a chain by the account sequence (which lives inside the auth info, so it is signed).

The account number and sequence are state: the app looks them up and passes them in.
"""

from __future__ import annotations

from cosmpy.protos.cosmos.tx.v1beta1 import tx_pb2

from pyallora.chain.tx.decode import DecodedTx
from pyallora.chain.tx.errors import (
    TxTimeoutHeightError,
    UnauthorizedError,
    WrongSequenceError,
)
from pyallora.core.crypto import is_valid_secp256k1_signature


def compute_sign_doc_bytes(
    *, body_bytes: bytes, auth_info_bytes: bytes, chain_id: str, account_number: int
) -> bytes:
    """The serialized ``cosmos.tx.v1beta1.SignDoc`` whose SHA-256 the signer signs."""
    sign_doc = tx_pb2.SignDoc(
        body_bytes=body_bytes,
        auth_info_bytes=auth_info_bytes,
        chain_id=chain_id,
        account_number=account_number,
    )
    return bytes(sign_doc.SerializeToString(deterministic=True))


def verify_tx_signature(tx: DecodedTx, *, chain_id: str, account_number: int) -> None:
    """Check the signer's SIGN_MODE_DIRECT signature for this chain and account number.

    Parameters
    ----------
    tx
        A decoded tx (its public key is already known to be valid).
    chain_id
        The chain's id (from genesis).
    account_number
        The signer account's number (from state).

    Raises
    ------
    UnauthorizedError
        If the signature does not verify (including high-S signatures); the message names
        the account number, sequence and chain id the chain used, as the SDK's does.
    """
    sign_doc = compute_sign_doc_bytes(
        body_bytes=tx.body_bytes,
        auth_info_bytes=tx.auth_info_bytes,
        chain_id=chain_id,
        account_number=account_number,
    )
    if not is_valid_secp256k1_signature(tx.public_key, sign_doc, tx.signature):
        raise UnauthorizedError(
            f"signature verification failed; please verify account number ({account_number}), "
            f"sequence ({tx.sequence}) and chain-id ({chain_id})"
        )


def validate_sequence(tx: DecodedTx, *, account_sequence: int) -> None:
    """Check the tx's sequence against the account's current one (before the signature).

    Raises
    ------
    WrongSequenceError
        ``"account sequence mismatch, expected N, got M"`` (clients parse this wording).
    """
    if tx.sequence != account_sequence:
        raise WrongSequenceError(expected=account_sequence, got=tx.sequence)


def validate_timeout_height(tx: DecodedTx, *, height: int) -> None:
    """Reject a tx whose non-zero timeout height is below the current block height.

    Raises
    ------
    TxTimeoutHeightError
        If ``0 < tx.timeout_height < height``.
    """
    if 0 < tx.timeout_height < height:
        raise TxTimeoutHeightError(f"block height: {height}, timeout height: {tx.timeout_height}")
