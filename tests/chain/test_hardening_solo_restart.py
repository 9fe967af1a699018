"""B3: a restarted solo node produces the identical chain, with CometBFT's validator timing.

* validator updates returned by ``finalize_block`` at height H take effect from block H + 2;
  the proposer of block h is chosen among the set of block h, and block h's
  ``decided_last_commit`` lists the set that signed block h − 1;
* restarting on the same home (including between the driver's save and the application's
  commit, and inside the two-block window where an update is pending) resumes with the same
  proposers, votes and app hashes as a node that never stopped.

The validators come from staking gentxs (the genesis document lists none), as on a real
network; a delegation at height 3 makes validator 0 overtake validator 1 for the second slot
(``max_validators`` 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from foundation_helpers import CHAIN_ID, make_key
from test_standard_modules_support import (
    ALLO,
    make_validator_key,
    operator_of,
    standard_genesis,
)

from pyallora.chain.abci_types import FinalizeBlockRequest
from pyallora.chain.app import App
from pyallora.chain.auth.state import get_account
from pyallora.chain.genesis import GenesisDoc
from pyallora.chain.modules import build_standard_modules as m
from pyallora.client.tx import build_tx, pack_any
from pyallora.core.crypto import consensus_address
from pyallora.node.solo import STATE_FILE_NAME, SoloError, SoloNode
from pyallora.storage import open_committed_store

DELEGATION_HEIGHT = 3


def _genesis() -> GenesisDoc:
    return standard_genesis(m(), staking_params={"max_validators": "2", "unbonding_time": "4s"})


def _delegation(node: SoloNode) -> bytes:
    delegator = make_key(4)
    account = get_account(node.app.committed_store, delegator.address)  # type: ignore[attr-defined]
    assert account is not None
    message = staking_tx.MsgDelegate(
        delegator_address=delegator.address,
        validator_address=operator_of(make_key(0)),
        amount=coin_pb2.Coin(denom="uallo", amount=str(2500 * ALLO)),
    )
    return build_tx(
        [pack_any(message)],
        private_key=delegator,
        chain_id=CHAIN_ID,
        account_number=account.account_number,
        sequence=account.sequence,
        fee_amount=0,
        gas_limit=1_000_000,
    )


class Recorder:
    """Keeps every ``finalize_block`` request and the app hash after each height."""

    def __init__(self) -> None:
        self.requests: dict[int, FinalizeBlockRequest] = {}
        self.hashes: dict[int, bytes] = {}

    def on_finalize(self, request: FinalizeBlockRequest) -> None:
        self.requests[request.height] = request

    def run(self, node: SoloNode, until: int) -> None:
        while node.height < until:
            if node.height + 1 == DELEGATION_HEIGHT:
                assert node.submit(_delegation(node)).code == 0
            result = node.produce_block()
            assert all(tx.code == 0 for tx in result.tx_results)
            self.hashes[node.height] = node.app_hash


def _open(genesis: GenesisDoc, home: Path | None, recorder: Recorder) -> SoloNode:
    return SoloNode.open(genesis, home, modules=m(), sync=False, on_finalize=recorder.on_finalize)


def _reference(until: int) -> Recorder:
    recorder = Recorder()
    node = _open(_genesis(), None, recorder)
    recorder.run(node, until)
    return recorder


def _addresses(*indices: int) -> list[bytes]:
    return sorted(consensus_address(make_validator_key(i).public_key) for i in indices)


def _voters(request: FinalizeBlockRequest) -> list[bytes]:
    return [vote.validator_address for vote in request.decided_last_commit.votes]


def test_the_reviewers_repro_restart_gives_the_same_app_hash(tmp_path: Path) -> None:
    g = _genesis()
    h = tmp_path / "home"
    a = SoloNode.open(g, None, modules=m())
    a.run_until(6)
    b = SoloNode.open(g, h, modules=m(), sync=False)
    b.run_until(3)
    b.close()
    b = SoloNode.open(g, h, modules=m(), sync=False)
    b.run_until(6)
    assert a.app_hash == b.app_hash
    assert b.state.validators  # the gentx validators survived the restart
    b.close()


def test_updates_take_effect_two_blocks_later_and_the_last_commit_is_the_signers() -> None:
    reference = _reference(7)
    requests = reference.requests
    before, after = _addresses(1, 2), _addresses(0, 2)
    assert requests[1].decided_last_commit.votes == ()  # no block before the first
    for height in (2, 3, 4):
        assert _voters(requests[height]) == before, height
    # The update returned at 3 makes validator 0 sign from block 5, so block 5's last commit
    # (the signers of block 4) is still the old set, and block 6's is the new one.
    assert _voters(requests[5]) == before
    assert _voters(requests[6]) == after
    powers = {v.validator_address: v.power for v in requests[6].decided_last_commit.votes}
    assert powers[consensus_address(make_validator_key(0).public_key)] == 3500
    # Proposers come from the set of their own block: the old set up to 4, the new from 5.
    for height in (1, 2, 3, 4):
        assert requests[height].proposer_address == before[height % 2], height
    for height in (5, 6, 7):
        assert requests[height].proposer_address == after[height % 2], height


@pytest.mark.parametrize("stop_at", [2, 3, 4, 5])
def test_a_restart_anywhere_reproduces_the_uninterrupted_chain(
    tmp_path: Path, stop_at: int
) -> None:
    reference = _reference(8)
    genesis, home = _genesis(), tmp_path / "home"
    recorder = Recorder()
    node = _open(genesis, home, recorder)
    recorder.run(node, stop_at)
    node.close()
    node = _open(genesis, home, recorder)
    assert node.height == stop_at
    recorder.run(node, 8)
    node.close()
    assert recorder.hashes == reference.hashes
    assert recorder.requests == reference.requests


class _CrashingApp(App):
    """Raises in ``commit`` at one height, before anything is written (a kill there)."""

    crash_height = 0

    def commit(self) -> Any:
        if self.next_height == self.crash_height:
            raise KeyboardInterrupt("killed between the driver's save and the app's commit")
        return super().commit()


def test_a_kill_between_the_driver_save_and_the_commit_is_recovered(tmp_path: Path) -> None:
    reference = _reference(8)
    genesis, home = _genesis(), tmp_path / "home"
    recorder = Recorder()
    app = _CrashingApp(open_committed_store(home, sync=False), modules=m())
    app.crash_height = 4
    node = SoloNode(
        app,
        genesis,
        on_finalize=recorder.on_finalize,
        close=app.close,
        state_path=home / STATE_FILE_NAME,
        sync=False,
    )
    with pytest.raises(KeyboardInterrupt):
        recorder.run(node, 8)
    node.close()
    saved = json.loads((home / STATE_FILE_NAME).read_text(encoding="utf-8"))
    assert [state["height"] for state in saved["states"]] == [3, 4]  # 4 saved, not committed
    node = _open(genesis, home, recorder)
    assert node.height == 3
    recorder.run(node, 8)
    node.close()
    assert recorder.hashes == reference.hashes
    assert recorder.requests == reference.requests


def test_a_driver_state_of_other_heights_is_refused(tmp_path: Path) -> None:
    genesis, home = _genesis(), tmp_path / "home"
    node = SoloNode.open(genesis, home, modules=m(), sync=False)
    node.run_until(3)
    node.close()
    path = home / STATE_FILE_NAME
    saved = json.loads(path.read_text(encoding="utf-8"))
    for state in saved["states"]:
        state["height"] += 10
    path.write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(SoloError, match="application is at 3"):
        SoloNode.open(genesis, home, modules=m(), sync=False)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SoloError, match="cannot read"):
        SoloNode.open(genesis, home, modules=m(), sync=False)
