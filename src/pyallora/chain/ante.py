"""The ante handler: a transaction's stateful checks before its messages (PROTOCOL.md §7.1).

:func:`process_ante` runs on a gas-metered branch of the block (or check) state, after the
stateless checks (decoding, size, known messages, ``validate_basic``, signers; the whole order
is in :mod:`pyallora.chain.app`). It continues that order:

1. timeout height (``TxTimeoutHeight`` 30);
2. signer match, stateful half: the signer's account exists (``UnknownAddress`` 9; its
   account number is needed next) and any stored key is the tx's key (``InvalidPubKey`` 8);
3. gas for the tx size (``tx_size_cost_per_byte`` × bytes) and for the signature
   (``OutOfGas`` 11);
4. the SIGN_MODE_DIRECT signature, valid and low-s, over the chain id and the *stored* account
   number (``Unauthorized`` 4: a wrong chain id or account number fails here); skipped on
   ``recheck``, as in the SDK;
5. the sequence equals the account's (``WrongSequence`` 32: a replayed tx fails here);
6. in the mempool modes only, the fee against the node's minimum gas price × gas wanted
   (``InsufficientFee`` 13);
7. the fee moves to ``fee_collector`` (``InsufficientFunds`` 5);
8. the sequence is incremented and the public key stored on first use.

Deliberate differences from the issue's list (decodes, size, messages, signer, signature,
sequence, minimum fee) and from the SDK:

* the timeout height and the gas are not in the issue's list: the timeout height goes first
  (a stateless check of the tx against the block, as the SDK's ``TxTimeoutHeightDecorator``);
  gas is charged where the work is done, so a gas limit below the ante's own cost fails with
  ``OutOfGas`` before the signature is verified;
* the SDK checks the sequence *before* the signature and the minimum fee before both; here
  the signature comes first, then the sequence, then the fee, as the issue orders them. For a
  correctly signed tx the codes are the SDK's (a replay still gets ``WrongSequence``, whose
  text clients parse); only txs with two faults can differ.

The application writes the ante branch only if all of it succeeds; in block execution it then
keeps it even when the messages fail (the fee stays paid, the sequence stays used: PROTOCOL.md
§1.5), while in the mempool modes a failed tx leaves nothing.
"""

from __future__ import annotations

import base64
from typing import Final

from pyallora.chain.auth.state import FEE_COLLECTOR, Account, get_account, set_account
from pyallora.chain.bank.state import format_coins, send_coins_from_account_to_module
from pyallora.chain.context import Context
from pyallora.chain.events import make_event
from pyallora.chain.params import AuthParams
from pyallora.chain.store.kv import KVStore
from pyallora.chain.tx.decode import DecodedTx
from pyallora.chain.tx.errors import InvalidPubKeyError, UnknownAddressError
from pyallora.chain.tx.fees import validate_fee
from pyallora.chain.tx.verify import (
    validate_sequence,
    validate_timeout_height,
    verify_tx_signature,
)


class SignatureCache:
    """Remembers signatures already verified, keyed by ``(tx hash, chain id, account number)``.

    A SIGN_MODE_DIRECT signature's validity is a pure function of the tx bytes, the chain id
    and the account number, so a tx verified in ``check_tx`` need not be verified again in
    ``prepare_proposal`` and ``finalize_block``; results are identical with or without the
    cache. Only successes are remembered; the cache empties itself when full.

    Parameters
    ----------
    capacity
        Most entries kept.
    """

    __slots__ = ("_capacity", "_verified")

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._verified: dict[tuple[bytes, str, int], None] = {}

    def verify(self, tx: DecodedTx, *, chain_id: str, account_number: int) -> None:
        """:func:`~pyallora.chain.tx.verify.verify_tx_signature`, skipped when known good.

        Raises
        ------
        UnauthorizedError
            If the signature does not verify.
        """
        key = (tx.hash, chain_id, account_number)
        if key in self._verified:
            return
        verify_tx_signature(tx, chain_id=chain_id, account_number=account_number)
        if self._capacity <= 0:
            return
        if len(self._verified) >= self._capacity:
            self._verified.clear()
        self._verified[key] = None


NO_CACHE: Final = SignatureCache(capacity=0)
"""A cache that never hits (every signature verified)."""


def process_ante(
    ctx: Context,
    store: KVStore,
    tx: DecodedTx,
    *,
    params: AuthParams,
    min_gas_price: int | None,
    verify_signature: bool,
    signature_cache: SignatureCache = NO_CACHE,
) -> None:
    """Run the ante checklist (module docstring) and charge the fee.

    Parameters
    ----------
    ctx
        Block data, gas meter and the collector receiving the ``tx`` events.
    store
        A gas-metered branch that the caller writes only if this returns.
    tx
        The decoded tx; its messages are already known, validated and signed by ``tx.signer``.
    params
        The auth parameters.
    min_gas_price
        The node's minimum gas price (``None`` in block execution: no check).
    verify_signature
        ``False`` only for ``recheck``.
    signature_cache
        Known-good signatures.

    Raises
    ------
    ConsensusError
        The first failed check (codes in the module docstring) or ``OutOfGas``.
    """
    validate_timeout_height(tx, height=ctx.height)
    account = get_account(store, tx.signer)
    if account is None:
        raise UnknownAddressError(f"account {tx.signer} does not exist")
    if account.public_key and account.public_key != tx.public_key:
        raise InvalidPubKeyError(
            f"pubKey does not match signer address {tx.signer} with signer index: 0"
        )
    ctx.gas.consume(params.tx_size_cost_per_byte * len(tx.raw), "txSize")
    ctx.gas.consume(params.sig_verify_cost_secp256k1, "ante verify: secp256k1")
    if verify_signature:
        signature_cache.verify(tx, chain_id=ctx.chain_id, account_number=account.account_number)
    validate_sequence(tx, account_sequence=account.sequence)
    if min_gas_price is not None:
        validate_fee(tx, min_gas_price=min_gas_price)
    if tx.fee_amount:
        send_coins_from_account_to_module(ctx, store, tx.signer, FEE_COLLECTOR, tx.fee_amount)
    set_account(
        store,
        Account(
            address=account.address,
            account_number=account.account_number,
            sequence=account.sequence + 1,
            public_key=tx.public_key,
            module_name=account.module_name,
            permissions=account.permissions,
        ),
    )
    events = ctx.events
    events.emit(make_event("tx", (("fee", format_coins(tx.fee_amount)), ("fee_payer", tx.signer))))
    events.emit(make_event("tx", (("acc_seq", f"{tx.signer}/{account.sequence}"),)))
    events.emit(make_event("tx", (("signature", base64.b64encode(tx.signature).decode("ascii")),)))
