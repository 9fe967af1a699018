"""The in-process block driver: one node, no network, blocks on demand (INFRA.md §4.5).

:class:`SoloNode` stands in for CometBFT in tests, benchmarks and simulations. It drives an
:class:`~pyallora.chain.abci_types.Application` exactly as CometBFT v0.38 does:

* start: ``info``; on a fresh store, ``init_chain`` with the genesis (INFRA.md §4.6);
* :meth:`SoloNode.submit`: ``check_tx``; accepted txs enter the mempool (FIFO);
* :meth:`SoloNode.produce_block`: ``prepare_proposal`` → ``process_proposal`` →
  ``finalize_block`` → ``commit``, then ``check_tx(recheck=True)`` of what is left in the
  mempool (txs that now fail are dropped);
* block ``h`` has time ``genesis_time + h × block_interval`` and a proposer chosen round-robin
  among the validators of block ``h`` by address, so runs are reproducible.

Validator sets follow CometBFT (v0.38 ``state.State``): the set of block ``h`` is the genesis
set (``init_chain``'s answer) with every update returned by ``finalize_block`` at heights
``≤ h − 2`` applied (an update returned at ``H`` takes effect from block ``H + 2``), and block
``h``'s ``decided_last_commit`` lists the votes of the set that signed block ``h − 1``. The
driver keeps the three sets CometBFT keeps (last, current, next) as :class:`DriverState`.

Restarts. With a ``state_path`` (:meth:`SoloNode.open` puts it in the home, next to the
store) the driver state of each height is written, atomically, *before* the application
commits that height, keeping the previous height's too; a restarted node picks the one at the
application's last committed height. A node killed at any instant therefore resumes with the
very proposers and votes an uninterrupted node would have produced: the same chain, the same
app hashes (``tests/chain/test_hardening_solo_restart.py``, ``tests/test_crash_recovery.py``).
Without a ``state_path`` the state lives in memory only; restarting such a node on committed state
falls back to the genesis document's validators (exact only when validators never change
and come from the document rather than from staking gentxs).

Results are indexed by tx hash (:meth:`SoloNode.get_tx_result`). ``on_block`` (optional) is
called with each decided block before it is executed and committed, as CometBFT saves a
block before applying it, and ``on_finalize`` with the complete ``finalize_block`` request
(proposer, last commit, evidence); the crash-recovery test uses it to keep a replayable block
log.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pyallora.chain.abci_types import (
    BLOCK_ID_FLAG_ABSENT,
    BLOCK_ID_FLAG_COMMIT,
    Application,
    CommitInfo,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    InfoResult,
    Misbehavior,
    PrepareProposalRequest,
    ProcessProposalRequest,
    TxResult,
    ValidatorUpdate,
    VoteInfo,
)
from pyallora.chain.app import App
from pyallora.chain.genesis import GenesisDoc
from pyallora.chain.module import Module
from pyallora.chain.tx.errors import MempoolIsFullError, TxInMempoolCacheError
from pyallora.core.crypto import consensus_address, sha256
from pyallora.core.errors import ConsensusError, PyAlloraError
from pyallora.storage import open_committed_store

DEFAULT_MAX_BLOCK_BYTES: Final = 22_020_096
"""CometBFT's default ``block.max_bytes`` (21 MiB), used as the proposal's tx budget."""

STATE_FILE_NAME: Final = "solo_driver.json"
"""The driver state file :meth:`SoloNode.open` keeps in the home."""

STATE_FORMAT: Final = 1
"""Version of the driver state file's layout."""

ValidatorSet = Mapping[bytes, int]
"""Consensus public key (32-byte ed25519) → voting power (positive)."""


class SoloError(PyAlloraError):
    """The driver could not do what was asked (a proposal rejected by its own app)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SoloConfig:
    """Block production settings."""

    block_interval_ns: int = 1_000_000_000
    """Time between blocks (block ``h`` is at ``genesis_time + h × interval``)."""
    max_block_bytes: int = DEFAULT_MAX_BLOCK_BYTES
    """Tx bytes a block may carry."""
    max_block_txs: int = 0
    """Most txs per block (0: no limit beyond the bytes)."""
    max_mempool_txs: int = 100_000
    """Mempool capacity."""
    max_indexed_txs: int = 100_000
    """Committed tx results kept for :meth:`SoloNode.get_tx_result`, the newest (older ones
    are forgotten, so a long run's memory stays bounded; the node's event log keeps them all)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexedTxResult:
    """Where a tx landed and how it ended."""

    height: int
    index: int
    tx_hash: bytes
    result: TxResult


@dataclass(frozen=True, slots=True, kw_only=True)
class DriverState:
    """What the driver knows after committing ``height`` (CometBFT's ``state.State``).

    After genesis (``height = initial_height − 1``) the last set is empty (the first block
    has no last commit) and the current and next sets are the genesis set.
    """

    height: int
    """The last committed height."""
    last_validators: ValidatorSet
    """The set of block ``height``: its votes form block ``height + 1``'s last commit."""
    validators: ValidatorSet
    """The set of block ``height + 1`` (its proposer is chosen among them)."""
    next_validators: ValidatorSet
    """The set of block ``height + 2`` (updates returned at ``height`` applied)."""

    @classmethod
    def at_genesis(cls, initial_height: int, validators: ValidatorSet) -> DriverState:
        """The state before the first block."""
        genesis = dict(validators)
        return cls(
            height=initial_height - 1,
            last_validators={},
            validators=genesis,
            next_validators=dict(genesis),
        )

    def advance(self, updates: Sequence[ValidatorUpdate]) -> DriverState:
        """The state after committing block ``height + 1``, which returned ``updates``."""
        following = dict(self.next_validators)
        for update in updates:
            if update.power == 0:
                following.pop(update.pub_key, None)
            else:
                following[update.pub_key] = update.power
        return DriverState(
            height=self.height + 1,
            last_validators=self.validators,
            validators=self.next_validators,
            next_validators=following,
        )

    def to_json(self) -> dict[str, Any]:
        """JSON form (keys hex, sets in key order)."""
        return {
            "height": self.height,
            "last_validators": _set_to_json(self.last_validators),
            "validators": _set_to_json(self.validators),
            "next_validators": _set_to_json(self.next_validators),
        }

    @classmethod
    def from_json(cls, data: Any) -> DriverState:
        """Parse :meth:`to_json`'s form.

        Raises
        ------
        SoloError
            If the data is malformed.
        """
        try:
            return cls(
                height=int(data["height"]),
                last_validators=_set_from_json(data["last_validators"]),
                validators=_set_from_json(data["validators"]),
                next_validators=_set_from_json(data["next_validators"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SoloError(f"malformed solo driver state: {exc!r}") from exc


def _set_to_json(validators: ValidatorSet) -> list[list[Any]]:
    return [[key.hex(), validators[key]] for key in sorted(validators)]


def _set_from_json(data: Any) -> dict[bytes, int]:
    return {bytes.fromhex(str(key)): int(power) for key, power in data}


def load_driver_states(path: Path) -> tuple[DriverState, ...]:
    """The driver states saved in ``path`` (none when the file does not exist).

    Raises
    ------
    SoloError
        If the file is not a driver state file of this format.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, ValueError) as exc:
        raise SoloError(f"cannot read the solo driver state {path.name}: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise SoloError(f"{path.name} is not a solo driver state of format {STATE_FORMAT}")
    states = data.get("states")
    if not isinstance(states, list):
        raise SoloError(f"{path.name} has no list of states")
    return tuple(DriverState.from_json(entry) for entry in states)


def save_driver_states(path: Path, states: Sequence[DriverState], *, sync: bool) -> None:
    """Replace ``path`` atomically (write a temporary file, then rename it over)."""
    text = json.dumps(
        {"format": STATE_FORMAT, "states": [state.to_json() for state in states]},
        separators=(",", ":"),
    )
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())
    os.replace(temporary, path)
    if sync:
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _error_result(exc: ConsensusError) -> TxResult:
    return TxResult(code=exc.code, codespace=exc.codespace, log=exc.message)


class SoloNode:
    """Drive an application block by block (see the module docstring).

    Parameters
    ----------
    app
        The application.
    genesis
        The genesis document (``init_chain`` on a fresh store; times and validators always).
    config
        Block production settings.
    on_block
        Called as ``on_block(height, time_ns, txs)`` before each block is executed.
    on_finalize
        Called with each ``finalize_block`` request just before it is sent.
    close
        Called by :meth:`close` (releases the store).
    state_path
        File keeping the driver state across restarts (module docstring); ``None``: memory.
    sync
        Whether saving the driver state waits for the disk (as the store's ``sync``).

    Raises
    ------
    SoloError
        If the saved driver state has no entry for the application's last height.
    """

    def __init__(
        self,
        app: Application,
        genesis: GenesisDoc,
        *,
        config: SoloConfig | None = None,
        on_block: Callable[[int, int, tuple[bytes, ...]], None] | None = None,
        on_finalize: Callable[[FinalizeBlockRequest], None] | None = None,
        close: Callable[[], None] | None = None,
        state_path: Path | None = None,
        sync: bool = True,
    ) -> None:
        self._app = app
        self._close = close
        self._genesis = genesis
        self._config = config or SoloConfig()
        self._on_block = on_block
        self._on_finalize = on_finalize
        self._state_path = state_path
        self._sync = sync
        self._mempool: dict[bytes, bytes] = {}
        self._index: dict[bytes, IndexedTxResult] = {}
        genesis_set = {validator.pub_key: validator.power for validator in genesis.validators}
        info = app.info()
        if info.last_block_height == 0:
            result = app.init_chain(genesis.to_init_chain_request())
            if result.validators:
                genesis_set = {update.pub_key: update.power for update in result.validators}
            self._state = DriverState.at_genesis(genesis.initial_height, genesis_set)
            self._saved: tuple[DriverState, ...] = ()
            self._app_hash = result.app_hash
        else:
            self._saved = load_driver_states(state_path) if state_path is not None else ()
            self._state = self._restore(info.last_block_height, genesis_set)
            self._app_hash = info.last_block_app_hash

    def _restore(self, height: int, genesis_set: ValidatorSet) -> DriverState:
        for state in self._saved:
            if state.height == height:
                return state
        if self._saved:
            heights = [state.height for state in self._saved]
            raise SoloError(
                f"the solo driver state holds heights {heights}; the application is at {height}"
            )
        fallback = DriverState.at_genesis(self._genesis.initial_height, genesis_set)
        return DriverState(
            height=height,
            last_validators=fallback.validators,
            validators=fallback.validators,
            next_validators=fallback.next_validators,
        )

    @classmethod
    def open(
        cls,
        genesis: GenesisDoc,
        home: Path | None = None,
        *,
        modules: Sequence[Module] | None = None,
        config: SoloConfig | None = None,
        min_gas_price: int = 0,
        sync: bool = True,
        on_block: Callable[[int, int, tuple[bytes, ...]], None] | None = None,
        on_finalize: Callable[[FinalizeBlockRequest], None] | None = None,
    ) -> SoloNode:
        """A node over a new :class:`~pyallora.chain.app.App` on lmdb in ``home`` (memory if
        ``None``), with its driver state in ``home`` too; restarting on an existing ``home``
        resumes after its last commit, exactly as if it had never stopped."""
        store = open_committed_store(home, sync=sync)
        app = App(store, modules=modules, min_gas_price=min_gas_price)
        return cls(
            app,
            genesis,
            config=config,
            on_block=on_block,
            on_finalize=on_finalize,
            close=app.close,
            state_path=None if home is None else home / STATE_FILE_NAME,
            sync=sync,
        )

    def close(self) -> None:
        """Close the application's store when this node opened it (committed data stays)."""
        if self._close is not None:
            self._close()
            self._close = None

    # -----------------------------------------------------------------------------------------

    @property
    def app(self) -> Application:
        """The driven application."""
        return self._app

    @property
    def height(self) -> int:
        """Height of the last committed block."""
        return self._state.height

    @property
    def state(self) -> DriverState:
        """The driver's validator sets after the last committed block."""
        return self._state

    @property
    def app_hash(self) -> bytes:
        """App hash after the last committed block (after genesis: the genesis hash)."""
        return self._app_hash

    @property
    def mempool(self) -> tuple[bytes, ...]:
        """Pending txs in arrival order."""
        return tuple(self._mempool.values())

    def info(self) -> InfoResult:
        """The application's ``info``."""
        return self._app.info()

    def compute_block_time(self, height: int) -> int:
        """The time of block ``height``: genesis time + height × interval."""
        return self._genesis.genesis_time_ns + height * self._config.block_interval_ns

    @staticmethod
    def _addresses(validators: ValidatorSet) -> list[tuple[bytes, int]]:
        return sorted((consensus_address(key), power) for key, power in validators.items() if power)

    def _proposer(self, height: int) -> bytes:
        """The proposer of block ``height``, chosen among the set of the next block."""
        validators = self._addresses(self._state.validators)
        return validators[height % len(validators)][0] if validators else b""

    # -----------------------------------------------------------------------------------------

    def submit(self, tx: bytes) -> TxResult:
        """``check_tx``; on success the tx joins the mempool. Returns the check result."""
        tx_hash = sha256(tx)
        if tx_hash in self._mempool:
            return _error_result(TxInMempoolCacheError("tx already exists in cache"))
        if len(self._mempool) >= self._config.max_mempool_txs:
            return _error_result(MempoolIsFullError(f"mempool holds {len(self._mempool)} txs"))
        result = self._app.check_tx(tx)
        if result.code == 0:
            self._mempool[tx_hash] = tx
        return result

    def produce_block(
        self,
        *,
        absent: Sequence[bytes] = (),
        misbehavior: Sequence[Misbehavior] = (),
    ) -> FinalizeBlockResult:
        """Propose, accept, execute and commit the next block from the mempool.

        ``absent`` lists consensus addresses whose vote for the previous block is recorded as
        missing, and ``misbehavior`` is evidence delivered with the block: test hooks for
        downtime and double-sign handling, as a real CometBFT commit would report them.

        Raises
        ------
        SoloError
            If the application rejects its own proposal.
        """
        height = self._state.height + 1
        time_ns = self.compute_block_time(height)
        proposer = self._proposer(height)
        candidates = tuple(self._mempool.values())
        if self._config.max_block_txs:
            candidates = candidates[: self._config.max_block_txs]
        missing = frozenset(absent)
        # The last commit: the votes of the set that signed the previous block. The proposer
        # sees the same commit and evidence as the decided block carries, as with CometBFT.
        votes = tuple(
            VoteInfo(
                validator_address=address,
                power=power,
                block_id_flag=BLOCK_ID_FLAG_ABSENT if address in missing else BLOCK_ID_FLAG_COMMIT,
            )
            for address, power in self._addresses(self._state.last_validators)
        )
        last_commit = CommitInfo(votes=votes)
        txs = self._app.prepare_proposal(
            PrepareProposalRequest(
                txs=candidates,
                max_tx_bytes=self._config.max_block_bytes,
                height=height,
                time_ns=time_ns,
                proposer_address=proposer,
                local_last_commit=last_commit,
                misbehavior=tuple(misbehavior),
            )
        )
        if not self._app.process_proposal(
            ProcessProposalRequest(
                txs=txs, height=height, time_ns=time_ns, proposer_address=proposer
            )
        ):
            raise SoloError(f"the application rejected its own proposal at height {height}")
        if self._on_block is not None:
            self._on_block(height, time_ns, txs)
        request = FinalizeBlockRequest(
            height=height,
            time_ns=time_ns,
            txs=txs,
            proposer_address=proposer,
            decided_last_commit=last_commit,
            misbehavior=tuple(misbehavior),
        )
        if self._on_finalize is not None:
            self._on_finalize(request)
        result = self._app.finalize_block(request)
        state = self._state.advance(result.validator_updates)
        self._save(state)
        self._app.commit()
        self._state = state
        self._app_hash = result.app_hash
        for index, (tx, tx_result) in enumerate(zip(txs, result.tx_results, strict=True)):
            tx_hash = sha256(tx)
            self._index[tx_hash] = IndexedTxResult(
                height=height, index=index, tx_hash=tx_hash, result=tx_result
            )
            self._mempool.pop(tx_hash, None)
        excess = len(self._index) - self._config.max_indexed_txs
        if excess > 0:  # insertion order is commit order: forget the oldest
            for tx_hash in list(itertools.islice(self._index, excess)):
                del self._index[tx_hash]
        self._recheck()
        return result

    def _save(self, state: DriverState) -> None:
        """Persist ``state`` (and the current one) before the application commits it."""
        if self._state_path is None:
            return
        self._saved = (self._state, state)
        save_driver_states(self._state_path, self._saved, sync=self._sync)

    def _recheck(self) -> None:
        for tx_hash, tx in list(self._mempool.items()):
            if self._app.check_tx(tx, recheck=True).code != 0:
                del self._mempool[tx_hash]

    def run_until(self, height: int) -> None:
        """Produce blocks until the last committed height is ``height``."""
        while self._state.height < height:
            self.produce_block()

    def get_tx_result(self, tx_hash: bytes) -> IndexedTxResult | None:
        """The result of a committed tx, by its SHA-256 hash."""
        return self._index.get(tx_hash)
