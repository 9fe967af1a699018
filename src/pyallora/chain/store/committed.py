"""The committed store: what the application reads and what ``commit`` writes (INFRA.md §7).

The application (L2) never imports a storage backend (L3); it receives an object satisfying
:class:`CommittedStore`, implemented by :mod:`pyallora.storage` with lmdb or in memory. The
backend keeps, besides the key-value state, a bucket index (to rehash a bucket,
:mod:`pyallora.chain.store.commitment`), the stored bucket hashes, the last committed height
and its app hash, and writes all of them in **one atomic transaction** per :meth:`commit`
(STYLE.md §2: only ``commit`` persists).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from pyallora.chain.store.commitment import BucketReader
from pyallora.chain.store.kv import ReadableKVStore


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitBatch:
    """Everything one ``commit`` persists, atomically.

    ``writes`` and ``write_buckets`` are parallel: the bucket of each written key, so the
    backend maintains its bucket index without knowing how buckets are chosen.
    """

    height: int
    """The committed block height (the new ``last_height``)."""

    app_hash: bytes
    """The app hash of the state after the writes."""

    writes: tuple[tuple[bytes, bytes | None], ...]
    """``(key, value)`` in ascending key order; ``None`` deletes the key."""

    write_buckets: tuple[int, ...]
    """Bucket index of each key in ``writes``."""

    bucket_hashes: tuple[tuple[int, bytes], ...]
    """New hashes of the touched buckets, ascending bucket index."""


class CommittedStore(ReadableKVStore, BucketReader, Protocol):
    """The persisted state of the last commit, and the one way to change it."""

    def get_last_height(self) -> int:
        """Height of the last commit (0 when nothing was ever committed)."""
        ...

    def get_app_hash(self) -> bytes:
        """App hash of the last commit (``b""`` when nothing was ever committed)."""
        ...

    def iterate_bucket_hashes(self) -> Iterator[tuple[int, bytes]]:
        """Every stored ``(bucket, hash)``; buckets never written are empty."""
        ...

    def commit(self, batch: CommitBatch) -> None:
        """Persist ``batch`` atomically: after a crash, either all of it or none is visible.

        ``batch.height`` must be above the last committed height.
        """
        ...

    def close(self) -> None:
        """Release the backend (no effect on committed data)."""
        ...
