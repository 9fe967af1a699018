"""Execution context: the block header data, execution mode, gas meter and event collector.

Time, height and chain id reach the state machine only through :class:`BlockContext`, built
from the block header (STYLE.md §4.2: no clock in the transition). Handlers receive a
:class:`Context` as their first argument (``handle_<msg>(ctx, store, msg)``) and read
``ctx.height``, ``ctx.time_ns``, ``ctx.chain_id``; they emit events with ``ctx.events`` and never
touch the gas meter directly (the store they get is metered,
:mod:`pyallora.chain.store.gaskv`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Final

from pyallora.chain.abci_types import CommitInfo, Misbehavior
from pyallora.chain.events import EventCollector
from pyallora.chain.tx.errors import OutOfGasError


class ExecMode(enum.Enum):
    """Why code is running; handlers may only branch on it for mempool policy."""

    GENESIS = "genesis"
    """``init_chain``."""
    CHECK = "check"
    """``check_tx`` (mempool admission)."""
    RECHECK = "recheck"
    """``check_tx`` of a mempool tx after a commit (signatures are not re-verified)."""
    PREPARE = "prepare"
    """``prepare_proposal`` trial execution on a scratch branch."""
    FINALIZE = "finalize"
    """Transactions of a decided block."""
    BEGIN_BLOCK = "begin_block"
    """Begin-block hooks."""
    END_BLOCK = "end_block"
    """End-block hooks."""


CHECK_MODES: Final = frozenset({ExecMode.CHECK, ExecMode.RECHECK, ExecMode.PREPARE})
"""Modes in which a failed transaction leaves nothing behind (not even its fee)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockContext:
    """The header data of the block being executed (or, in ``check_tx``, the next one)."""

    height: int
    """Block height (the first block has the genesis ``initial_height``, usually 1)."""
    time_ns: int
    """Block time from the header, nanoseconds since the Unix epoch."""
    chain_id: str
    """The chain id fixed at genesis."""
    proposer_address: bytes = b""
    """20-byte consensus address of the proposer (empty outside a block)."""
    decided_last_commit: CommitInfo = field(default_factory=CommitInfo)
    """Who signed the previous block (distribution and slashing read it; empty outside a block)."""
    misbehavior: tuple[Misbehavior, ...] = ()
    """Double-sign and light-client evidence delivered with the block (slashing reads it)."""


class GasMeter:
    """Counts gas and raises :class:`~pyallora.chain.tx.errors.OutOfGasError` past the limit.

    Parameters
    ----------
    limit
        The tx's gas limit, or ``None`` for an unmetered scope (genesis, block hooks).
    """

    __slots__ = ("consumed", "limit")

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.consumed = 0

    def consume(self, amount: int, descriptor: str) -> None:
        """Add ``amount`` gas.

        Raises
        ------
        OutOfGasError
            If the total exceeds the limit (the SDK's message names the location).
        """
        self.consumed += amount
        limit = self.limit
        if limit is not None and self.consumed > limit:
            raise OutOfGasError(
                f"out of gas in location: {descriptor}; gasWanted: {limit}, "
                f"gasUsed: {self.consumed}"
            )

    @property
    def used(self) -> int:
        """Gas used, capped at the limit (what a result reports)."""
        limit = self.limit
        return self.consumed if limit is None else min(self.consumed, limit)


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a handler or hook gets besides the store: block data, mode, gas, events."""

    block: BlockContext
    mode: ExecMode
    gas: GasMeter = field(default_factory=lambda: GasMeter(None))
    events: EventCollector = field(default_factory=EventCollector)

    @property
    def height(self) -> int:
        """The block height."""
        return self.block.height

    @property
    def time_ns(self) -> int:
        """The block time (ns since the Unix epoch)."""
        return self.block.time_ns

    @property
    def chain_id(self) -> str:
        """The chain id."""
        return self.block.chain_id

    @property
    def is_check(self) -> bool:
        """Whether this is mempool admission rather than block execution."""
        return self.mode in CHECK_MODES

    def with_events(self, events: EventCollector) -> Context:
        """The same context writing events to another collector."""
        return replace(self, events=events)


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryContext:
    """What a query handler gets besides the committed store."""

    height: int
    """Height of the committed state being read."""
    chain_id: str
    """The chain id."""
