"""The Application: ABCI order, module hooks and ordering, check state, proposals, events."""

from __future__ import annotations

from typing import Any

import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import query_pb2 as bank_query
from foundation_helpers import (
    CHAIN_ID,
    FUNDS,
    GENESIS_TIME_NS,
    dump_state,
    make_app,
    make_funded_app,
    make_key,
    make_send,
    run_block,
)

from pyallora.chain.abci_types import (
    FinalizeBlockRequest,
    InitChainRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
    ValidatorUpdate,
)
from pyallora.chain.app import App, AppStateError, compute_default_modules
from pyallora.chain.auth.module import AuthModule
from pyallora.chain.bank.module import BankModule
from pyallora.chain.context import Context, ExecMode
from pyallora.chain.events import make_event_from_proto, make_typed_event
from pyallora.chain.genesis import build_genesis
from pyallora.chain.module import BaseModule, GenesisError, JSONObject, QueryHandler
from pyallora.chain.store.collections import INT_VALUE, Item
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.store.schema import StorePrefix
from pyallora.storage import MemoryCommittedStore

_COUNTER = Item(
    StorePrefix(module="app", name="app/test_counter", prefix=b"\x00\xf0", doc=""), INT_VALUE
)


class RecorderModule(BaseModule):
    """Counts blocks in state and records the hooks it sees."""

    def __init__(self, name: str, log: list[str], updates: tuple[ValidatorUpdate, ...] = ()):
        self.name = name
        self.log = log
        self.updates = updates

    def default_genesis(self) -> JSONObject:
        return {"start": "0"}

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        self.log.append(f"genesis:{self.name}:{ctx.mode.value}")
        if self.name == "counter":
            _COUNTER.set(store, int(state["start"]))
        return self.updates

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        return (
            {"start": str(_COUNTER.get_or(store, 0))} if self.name == "counter" else {"start": "0"}
        )

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        self.log.append(f"begin:{self.name}:{ctx.height}")
        ctx.events.emit_typed("test.v1.EventBegin", {"height": str(ctx.height)})

    def end_block(self, ctx: Context, store: KVStore) -> tuple[ValidatorUpdate, ...]:
        self.log.append(f"end:{self.name}:{ctx.height}")
        if self.name == "counter":
            _COUNTER.set(store, _COUNTER.get_or(store, 0) + 1)
        return self.updates if ctx.height == 2 else ()

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        def handle(ctx, store, request):  # type: ignore[no-untyped-def]
            return bank_query.QuerySupplyOfResponse()

        return (
            QueryHandler(
                path=f"/test.{self.name}/Ping",
                request_type=bank_query.QuerySupplyOfRequest,
                handle=handle,
            ),
        )


def _modules(log: list[str]) -> tuple[Any, ...]:
    return (
        *compute_default_modules(),
        RecorderModule("counter", log),
        RecorderModule("other", log),
    )


def test_fresh_info_then_init_chain_then_blocks() -> None:
    store = MemoryCommittedStore()
    app = App(store)
    assert app.info().last_block_height == 0
    assert app.info().last_block_app_hash == b""
    genesis = build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=app.modules,
        balances=[(make_key(0).address, 5)],
    )
    result = app.init_chain(genesis.to_init_chain_request())
    assert len(result.app_hash) == 32
    assert app.info().last_block_height == 0  # genesis is not persisted by init_chain
    block = run_block(app, [])
    assert block.app_hash == result.app_hash  # an empty block changes nothing
    assert app.info().last_block_height == 1
    assert app.info().last_block_app_hash == result.app_hash
    with pytest.raises(AppStateError):
        app.init_chain(genesis.to_init_chain_request())


def test_abci_order_is_enforced() -> None:
    app = App(MemoryCommittedStore())
    with pytest.raises(AppStateError):
        app.finalize_block(FinalizeBlockRequest(height=1, time_ns=0))
    with pytest.raises(AppStateError):
        app.commit()
    app2, _ = make_funded_app(1)
    with pytest.raises(AppStateError):
        app2.finalize_block(FinalizeBlockRequest(height=app2.last_height + 2, time_ns=0))
    app2.finalize_block(FinalizeBlockRequest(height=app2.last_height + 1, time_ns=0))
    app2.commit()
    with pytest.raises(AppStateError):
        app2.commit()


def test_finalize_twice_without_commit_recomputes_from_committed_state() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, 3, sequence=0, account_number=0)
    height = app.last_height + 1
    first = app.finalize_block(FinalizeBlockRequest(height=height, time_ns=1, txs=(tx,)))
    second = app.finalize_block(FinalizeBlockRequest(height=height, time_ns=1, txs=(tx,)))
    assert first == second
    assert second.tx_results[0].code == 0
    app.commit()


def test_module_hooks_run_in_list_order_and_events_carry_the_mode() -> None:
    log: list[str] = []
    app = make_app([(make_key(0).address, 1)], modules=_modules(log))
    assert log == ["genesis:counter:genesis", "genesis:other:genesis"]
    log.clear()
    result = run_block(app, [])
    assert log == ["begin:counter:1", "begin:other:1", "end:counter:1", "end:other:1"]
    assert [e.type for e in result.events] == ["test.v1.EventBegin"] * 2
    assert result.events[0].attributes == (("height", '"1"'), ("mode", "BeginBlock"))
    assert _COUNTER.get(app.committed_store) == 1


def test_explicit_orders() -> None:
    log: list[str] = []
    store = MemoryCommittedStore()
    modules = _modules(log)
    app = App(
        store,
        modules=modules,
        genesis_order=["other", "counter", "bank", "auth"],
        begin_block_order=["other", "auth", "bank", "counter"],
        end_block_order=["auth", "bank", "counter", "other"],
    )
    genesis = build_genesis(chain_id=CHAIN_ID, genesis_time_ns=0, modules=modules)
    # bank before auth is fine: bank creates accounts for balances it loads.
    app.init_chain(genesis.to_init_chain_request())
    run_block(app, [])
    assert log == [
        "genesis:other:genesis",
        "genesis:counter:genesis",
        "begin:other:1",
        "begin:counter:1",
        "end:counter:1",
        "end:other:1",
    ]
    with pytest.raises(ValueError):
        App(MemoryCommittedStore(), modules=modules, begin_block_order=["auth"])
    with pytest.raises(ValueError):
        App(MemoryCommittedStore(), modules=(AuthModule(), AuthModule()))
    with pytest.raises(ValueError):
        App(MemoryCommittedStore(), modules=(AuthModule(), BankModule(), _Duplicate()))


class _Duplicate(BaseModule):
    name = "dup"

    def msg_handlers(self):  # type: ignore[no-untyped-def]
        return BankModule().msg_handlers()


def test_validator_updates_from_genesis_and_end_block() -> None:
    log: list[str] = []
    update = (ValidatorUpdate(pub_key=b"\x01" * 32, power=7),)
    modules = (*compute_default_modules(), RecorderModule("staking", log, update))
    app = App(MemoryCommittedStore(), modules=modules)
    genesis = build_genesis(chain_id=CHAIN_ID, genesis_time_ns=0, modules=modules)
    request = genesis.to_init_chain_request()
    assert app.init_chain(request).validators == update
    assert run_block(app, []).validator_updates == ()
    assert run_block(app, []).validator_updates == update
    # Without a module returning validators, the request's are echoed.
    plain = App(MemoryCommittedStore())
    echoed = (ValidatorUpdate(pub_key=b"\x02" * 32, power=3),)
    req = InitChainRequest(chain_id=CHAIN_ID, time_ns=0, validators=echoed)
    assert plain.init_chain(req).validators == echoed


def test_query_routes_include_module_paths() -> None:
    log: list[str] = []
    app = make_app([], modules=_modules(log))
    assert app.query(QueryRequest(path="/test.counter/Ping")).code == 0
    assert app.query(QueryRequest(path="/json/test.other/Ping")).value == b"{}"


@pytest.mark.parametrize(
    "app_state",
    [
        b"[1,2]",
        b"{not json",
        b'{"bank": {"balances": [], "supply": []}, "unknown": {}}',
        b'{"auth": 3}',
        b'{"auth": {"params": {"max_memo_characters": 1.5}}}',
    ],
)
def test_invalid_genesis_is_refused(app_state: bytes) -> None:
    app = App(MemoryCommittedStore())
    with pytest.raises(GenesisError):
        app.init_chain(InitChainRequest(chain_id=CHAIN_ID, time_ns=0, app_state_bytes=app_state))


def test_check_state_accumulates_and_resets_at_commit() -> None:
    app, keys = make_funded_app(2)
    first = make_send(keys[0], keys[1].address, 1, sequence=0, account_number=0)
    second = make_send(keys[0], keys[1].address, 1, sequence=1, account_number=0)
    assert app.check_tx(second).code == 32  # needs the first one before it
    assert app.check_tx(first).code == 0
    assert app.check_tx(second).code == 0  # the check state saw the first
    assert app.check_tx(first).code == 32
    committed = dump_state(app.committed_store)
    assert dump_state(app.committed_store) == committed  # check_tx never touches it
    run_block(app, [])  # commit an empty block: the check state is reset
    assert app.check_tx(first).code == 0


def test_prepare_proposal_drops_invalid_and_oversized_txs() -> None:
    app, keys = make_funded_app(2)
    good = [make_send(keys[0], keys[1].address, 1, sequence=s, account_number=0) for s in range(3)]
    bad_sequence = make_send(keys[1], keys[0].address, 1, sequence=9, account_number=1)
    garbage = b"\x01\x02"
    height = app.last_height + 1
    chosen = app.prepare_proposal(
        PrepareProposalRequest(
            txs=(good[0], garbage, good[1], bad_sequence, good[2]),
            max_tx_bytes=10**6,
            height=height,
            time_ns=0,
        )
    )
    assert chosen == tuple(good)
    # Byte budget: each tx costs its size plus 3 bytes of protobuf framing.
    budget = sum(len(tx) + 3 for tx in good[:2])
    assert app.prepare_proposal(
        PrepareProposalRequest(txs=tuple(good), max_tx_bytes=budget, height=height, time_ns=0)
    ) == tuple(good[:2])
    before = dump_state(app.committed_store)
    assert dump_state(app.committed_store) == before  # proposals never write
    assert app.process_proposal(ProcessProposalRequest(txs=tuple(good), height=height, time_ns=0))
    assert not app.process_proposal(
        ProcessProposalRequest(txs=(good[0], garbage), height=height, time_ns=0)
    )
    # Process does not execute: a stale-sequence tx still decodes, so the block is accepted.
    assert app.process_proposal(
        ProcessProposalRequest(txs=(bad_sequence,), height=height, time_ns=0)
    )


def test_tx_events_are_dropped_with_a_failed_message_but_not_the_ante_events() -> None:
    app, keys = make_funded_app(2)
    tx = make_send(keys[0], keys[1].address, FUNDS * 2, sequence=0, account_number=0, fee=4)
    result = run_block(app, [tx]).tx_results[0]
    assert result.code == 5
    types = [event.type for event in result.events]
    assert types == ["coin_spent", "coin_received", "transfer", "tx", "tx", "tx"]


def test_typed_event_forms() -> None:
    event = make_typed_event(
        "emissions.v4.EventScoresSet", {"topic_id": "1", "addresses": ["a", "b"]}
    )
    assert event.attributes == (("addresses", '["a","b"]'), ("topic_id", '"1"'))
    from cosmpy.protos.cosmos.base.query.v1beta1 import pagination_pb2

    converted = make_event_from_proto(pagination_pb2.PageResponse(total=5))
    assert converted.type == "cosmos.base.query.v1beta1.PageResponse"
    # Defaults are printed; 64-bit integers are JSON strings.
    assert converted.attributes == (("next_key", '""'), ("total", '"5"'))


def test_exec_modes_are_visible_to_handlers() -> None:
    assert {mode.value for mode in ExecMode} >= {"check", "recheck", "finalize", "genesis"}


class _ListTracer:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int, object, object]] = []

    def on_tx_result(self, height: int, index: int, tx_hash: bytes, code: int) -> None:
        self.seen.append(("tx", height, tx_hash, code))

    def on_block_end(self, height: int, app_hash: bytes) -> None:
        self.seen.append(("block", height, app_hash, None))


def test_tracer_sees_tx_hashes_codes_and_block_hashes() -> None:
    from pyallora.core.crypto import sha256

    tracer = _ListTracer()
    app, keys = make_funded_app(2, tracer=tracer)
    tracer.seen.clear()
    good = make_send(keys[0], keys[1].address, 1, sequence=0, account_number=0)
    result = run_block(app, [good, b"junk"])
    assert tracer.seen == [
        ("tx", app.last_height, sha256(good), 0),
        ("tx", app.last_height, sha256(b"junk"), 2),
        ("block", app.last_height, result.app_hash, None),
    ]


def test_signature_cache_never_changes_outcomes() -> None:
    from pyallora.chain.ante import NO_CACHE, SignatureCache
    from pyallora.chain.tx.decode import decode_tx
    from pyallora.chain.tx.errors import UnauthorizedError

    keys = [make_key(0)]
    raw = make_send(keys[0], make_key(1).address, 1, sequence=0, account_number=0)
    tx = decode_tx(raw, max_tx_bytes=10**6)
    cache = SignatureCache(capacity=2)
    for _ in range(2):
        cache.verify(tx, chain_id=CHAIN_ID, account_number=0)
        with pytest.raises(UnauthorizedError):
            cache.verify(tx, chain_id=CHAIN_ID, account_number=1)
        with pytest.raises(UnauthorizedError):
            cache.verify(tx, chain_id="other", account_number=0)
    NO_CACHE.verify(tx, chain_id=CHAIN_ID, account_number=0)
    assert len(NO_CACHE._verified) == 0
