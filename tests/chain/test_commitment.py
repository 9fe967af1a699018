"""The bucketed Merkle app hash: history independence, incremental = from scratch."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyallora.chain.store.commitment import (
    BUCKET_COUNT,
    EMPTY_BUCKET_HASH,
    BucketTree,
    compute_bucket_hash,
    compute_bucket_index,
    compute_bucket_updates,
    compute_root_from_pairs,
    compute_write_buckets,
    group_by_bucket,
)
from pyallora.chain.store.committed import CommitBatch, CommittedStore
from pyallora.storage import LmdbCommittedStore, MemoryCommittedStore

Writes = dict[bytes, bytes | None]


def _reference_root(state: dict[bytes, bytes]) -> bytes:
    """An independent, literal transcription of the formula in commitment.py's docstring."""

    def uvarint(n: int) -> bytes:
        out = b""
        while True:
            if n < 0x80:
                return out + bytes([n])
            out += bytes([(n & 0x7F) | 0x80])
            n >>= 7

    buckets: list[list[tuple[bytes, bytes]]] = [[] for _ in range(4096)]
    for key in sorted(state):
        digest = hashlib.sha256(key).digest()
        buckets[int.from_bytes(digest[:2], "big") >> 4].append((key, state[key]))
    level = [
        hashlib.sha256(
            b"\x00" + b"".join(uvarint(len(k)) + k + uvarint(len(v)) + v for k, v in bucket)
        ).digest()
        for bucket in buckets
    ]
    while len(level) > 1:
        level = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level), 2)
        ]
    return level[0]


def _commit_block(store: CommittedStore, tree: BucketTree, height: int, writes: Writes) -> bytes:
    changes = tuple(sorted(writes.items()))
    buckets = compute_write_buckets(changes)
    leaves = compute_bucket_updates(store, group_by_bucket(changes, buckets))
    update = tree.compute_update(leaves)
    store.commit(
        CommitBatch(
            height=height,
            app_hash=update.root,
            writes=changes,
            write_buckets=buckets,
            bucket_hashes=update.bucket_hashes,
        )
    )
    tree.apply(update)
    return update.root


def _apply(model: dict[bytes, bytes], writes: Writes) -> None:
    for key, value in writes.items():
        if value is None:
            model.pop(key, None)
        else:
            model[key] = value


KEYS = st.binary(min_size=1, max_size=4)
BLOCKS = st.lists(
    st.dictionaries(KEYS, st.none() | st.binary(max_size=5), max_size=10), min_size=1, max_size=6
)


def test_empty_state_and_known_small_states_match_the_reference() -> None:
    assert compute_root_from_pairs([]) == _reference_root({})
    assert BucketTree.empty().root == _reference_root({})
    state = {b"a": b"1", b"b": b"", b"\x00" * 300: b"v" * 200}
    assert compute_root_from_pairs(state.items()) == _reference_root(state)
    assert compute_bucket_index(b"") == int.from_bytes(hashlib.sha256(b"").digest()[:2]) >> 4
    assert hashlib.sha256(b"\x00").digest() == EMPTY_BUCKET_HASH


@settings(max_examples=40)
@given(BLOCKS)
def test_incremental_root_equals_from_scratch(blocks: list[Writes]) -> None:
    store = MemoryCommittedStore()
    tree = BucketTree.empty()
    model: dict[bytes, bytes] = {}
    for height, writes in enumerate(blocks, start=1):
        root = _commit_block(store, tree, height, writes)
        _apply(model, writes)
        assert root == compute_root_from_pairs(model.items())
        assert root == tree.root
    # A tree rebuilt from the stored bucket hashes is the same tree.
    assert BucketTree.from_stored(store.iterate_bucket_hashes()).root == tree.root


@settings(max_examples=30)
@given(BLOCKS, st.randoms(use_true_random=False))
def test_same_state_same_hash_whatever_the_history(blocks: list[Writes], rnd: object) -> None:
    store = MemoryCommittedStore()
    tree = BucketTree.empty()
    model: dict[bytes, bytes] = {}
    root = tree.root
    for height, writes in enumerate(blocks, start=1):
        root = _commit_block(store, tree, height, writes)
        _apply(model, writes)
    # Reach the same final state another way: one block with the pairs in shuffled order,
    # preceded by a block of junk that is then deleted.
    pairs = list(model.items())
    rnd.shuffle(pairs)  # type: ignore[attr-defined]
    other_store = MemoryCommittedStore()
    other_tree = BucketTree.empty()
    junk: Writes = {b"junk%d" % i: b"j" for i in range(5)}
    _commit_block(other_store, other_tree, 1, junk)
    final: Writes = dict(pairs)
    final.update({key: None for key in junk if key not in model})
    other_root = _commit_block(other_store, other_tree, 2, final)
    assert other_root == root
    assert other_root == _reference_root(model)


@given(st.dictionaries(KEYS, st.binary(max_size=4), min_size=1, max_size=8), st.data())
def test_any_change_changes_the_hash(state: dict[bytes, bytes], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(state)))
    changed = dict(state)
    changed[key] = state[key] + b"!"
    removed = {k: v for k, v in state.items() if k != key}
    roots = {
        compute_root_from_pairs(state.items()),
        compute_root_from_pairs(changed.items()),
        compute_root_from_pairs(removed.items()),
    }
    assert len(roots) == 3


def test_compute_update_does_not_touch_the_tree_until_applied() -> None:
    tree = BucketTree.empty()
    before = tree.root
    update = tree.compute_update({7: compute_bucket_hash([(b"k", b"v")])})
    assert tree.root == before
    assert update.root != before
    tree.apply(update)
    assert tree.root == update.root
    assert tree.get_leaf(7) == compute_bucket_hash([(b"k", b"v")])
    assert tree.compute_update({}).root == tree.root


def test_bucket_tree_needs_all_leaves() -> None:
    with pytest.raises(ValueError):
        BucketTree([EMPTY_BUCKET_HASH] * (BUCKET_COUNT - 1))


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(BLOCKS)
def test_lmdb_and_memory_give_the_same_roots(tmp_path: Path, blocks: list[Writes]) -> None:
    import uuid

    disk = LmdbCommittedStore(tmp_path / uuid.uuid4().hex, sync=False)
    memory = MemoryCommittedStore()
    disk_tree, memory_tree = BucketTree.empty(), BucketTree.empty()
    try:
        for height, writes in enumerate(blocks, start=1):
            assert _commit_block(disk, disk_tree, height, writes) == _commit_block(
                memory, memory_tree, height, writes
            )
        assert BucketTree.from_stored(disk.iterate_bucket_hashes()).root == disk_tree.root
    finally:
        disk.close()
