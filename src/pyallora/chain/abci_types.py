"""The application's ABCI 2.0 interface as plain typed records (no protobuf, no sockets).

:class:`Application` is what CometBFT drives, through :mod:`pyallora.abci` (which translates
``tendermint.abci`` protobuf messages to and from these records), and what the in-process
block driver (:mod:`pyallora.node.solo`) drives directly. Both call exactly these methods in
exactly the order CometBFT v0.38 does (INFRA.md §4.5): per height, optionally
``prepare_proposal`` and ``process_proposal``, then ``finalize_block`` and ``commit``.

Times are integer nanoseconds since the Unix epoch (from the block header, never the clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

MISBEHAVIOR_DUPLICATE_VOTE = 1
"""``tendermint.abci.MisbehaviorType.DUPLICATE_VOTE``."""

MISBEHAVIOR_LIGHT_CLIENT_ATTACK = 2
"""``tendermint.abci.MisbehaviorType.LIGHT_CLIENT_ATTACK``."""

BLOCK_ID_FLAG_ABSENT = 1
"""``tendermint.types.BlockIDFlag``: the validator's vote was not received."""

BLOCK_ID_FLAG_COMMIT = 2
"""``tendermint.types.BlockIDFlag``: the validator voted for the block."""

BLOCK_ID_FLAG_NIL = 3
"""``tendermint.types.BlockIDFlag``: the validator voted nil."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A Cosmos typed event: ``type`` is the proto full name, values are proto-JSON text."""

    type: str
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TxResult:
    """Result of one transaction in ``check_tx`` or ``finalize_block``.

    ``code`` 0 is success. ``code``, ``data``, ``gas_wanted`` and ``gas_used`` are hashed into
    the next block header; ``log``, ``info`` and events are not.
    """

    code: int = 0
    codespace: str = ""
    log: str = ""
    info: str = ""
    data: bytes = b""
    gas_wanted: int = 0
    gas_used: int = 0
    events: tuple[Event, ...] = ()
    priority: int = 0
    sender: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidatorUpdate:
    """A change of a validator's consensus power (power 0 removes it)."""

    pub_key_type: str = "ed25519"
    pub_key: bytes
    power: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteInfo:
    """One validator's vote in the last commit (20-byte consensus address)."""

    validator_address: bytes
    power: int
    block_id_flag: int = BLOCK_ID_FLAG_COMMIT


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitInfo:
    """Who signed the previous block (``decided_last_commit``)."""

    round: int = 0
    votes: tuple[VoteInfo, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Misbehavior:
    """Evidence of a double sign or light-client attack, delivered in a block."""

    type: int
    validator_address: bytes
    power: int
    height: int
    time_ns: int
    total_voting_power: int


@dataclass(frozen=True, slots=True, kw_only=True)
class InfoResult:
    """Answer to ``info``: the last *committed* height and app hash (0 and b"" when fresh)."""

    data: str = "pyallora"
    version: str = ""
    app_version: int = 1
    last_block_height: int = 0
    last_block_app_hash: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class InitChainRequest:
    """Genesis: chain id, genesis time, initial height, validators and the app state JSON."""

    chain_id: str
    time_ns: int
    initial_height: int = 1
    app_state_bytes: bytes = b""
    validators: tuple[ValidatorUpdate, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class InitChainResult:
    """The genesis app hash and the validator set the application decided on."""

    app_hash: bytes
    validators: tuple[ValidatorUpdate, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PrepareProposalRequest:
    """The proposer's mempool transactions, to be filtered and ordered."""

    txs: tuple[bytes, ...]
    max_tx_bytes: int
    height: int
    time_ns: int
    proposer_address: bytes = b""
    local_last_commit: CommitInfo = field(default_factory=CommitInfo)
    misbehavior: tuple[Misbehavior, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessProposalRequest:
    """A proposed block to accept or reject, as a pure function of state and block."""

    txs: tuple[bytes, ...]
    height: int
    time_ns: int
    hash: bytes = b""
    proposer_address: bytes = b""
    proposed_last_commit: CommitInfo = field(default_factory=CommitInfo)
    misbehavior: tuple[Misbehavior, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FinalizeBlockRequest:
    """A decided block: header data, transactions, last commit and evidence."""

    height: int
    time_ns: int
    txs: tuple[bytes, ...] = ()
    hash: bytes = b""
    proposer_address: bytes = b""
    next_validators_hash: bytes = b""
    decided_last_commit: CommitInfo = field(default_factory=CommitInfo)
    misbehavior: tuple[Misbehavior, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FinalizeBlockResult:
    """The new (uncommitted) state's results: one TxResult per tx, in order, and the app hash."""

    tx_results: tuple[TxResult, ...]
    events: tuple[Event, ...] = ()
    validator_updates: tuple[ValidatorUpdate, ...] = ()
    app_hash: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitResult:
    """Answer to ``commit``; blocks below ``retain_height`` may be pruned by CometBFT."""

    retain_height: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryRequest:
    """A read of committed state: a gRPC-style method path (or store path) and its bytes."""

    path: str
    data: bytes = b""
    height: int = 0
    prove: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryResult:
    """Answer to a query; ``code`` 0 is success, ``value`` the encoded response."""

    code: int = 0
    codespace: str = ""
    log: str = ""
    value: bytes = b""
    height: int = 0
    key: bytes = b""


class Application(Protocol):
    """What CometBFT (through the ABCI adapter) and the in-process driver call."""

    def info(self) -> InfoResult:
        """Last committed height and app hash; CometBFT replays blocks after it."""
        ...

    def init_chain(self, request: InitChainRequest) -> InitChainResult:
        """Load genesis; called once, before the first block."""
        ...

    def check_tx(self, tx: bytes, *, recheck: bool = False) -> TxResult:
        """Validate a transaction against the check state (mempool admission)."""
        ...

    def prepare_proposal(self, request: PrepareProposalRequest) -> tuple[bytes, ...]:
        """Choose the block's transactions (drop what no longer fits or is no longer valid)."""
        ...

    def process_proposal(self, request: ProcessProposalRequest) -> bool:
        """Accept (True) or reject a proposed block."""
        ...

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResult:
        """Execute a decided block into a pending state; never persists."""
        ...

    def commit(self) -> CommitResult:
        """Persist the pending state, height and app hash in one atomic write."""
        ...

    def query(self, request: QueryRequest) -> QueryResult:
        """Read committed state."""
        ...
