"""The lmdb and memory committed stores run through the same tests (STYLE.md §3.8)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyallora.chain.store.committed import CommitBatch, CommittedStore
from pyallora.storage import (
    LmdbCommittedStore,
    MemoryCommittedStore,
    StorageError,
    open_committed_store,
)

Factory = Callable[[], CommittedStore]
_counter = itertools.count()


@pytest.fixture(params=["memory", "lmdb"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    opened: list[CommittedStore] = []

    def factory() -> CommittedStore:
        if request.param == "memory":
            store: CommittedStore = MemoryCommittedStore()
        else:
            store = LmdbCommittedStore(tmp_path / f"db{next(_counter)}", sync=False)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


def _batch(
    height: int, writes: dict[bytes, bytes | None], *, bucket_of: Callable[[bytes], int]
) -> CommitBatch:
    ordered = tuple(sorted(writes.items()))
    return CommitBatch(
        height=height,
        app_hash=b"h%d" % height,
        writes=ordered,
        write_buckets=tuple(bucket_of(key) for key, _ in ordered),
        bucket_hashes=tuple(sorted({bucket_of(key): b"x" * 32 for key in writes}.items())),
    )


def _first_byte_bucket(key: bytes) -> int:
    return key[0] % 4


def test_fresh_store_is_empty(make_store: Factory) -> None:
    store = make_store()
    assert store.get_last_height() == 0
    assert store.get_app_hash() == b""
    assert list(store.iterate()) == []
    assert list(store.iterate_bucket_hashes()) == []
    assert store.get(b"a") is None
    assert not store.has(b"a")


def test_commit_then_read(make_store: Factory) -> None:
    store = make_store()
    store.commit(_batch(1, {b"a": b"1", b"b": b"2", b"c": b""}, bucket_of=_first_byte_bucket))
    assert store.get_last_height() == 1
    assert store.get_app_hash() == b"h1"
    assert store.get(b"c") == b""
    assert store.has(b"c")
    store.commit(_batch(2, {b"a": None, b"d": b"4", b"zz": None}, bucket_of=_first_byte_bucket))
    assert list(store.iterate()) == [(b"b", b"2"), (b"c", b""), (b"d", b"4")]
    assert list(store.iterate(b"b", b"d")) == [(b"b", b"2"), (b"c", b"")]
    assert list(store.iterate(b"bb", None, reverse=True)) == [(b"d", b"4"), (b"c", b"")]
    assert list(store.iterate(None, b"c", reverse=True)) == [(b"b", b"2")]
    assert list(store.iterate(b"e")) == []
    assert list(store.iterate(None, b"a", reverse=True)) == []


def test_bucket_index_follows_writes_and_deletes(make_store: Factory) -> None:
    store = make_store()
    # b"a" = 97 -> bucket 1, b"e" = 101 -> 1, b"b" = 98 -> 2
    store.commit(_batch(1, {b"a": b"1", b"e": b"5", b"b": b"2"}, bucket_of=_first_byte_bucket))
    assert list(store.iterate_bucket(1)) == [(b"a", b"1"), (b"e", b"5")]
    assert list(store.iterate_bucket(2)) == [(b"b", b"2")]
    assert list(store.iterate_bucket(3)) == []
    store.commit(_batch(2, {b"a": None, b"e": b"55"}, bucket_of=_first_byte_bucket))
    assert list(store.iterate_bucket(1)) == [(b"e", b"55")]
    assert sorted(store.iterate_bucket_hashes()) == [(1, b"x" * 32), (2, b"x" * 32)]


def test_height_must_increase(make_store: Factory) -> None:
    store = make_store()
    store.commit(_batch(3, {b"a": b"1"}, bucket_of=_first_byte_bucket))
    with pytest.raises(StorageError):
        store.commit(_batch(3, {b"a": b"2"}, bucket_of=_first_byte_bucket))
    with pytest.raises(StorageError):
        store.commit(_batch(2, {b"a": b"2"}, bucket_of=_first_byte_bucket))
    assert store.get(b"a") == b"1"


def test_closed_store_refuses_commits(make_store: Factory) -> None:
    store = make_store()
    store.close()
    with pytest.raises(StorageError):
        store.commit(_batch(1, {b"a": b"1"}, bucket_of=_first_byte_bucket))


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.dictionaries(
            st.binary(min_size=1, max_size=3), st.none() | st.binary(max_size=3), max_size=8
        ),
        min_size=1,
        max_size=6,
    )
)
def test_differential_against_a_dict(
    make_store: Factory, blocks: list[dict[bytes, bytes | None]]
) -> None:
    store = make_store()
    model: dict[bytes, bytes] = {}
    for height, writes in enumerate(blocks, start=1):
        store.commit(_batch(height, writes, bucket_of=_first_byte_bucket))
        for key, value in writes.items():
            if value is None:
                model.pop(key, None)
            else:
                model[key] = value
        assert list(store.iterate()) == sorted(model.items())
        assert list(store.iterate(reverse=True)) == sorted(model.items(), reverse=True)
        for bucket in range(4):
            expected = [(k, v) for k, v in sorted(model.items()) if k[0] % 4 == bucket]
            assert list(store.iterate_bucket(bucket)) == expected
    assert store.get_last_height() == len(blocks)


def test_lmdb_store_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "db"
    store = LmdbCommittedStore(path)
    store.commit(_batch(1, {b"a": b"1", b"b": b"2"}, bucket_of=_first_byte_bucket))
    store.commit(_batch(2, {b"b": None}, bucket_of=_first_byte_bucket))
    store.close()
    reopened = LmdbCommittedStore(path)
    assert reopened.get_last_height() == 2
    assert reopened.get_app_hash() == b"h2"
    assert list(reopened.iterate()) == [(b"a", b"1")]
    assert list(reopened.iterate_bucket(1)) == [(b"a", b"1")]
    reopened.close()


def test_lmdb_rejects_unknown_format(tmp_path: Path) -> None:
    import lmdb

    path = tmp_path / "db"
    LmdbCommittedStore(path).close()
    env = lmdb.open(str(path), max_dbs=4)
    meta = env.open_db(b"meta")
    with env.begin(write=True, db=meta) as txn:
        txn.put(b"format", b"99")
    env.close()
    with pytest.raises(StorageError):
        LmdbCommittedStore(path)


def test_lmdb_rejects_oversized_keys(tmp_path: Path) -> None:
    store = LmdbCommittedStore(tmp_path / "db", sync=False)
    with pytest.raises(StorageError):
        store.commit(_batch(1, {b"k" * 600: b"v"}, bucket_of=_first_byte_bucket))
    assert store.get_last_height() == 0
    store.close()


def test_open_committed_store_picks_the_backend(tmp_path: Path) -> None:
    memory = open_committed_store(None)
    assert isinstance(memory, MemoryCommittedStore)
    disk = open_committed_store(tmp_path / "x", sync=False)
    assert isinstance(disk, LmdbCommittedStore)
    disk.close()
