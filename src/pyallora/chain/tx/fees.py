"""Fee and gas-limit checks of a decoded tx (PROTOCOL.md §1.5 item 1, §3.0).

The fee is one ``uallo`` coin (or nothing). A node's minimum gas price is an integer number of
uallo per unit of gas; the required fee is ``min_gas_price × gas_limit``. As in the Cosmos SDK,
the minimum-gas-price check is a mempool policy: the app runs :func:`validate_fee` in CheckTx
only, never in FinalizeBlock (validators may set different minimums).
"""

from __future__ import annotations

from pyallora.chain.tx.decode import DecodedTx
from pyallora.chain.tx.errors import (
    InsufficientFeeError,
    InvalidCoinsError,
    InvalidGasLimitError,
)
from pyallora.core.amounts import DENOM


def compute_required_fee(*, min_gas_price: int, gas_limit: int) -> int:
    """Smallest accepted fee in uallo: ``min_gas_price × gas_limit``.

    >>> compute_required_fee(min_gas_price=10, gas_limit=200_000)
    2000000
    """
    return min_gas_price * gas_limit


def _format_coin(amount: int) -> str:
    # The SDK prints empty coins as the empty string.
    return f"{amount}{DENOM}" if amount else ""


def validate_fee(tx: DecodedTx, *, min_gas_price: int) -> None:
    """Check that the fee is in uallo and at least ``min_gas_price × gas_limit``.

    Parameters
    ----------
    tx
        A decoded tx.
    min_gas_price
        The node's minimum gas price in uallo per gas (0 accepts zero-fee txs).

    Raises
    ------
    InvalidCoinsError
        If the fee denomination is not uallo.
    InsufficientFeeError
        ``"insufficient fees; got: X required: Y"``, the SDK's wording.
    """
    if tx.fee_denom != DENOM:
        raise InvalidCoinsError(f"fee denom must be {DENOM}, got {tx.fee_denom!r}")
    required = compute_required_fee(min_gas_price=min_gas_price, gas_limit=tx.gas_limit)
    if tx.fee_amount < required:
        raise InsufficientFeeError(
            f"insufficient fees; got: {_format_coin(tx.fee_amount)} "
            f"required: {_format_coin(required)}"
        )


def validate_gas_limit(tx: DecodedTx, *, max_block_gas: int) -> None:
    """Reject a tx asking for more gas than a block may use (``max_block_gas`` ≤ 0: no limit).

    Raises
    ------
    InvalidGasLimitError
        If ``0 < max_block_gas < tx.gas_limit``.
    """
    if 0 < max_block_gas < tx.gas_limit:
        raise InvalidGasLimitError(
            f"tx gas limit {tx.gas_limit} exceeds block max gas {max_block_gas}"
        )
