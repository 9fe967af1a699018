"""Key-value store interfaces and the branch overlay (STYLE.md §2 ``chain/store``).

Every piece of chain state lives in one flat, byte-ordered key-value space; the key layout is
declared once in :mod:`pyallora.chain.store.schema`. Three shapes exist:

* :class:`ReadableKVStore`: ``get``/``has`` and **ordered** iteration over a key range (keys
  ascending, or descending with ``reverse=True``; never dict order);
* :class:`KVStore`: the same plus ``set``/``delete``;
* :class:`Branch`: a :class:`KVStore` that buffers writes over a parent store. Reads see the
  buffered writes first; :meth:`Branch.write` merges them into the parent; dropping the branch
  discards them. The application runs each transaction in a branch of the block's branch
  (all-or-nothing, PROTOCOL.md §1.5 item 4), keeps the mempool's check state in a branch of the
  committed store, and hands :meth:`Branch.get_changes` of the block's branch to the committed
  store at ``commit`` (INFRA.md §4.5: finalize never persists).

Iteration semantics: an iterator reflects the store as it was when the iteration started
(``Branch`` snapshots its own writes in the range); writing to the same store while iterating
is allowed and does not affect the running iteration.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Protocol

from pyallora.core.errors import PyAlloraError


class StoreKeyError(PyAlloraError, ValueError):
    """A key or value handed to a store is not acceptable (empty key, not bytes)."""


class ReadableKVStore(Protocol):
    """Read access to an ordered key-value store."""

    def get(self, key: bytes) -> bytes | None:
        """The value under ``key``, or ``None`` when absent."""
        ...

    def has(self, key: bytes) -> bool:
        """Whether ``key`` is present."""
        ...

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """``(key, value)`` pairs with ``start <= key < end`` in key order.

        ``None`` bounds are open. With ``reverse=True`` the same range is produced in
        descending key order.
        """
        ...


class KVStore(ReadableKVStore, Protocol):
    """An ordered key-value store that can be written."""

    def set(self, key: bytes, value: bytes) -> None:
        """Store ``value`` under ``key`` (keys are non-empty)."""
        ...

    def delete(self, key: bytes) -> None:
        """Remove ``key`` (a no-op when absent)."""
        ...


def compute_prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key that starts with ``prefix``.

    ``None`` when no such key exists (the prefix is empty or all ``0xff``).

    >>> compute_prefix_end(b"\\x01\\x02")
    b'\\x01\\x03'
    >>> compute_prefix_end(b"\\x01\\xff")
    b'\\x02'
    >>> compute_prefix_end(b"\\xff") is None
    True
    """
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes((stripped[-1] + 1,))


def iterate_prefix(
    store: ReadableKVStore, prefix: bytes, *, reverse: bool = False
) -> Iterator[tuple[bytes, bytes]]:
    """``(key, value)`` pairs whose key starts with ``prefix``, in key order."""
    return store.iterate(prefix or None, compute_prefix_end(prefix), reverse=reverse)


def validate_key(key: bytes) -> None:
    """Check that ``key`` is a non-empty ``bytes`` object.

    Raises
    ------
    StoreKeyError
        If it is not.
    """
    if type(key) is not bytes or not key:
        raise StoreKeyError(f"store keys must be non-empty bytes, got {key!r:.80}")


def validate_value(value: bytes) -> None:
    """Check that ``value`` is a ``bytes`` object (empty values are allowed).

    Raises
    ------
    StoreKeyError
        If it is not.
    """
    if type(value) is not bytes:
        raise StoreKeyError(f"store values must be bytes, got {type(value).__name__}")


def merge_iterators(
    base: Iterator[tuple[bytes, bytes]],
    overlay: list[tuple[bytes, bytes | None]],
    *,
    reverse: bool,
) -> Iterator[tuple[bytes, bytes]]:
    """Merge ``base`` pairs with sorted ``overlay`` writes (``None`` = deleted).

    Both inputs are in the same key order (ascending, or descending when ``reverse``); an
    overlay entry wins over a base entry with the same key.
    """
    position = 0
    count = len(overlay)
    for key, value in base:
        while position < count:
            okey, ovalue = overlay[position]
            if (okey <= key) if reverse else (okey >= key):
                break
            position += 1
            if ovalue is not None:
                yield okey, ovalue
        if position < count and overlay[position][0] == key:
            ovalue = overlay[position][1]
            position += 1
            if ovalue is not None:
                yield key, ovalue
        else:
            yield key, value
    for okey, ovalue in overlay[position:]:
        if ovalue is not None:
            yield okey, ovalue


class Branch:
    """A write-buffering overlay over a parent store (the cache/branch of the Cosmos SDK).

    Parameters
    ----------
    parent
        The store read through for keys this branch has not written. :meth:`write` needs a
        writable parent (a :class:`KVStore`).

    Examples
    --------
    >>> base = Branch(EmptyStore())
    >>> base.set(b"a", b"1")
    >>> tx = Branch(base)
    >>> tx.set(b"b", b"2"); tx.delete(b"a")
    >>> list(tx.iterate()), list(base.iterate())
    ([(b'b', b'2')], [(b'a', b'1')])
    >>> tx.write()
    >>> list(base.iterate())
    [(b'b', b'2')]
    """

    __slots__ = ("_parent", "_sorted_keys", "_writes")

    def __init__(self, parent: ReadableKVStore) -> None:
        self._parent = parent
        self._writes: dict[bytes, bytes | None] = {}
        self._sorted_keys: list[bytes] | None = []

    @property
    def parent(self) -> ReadableKVStore:
        """The store this branch reads through to."""
        return self._parent

    def get(self, key: bytes) -> bytes | None:
        """The buffered value of ``key`` if written here, else the parent's."""
        writes = self._writes
        if key in writes:
            return writes[key]
        return self._parent.get(key)

    def has(self, key: bytes) -> bool:
        """Whether ``key`` is present in this branch's view."""
        writes = self._writes
        if key in writes:
            return writes[key] is not None
        return self._parent.has(key)

    def set(self, key: bytes, value: bytes) -> None:
        """Buffer ``key = value``."""
        validate_key(key)
        validate_value(value)
        if key not in self._writes:
            self._sorted_keys = None
        self._writes[key] = value

    def delete(self, key: bytes) -> None:
        """Buffer the deletion of ``key``."""
        validate_key(key)
        if key not in self._writes:
            self._sorted_keys = None
        self._writes[key] = None

    def _keys(self) -> list[bytes]:
        keys = self._sorted_keys
        if keys is None:
            keys = sorted(self._writes)
            self._sorted_keys = keys
        return keys

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Pairs in ``[start, end)`` in key order, buffered writes merged over the parent."""
        keys = self._keys()
        low = 0 if start is None else bisect_left(keys, start)
        high = len(keys) if end is None else bisect_left(keys, end)
        writes = self._writes
        overlay = [(key, writes[key]) for key in keys[low:high]]
        if reverse:
            overlay.reverse()
        return merge_iterators(
            self._parent.iterate(start, end, reverse=reverse), overlay, reverse=reverse
        )

    def get_changes(self) -> tuple[tuple[bytes, bytes | None], ...]:
        """The buffered writes in key order (``None`` marks a deletion)."""
        writes = self._writes
        return tuple((key, writes[key]) for key in self._keys())

    def is_empty(self) -> bool:
        """Whether nothing has been written to this branch."""
        return not self._writes

    def write(self) -> None:
        """Apply the buffered writes to the parent, in key order, and clear the buffer.

        Raises
        ------
        TypeError
            If the parent store is read-only.
        """
        parent = self._parent
        setter = getattr(parent, "set", None)
        deleter = getattr(parent, "delete", None)
        if setter is None or deleter is None:
            raise TypeError("Branch.write needs a writable parent store")
        for key, value in self.get_changes():
            if value is None:
                deleter(key)
            else:
                setter(key, value)
        self._writes = {}
        self._sorted_keys = []


class EmptyStore:
    """A read-only store with nothing in it (the parent of a branch built from scratch)."""

    __slots__ = ()

    def get(self, key: bytes) -> bytes | None:
        """Always ``None``."""
        return None

    def has(self, key: bytes) -> bool:
        """Always ``False``."""
        return False

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Nothing."""
        return iter(())
