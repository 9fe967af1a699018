"""Item 3: after a restart ``check_tx`` runs at the last block's time, not at time 0.

``commit`` writes the block time in the same atomic batch as the block, under the unhashed
``meta`` namespace: the app hash and the consensus state (``committed_store``) do not depend
on it, so two chains differing only in block times have the same app hashes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cosmpy.protos.cosmos.crisis.v1beta1 import tx_pb2 as crisis_tx
from foundation_helpers import (
    BLOCK_NS,
    CHAIN_ID,
    GENESIS_TIME_NS,
    dump_state,
    make_app,
    make_key,
    make_send,
)
from google.protobuf.message import Message

from pyallora.chain.abci_types import FinalizeBlockRequest
from pyallora.chain.app import LAST_BLOCK_TIME, App, compute_default_modules
from pyallora.chain.context import Context
from pyallora.chain.module import BaseModule, MsgHandler
from pyallora.chain.store.kv import KVStore
from pyallora.chain.tx.errors import UnauthorizedError
from pyallora.client.tx import build_tx, pack_any
from pyallora.storage import LmdbCommittedStore, MemoryCommittedStore

TIME_LOCK_MSG = "/" + crisis_tx.MsgVerifyInvariant.DESCRIPTOR.full_name


def _handle_time_lock(ctx: Context, store: KVStore, msg: crisis_tx.MsgVerifyInvariant) -> Message:
    """Refuse until the block time reaches ``invariant_route`` (ns)."""
    if ctx.time_ns < int(msg.invariant_route):
        raise UnauthorizedError(f"locked until {msg.invariant_route}; now {ctx.time_ns}")
    return crisis_tx.MsgVerifyInvariantResponse()


class TimeLockModule(BaseModule):
    """A message whose validity depends on the block time (as unjail's does)."""

    name = "timelock"

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        return (
            MsgHandler(
                type_url=TIME_LOCK_MSG,
                decode=crisis_tx.MsgVerifyInvariant.FromString,
                validate_basic=lambda msg: None,
                get_signers=lambda msg: (msg.sender,),
                handle=_handle_time_lock,
            ),
        )


MODULES = (*compute_default_modules(), TimeLockModule())
KEYS = [make_key(index) for index in range(2)]


def _time_locked_tx(unlock_ns: int, sequence: int) -> bytes:
    message = crisis_tx.MsgVerifyInvariant(
        sender=KEYS[0].address, invariant_module_name="t", invariant_route=str(unlock_ns)
    )
    return build_tx(
        [pack_any(message)],
        private_key=KEYS[0],
        chain_id=CHAIN_ID,
        account_number=0,
        sequence=sequence,
        fee_amount=0,
        gas_limit=200_000,
    )


def _run(app: App, heights: int, *, step_ns: int = BLOCK_NS, txs: tuple[bytes, ...] = ()) -> None:
    for _ in range(heights):
        height = app.next_height
        app.finalize_block(
            FinalizeBlockRequest(height=height, time_ns=GENESIS_TIME_NS + height * step_ns, txs=txs)
        )
        app.commit()


def test_check_tx_after_a_restart_runs_at_the_last_block_time(tmp_path: Path) -> None:
    balances = [(key.address, 10**21) for key in KEYS]
    app = make_app(balances, store=LmdbCommittedStore(tmp_path, sync=False), modules=MODULES)
    assert app.last_block_time_ns == GENESIS_TIME_NS
    _run(app, 3)
    last_time = GENESIS_TIME_NS + 3 * BLOCK_NS
    assert app.last_block_time_ns == last_time
    assert app.check_tx(_time_locked_tx(last_time, 0)).code == 0
    app.close()

    restarted = App(LmdbCommittedStore(tmp_path, sync=False), modules=MODULES)
    assert restarted.last_height == 3
    assert restarted.last_block_time_ns == last_time
    # Unlocked at the last block time: a check at time 0 (the old behaviour) refused it.
    assert restarted.check_tx(_time_locked_tx(last_time, 0)).code == 0
    too_early = restarted.check_tx(_time_locked_tx(last_time + 1, 1))
    assert (too_early.codespace, too_early.code) == ("sdk", 4)
    restarted.close()


def test_the_block_time_is_outside_the_app_hash_and_the_consensus_state() -> None:
    balances = [(key.address, 10**21) for key in KEYS]
    raw = MemoryCommittedStore()
    fast = make_app(balances, store=raw, modules=MODULES)
    slow = make_app(balances, modules=MODULES)
    send = make_send(KEYS[0], KEYS[1].address, 5, sequence=0, account_number=0)
    _run(fast, 2, step_ns=BLOCK_NS, txs=(send,))
    _run(slow, 2, step_ns=7 * BLOCK_NS, txs=(send,))
    assert fast.last_block_time_ns != slow.last_block_time_ns
    assert fast.info().last_block_app_hash == slow.info().last_block_app_hash
    assert dump_state(fast.committed_store) == dump_state(slow.committed_store)
    # The consensus view hides the meta key; the raw store holds it.
    assert LAST_BLOCK_TIME.get(fast.committed_store) is None
    assert not fast.committed_store.has(LAST_BLOCK_TIME.prefix)
    assert LAST_BLOCK_TIME.get(raw) == fast.last_block_time_ns
    assert list(fast.committed_store.iterate(LAST_BLOCK_TIME.prefix)) == []
    assert all(key[:1] != b"\xff" for key, _ in fast.committed_store.iterate(reverse=True))


def test_a_fresh_store_runs_check_tx_at_the_genesis_time_then_at_each_block() -> None:
    app = App(MemoryCommittedStore(), modules=MODULES)
    assert app.last_block_time_ns == 0
    app = make_app([(key.address, 10**21) for key in KEYS], modules=MODULES)
    assert app.last_block_time_ns == GENESIS_TIME_NS
    assert app.check_tx(_time_locked_tx(GENESIS_TIME_NS + 1, 0)).code == 4
    _run(app, 1)
    assert app.check_tx(_time_locked_tx(GENESIS_TIME_NS + 1, 0)).code == 0
