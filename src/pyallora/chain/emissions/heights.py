"""Safe ranges of heights and block delays (PROTOCOL.md §2.1, §2.2; a [REC] of pyallora).

Heights are signed 64-bit in the reference, and every height the module stores as a key
(the slot of a topic's next epoch end, the closing block of a worker window, the completion
block of a stake removal) is the current height plus a topic length or a parameter. The
reference accepts any ``int64`` there, so an epoch length of ``2**63 - 1`` made the next
activation check overflow the key encoding and halt the chain. pyallora bounds the inputs
and checks the sums:

* every topic length (epoch length E, ground-truth lag G, and the worker window W ≤ E) and
  every height-delay parameter (``remove_stake_delay_window``, ``min_epoch_length``,
  ``min_epoch_length_record_limit``) is at most :data:`MAX_BLOCK_DELAY` = 2^40 blocks
  (about 104,000 years of 3-second blocks): a topic or parameter above it is refused with
  the error of its validator (sdk invalid-request 18 for a topic, params 62);
* the largest sum the module forms from those is h + 2G + E (the end of a reputer window
  plus an epoch), below h + 2^42, so for every height up to :data:`MAX_SAFE_HEIGHT` = 2^62
  every computed height stays inside ``int64``;
* beyond that (a chain started at an absurd ``initial_height``), :func:`compute_later_height`
  refuses a sum outside ``int64`` with :class:`~pyallora.chain.emissions.errors.InvalidValueError`
  (emissions 52): a transaction fails with that code, and an epoch end whose reschedule
  overflows deactivates the topic (§5.4 step 2, "if that fails with an error, inactivate").

>>> compute_later_height(100, 12, "slot")
112
>>> compute_later_height(MAX_INT64 - 1, 2, "slot")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
pyallora.chain.emissions.errors.InvalidValueError: slot: height ... is outside int64: ...
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.emissions.errors import InvalidValueError

MAX_INT64: Final = (1 << 63) - 1
"""Largest signed 64-bit integer (the largest height a key can hold)."""

MAX_BLOCK_DELAY: Final = 1 << 40
"""Largest epoch length, ground-truth lag, worker window and height-delay parameter."""

MAX_SAFE_HEIGHT: Final = 1 << 62
"""Heights up to which no sum of a height and bounded delays leaves ``int64``."""


def is_block_delay(value: int) -> bool:
    """Whether ``value`` is within ``[0, MAX_BLOCK_DELAY]``."""
    return 0 <= value <= MAX_BLOCK_DELAY


def compute_later_height(height: int, delay: int, what: str) -> int:
    """``height + delay``, checked to fit a signed 64-bit height.

    Parameters
    ----------
    height
        The current (or a scheduled) height.
    delay
        A non-negative number of blocks.
    what
        What is being scheduled (for the error text).

    Returns
    -------
    int
        The later height.

    Raises
    ------
    InvalidValueError
        If the sum (or the delay) is outside ``int64`` (emissions 52).
    """
    later = height + delay
    if not 0 <= delay <= MAX_INT64 or not -MAX_INT64 - 1 <= later <= MAX_INT64:
        raise InvalidValueError(f"{what}: height {height} + {delay} is outside int64")
    return later
