"""The unregistered handler errors of the payload messages (PROTOCOL.md §3.0, §3.14, §3.15).

The reference fails a second submission in the same window with a plain string error
("inference already submitted", "forecast already submitted", "reputer loss already
submitted"), which the SDK reports with code 1 in the ``undefined`` codespace. Clients match
the text (the Python SDK treats "inference already submitted" as success), so the message
is exactly the reference's.

>>> str(AlreadySubmittedError(INFERENCE_ALREADY_SUBMITTED))
'inference already submitted [undefined:1]'
"""

from __future__ import annotations

from typing import ClassVar, Final

from pyallora.core.errors import ConsensusError

INFERENCE_ALREADY_SUBMITTED: Final = "inference already submitted"
"""Text of a refused second inference in a window."""

FORECAST_ALREADY_SUBMITTED: Final = "forecast already submitted"
"""Text of a refused second forecast in a window."""

REPUTER_LOSS_ALREADY_SUBMITTED: Final = "reputer loss already submitted"
"""Text of a refused second loss bundle while the reputer set holds one."""


class AlreadySubmittedError(ConsensusError):
    """The submitter is already in this window's active set (code 1, codespace undefined)."""

    codespace: ClassVar[str] = "undefined"
    code: ClassVar[int] = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
