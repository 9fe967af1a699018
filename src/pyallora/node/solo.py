"""The in-process block driver: one node, no network, blocks on demand (INFRA.md §4.5).

:class:`SoloNode` stands in for CometBFT in tests, benchmarks and simulations. It drives an
:class:`~pyallora.chain.abci_types.Application` exactly as CometBFT v0.38 does:

* start: ``info``; on a fresh store, ``init_chain`` with the genesis (INFRA.md §4.6);
* :meth:`SoloNode.submit`: ``check_tx``; accepted txs enter the mempool (FIFO);
* :meth:`SoloNode.produce_block`: ``prepare_proposal`` → ``process_proposal`` →
  ``finalize_block`` → ``commit``, then ``check_tx(recheck=True)`` of what is left in the
  mempool (txs that now fail are dropped);
* block ``h`` has time ``genesis_time + h × block_interval`` and a proposer chosen round-robin
  among the validators by address, so runs are reproducible.

Results are indexed by tx hash (:meth:`SoloNode.get_tx_result`). ``on_block`` (optional) is
called with each decided block before it is executed and committed, as CometBFT saves a
block before applying it; the crash-recovery test uses it to keep a replayable block log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

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


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexedTxResult:
    """Where a tx landed and how it ended."""

    height: int
    index: int
    tx_hash: bytes
    result: TxResult


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
    close
        Called by :meth:`close` (releases the store).
    """

    def __init__(
        self,
        app: Application,
        genesis: GenesisDoc,
        *,
        config: SoloConfig | None = None,
        on_block: Callable[[int, int, tuple[bytes, ...]], None] | None = None,
        close: Callable[[], None] | None = None,
    ) -> None:
        self._app = app
        self._close = close
        self._genesis = genesis
        self._config = config or SoloConfig()
        self._on_block = on_block
        self._mempool: dict[bytes, bytes] = {}
        self._index: dict[bytes, IndexedTxResult] = {}
        self._validators: dict[bytes, int] = {
            validator.pub_key: validator.power for validator in genesis.validators
        }
        info = app.info()
        if info.last_block_height == 0:
            result = app.init_chain(genesis.to_init_chain_request())
            if result.validators:
                self._validators = {update.pub_key: update.power for update in result.validators}
            self._height = genesis.initial_height - 1
            self._app_hash = result.app_hash
        else:
            self._height = info.last_block_height
            self._app_hash = info.last_block_app_hash

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
    ) -> SoloNode:
        """A node over a new :class:`~pyallora.chain.app.App` on lmdb in ``home`` (memory if
        ``None``); restarting on an existing ``home`` resumes after its last commit."""
        store = open_committed_store(home, sync=sync)
        app = App(store, modules=modules, min_gas_price=min_gas_price)
        return cls(app, genesis, config=config, on_block=on_block, close=app.close)

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
        return self._height

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

    def _validator_addresses(self) -> list[tuple[bytes, int]]:
        return sorted(
            (consensus_address(key), power) for key, power in self._validators.items() if power
        )

    def _proposer(self, height: int) -> bytes:
        validators = self._validator_addresses()
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
        height = self._height + 1
        time_ns = self.compute_block_time(height)
        proposer = self._proposer(height)
        candidates = tuple(self._mempool.values())
        if self._config.max_block_txs:
            candidates = candidates[: self._config.max_block_txs]
        txs = self._app.prepare_proposal(
            PrepareProposalRequest(
                txs=candidates,
                max_tx_bytes=self._config.max_block_bytes,
                height=height,
                time_ns=time_ns,
                proposer_address=proposer,
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
        missing = frozenset(absent)
        votes = tuple(
            VoteInfo(
                validator_address=address,
                power=power,
                block_id_flag=BLOCK_ID_FLAG_ABSENT if address in missing else BLOCK_ID_FLAG_COMMIT,
            )
            for address, power in self._validator_addresses()
        )
        result = self._app.finalize_block(
            FinalizeBlockRequest(
                height=height,
                time_ns=time_ns,
                txs=txs,
                proposer_address=proposer,
                decided_last_commit=CommitInfo(
                    votes=votes if height > self._genesis.initial_height else ()
                ),
                misbehavior=tuple(misbehavior),
            )
        )
        self._app.commit()
        self._height = height
        self._app_hash = result.app_hash
        self._apply_validator_updates(result.validator_updates)
        for index, (tx, tx_result) in enumerate(zip(txs, result.tx_results, strict=True)):
            tx_hash = sha256(tx)
            self._index[tx_hash] = IndexedTxResult(
                height=height, index=index, tx_hash=tx_hash, result=tx_result
            )
            self._mempool.pop(tx_hash, None)
        self._recheck()
        return result

    def _apply_validator_updates(self, updates: Sequence[ValidatorUpdate]) -> None:
        for update in updates:
            if update.power == 0:
                self._validators.pop(update.pub_key, None)
            else:
                self._validators[update.pub_key] = update.power

    def _recheck(self) -> None:
        for tx_hash, tx in list(self._mempool.items()):
            if self._app.check_tx(tx, recheck=True).code != 0:
                del self._mempool[tx_hash]

    def run_until(self, height: int) -> None:
        """Produce blocks until the last committed height is ``height``."""
        while self._height < height:
            self.produce_block()

    def get_tx_result(self, tx_hash: bytes) -> IndexedTxResult | None:
        """The result of a committed tx, by its SHA-256 hash."""
        return self._index.get(tx_hash)
