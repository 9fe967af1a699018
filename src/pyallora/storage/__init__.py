"""L3 storage: backends of the committed store (INFRA.md §7).

:func:`open_committed_store` gives an lmdb-backed store for a directory, or an in-memory one
for ``None``; both satisfy :class:`pyallora.chain.store.committed.CommittedStore`.
"""

from __future__ import annotations

from pathlib import Path

from pyallora.chain.store.committed import CommittedStore
from pyallora.storage.errors import StorageError
from pyallora.storage.lmdb_store import LmdbCommittedStore
from pyallora.storage.memory import MemoryCommittedStore

__all__ = [
    "LmdbCommittedStore",
    "MemoryCommittedStore",
    "StorageError",
    "open_committed_store",
]


def open_committed_store(path: Path | None, *, sync: bool = True) -> CommittedStore:
    """An lmdb store in directory ``path``, or a memory store when ``path`` is ``None``."""
    if path is None:
        return MemoryCommittedStore()
    return LmdbCommittedStore(path, sync=sync)
