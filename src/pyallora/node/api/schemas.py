"""Request and response models of the HTTP API (the OpenAPI description is built from them).

Conventions: heights, counts and gas are JSON integers; token amounts are decimal strings
(uallo, up to 2^256 − 1, too big for JSON numbers); hashes are upper-case hex (as CometBFT
prints them); raw bytes are base64. Emissions, staking and mint endpoints return the
application's proto-JSON (proto field names, 64-bit integers as strings) under ``result``,
with the ``height`` of the committed state they were read from.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorResponse(_Model):
    """Every 4xx answer."""

    detail: str = Field(description="What was wrong with the request.")


class NodeStatus(_Model):
    """``GET /v1/status``."""

    height: int = Field(description="Height of the last committed block.")
    app_hash: str = Field(description="App hash after that block (upper-case hex).")
    engine: Literal["cometbft", "solo"]
    api: str = Field(description="Base URL of this API.")
    chain_id: str
    rpc: str | None = Field(description="CometBFT RPC URL (null for solo).")
    latest_block_time: str | None = Field(description="RFC 3339 time of the last block.")
    earliest_height: int = Field(description="First block in the node's event log.")
    version: str


class EventAttribute(_Model):
    """One attribute of an event (typed events carry proto-JSON values)."""

    key: str
    value: str


class EventModel(_Model):
    """A Cosmos event."""

    type: str
    attributes: list[EventAttribute]


class TxResultModel(_Model):
    """A transaction's execution or CheckTx result."""

    code: int = Field(description="0 is success.")
    codespace: str
    log: str
    gas_wanted: int
    gas_used: int
    data: str = Field(description="Base64 TxMsgData.")
    events: list[EventModel]


class BroadcastRequest(_Model):
    """``POST /v1/txs``."""

    tx_bytes: str = Field(description="The signed TxRaw, base64.", max_length=2_000_000)
    wait: bool = Field(default=False, description="Wait until the tx is in a committed block.")
    timeout_ms: int = Field(
        default=10_000, ge=0, le=60_000, description="With wait: the longest wait."
    )


class BroadcastResponse(_Model):
    """The CheckTx outcome, and with ``wait`` the block result."""

    tx_hash: str
    code: int = Field(description="CheckTx code; 0: accepted into the mempool.")
    codespace: str
    log: str
    gas_wanted: int
    gas_used: int
    included: bool = Field(description="The tx is in a committed block (wait only).")
    height: int | None = None
    tx_result: TxResultModel | None = None


class TxResponse(_Model):
    """``GET /v1/txs/{hash}``: a committed transaction."""

    hash: str
    height: int
    index: int
    tx: str = Field(description="The TxRaw, base64.")
    sender: str
    result: TxResultModel


class TxSummary(_Model):
    """A transaction inside a block listing."""

    hash: str
    index: int
    code: int
    codespace: str
    log: str
    gas_wanted: int
    gas_used: int
    sender: str


class BlockResponse(_Model):
    """``GET /v1/blocks/{height}``."""

    height: int
    time: str
    time_ns: str
    app_hash: str = Field(description="App hash after executing this block.")
    block_hash: str
    proposer: str
    num_txs: int
    txs: list[TxSummary]
    events: list[EventModel] = Field(description="Begin- and end-block events.")


class BlockSummary(_Model):
    """A block in ``GET /v1/blocks``."""

    height: int
    time: str
    app_hash: str
    num_txs: int


class BlockList(_Model):
    """``GET /v1/blocks``."""

    blocks: list[BlockSummary]
    earliest_height: int
    latest_height: int


class AccountResponse(_Model):
    """``GET /v1/accounts/{address}``."""

    address: str
    account_number: int
    sequence: int
    pub_key: str | None = Field(description="Compressed secp256k1 key, hex; null before use.")


class Coin(_Model):
    """An amount of one denomination."""

    denom: str
    amount: str


class BalanceResponse(_Model):
    """``GET /v1/accounts/{address}/balance``."""

    address: str
    denom: str
    amount: str


class BalancesResponse(_Model):
    """``GET /v1/accounts/{address}/balances``."""

    address: str
    balances: list[Coin]


class SupplyResponse(_Model):
    """``GET /v1/supply``."""

    supply: list[Coin]


class ConsensusValidatorModel(_Model):
    """A member of the consensus validator set."""

    address: str = Field(description="Consensus address, upper-case hex.")
    pub_key: str = Field(description="ed25519 key, base64.")
    power: int


class ValidatorsResponse(_Model):
    """``GET /v1/validators``."""

    source: Literal["staking", "consensus"] = Field(
        description="staking: the staking module's validators; consensus: the engine's set."
    )
    height: int
    consensus: list[ConsensusValidatorModel]
    staking: list[dict[str, Any]] | None = None
    total: int


class QueryResult(_Model):
    """A pass-through query of the application's state (proto-JSON)."""

    height: int
    result: dict[str, Any]


class QueryRequestBody(_Model):
    """``POST /v1/query``: any registered query path with a proto-JSON request."""

    path: str = Field(
        description="gRPC method path, e.g. /emissions.v5.QueryService/GetTopic",
        min_length=2,
        max_length=200,
        pattern=r"^/[A-Za-z0-9_.]+/[A-Za-z0-9_]+$",
    )
    request: dict[str, Any] = Field(default_factory=dict)


class WorkerNonceWindow(_Model):
    """An open (unfulfilled) worker nonce."""

    nonce: int
    opens_at: int
    closes_at: int = Field(description="Payloads are accepted while height < closes_at.")
    open_now: bool


class ReputerNonceWindow(_Model):
    """An open (unfulfilled) reputer nonce."""

    nonce: int
    opens_at: int = Field(description="nonce + ground_truth_lag.")
    closes_by: int = Field(description="Last height accepting payloads (nonce + 2 × lag).")
    open_now: bool


class SubmitEligibility(_Model):
    """Whether an address can submit now (in the next block)."""

    address: str
    worker_registered: bool
    reputer_registered: bool
    can_submit_worker: bool
    can_submit_reputer: bool
    reasons: list[str]


class WindowsResponse(_Model):
    """``GET /v1/topics/{topic_id}/windows``."""

    topic_id: int
    height: int = Field(description="Last committed height.")
    next_height: int = Field(description="Height of the next block (where a tx would run).")
    epoch_length: int
    worker_submission_window: int
    ground_truth_lag: int
    epoch_last_ended: int
    next_epoch_end: int
    worker_nonces: list[WorkerNonceWindow]
    reputer_nonces: list[ReputerNonceWindow]
    eligibility: SubmitEligibility | None = None


class WeightedParticipant(_Model):
    """A participant of a network inference, its value and (for ``latest``) its weight."""

    address: str
    value: str | None
    weight: str | None


class NetworkInferenceResponse(_Model):
    """The consumer endpoint: the network inference of a topic with its error bars."""

    topic_id: int
    nonce: int = Field(description="The worker nonce (block height) of the inferences.")
    value: str = Field(description="The combined network inference.")
    naive_value: str | None
    confidence_interval_percentiles: list[str]
    confidence_interval_values: list[str]
    inference_block_height: int
    loss_block_height: int
    block_height: int | None = Field(description="Block whose data produced this answer.")
    block_time: str | None
    inferers: list[WeightedParticipant]
    forecasters: list[WeightedParticipant]
    source: Literal["latest", "recorded", "archived"] = Field(
        description="latest: computed now; recorded: as computed when the nonce closed; "
        "archived: the nonce's value bundle (no weights)."
    )


class RewardEntry(_Model):
    """Rewards paid at one height to one class of actors of a topic."""

    height: int
    actor: str
    addresses: list[str]
    rewards: list[str]


class RewardsResponse(_Model):
    """``GET /v1/topics/{topic_id}/rewards``."""

    topic_id: int
    from_height: int
    to_height: int
    entries: list[RewardEntry]
