"""The lmdb committed store: one write transaction per commit (INFRA.md §7, STYLE.md §2).

Layout of the lmdb environment (a directory):

=================  ==========================================================================
named database     contents
=================  ==========================================================================
``state``          the chain state: store key -> value
``bucket_index``   ``bucket (2 bytes, big-endian) ‖ key`` -> empty (which keys a bucket holds)
``bucket_hashes``  ``bucket (2 bytes)`` -> 32-byte bucket hash
``meta``           ``format`` -> ``1``; ``last_height`` -> decimal text; ``app_hash`` -> bytes
=================  ==========================================================================

:meth:`LmdbCommittedStore.commit` writes the block's changes, their index entries, the new
bucket hashes, ``last_height`` and ``app_hash`` in a single lmdb write transaction, synced to
disk before it returns. lmdb's copy-on-write B-tree makes that transaction atomic: a process
killed at any instant (SIGKILL included) leaves either the previous commit or this one, never
a mixture, which is what ``info`` reports after a restart (INFRA.md §4.6).

Reads go through one read transaction, replaced after each commit, so they always see the last
commit. The store is meant for one process and one thread (the application's).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import lmdb

from pyallora.chain.store.committed import CommitBatch
from pyallora.storage.errors import StorageError

FORMAT_VERSION: Final = b"1"
"""On-disk layout version written to ``meta/format``."""

DEFAULT_MAP_SIZE: Final = 1 << 36
"""Maximum size of the environment (64 GiB of address space; the file grows as needed)."""

MAX_KEY_LENGTH: Final = 509
"""Longest state key: lmdb's 511-byte key limit minus the 2-byte bucket of the index."""

_LAST_HEIGHT: Final = b"last_height"
_APP_HASH: Final = b"app_hash"
_FORMAT: Final = b"format"


class LmdbCommittedStore:
    """Committed state in an lmdb environment.

    Parameters
    ----------
    path
        Directory of the environment (created when missing).
    map_size
        Maximum size in bytes.
    sync
        Whether a commit waits for the disk (``fsync``). Only tests that do not care about
        power loss may turn it off; SIGKILL safety holds either way.
    """

    def __init__(self, path: Path, *, map_size: int = DEFAULT_MAP_SIZE, sync: bool = True) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._env = lmdb.open(
            str(path),
            map_size=map_size,
            max_dbs=4,
            sync=sync,
            metasync=sync,
            readahead=False,
            max_readers=16,
        )
        self._env.reader_check()
        self._state = self._env.open_db(b"state")
        self._index = self._env.open_db(b"bucket_index")
        self._hashes = self._env.open_db(b"bucket_hashes")
        self._meta = self._env.open_db(b"meta")
        with self._env.begin(write=True, db=self._meta) as txn:
            stored = txn.get(_FORMAT)
            if stored is None:
                txn.put(_FORMAT, FORMAT_VERSION)
            elif stored != FORMAT_VERSION:
                raise StorageError(
                    f"{path} holds store format {stored!r}; this version reads {FORMAT_VERSION!r}"
                )
        self._read = self._env.begin()
        self._height, self._app_hash = self._load_meta()
        self._closed = False

    @property
    def path(self) -> Path:
        """The environment directory."""
        return self._path

    def _load_meta(self) -> tuple[int, bytes]:
        height = self._read.get(_LAST_HEIGHT, db=self._meta)
        app_hash = self._read.get(_APP_HASH, db=self._meta)
        return (0 if height is None else int(height)), (app_hash or b"")

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError(f"the store at {self._path} is closed")

    def get(self, key: bytes) -> bytes | None:
        """The committed value of ``key``."""
        value: bytes | None = self._read.get(key, db=self._state)
        return value

    def has(self, key: bytes) -> bool:
        """Whether ``key`` is committed."""
        return self._read.get(key, db=self._state) is not None

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Committed pairs of ``[start, end)`` in key order."""
        cursor = self._read.cursor(db=self._state)
        if reverse:
            return self._iterate_reverse(cursor, start, end)
        return self._iterate_forward(cursor, start, end)

    @staticmethod
    def _iterate_forward(
        cursor: lmdb.Cursor, start: bytes | None, end: bytes | None
    ) -> Iterator[tuple[bytes, bytes]]:
        found = cursor.first() if start is None else cursor.set_range(start)
        if not found:
            return
        for key, value in cursor.iternext():
            if end is not None and key >= end:
                return
            yield key, value

    @staticmethod
    def _iterate_reverse(
        cursor: lmdb.Cursor, start: bytes | None, end: bytes | None
    ) -> Iterator[tuple[bytes, bytes]]:
        if end is None:
            found = cursor.last()
        elif cursor.set_range(end):
            found = cursor.prev()
        else:
            found = cursor.last()
        if not found:
            return
        for key, value in cursor.iterprev():
            if start is not None and key < start:
                return
            yield key, value

    def iterate_bucket(self, bucket: int) -> Iterator[tuple[bytes, bytes]]:
        """Committed pairs of one bucket, in key order (through the bucket index)."""
        prefix = bucket.to_bytes(2, "big")
        cursor = self._read.cursor(db=self._index)
        if not cursor.set_range(prefix):
            return
        get = self._read.get
        state = self._state
        for index_key in cursor.iternext(values=False):
            if index_key[:2] != prefix:
                return
            key = index_key[2:]
            value = get(key, db=state)
            if value is None:
                raise StorageError(f"bucket index names a missing key {key!r:.60}")
            yield key, value

    def iterate_bucket_hashes(self) -> Iterator[tuple[int, bytes]]:
        """Stored bucket hashes by bucket index."""
        cursor = self._read.cursor(db=self._hashes)
        pairs = [(int.from_bytes(key, "big"), value) for key, value in cursor]
        return iter(pairs)

    def get_last_height(self) -> int:
        """Height of the last commit."""
        return self._height

    def get_app_hash(self) -> bytes:
        """App hash of the last commit."""
        return self._app_hash

    def commit(self, batch: CommitBatch) -> None:
        """Write ``batch`` in one synced lmdb transaction.

        Raises
        ------
        StorageError
            If the store is closed, the height does not increase, the batch is malformed or a
            key is longer than :data:`MAX_KEY_LENGTH`.
        """
        self._check_open()
        if batch.height <= self._height:
            raise StorageError(
                f"commit height {batch.height} is not above the last height {self._height}"
            )
        if len(batch.writes) != len(batch.write_buckets):
            raise StorageError("writes and write_buckets differ in length")
        puts: list[tuple[bytes, bytes]] = []
        index_puts: list[tuple[bytes, bytes]] = []
        deletes: list[bytes] = []
        for (key, value), bucket in zip(batch.writes, batch.write_buckets, strict=True):
            if len(key) > MAX_KEY_LENGTH:
                raise StorageError(f"store key longer than {MAX_KEY_LENGTH} bytes")
            index_key = bucket.to_bytes(2, "big") + key
            if value is None:
                deletes.append(key)
                deletes.append(index_key)
            else:
                puts.append((key, value))
                index_puts.append((index_key, b""))
        self._read.abort()
        try:
            with self._env.begin(write=True) as txn:
                state_cursor = txn.cursor(db=self._state)
                index_cursor = txn.cursor(db=self._index)
                for position in range(0, len(deletes), 2):
                    if state_cursor.set_key(deletes[position]):
                        state_cursor.delete()
                    if index_cursor.set_key(deletes[position + 1]):
                        index_cursor.delete()
                state_cursor.putmulti(puts)
                index_cursor.putmulti(index_puts)
                hash_cursor = txn.cursor(db=self._hashes)
                hash_cursor.putmulti(
                    [(index.to_bytes(2, "big"), digest) for index, digest in batch.bucket_hashes]
                )
                txn.put(_LAST_HEIGHT, str(batch.height).encode("ascii"), db=self._meta)
                txn.put(_APP_HASH, batch.app_hash, db=self._meta)
        finally:
            self._read = self._env.begin()
        self._height = batch.height
        self._app_hash = batch.app_hash

    def close(self) -> None:
        """Close the environment (committed data is already on disk)."""
        if not self._closed:
            self._closed = True
            self._read.abort()
            self._env.close()
