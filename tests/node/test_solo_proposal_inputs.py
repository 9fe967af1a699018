"""The solo driver gives ``prepare_proposal`` the same last commit and evidence as the block
it then decides, as CometBFT does, so the application can reuse the execution of the block it
proposed instead of running it twice."""

from __future__ import annotations

from pyallora.chain.abci_types import (
    BLOCK_ID_FLAG_ABSENT,
    BLOCK_ID_FLAG_COMMIT,
    Application,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    PrepareProposalRequest,
)
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.genesis import GenesisValidator, build_genesis
from pyallora.core.crypto import sha256
from pyallora.node.solo import SoloNode
from pyallora.storage import MemoryCommittedStore

VALIDATORS = [
    GenesisValidator(pub_key=sha256(b"inputs val %d" % i), power=10 + i) for i in range(3)
]


class InputsApp:
    """Wraps an application and keeps the prepare and finalize requests."""

    def __init__(self, inner: Application) -> None:
        self.inner = inner
        self.prepared: list[PrepareProposalRequest] = []
        self.finalized: list[FinalizeBlockRequest] = []

    def prepare_proposal(self, request: PrepareProposalRequest) -> tuple[bytes, ...]:
        self.prepared.append(request)
        return self.inner.prepare_proposal(request)

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResult:
        self.finalized.append(request)
        return self.inner.finalize_block(request)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


def test_prepare_sees_the_decided_blocks_commit_and_evidence() -> None:
    genesis = build_genesis(
        chain_id="solo-inputs",
        genesis_time_ns=1_650_000_000 * 10**9,
        modules=compute_default_modules(),
        balances=[],
        validators=VALIDATORS,
    )
    app = InputsApp(App(MemoryCommittedStore()))
    node = SoloNode(app, genesis)
    node.produce_block()
    node.produce_block()
    # One validator misses its vote for the previous block.
    signer = app.finalized[-1].decided_last_commit.votes[0].validator_address
    node.produce_block(absent=[signer])
    assert len(app.prepared) == len(app.finalized) == 3
    for prepared, finalized in zip(app.prepared, app.finalized, strict=True):
        assert prepared.height == finalized.height
        assert prepared.local_last_commit == finalized.decided_last_commit
        assert prepared.misbehavior == finalized.misbehavior
    flags = {
        vote.validator_address: vote.block_id_flag
        for vote in app.prepared[-1].local_last_commit.votes
    }
    assert len(flags) == len(VALIDATORS)
    assert flags.pop(signer) == BLOCK_ID_FLAG_ABSENT
    assert set(flags.values()) == {BLOCK_ID_FLAG_COMMIT}
