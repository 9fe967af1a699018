"""In-memory committed store: the same interface and semantics as the lmdb backend.

Implements :class:`pyallora.chain.store.committed.CommittedStore` with a dict and a sorted key
list. Nothing survives the process; used by tests, simulations and as the differential
reference of :mod:`pyallora.storage.lmdb_store` (``tests/storage`` runs the same tests over
both).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator

from pyallora.chain.store.committed import CommitBatch
from pyallora.storage.errors import StorageError


class MemoryCommittedStore:
    """Committed state held in memory."""

    __slots__ = ("_app_hash", "_bucket_hashes", "_buckets", "_closed", "_data", "_height", "_keys")

    def __init__(self) -> None:
        self._data: dict[bytes, bytes] = {}
        self._keys: list[bytes] = []
        self._buckets: dict[int, set[bytes]] = {}
        self._bucket_hashes: dict[int, bytes] = {}
        self._height = 0
        self._app_hash = b""
        self._closed = False

    def get(self, key: bytes) -> bytes | None:
        """The committed value of ``key``."""
        return self._data.get(key)

    def has(self, key: bytes) -> bool:
        """Whether ``key`` is committed."""
        return key in self._data

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Committed pairs of ``[start, end)`` in key order (a snapshot of the keys)."""
        keys = self._keys
        low = 0 if start is None else bisect_left(keys, start)
        high = len(keys) if end is None else bisect_left(keys, end)
        selected = keys[low:high]
        if reverse:
            selected.reverse()
        return self._pairs(selected)

    def _pairs(self, keys: list[bytes]) -> Iterator[tuple[bytes, bytes]]:
        data = self._data
        for key in keys:
            value = data.get(key)
            if value is not None:
                yield key, value

    def iterate_bucket(self, bucket: int) -> Iterator[tuple[bytes, bytes]]:
        """Committed pairs of one bucket, in key order."""
        return self._pairs(sorted(self._buckets.get(bucket, ())))

    def iterate_bucket_hashes(self) -> Iterator[tuple[int, bytes]]:
        """Stored bucket hashes by bucket index."""
        hashes = self._bucket_hashes
        return iter([(index, hashes[index]) for index in sorted(hashes)])

    def get_last_height(self) -> int:
        """Height of the last commit."""
        return self._height

    def get_app_hash(self) -> bytes:
        """App hash of the last commit."""
        return self._app_hash

    def commit(self, batch: CommitBatch) -> None:
        """Apply ``batch`` (all of it: nothing here can fail halfway).

        Raises
        ------
        StorageError
            If the store is closed, the height does not increase or the batch is malformed.
        """
        if self._closed:
            raise StorageError("the store is closed")
        if batch.height <= self._height:
            raise StorageError(
                f"commit height {batch.height} is not above the last height {self._height}"
            )
        if len(batch.writes) != len(batch.write_buckets):
            raise StorageError("writes and write_buckets differ in length")
        data = self._data
        keys = self._keys
        buckets = self._buckets
        for (key, value), bucket in zip(batch.writes, batch.write_buckets, strict=True):
            if value is None:
                if key in data:
                    del data[key]
                    del keys[bisect_left(keys, key)]
                    members = buckets[bucket]
                    members.discard(key)
                    if not members:
                        del buckets[bucket]
            else:
                if key not in data:
                    insort(keys, key)
                    buckets.setdefault(bucket, set()).add(key)
                data[key] = value
        for index, digest in batch.bucket_hashes:
            self._bucket_hashes[index] = digest
        self._height = batch.height
        self._app_hash = batch.app_hash

    def close(self) -> None:
        """Refuse further commits."""
        self._closed = True
