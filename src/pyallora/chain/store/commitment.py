"""The app hash: a bucketed SHA-256 Merkle commitment to the whole state (INFRA.md §7).

The state (every ``(key, value)`` pair of the store) is split into :data:`BUCKET_COUNT`
buckets by the first :data:`BUCKET_BITS` bits of ``SHA-256(key)``. Each bucket is hashed over
its pairs in key order; the app hash is the root of a complete binary Merkle tree whose
leaves are the bucket hashes (leaf ``i`` = bucket ``i``)::

    bucket_hash(B) = SHA-256(0x00 ‖ uvarint(|k1|) ‖ k1 ‖ uvarint(|v1|) ‖ v1 ‖ …)   k1 < k2 < …
    node(l, r)     = SHA-256(0x01 ‖ l ‖ r)
    app_hash       = node over the 4,096 bucket hashes (12 levels)

The hash depends only on the set of pairs, never on the order of writes or on history (what
``tests/chain/test_commitment.py`` checks against :func:`compute_root_from_pairs`). A block
rehashes only the buckets it touched (:func:`compute_bucket_updates`) and the 12 tree nodes
above each; with 4,096 buckets that is tens of milliseconds for a 1,000-transaction block.
The 0x00/0x01 prefixes separate leaves from inner nodes.

>>> compute_root_from_pairs([]) == BucketTree.empty().root
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from pyallora.chain.store.kv import merge_iterators
from pyallora.core.encoding import encode_uvarint

BUCKET_BITS: Final = 12
"""Bits of ``SHA-256(key)`` that choose the bucket."""

BUCKET_COUNT: Final = 1 << BUCKET_BITS
"""Number of buckets (leaves of the tree): 4,096."""

UNHASHED_BUCKET: Final = 0xFFFF
"""Bucket index under which ``commit`` files the keys of the unhashed ``meta`` namespace
(:data:`pyallora.chain.store.schema.META_LAST_BLOCK_TIME`): beyond the tree's
:data:`BUCKET_COUNT` leaves, so no bucket hash, hence no app hash, ever covers them. Backends
store and index it like any other bucket."""

_LEAF_TAG: Final = b"\x00"
_NODE_TAG: Final = b"\x01"
_SHIFT: Final = 16 - BUCKET_BITS


def compute_bucket_index(key: bytes) -> int:
    """The bucket of ``key``: the top 12 bits of ``SHA-256(key)``.

    >>> compute_bucket_index(b"")  # sha256("") = e3b0...
    3643
    """
    digest = hashlib.sha256(key).digest()
    return ((digest[0] << 8) | digest[1]) >> _SHIFT


def compute_bucket_hash(pairs: Iterable[tuple[bytes, bytes]]) -> bytes:
    """Hash of one bucket's ``(key, value)`` pairs, which must come in ascending key order."""
    hasher = hashlib.sha256(_LEAF_TAG)
    update = hasher.update
    for key, value in pairs:
        update(encode_uvarint(len(key)))
        update(key)
        update(encode_uvarint(len(value)))
        update(value)
    return hasher.digest()


EMPTY_BUCKET_HASH: Final = compute_bucket_hash(())
"""Hash of a bucket holding nothing."""


def compute_node_hash(left: bytes, right: bytes) -> bytes:
    """Inner node of the tree."""
    return hashlib.sha256(_NODE_TAG + left + right).digest()


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeUpdate:
    """New hashes of the touched leaves and of every inner node above them, and the new root.

    Produced by :meth:`BucketTree.compute_update` (in ``finalize_block``) and applied with
    :meth:`BucketTree.apply` (at ``commit``), so an abandoned block leaves the tree untouched.
    """

    levels: tuple[tuple[tuple[int, bytes], ...], ...]
    """Per level (0 = buckets, last = root), ``(index, hash)`` pairs in index order."""

    root: bytes
    """The new app hash."""

    @property
    def bucket_hashes(self) -> tuple[tuple[int, bytes], ...]:
        """The new hashes of the touched buckets, by ascending bucket index."""
        return self.levels[0]


class BucketTree:
    """The Merkle tree over the bucket hashes, kept in memory (4,095 inner nodes).

    Parameters
    ----------
    leaves
        The :data:`BUCKET_COUNT` bucket hashes in bucket order.
    """

    __slots__ = ("_levels",)

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if len(leaves) != BUCKET_COUNT:
            raise ValueError(f"a bucket tree has {BUCKET_COUNT} leaves, got {len(leaves)}")
        levels = [list(leaves)]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append(
                [compute_node_hash(below[i], below[i + 1]) for i in range(0, len(below), 2)]
            )
        self._levels = levels

    @classmethod
    def empty(cls) -> BucketTree:
        """The tree of the empty state."""
        return cls([EMPTY_BUCKET_HASH] * BUCKET_COUNT)

    @classmethod
    def from_stored(cls, stored: Iterable[tuple[int, bytes]]) -> BucketTree:
        """Rebuild from stored ``(bucket, hash)`` pairs; absent buckets are empty."""
        leaves = [EMPTY_BUCKET_HASH] * BUCKET_COUNT
        for index, digest in stored:
            leaves[index] = digest
        return cls(leaves)

    @property
    def root(self) -> bytes:
        """The app hash of the state this tree commits to."""
        return self._levels[-1][0]

    def get_leaf(self, index: int) -> bytes:
        """The hash of bucket ``index``."""
        return self._levels[0][index]

    def compute_update(self, leaf_updates: Mapping[int, bytes]) -> TreeUpdate:
        """The tree after replacing some bucket hashes, without changing this tree."""
        changed: dict[int, bytes] = dict(leaf_updates)
        levels_out: list[tuple[tuple[int, bytes], ...]] = []
        for level in self._levels[:-1]:
            ordered = tuple(sorted(changed.items()))
            levels_out.append(ordered)
            parents: dict[int, bytes] = {}
            for index in sorted({i >> 1 for i in changed}):
                left_index = index << 1
                left = changed.get(left_index, level[left_index])
                right = changed.get(left_index + 1, level[left_index + 1])
                parents[index] = compute_node_hash(left, right)
            changed = parents
        root = changed.get(0, self.root)
        levels_out.append(((0, root),) if changed else ())
        return TreeUpdate(levels=tuple(levels_out), root=root)

    def apply(self, update: TreeUpdate) -> None:
        """Make ``update`` (computed from this tree) the current tree."""
        for level, pairs in zip(self._levels, update.levels, strict=True):
            for index, digest in pairs:
                level[index] = digest


class BucketReader(Protocol):
    """Committed state grouped by bucket (what a committed store provides)."""

    def iterate_bucket(self, bucket: int) -> Iterator[tuple[bytes, bytes]]:
        """The committed pairs of one bucket, in ascending key order."""
        ...


def compute_write_buckets(changes: Sequence[tuple[bytes, bytes | None]]) -> tuple[int, ...]:
    """The bucket of each changed key, in the same order."""
    return tuple(compute_bucket_index(key) for key, _ in changes)


def group_by_bucket(
    changes: Sequence[tuple[bytes, bytes | None]], buckets: Sequence[int]
) -> dict[int, list[tuple[bytes, bytes | None]]]:
    """Changes (in key order) grouped by their bucket, each group still in key order."""
    groups: dict[int, list[tuple[bytes, bytes | None]]] = {}
    for change, bucket in zip(changes, buckets, strict=True):
        group = groups.get(bucket)
        if group is None:
            groups[bucket] = [change]
        else:
            group.append(change)
    return groups


def compute_bucket_updates(
    committed: BucketReader, groups: Mapping[int, list[tuple[bytes, bytes | None]]]
) -> dict[int, bytes]:
    """New hashes of the buckets touched by ``groups`` (from :func:`group_by_bucket`).

    Each touched bucket is rehashed in full: its committed pairs merged with the changes.
    """
    return {
        bucket: compute_bucket_hash(
            merge_iterators(committed.iterate_bucket(bucket), groups[bucket], reverse=False)
        )
        for bucket in sorted(groups)
    }


def compute_root_from_pairs(pairs: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The app hash of a whole state, computed from scratch (the reference for tests)."""
    buckets: dict[int, list[tuple[bytes, bytes]]] = {}
    for key, value in sorted(pairs):
        buckets.setdefault(compute_bucket_index(key), []).append((key, value))
    leaves = [EMPTY_BUCKET_HASH] * BUCKET_COUNT
    for index in sorted(buckets):
        leaves[index] = compute_bucket_hash(buckets[index])
    return BucketTree(leaves).root
