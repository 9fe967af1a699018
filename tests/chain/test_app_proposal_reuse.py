"""prepare_proposal executes the block it proposes; finalize_block reuses that execution only
when it decides exactly that block, with results identical to a fresh execution."""

from __future__ import annotations

from foundation_helpers import (
    BLOCK_NS,
    FUNDS,
    GENESIS_TIME_NS,
    dump_state,
    make_app,
    make_key,
    make_send,
    run_block,
)

from pyallora.chain.abci_types import (
    CommitInfo,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VoteInfo,
)
from pyallora.chain.app import App
from pyallora.chain.auth.module import AuthModule
from pyallora.chain.bank.module import BankModule
from pyallora.chain.context import Context
from pyallora.chain.store.kv import KVStore
from pyallora.client.keys import PrivateKey

PROPOSER = bytes(range(20))
LAST_COMMIT = CommitInfo(votes=(VoteInfo(validator_address=PROPOSER, power=10),))


class CountingBank(BankModule):
    """The bank module, counting its begin-block hook (one per block execution)."""

    def __init__(self) -> None:
        self.executions = 0

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        self.executions += 1
        super().begin_block(ctx, store)


class Recorder:
    """A tracer keeping what finalize_block reported."""

    def __init__(self) -> None:
        self.txs: list[tuple[int, int, int]] = []
        self.blocks: list[tuple[int, bytes]] = []

    def on_tx_result(self, height: int, index: int, tx_hash: bytes, code: int) -> None:
        self.txs.append((height, index, code))

    def on_block_end(self, height: int, app_hash: bytes) -> None:
        self.blocks.append((height, app_hash))


def _funded(tracer: Recorder | None = None) -> tuple[App, CountingBank, list[PrivateKey]]:
    keys = [make_key(index) for index in range(3)]
    bank = CountingBank()
    app = make_app(
        [(key.address, FUNDS) for key in keys],
        modules=(AuthModule(), bank),
        **({"tracer": tracer} if tracer is not None else {}),
    )
    run_block(app, ())
    return app, bank, keys


def _finalize(
    app: App, txs: tuple[bytes, ...], *, time_ns: int, last_commit: CommitInfo = LAST_COMMIT
) -> FinalizeBlockResult:
    return app.finalize_block(
        FinalizeBlockRequest(
            height=app.next_height,
            time_ns=time_ns,
            txs=txs,
            proposer_address=PROPOSER,
            decided_last_commit=last_commit,
        )
    )


def _prepare(app: App, txs: tuple[bytes, ...], *, time_ns: int) -> tuple[bytes, ...]:
    return app.prepare_proposal(
        PrepareProposalRequest(
            txs=txs,
            max_tx_bytes=10**6,
            height=app.next_height,
            time_ns=time_ns,
            proposer_address=PROPOSER,
            local_last_commit=LAST_COMMIT,
        )
    )


def _mempool(keys: list[PrivateKey]) -> tuple[bytes, ...]:
    sends = [make_send(keys[0], keys[2].address, 5, sequence=s, account_number=0) for s in range(3)]
    too_much = make_send(keys[1], keys[2].address, FUNDS * 2, sequence=0, account_number=1)
    return (sends[0], too_much, sends[1], b"\x01\x02", sends[2])


def test_the_proposed_block_is_executed_once_with_the_same_results() -> None:
    tracer = Recorder()
    proposer, counted, keys = _funded(tracer)
    fresh, _, _ = _funded()
    time_ns = GENESIS_TIME_NS + 2 * BLOCK_NS
    mempool = _mempool(keys)
    before = counted.executions

    chosen = _prepare(proposer, mempool, time_ns=time_ns)
    assert chosen == (mempool[0], mempool[2], mempool[4])  # failing and garbage txs dropped
    assert proposer.process_proposal(
        ProcessProposalRequest(txs=chosen, height=proposer.next_height, time_ns=time_ns)
    )
    ours = _finalize(proposer, chosen, time_ns=time_ns)
    assert counted.executions == before + 1  # prepare executed it; finalize reused it
    theirs = _finalize(fresh, chosen, time_ns=time_ns)
    assert ours == theirs
    assert [code for _, _, code in tracer.txs] == [0, 0, 0]
    assert tracer.blocks[-1] == (2, ours.app_hash)
    proposer.commit()
    fresh.commit()
    assert dump_state(proposer.committed_store) == dump_state(fresh.committed_store)


def test_a_different_decision_is_executed_afresh() -> None:
    proposer, counted, keys = _funded()
    fresh, _, _ = _funded()
    time_ns = GENESIS_TIME_NS + 2 * BLOCK_NS
    mempool = _mempool(keys)
    chosen = (mempool[0], mempool[2], mempool[4])
    variants = [
        ((mempool[0],), time_ns, LAST_COMMIT),
        (chosen, time_ns + 1, LAST_COMMIT),
        (chosen, time_ns, CommitInfo()),
    ]
    for txs, decided_time, last_commit in variants:
        _prepare(proposer, mempool, time_ns=time_ns)
        before = counted.executions
        ours = _finalize(proposer, txs, time_ns=decided_time, last_commit=last_commit)
        assert counted.executions == before + 1  # executed again, not reused
        assert ours == _finalize(fresh, txs, time_ns=decided_time, last_commit=last_commit)
    proposer.commit()
    fresh.commit()
    assert dump_state(proposer.committed_store) == dump_state(fresh.committed_store)


def test_a_failed_message_in_a_decided_block_still_pays_its_fee() -> None:
    proposer, _, keys = _funded()
    time_ns = GENESIS_TIME_NS + 2 * BLOCK_NS
    failing = make_send(keys[1], keys[2].address, FUNDS * 2, sequence=0, account_number=1, fee=3)
    assert _prepare(proposer, (failing,), time_ns=time_ns) == ()
    result = _finalize(proposer, (failing,), time_ns=time_ns)
    assert result.tx_results[0].code == 5
    # the fee moved (the ante's events stay), the transfer's events were dropped
    assert "tx" in [event.type for event in result.tx_results[0].events]
    proposer.commit()
