"""Token amounts: ``int`` numbers of base units, never mixed with Dec or float.

1 ALLO = 10**18 uallo (PROTOCOL.md §1.3). The maximum supply is 10**27 uallo.
"""

from __future__ import annotations

from typing import Final

from pyallora.core.errors import InvalidDecError

DENOM: Final = "uallo"
"""Base denomination of every balance, fee and stake."""

DISPLAY_DENOM: Final = "allo"
"""Display denomination: 1 allo = 10**18 uallo."""

UALLO_PER_ALLO: Final = 10**18
"""Base units per whole token."""

MAX_SUPPLY: Final = 10**27
"""Maximum supply in uallo (1,000,000,000 ALLO)."""

MAX_AMOUNT: Final = 2**256 - 1
"""Largest amount any message may carry (Cosmos ``Int`` is 256-bit)."""


def parse_amount(text: str) -> int:
    """Parse a non-negative integer amount in base units from its decimal text.

    Raises
    ------
    InvalidDecError
        If the text is not plain ASCII digits or the value exceeds :data:`MAX_AMOUNT`.
    """
    if not text or not text.isascii() or not text.isdigit():
        raise InvalidDecError(f"not a non-negative integer amount: {text[:64]!r}")
    value = int(text)
    if value > MAX_AMOUNT:
        raise InvalidDecError(f"amount exceeds 2^256 - 1: {text[:64]}")
    return value


def format_allo(amount: int) -> str:
    """Human text of an amount in ALLO with all 18 decimals kept, e.g. ``1.5 ALLO``."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), UALLO_PER_ALLO)
    frac_text = f"{frac:018d}".rstrip("0")
    return f"{sign}{whole}.{frac_text or '0'} ALLO"
