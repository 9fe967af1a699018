"""Errors of the Python SDK; each carries the fields a caller branches on (cosmpy style).

* :class:`NodeUnreachableError`: no answer from the node (connection refused, timeout);
* :class:`NodeApiError` (``status``, ``detail``): the node refused a request (4xx/5xx),
  with :class:`NotFoundError` for 404;
* :class:`TxError` (``tx_hash``, ``code``, ``codespace``, ``log``, ``gas_wanted``,
  ``gas_used``): a transaction did not succeed: :class:`TxRejectedError` when CheckTx
  refused it (never in a block), :class:`SequenceMismatchError` (``expected``, ``got``)
  for a wrong account sequence, :class:`TxFailedError` (``height``) when it failed in a block,
  :class:`OutOfGasError` when it ran out of gas;
* :class:`TxTimeoutError` (``tx_hash``, ``timeout``): accepted but not seen in a block in time;
* :class:`SubscriptionError`: the event stream refused the subscription.
"""

from __future__ import annotations

import re
from typing import Final

from pyallora.core.errors import PyAlloraError

SDK_CODESPACE: Final = "sdk"
"""Codespace of the Cosmos SDK's errors."""

WRONG_SEQUENCE_CODE: Final = 32
"""``sdk`` code of an account sequence mismatch."""

OUT_OF_GAS_CODE: Final = 11
"""``sdk`` code of running out of gas."""

_MISMATCH: Final = re.compile(r"expected (\d+), got (\d+)")


class ClientError(PyAlloraError):
    """Root of the SDK's errors."""


class NodeUnreachableError(ClientError):
    """The node did not answer."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the node at {url}: {reason}")
        self.url = url
        self.reason = reason


class NodeApiError(ClientError):
    """The node answered a request with an error status."""

    def __init__(self, status: int, detail: str, *, path: str = "") -> None:
        super().__init__(f"{path}: HTTP {status}: {detail}" if path else f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
        self.path = path


class NotFoundError(NodeApiError):
    """404: the account, tx, block, topic... does not exist (or the module is absent)."""


class TxError(ClientError):
    """A transaction did not succeed."""

    def __init__(
        self,
        message: str,
        *,
        tx_hash: str,
        code: int,
        codespace: str,
        log: str,
        gas_wanted: int = 0,
        gas_used: int = 0,
    ) -> None:
        super().__init__(f"{message}: {log} [{codespace}:{code}] (tx {tx_hash})")
        self.tx_hash = tx_hash
        self.code = code
        self.codespace = codespace
        self.log = log
        self.gas_wanted = gas_wanted
        self.gas_used = gas_used


class TxRejectedError(TxError):
    """CheckTx refused the transaction: it was not added to the mempool."""


class SequenceMismatchError(TxRejectedError):
    """CheckTx refused the transaction's account sequence.

    Attributes
    ----------
    expected, got
        The sequence the node expects and the one the tx carried (``None`` if unparsable).
    """

    def __init__(
        self,
        message: str,
        *,
        tx_hash: str,
        code: int,
        codespace: str,
        log: str,
        gas_wanted: int = 0,
        gas_used: int = 0,
    ) -> None:
        super().__init__(
            message,
            tx_hash=tx_hash,
            code=code,
            codespace=codespace,
            log=log,
            gas_wanted=gas_wanted,
            gas_used=gas_used,
        )
        parsed = parse_sequence_mismatch(log)
        self.expected: int | None = parsed[0] if parsed else None
        self.got: int | None = parsed[1] if parsed else None


class TxFailedError(TxError):
    """The transaction is in a block but failed (its fee and sequence are spent)."""

    def __init__(
        self,
        message: str,
        *,
        tx_hash: str,
        code: int,
        codespace: str,
        log: str,
        height: int,
        gas_wanted: int = 0,
        gas_used: int = 0,
    ) -> None:
        super().__init__(
            message,
            tx_hash=tx_hash,
            code=code,
            codespace=codespace,
            log=log,
            gas_wanted=gas_wanted,
            gas_used=gas_used,
        )
        self.height = height


class OutOfGasError(TxFailedError):
    """The transaction ran out of gas in its block (raise ``gas`` above ``gas_used``)."""


class TxTimeoutError(ClientError):
    """The transaction was accepted but not seen in a block within the timeout."""

    def __init__(self, tx_hash: str, timeout: float) -> None:
        super().__init__(f"tx {tx_hash} not included within {timeout:g} s")
        self.tx_hash = tx_hash
        self.timeout = timeout


class SubscriptionError(ClientError):
    """The node refused an event subscription (bad parameters)."""


def parse_sequence_mismatch(log: str) -> tuple[int, int] | None:
    """``(expected, got)`` from "account sequence mismatch, expected 4, got 5".

    >>> parse_sequence_mismatch("account sequence mismatch, expected 4, got 5")
    (4, 5)
    """
    match = _MISMATCH.search(log)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def is_sequence_mismatch(code: int, codespace: str) -> bool:
    """Whether a result is the SDK's wrong-sequence error."""
    return code == WRONG_SEQUENCE_CODE and codespace == SDK_CODESPACE
