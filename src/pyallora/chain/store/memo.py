"""Bounded memo tables for pure functions of bytes (decoding, validation).

Decoding a transaction, validating its messages or parsing a stored record is a pure function
of the input bytes, so remembering results cannot change any outcome: only the time spent.
The application decodes each transaction up to four times (``check_tx``, ``prepare_proposal``,
``process_proposal``, ``finalize_block``); these tables make the repeats free. A table empties
itself when full (no eviction order to get wrong).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class MemoTable(Generic[K, V]):
    """Results of a pure function by argument, at most ``capacity`` of them.

    >>> table: MemoTable[bytes, int] = MemoTable(2)
    >>> table.get_or_compute(b"abc", len), table.get_or_compute(b"abc", len)
    (3, 3)
    """

    __slots__ = ("_capacity", "_values")

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._values: dict[K, V] = {}

    def get_or_compute(self, key: K, compute: Callable[[K], V]) -> V:
        """``compute(key)``, remembered; exceptions propagate and are not remembered."""
        values = self._values
        try:
            return values[key]
        except KeyError:
            pass
        value = compute(key)
        if len(values) >= self._capacity:
            values.clear()
        values[key] = value
        return value

    def remember(self, key: K, value: V) -> None:
        """Record ``value`` as the result for ``key``: only for a value the function is known
        to return for it (e.g. a decoder fed the output of its encoder)."""
        values = self._values
        if key not in values and len(values) >= self._capacity:
            values.clear()
        values[key] = value

    def __len__(self) -> int:
        return len(self._values)
