"""Stateless checks shared by the emissions messages (PROTOCOL.md §3.0, §1.2, §1.3).

* decoding: :func:`decode_request` parses a message's protobuf bytes (unknown critical fields
  and bad protobuf are ``TxDecode``); :func:`parse_int_field` and :func:`parse_dec_field` read
  ``Int`` and Dec text fields as the reference's decoder does, so a value it could not decode
  makes the whole transaction undecodable (``TxDecode`` 2);
* validation: :func:`validate_bech32` (sdk invalid-address 7; the empty string is invalid),
  :func:`validate_positive_amount` (sdk invalid-coins 10).
"""

from __future__ import annotations

import re
from typing import Final, TypeVar

from google.protobuf.message import Message

from pyallora.chain.tx.decode import AnyMsg, decode_message
from pyallora.chain.tx.errors import InvalidAddressError, InvalidCoinsError, TxDecodeError
from pyallora.core.amounts import MAX_AMOUNT
from pyallora.core.crypto import CryptoError, validate_address
from pyallora.core.dectext import canonical_dec_text
from pyallora.core.errors import InvalidDecError

_M = TypeVar("_M", bound=Message)

_INT_TEXT: Final = re.compile(r"-?[0-9]+")
"""``math.Int`` text: an optional minus and ASCII digits."""


def decode_request(data: bytes, message_class: type[_M]) -> _M:
    """Parse the protobuf bytes of one message of type ``message_class``.

    Raises
    ------
    TxDecodeError
        If the bytes do not parse or carry unknown critical fields.
    """
    return decode_message(
        AnyMsg(type_url="/" + message_class.DESCRIPTOR.full_name, value=data), message_class
    )


def parse_int_field(text: str, name: str) -> int | None:
    """An ``Int`` field: ``None`` when empty (absent on the wire), else its value.

    Raises
    ------
    TxDecodeError
        If the text is not an integer or needs more than 256 bits.
    """
    if text == "":
        return None
    if not _INT_TEXT.fullmatch(text):
        raise TxDecodeError(f"{name}: {text[:80]!r} is not an integer")
    value = int(text)
    if abs(value) > MAX_AMOUNT:
        raise TxDecodeError(f"{name}: integer out of range (more than 256 bits)")
    return value


def parse_dec_field(text: str, name: str) -> str:
    """A Dec field's canonical text (``""`` reads as ``"0"``; ``"NaN"`` is kept).

    Raises
    ------
    TxDecodeError
        If the text is outside the reference's Dec grammar.
    """
    try:
        return canonical_dec_text(text)
    except InvalidDecError as exc:
        raise TxDecodeError(f"{name}: {exc}") from exc


def validate_bech32(address: str, what: str) -> None:
    """Check that ``address`` is a bech32 ``allo`` address.

    Raises
    ------
    InvalidAddressError
        If it is empty or malformed.
    """
    try:
        validate_address(address)
    except CryptoError as exc:
        raise InvalidAddressError(f"invalid {what} address: {exc}") from exc


def validate_positive_amount(amount: int | None, what: str = "amount") -> int:
    """Check that an ``Int`` amount is present and > 0; return it.

    Raises
    ------
    InvalidCoinsError
        If it is absent, zero or negative.
    """
    if amount is None or amount <= 0:
        raise InvalidCoinsError(f"{what} must be greater than zero, got {amount}")
    return amount
