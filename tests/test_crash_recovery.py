"""Crash safety: SIGKILL the node at random points; after restart the state is the last commit.

A child process (this file run as a script) drives :class:`~pyallora.node.solo.SoloNode` on an
lmdb home, producing blocks of signed txs as fast as it can and appending every
``finalize_block`` request it sends (height, time, txs, proposer, last-commit votes,
evidence) to a log, fsynced before the block is executed, as CometBFT saves blocks before
applying them. The test kills it with SIGKILL at random moments, several times, restarting it
on the same home each time. After every kill it checks that:

* ``info()`` of a fresh application on the home reports a height H and an app hash;
* replaying the logged requests 1..H on a fresh in-memory application gives the same app hash
  and exactly the same key-value state;
* the proposers and votes the driver logged, across its restarts, are the ones CometBFT's
  rules give (recomputed here from the replay's validator updates: an update returned at h
  counts from block h + 2, block h's last commit is the set of block h − 1), and a height
  logged twice (killed before its commit) was re-proposed identically;
* the supply invariant holds.

It runs with the foundation modules (sends) and with the standard modules and emissions,
validators from staking gentxs (sends and delegations, so the validator set changes).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from cosmpy.protos.cosmos.bank.v1beta1 import tx_pb2 as bank_tx
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from google.protobuf.message import Message

from pyallora.chain.abci_types import (
    BLOCK_ID_FLAG_COMMIT,
    CommitInfo,
    FinalizeBlockRequest,
    Misbehavior,
    VoteInfo,
)
from pyallora.chain.app import App, compute_default_modules
from pyallora.chain.auth.state import get_account
from pyallora.chain.bank.state import validate_supply_invariant
from pyallora.chain.genesis import GenesisDoc, build_genesis
from pyallora.chain.module import Module
from pyallora.chain.modules import build_standard_modules
from pyallora.chain.staking.genesis import compute_gentx
from pyallora.chain.staking.state import compute_operator_address
from pyallora.client.keys import PrivateKey, ValidatorKey
from pyallora.client.tx import build_tx, pack_any
from pyallora.core.crypto import consensus_address, sha256
from pyallora.node.solo import SoloNode
from pyallora.storage import LmdbCommittedStore, MemoryCommittedStore

CHAIN_ID = "crash-test"
GENESIS_TIME_NS = 1_600_000_000 * 10**9
ALLO = 10**18
KEYS = [PrivateKey(secret=sha256(b"crash key %d" % i)) for i in range(6)]
VALIDATOR_KEYS = [ValidatorKey(seed=sha256(b"crash validator %d" % i)) for i in range(3)]
TXS_PER_BLOCK = 12
CONFIGS = ("foundation", "standard")


def _modules(config: str) -> tuple[Module, ...]:
    if config == "standard":
        return build_standard_modules(include_emissions=True)
    return compute_default_modules()


def _genesis(config: str) -> GenesisDoc:
    modules = _modules(config)
    balances = [(key.address, 10**22) for key in KEYS]
    if config == "foundation":
        return build_genesis(
            chain_id=CHAIN_ID, genesis_time_ns=GENESIS_TIME_NS, modules=modules, balances=balances
        )
    [staking_module] = [module for module in modules if module.name == "staking"]
    staking = dict(staking_module.default_genesis())
    staking["gentxs"] = [
        compute_gentx(
            operator_account=KEYS[index].address,
            consensus_pubkey=VALIDATOR_KEYS[index].public_key,
            self_bond=(index + 1) * 1000 * ALLO,
            moniker=f"validator-{index}",
        )
        for index in range(len(VALIDATOR_KEYS))
    ]
    return build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=modules,
        balances=balances,
        overrides={"staking": staking},
    )


# ---------------------------------------------------------------------------------------------
# The log: one JSON line per finalize_block request


def _request_to_json(request: FinalizeBlockRequest) -> dict[str, Any]:
    return {
        "height": request.height,
        "time_ns": request.time_ns,
        "txs": [tx.hex() for tx in request.txs],
        "proposer": request.proposer_address.hex(),
        "votes": [
            [vote.validator_address.hex(), vote.power, vote.block_id_flag]
            for vote in request.decided_last_commit.votes
        ],
        "misbehavior": [
            [m.type, m.validator_address.hex(), m.power, m.height, m.time_ns, m.total_voting_power]
            for m in request.misbehavior
        ],
    }


def _request_from_json(entry: dict[str, Any]) -> FinalizeBlockRequest:
    return FinalizeBlockRequest(
        height=int(entry["height"]),
        time_ns=int(entry["time_ns"]),
        txs=tuple(bytes.fromhex(tx) for tx in entry["txs"]),
        proposer_address=bytes.fromhex(entry["proposer"]),
        decided_last_commit=CommitInfo(
            votes=tuple(
                VoteInfo(validator_address=bytes.fromhex(address), power=power, block_id_flag=flag)
                for address, power, flag in entry["votes"]
            )
        ),
        misbehavior=tuple(
            Misbehavior(
                type=kind,
                validator_address=bytes.fromhex(address),
                power=power,
                height=height,
                time_ns=time_ns,
                total_voting_power=total,
            )
            for kind, address, power, height, time_ns, total in entry["misbehavior"]
        ),
    )


def _read_log(log_path: Path) -> dict[int, list[dict[str, Any]]]:
    """Every logged entry of each height, in order (a torn last line is ignored)."""
    blocks: dict[int, list[dict[str, Any]]] = {}
    if not log_path.exists():
        return blocks
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        blocks.setdefault(int(entry["height"]), []).append(entry)
    return blocks


# ---------------------------------------------------------------------------------------------
# The child


def _next_txs(rnd: random.Random, config: str) -> list[tuple[int, Sequence[Message]]]:
    """A block's worth of ``(sender, messages)``: sends, and delegations with ``standard``."""
    txs: list[tuple[int, Sequence[Message]]] = []
    for _ in range(TXS_PER_BLOCK):
        sender = rnd.randrange(len(KEYS))
        message: Message
        if config == "standard" and rnd.randrange(4) == 0:
            message = staking_tx.MsgDelegate(
                delegator_address=KEYS[sender].address,
                validator_address=compute_operator_address(
                    KEYS[rnd.randrange(len(VALIDATOR_KEYS))].address
                ),
                amount=coin_pb2.Coin(denom="uallo", amount=str(rnd.randrange(1, 20) * ALLO)),
            )
        else:
            message = bank_tx.MsgSend(
                from_address=KEYS[sender].address,
                to_address=KEYS[rnd.randrange(len(KEYS))].address,
                amount=[coin_pb2.Coin(denom="uallo", amount=str(rnd.randrange(1, 10**6)))],
            )
        txs.append((sender, [message]))
    return txs


def _child(home: Path, log_path: Path, config: str) -> None:
    """Produce blocks forever (until killed)."""
    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115

    def on_finalize(request: FinalizeBlockRequest) -> None:
        log.write(json.dumps(_request_to_json(request)) + "\n")
        log.flush()
        os.fsync(log.fileno())

    node = SoloNode.open(_genesis(config), home, modules=_modules(config), on_finalize=on_finalize)
    store = node.app.committed_store  # type: ignore[attr-defined]
    rnd = random.Random(node.height)
    while True:
        sequences = {}
        for index, key in enumerate(KEYS):
            account = get_account(store, key.address)
            sequences[index] = account.sequence if account is not None else 0
        for sender, messages in _next_txs(rnd, config):
            tx = build_tx(
                [pack_any(message) for message in messages],
                private_key=KEYS[sender],
                chain_id=CHAIN_ID,
                account_number=sender,
                sequence=sequences[sender],
                fee_amount=rnd.randrange(0, 3),
                gas_limit=1_000_000,
            )
            if node.submit(tx).code == 0:
                sequences[sender] += 1
        node.produce_block()


# ---------------------------------------------------------------------------------------------
# The checks


def _expected_votes(validators: dict[bytes, int]) -> list[list[Any]]:
    return [
        [address.hex(), power, BLOCK_ID_FLAG_COMMIT]
        for address, power in sorted(
            (consensus_address(key), power) for key, power in validators.items()
        )
    ]


def _verify(home: Path, log_path: Path, config: str) -> int:
    modules = _modules(config)
    store = LmdbCommittedStore(home)
    try:
        app = App(store, modules=modules)  # also checks the stored bucket hashes
        info = app.info()
        height = info.last_block_height
        blocks = _read_log(log_path)
        replay = App(MemoryCommittedStore(), modules=modules)
        genesis = replay.init_chain(_genesis(config).to_init_chain_request())
        # CometBFT's validator timing, recomputed independently of the driver.
        current = {update.pub_key: update.power for update in genesis.validators}
        following = dict(current)
        last: dict[bytes, int] = {}
        assert (config == "standard") == bool(current)
        for h in range(1, height + 1):
            entries = blocks[h]
            for entry in entries:  # a height re-proposed after a kill: same header data
                for field in ("time_ns", "proposer", "votes", "misbehavior"):
                    assert entry[field] == entries[-1][field], (h, field)
            entry = entries[-1]
            ordered = sorted(consensus_address(key) for key in current)
            assert entry["proposer"] == (ordered[h % len(ordered)].hex() if ordered else ""), h
            assert entry["votes"] == _expected_votes(last), h
            result = replay.finalize_block(_request_from_json(entry))
            replay.commit()
            after = dict(following)
            for update in result.validator_updates:
                if update.power == 0:
                    after.pop(update.pub_key, None)
                else:
                    after[update.pub_key] = update.power
            last, current, following = current, following, after
        assert replay.info().last_block_height == height
        assert replay.info().last_block_app_hash == info.last_block_app_hash
        assert list(replay.committed_store.iterate()) == list(app.committed_store.iterate())
        validate_supply_invariant(app.committed_store)
        return height
    finally:
        store.close()


def _wait_for_blocks(log_path: Path, count: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while len(_read_log(log_path)) < count:
        if proc.poll() is not None:
            raise AssertionError(f"the child exited early: {proc.stderr.read().decode()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError("the child made no progress")
        time.sleep(0.02)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
@pytest.mark.parametrize("config", CONFIGS)
def test_state_after_sigkill_equals_replay_of_committed_blocks(tmp_path: Path, config: str) -> None:
    home = tmp_path / "home"
    log_path = tmp_path / "blocks.jsonl"
    rnd = random.Random(20240611)
    heights = []
    for _ in range(4):
        seen = len(_read_log(log_path))
        proc = subprocess.Popen(
            [sys.executable, __file__, str(home), str(log_path), config],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for_blocks(log_path, seen + 2, proc)
            time.sleep(rnd.uniform(0, 0.4))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        heights.append(_verify(home, log_path, config))
    print("committed heights after each kill:", heights)
    assert heights == sorted(heights)
    assert heights[-1] >= 4
    if config == "standard":
        # The delegations did change the validator set while the node was being killed.
        powers = {
            tuple(vote[1] for vote in entry[-1]["votes"]) for entry in _read_log(log_path).values()
        }
        assert len(powers) > 2


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
