"""Bank messages: ``/cosmos.bank.v1beta1.MsgSend`` (cosmpy protobuf on the wire).

Decoding keeps the SDK's split between a *decode* error and a *validation* error:

* an amount that is not an integer, or needs more than 256 bits (above 2^256 − 1), fails to
  decode, as the SDK's ``math.Int`` unmarshalling does: ``TxDecode`` (2);
* :meth:`MsgSend.validate_basic` then rejects invalid addresses (``InvalidAddress`` 7) and
  coin lists that are empty, not positive, duplicated or in another denomination than
  ``uallo`` (``InvalidCoins`` 10; pyallora accepts only uallo, PROTOCOL.md §1.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Final

from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx

from pyallora.chain.store.memo import MemoTable
from pyallora.chain.tx.decode import AnyMsg, decode_message
from pyallora.chain.tx.errors import InvalidAddressError, InvalidCoinsError, TxDecodeError
from pyallora.core.amounts import DENOM, MAX_AMOUNT
from pyallora.core.crypto import CryptoError, validate_address

_INTEGER: Final = re.compile(r"-?[0-9]+")

_VALID_ADDRESSES: Final[MemoTable[str, str]] = MemoTable(100_000)


def validate_account_address(address: str) -> None:
    """:func:`~pyallora.core.crypto.validate_address`, memoised (bech32 in Python is slow).

    Raises
    ------
    CryptoError
        If the address is not a valid ``allo`` address.
    """
    _VALID_ADDRESSES.get_or_compute(address, validate_address)


@dataclass(frozen=True, slots=True, kw_only=True)
class Coin:
    """An amount of one denomination (``amount`` may be ≤ 0 before validation)."""

    denom: str
    amount: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MsgSend:
    """Send uallo from ``from_address`` (the signer) to ``to_address``."""

    TYPE_URL: ClassVar[str] = "/cosmos.bank.v1beta1.MsgSend"

    from_address: str
    to_address: str
    amount: tuple[Coin, ...]

    def validate_basic(self) -> None:
        """Stateless checks (see the module docstring).

        Raises
        ------
        InvalidAddressError
            If an address is not a valid ``allo`` address.
        InvalidCoinsError
            If the coins are empty, not positive, not uallo, duplicated or too large.
        """
        try:
            validate_account_address(self.from_address)
        except CryptoError as exc:
            raise InvalidAddressError(f"invalid from address: {exc}") from exc
        try:
            validate_account_address(self.to_address)
        except CryptoError as exc:
            raise InvalidAddressError(f"invalid to address: {exc}") from exc
        validate_coins(self.amount)

    def get_signers(self) -> tuple[str, ...]:
        """The sender."""
        return (self.from_address,)

    @property
    def total(self) -> int:
        """The uallo amount (after validation: the single coin's amount)."""
        return sum(coin.amount for coin in self.amount)


def format_coin_list(coins: tuple[Coin, ...]) -> str:
    """The SDK's text of a coin list, e.g. ``5uallo,3foo``."""
    return ",".join(f"{coin.amount}{coin.denom}" for coin in coins)


def validate_coins(coins: tuple[Coin, ...]) -> None:
    """A positive amount of uallo, as a single coin.

    Raises
    ------
    InvalidCoinsError
        Otherwise.
    """
    shown = format_coin_list(coins)
    if not coins:
        raise InvalidCoinsError("must send a positive amount of uallo; the coin list is empty")
    seen: list[str] = []
    for coin in coins:
        if coin.denom != DENOM:
            raise InvalidCoinsError(
                f"{shown}: denomination {coin.denom[:64]!r} is not supported; only {DENOM}"
            )
        if coin.denom in seen:
            raise InvalidCoinsError(f"{shown}: duplicate denomination {coin.denom}")
        seen.append(coin.denom)
        if coin.amount <= 0:
            raise InvalidCoinsError(f"{shown}: amounts must be positive")
        if coin.amount > MAX_AMOUNT:
            raise InvalidCoinsError(f"{shown}: amount exceeds 2^256 - 1")


def parse_coin_amount(text: str) -> int:
    """An integer amount as the SDK's ``math.Int`` decodes it (sign allowed, ≤ 256 bits).

    Raises
    ------
    TxDecodeError
        If the text is not an integer or its magnitude needs more than 256 bits.
    """
    if not _INTEGER.fullmatch(text):
        raise TxDecodeError(f"coin amount {text[:80]!r} is not an integer")
    value = int(text)
    if abs(value) > MAX_AMOUNT:
        raise TxDecodeError("coin amount out of range: more than 256 bits")
    return value


def decode_msg_send(value: bytes) -> MsgSend:
    """Decode the protobuf bytes of a ``MsgSend``.

    Raises
    ------
    TxDecodeError
        If the bytes do not parse or an amount is not an integer of at most 256 bits.
    """
    proto = decode_message(AnyMsg(type_url=MsgSend.TYPE_URL, value=value), bank_tx.MsgSend)
    return MsgSend(
        from_address=proto.from_address,
        to_address=proto.to_address,
        amount=tuple(
            Coin(denom=coin.denom, amount=parse_coin_amount(coin.amount)) for coin in proto.amount
        ),
    )
