"""Wallets: a signing key plus the account's number and sequence, kept safely across threads.

A :class:`Wallet` comes from a mnemonic, a raw private key or a keyring entry. It signs
transactions (:func:`pyallora.client.tx.build_tx`, SIGN_MODE_DIRECT) and owns a
:class:`SequenceManager`: the account number and the next sequence, learnt from the node once
and then counted locally.

Why a lock around sign-and-broadcast: a node's CheckTx accepts sequence ``n + 1`` only after
``n``; if two threads signed ``n`` and ``n + 1`` and their broadcasts overtook each other, the
second would be refused. The clients therefore hold :attr:`SequenceManager.lock` from taking a
sequence until CheckTx answered (milliseconds), and wait for inclusion outside it. When the
node reports a mismatch ("account sequence mismatch, expected 7, got 5": another process used
the key, or a mempool tx was dropped), the client resets the counter to the expected value and
retries once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from google.protobuf.message import Message

from pyallora.client.keyring import DEFAULT_KEYRING_DIR, Backend, Keyring, resolve_passphrase
from pyallora.client.keys import PrivateKey
from pyallora.client.tx import build_tx
from pyallora.core.errors import PyAlloraError


class WalletError(PyAlloraError):
    """A wallet cannot do what was asked (sequence not known yet)."""


class SequenceManager:
    """Account number and next sequence of one account, guarded by a lock.

    :attr:`lock` is re-entrant; clients hold it across sign and broadcast. The counter
    methods take it themselves.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._account_number: int | None = None
        self._next: int | None = None

    @property
    def is_synced(self) -> bool:
        """Whether the number and sequence are known."""
        with self.lock:
            return self._next is not None and self._account_number is not None

    @property
    def account_number(self) -> int:
        """The account number.

        Raises
        ------
        WalletError
            Before :meth:`sync`.
        """
        with self.lock:
            if self._account_number is None:
                raise WalletError("the account number is not known yet")
            return self._account_number

    @property
    def next_sequence(self) -> int:
        """The sequence the next tx will use.

        Raises
        ------
        WalletError
            Before :meth:`sync`.
        """
        with self.lock:
            if self._next is None:
                raise WalletError("the account sequence is not known yet")
            return self._next

    def sync(self, account_number: int, sequence: int) -> None:
        """Set both from the node's account record."""
        if account_number < 0 or sequence < 0:
            raise WalletError("account number and sequence must be non-negative")
        with self.lock:
            self._account_number = account_number
            self._next = sequence

    def advance(self) -> int:
        """Mark the current sequence used; returns the next one."""
        with self.lock:
            self._next = self.next_sequence + 1
            return self._next

    def reset(self, sequence: int) -> None:
        """Continue from ``sequence`` (the node's expected value after a mismatch)."""
        if sequence < 0:
            raise WalletError("a sequence is non-negative")
        with self.lock:
            self._next = sequence

    def invalidate(self) -> None:
        """Forget the sequence (the next send asks the node again)."""
        with self.lock:
            self._next = None


class Wallet:
    """A signing account (module docstring).

    Parameters
    ----------
    private_key
        The account's secp256k1 key.
    """

    def __init__(self, private_key: PrivateKey) -> None:
        self._key = private_key
        self.sequence = SequenceManager()

    def __repr__(self) -> str:
        return f"Wallet({self.address})"

    @classmethod
    def from_mnemonic(cls, words: str, account: int = 0, index: int = 0) -> Wallet:
        """The wallet of a BIP-39 mnemonic at ``m/44'/118'/account'/0/index``."""
        return cls(PrivateKey.from_mnemonic(words, account, index))

    @classmethod
    def from_private_key(cls, key: str | bytes) -> Wallet:
        """The wallet of a raw key (64 hex digits, or 32 bytes)."""
        if isinstance(key, bytes):
            return cls(PrivateKey(secret=key))
        return cls(PrivateKey.from_hex(key))

    @classmethod
    def from_keyring(
        cls,
        name: str,
        *,
        keyring_dir: Path = DEFAULT_KEYRING_DIR,
        backend: Backend = "file",
        passphrase: str | None = None,
        passphrase_file: Path | None = None,
    ) -> Wallet:
        """The wallet of a keyring entry (``file`` backend: the passphrase is resolved like
        ``allora keys`` does when not given).

        Raises
        ------
        KeyringError
            If the key is missing or the passphrase wrong.
        """
        keyring = Keyring(keyring_dir, backend=backend)
        keyring.show(name)
        if backend == "file" and passphrase is None:
            passphrase = resolve_passphrase(passphrase_file=passphrase_file)
        return cls(keyring.export(name, passphrase=passphrase).private_key)

    @property
    def address(self) -> str:
        """The ``allo1…`` address."""
        return self._key.address

    @property
    def public_key(self) -> bytes:
        """The 33-byte compressed public key."""
        return self._key.public_key

    @property
    def private_key(self) -> PrivateKey:
        """The signing key."""
        return self._key

    def sign_tx(
        self,
        messages: Sequence[Message],
        *,
        chain_id: str,
        account_number: int,
        sequence: int,
        fee: int = 0,
        gas: int = 200_000,
        memo: str = "",
        timeout_height: int = 0,
    ) -> bytes:
        """A signed ``TxRaw`` of the messages (explicit number and sequence)."""
        return build_tx(
            messages,
            private_key=self._key,
            chain_id=chain_id,
            account_number=account_number,
            sequence=sequence,
            fee_amount=fee,
            gas_limit=gas,
            memo=memo,
            timeout_height=timeout_height,
        )
