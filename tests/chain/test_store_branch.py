"""Branch overlays against a dict model; key codecs; prefix helpers; the gas-metered store."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from pyallora.chain.context import GasMeter
from pyallora.chain.store.collections import (
    INT64_KEY,
    INT_VALUE,
    STR_KEY,
    UINT64_KEY,
    BytesKey,
    CodecError,
    Map,
    PairKey,
    decode_json,
)
from pyallora.chain.store.gaskv import DEFAULT_KV_GAS, GasKVStore
from pyallora.chain.store.kv import (
    Branch,
    EmptyStore,
    StoreKeyError,
    compute_prefix_end,
    iterate_prefix,
)
from pyallora.chain.store.schema import StorePrefix
from pyallora.chain.tx.errors import OutOfGasError
from pyallora.storage import MemoryCommittedStore

KEYS = st.binary(min_size=1, max_size=3)
VALUES = st.binary(max_size=4)


def _expected_range(
    model: dict[bytes, bytes], start: bytes | None, end: bytes | None, reverse: bool
) -> list[tuple[bytes, bytes]]:
    pairs = [
        (k, v)
        for k, v in sorted(model.items())
        if (start is None or k >= start) and (end is None or k < end)
    ]
    return pairs[::-1] if reverse else pairs


class BranchStackMachine(RuleBasedStateMachine):
    """A stack of branches over a memory committed store, against a stack of dicts."""

    @initialize(base=st.dictionaries(KEYS, VALUES, max_size=12))
    def setup(self, base: dict[bytes, bytes]) -> None:
        self.root = Branch(EmptyStore())
        for key, value in base.items():
            self.root.set(key, value)
        self.stack = [self.root]
        self.models = [dict(base)]

    @rule(key=KEYS, value=VALUES)
    def set_value(self, key: bytes, value: bytes) -> None:
        self.stack[-1].set(key, value)
        self.models[-1][key] = value

    @rule(key=KEYS)
    def delete_value(self, key: bytes) -> None:
        self.stack[-1].delete(key)
        self.models[-1].pop(key, None)

    @rule()
    def push(self) -> None:
        if len(self.stack) < 4:
            self.stack.append(Branch(self.stack[-1]))
            self.models.append(dict(self.models[-1]))

    @rule()
    def write_top(self) -> None:
        if len(self.stack) > 1:
            top = self.stack.pop()
            top.write()
            # The parent now holds exactly what the child showed.
            self.models[-1] = self.models.pop()

    @rule()
    def drop_top(self) -> None:
        if len(self.stack) > 1:
            self.stack.pop()
            self.models.pop()

    @rule(
        start=st.none() | KEYS,
        end=st.none() | KEYS,
        reverse=st.booleans(),
        level=st.integers(0, 3),
    )
    def iterate_matches(
        self, start: bytes | None, end: bytes | None, reverse: bool, level: int
    ) -> None:
        level = min(level, len(self.stack) - 1)
        got = list(self.stack[level].iterate(start, end, reverse=reverse))
        assert got == _expected_range(self.models[level], start, end, reverse)

    @rule(key=KEYS, level=st.integers(0, 3))
    def get_matches(self, key: bytes, level: int) -> None:
        level = min(level, len(self.stack) - 1)
        assert self.stack[level].get(key) == self.models[level].get(key)
        assert self.stack[level].has(key) == (key in self.models[level])

    @invariant()
    def full_view_matches(self) -> None:
        if hasattr(self, "stack"):
            for branch, model in zip(self.stack, self.models, strict=True):
                assert list(branch.iterate()) == sorted(model.items())


BranchStackMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40)
test_branch_stack_matches_dict_model = BranchStackMachine.TestCase


@given(st.dictionaries(KEYS, VALUES, max_size=10), st.dictionaries(KEYS, st.none() | VALUES))
def test_changes_are_sorted_and_applied_by_write(
    base: dict[bytes, bytes], writes: dict[bytes, bytes | None]
) -> None:
    parent = Branch(EmptyStore())
    for key, value in base.items():
        parent.set(key, value)
    child = Branch(parent)
    for key, value in writes.items():
        if value is None:
            child.delete(key)
        else:
            child.set(key, value)
    changes = child.get_changes()
    assert [key for key, _ in changes] == sorted(writes)
    expected = dict(base)
    for key, value in writes.items():
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
    assert list(parent.iterate()) == sorted(base.items())  # untouched until write()
    child.write()
    assert child.is_empty()
    assert list(parent.iterate()) == sorted(expected.items())


def test_iteration_is_a_snapshot_while_writing() -> None:
    branch = Branch(EmptyStore())
    for key in (b"a", b"b", b"c"):
        branch.set(key, b"1")
    seen = []
    for key, _ in branch.iterate():
        seen.append(key)
        branch.delete(key)
        branch.set(key + b"x", b"2")
    assert seen == [b"a", b"b", b"c"]
    assert [k for k, _ in branch.iterate()] == [b"ax", b"bx", b"cx"]


@pytest.mark.parametrize("bad", [b"", "text", bytearray(b"k")])
def test_branch_rejects_bad_keys(bad: object) -> None:
    with pytest.raises(StoreKeyError):
        Branch(EmptyStore()).set(bad, b"v")  # type: ignore[arg-type]


def test_branch_rejects_non_bytes_values() -> None:
    with pytest.raises(StoreKeyError):
        Branch(EmptyStore()).set(b"k", "v")  # type: ignore[arg-type]


def test_write_into_read_only_parent_is_refused() -> None:
    branch = Branch(MemoryCommittedStore())
    branch.set(b"k", b"v")
    with pytest.raises(TypeError):
        branch.write()


def test_prefix_end_and_iterate_prefix() -> None:
    assert compute_prefix_end(b"ab") == b"ac"
    assert compute_prefix_end(b"a\xff\xff") == b"b"
    assert compute_prefix_end(b"\xff\xff") is None
    assert compute_prefix_end(b"") is None
    branch = Branch(EmptyStore())
    for key in (b"a", b"ab", b"ab\xff", b"ac", b"b", b"\xff\xff"):
        branch.set(key, key)
    assert [k for k, _ in iterate_prefix(branch, b"ab")] == [b"ab", b"ab\xff"]
    assert [k for k, _ in iterate_prefix(branch, b"\xff")] == [b"\xff\xff"]
    assert [k for k, _ in iterate_prefix(branch, b"a", reverse=True)] == [
        b"ac",
        b"ab\xff",
        b"ab",
        b"a",
    ]


# ---------------------------------------------------------------------------------------------
# Key codecs: encoded order is the natural order, decoding inverts encoding.

_TABLE = StorePrefix(module="app", name="test/table", prefix=b"\xee\x01", doc="test")


@given(st.lists(st.integers(0, 2**64 - 1), min_size=2, max_size=6))
def test_uint64_key_order(values: list[int]) -> None:
    encoded = [UINT64_KEY.encode(v) for v in values]
    assert sorted(encoded) == [UINT64_KEY.encode(v) for v in sorted(values)]
    assert [UINT64_KEY.decode(e, 0)[0] for e in encoded] == values


@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=2, max_size=6))
def test_int64_key_order(values: list[int]) -> None:
    encoded = [INT64_KEY.encode(v) for v in values]
    assert sorted(encoded) == [INT64_KEY.encode(v) for v in sorted(values)]
    assert [INT64_KEY.decode(e, 0)[0] for e in encoded] == values


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(min_codepoint=1, exclude_categories=("Cs",))), st.integers(0, 99)
        ),
        max_size=8,
    )
)
def test_pair_key_order_and_prefix_iteration(pairs: list[tuple[str, int]]) -> None:
    codec = PairKey(STR_KEY, UINT64_KEY)
    table: Map[tuple[str, int], int] = Map(_TABLE, codec, INT_VALUE)
    store = Branch(EmptyStore())
    unique = sorted(set(pairs), key=lambda p: (p[0].encode(), p[1]))
    for key in pairs:
        table.set(store, key, key[1])
    assert [key for key, _ in table.iterate(store)] == unique
    if unique:
        first = unique[0][0]
        selected = [key for key, _ in table.iterate(store, key_prefix=codec.encode_prefix(first))]
        assert selected == [key for key in unique if key[0] == first]
    for key in unique:
        assert table.decode_key(table.encode_key(key)) == key


def test_codec_errors() -> None:
    with pytest.raises(CodecError):
        UINT64_KEY.encode(-1)
    with pytest.raises(CodecError):
        INT64_KEY.encode(2**63)
    with pytest.raises(CodecError):
        STR_KEY.encode("a\x00b")
    with pytest.raises(CodecError):
        BytesKey().encode(b"x" * 256)
    with pytest.raises(CodecError):
        INT_VALUE.encode(-5)
    with pytest.raises(CodecError):
        INT_VALUE.decode(b"12a")
    with pytest.raises(CodecError):
        decode_json(b'{"a": 1.5}')
    with pytest.raises(CodecError):
        decode_json(b'{"a": NaN}')
    assert decode_json(b'{"a": [1, "2"]}') == {"a": [1, "2"]}


# ---------------------------------------------------------------------------------------------
# Gas-metered store


def test_gas_store_charges_sdk_costs() -> None:
    meter = GasMeter(None)
    store = GasKVStore(Branch(EmptyStore()), meter)
    store.set(b"key", b"value")
    assert meter.consumed == DEFAULT_KV_GAS.write_cost_flat + 30 * 8
    before = meter.consumed
    assert store.get(b"key") == b"value"
    assert meter.consumed - before == DEFAULT_KV_GAS.read_cost_flat + 3 * 8
    before = meter.consumed
    assert store.get(b"nope") is None
    assert meter.consumed - before == DEFAULT_KV_GAS.read_cost_flat + 3 * 4
    before = meter.consumed
    assert list(store.iterate()) == [(b"key", b"value")]
    assert meter.consumed - before == DEFAULT_KV_GAS.iter_next_cost_flat + 3 * 8
    before = meter.consumed
    store.delete(b"key")
    assert meter.consumed - before == DEFAULT_KV_GAS.delete_cost


def test_gas_meter_raises_out_of_gas_past_the_limit() -> None:
    meter = GasMeter(2500)
    store = GasKVStore(Branch(EmptyStore()), meter)
    store.get(b"k")  # 1003
    with pytest.raises(OutOfGasError) as info:
        store.set(b"k", b"v")  # +2000 > 2500
    assert info.value.code == 11
    assert meter.used == 2500
    assert "WriteFlat" in info.value.message
