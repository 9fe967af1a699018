"""The offline backtest: topics' whole lifecycle on the real application, in process.

:func:`run_backtest` is the researcher's tool for tuning a topic before launching it
(``allora backtest``). It runs the real :class:`~pyallora.chain.app.App` with the standard
modules and the emissions module under the in-process block driver
(:class:`~pyallora.node.solo.SoloNode`), as fast as the machine allows:

1. a genesis funds a validator (bonded, an emissions admin), a topic creator and every
   participant, each with a key derived from the run's seed
   (:func:`~pyallora.backtest.actors.derive_key`);
2. block 1 commits the genesis, block 2 creates the topics, block 3 registers the workers
   and reputers, stakes the reputers and funds the topics, which activates them
   (PROTOCOL.md §5.3);
3. then, block after block, the participants (:class:`~pyallora.backtest.actors.TopicActors`,
   the same model objects a live worker runs) send signed payloads: inferences as soon as a
   worker nonce opens, forecasts in the next block, loss bundles after the ground-truth lag;
   the end blocker closes windows, computes network losses, regrets and rewards;
4. a :class:`~pyallora.backtest.ledger.TopicLedger` per topic reads what the chain published
   (network inferences, weights, network losses, scores, rewards) through the application's
   queries and events, until the last replayed epoch has been paid.

Everything is a function of the inputs (fixed genesis time, derived keys, deterministic
signatures, seeded models and reputer noise), so two runs with the same inputs produce the
same records and reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from google.protobuf.message import Message

from pyallora.backtest.actors import (
    ActorError,
    ChainQueryError,
    EpochClock,
    EpochTiming,
    Payload,
    TopicActors,
    TopicKeys,
    TopicSpec,
    build_setup_messages,
    build_topic_request,
    derive_key,
    derive_topic_keys,
    list_participants,
)
from pyallora.backtest.ledger import EpochData, TopicLedger
from pyallora.backtest.report import TopicRun
from pyallora.chain.abci_types import FinalizeBlockResult, QueryRequest
from pyallora.chain.app import App
from pyallora.chain.auth.state import get_account
from pyallora.chain.bank.state import get_balance
from pyallora.chain.emissions.params import get_params as get_emissions_params
from pyallora.chain.genesis import GenesisDoc, GenesisValidator, build_genesis
from pyallora.chain.module import Module
from pyallora.chain.modules import build_standard_modules
from pyallora.client.keys import PrivateKey, ValidatorKey
from pyallora.client.tx import build_tx
from pyallora.core.amounts import UALLO_PER_ALLO
from pyallora.core.crypto import sha256
from pyallora.core.errors import PyAlloraError
from pyallora.node.home import apply_local_params, apply_local_validator
from pyallora.node.solo import SoloConfig, SoloNode
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.storage import MemoryCommittedStore

__all__ = [
    "ACCOUNT_FUNDS",
    "BacktestConfig",
    "BacktestError",
    "BacktestResult",
    "InProcessChain",
    "build_backtest_genesis",
    "run_backtest",
]

M = TypeVar("M", bound=Message)

DEFAULT_CHAIN_ID: Final = "pyallora-backtest"
"""Chain id of a backtest."""

DEFAULT_GENESIS_TIME_NS: Final = 1_704_067_200 * 10**9
"""2024-01-01T00:00:00Z: a fixed genesis time keeps runs reproducible."""

DEFAULT_BLOCK_INTERVAL_NS: Final = 5 * 10**9
"""Block spacing of the in-process driver (block times only label blocks here)."""

ACCOUNT_FUNDS: Final = 10**6 * UALLO_PER_ALLO
"""Genesis balance of every account (one million ALLO)."""

VALIDATOR_SELF_BOND: Final = 1000 * UALLO_PER_ALLO
"""What the validator bonds at genesis."""

GAS_LIMIT: Final = 100_000_000
"""Gas limit of every transaction (fees are 0 on a backtest chain)."""


class BacktestError(PyAlloraError):
    """A backtest could not run to its end (a rejected setup, a topic that never activated)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestConfig:
    """What to run."""

    topics: tuple[TopicSpec, ...]
    timing: EpochTiming = field(default_factory=EpochTiming)
    seed: str = "backtest"
    """Seed of every key of the run."""

    chain_id: str = DEFAULT_CHAIN_ID
    genesis_time_ns: int = DEFAULT_GENESIS_TIME_NS
    block_interval_ns: int = DEFAULT_BLOCK_INTERVAL_NS


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestResult:
    """The topics' records and the chain's final state."""

    runs: tuple[TopicRun, ...]
    chain_id: str
    height: int
    """Last committed height."""

    app_hash: str
    """Hex app hash after the last block (equal for equal inputs)."""

    rejections: tuple[str, ...] = ()
    """Why payloads were refused (none in a healthy run)."""

    balances: Mapping[str, int] = field(default_factory=dict)
    """Final uallo balance of every participant."""

    stakes: Mapping[str, int] = field(default_factory=dict)
    """Final stake (authority) of every reputer in its topic."""

    registration_fee: int = 0
    """uallo each registration cost (the chain's parameter)."""

    data_sending_fee: int = 0
    """uallo each accepted payload cost."""


def build_backtest_genesis(
    accounts: Sequence[str],
    *,
    validator: PrivateKey,
    consensus_key: ValidatorKey,
    chain_id: str = DEFAULT_CHAIN_ID,
    genesis_time_ns: int = DEFAULT_GENESIS_TIME_NS,
    max_active_topics: int = 1,
) -> tuple[GenesisDoc, tuple[Module, ...]]:
    """A local-network genesis: the standard modules with emissions, every account funded
    with :data:`ACCOUNT_FUNDS`, the validator bonded and made an emissions admin, local
    parameters (:data:`pyallora.node.home.LOCAL_PARAMS`) and room for ``max_active_topics``
    epoch ends per block.

    Returns
    -------
    tuple
        The genesis and the modules to run it with.
    """
    modules = build_standard_modules(include_emissions=True)
    funded = [validator.address, *(a for a in accounts if a != validator.address)]
    draft = build_genesis(
        chain_id=chain_id,
        genesis_time_ns=genesis_time_ns,
        modules=modules,
        balances=[(address, ACCOUNT_FUNDS) for address in funded],
    )
    state = apply_local_params(draft.app_state)
    emissions = dict(state["emissions"])
    emissions["params"] = {
        **emissions["params"],
        "max_active_topics_per_block": str(max(1, max_active_topics)),
    }
    state["emissions"] = emissions
    state, power = apply_local_validator(
        state,
        operator=validator.address,
        consensus_pubkey=consensus_key.public_key,
        self_bond=VALIDATOR_SELF_BOND,
        moniker="backtest",
    )
    genesis = GenesisDoc(
        chain_id=chain_id,
        genesis_time_ns=genesis_time_ns,
        initial_height=draft.initial_height,
        validators=(
            GenesisValidator(pub_key=consensus_key.public_key, power=power, name="backtest"),
        ),
        app_state=state,
    )
    genesis.validate()
    return genesis, modules


class InProcessChain:
    """The application under the in-process block driver, with a signer that tracks account
    sequences (a :class:`~pyallora.backtest.actors.ChainView`)."""

    def __init__(
        self, genesis: GenesisDoc, modules: Sequence[Module], *, block_interval_ns: int
    ) -> None:
        self.app = App(MemoryCommittedStore(), modules=modules)
        self.node = SoloNode(
            self.app, genesis, config=SoloConfig(block_interval_ns=block_interval_ns)
        )
        self.chain_id = genesis.chain_id
        self._sequences: dict[str, tuple[int, int]] = {}
        self.submitted: dict[str, int] = {}
        self.accepted: dict[str, int] = {}
        self.rejections: list[str] = []
        self._pending: list[tuple[str, bytes]] = []
        # Genesis state reaches the committed store with the first block.
        self.node.produce_block()

    @property
    def height(self) -> int:
        """Last committed height."""
        return self.node.height

    def query(self, method: str, request: Message, response_type: type[M]) -> M:
        """An ``emissions.v5.QueryService`` query on committed state.

        Raises
        ------
        ChainQueryError
            If the query answers an error code.
        """
        result = self.app.query(
            QueryRequest(
                path=f"/emissions.v5.QueryService/{method}", data=request.SerializeToString()
            )
        )
        if result.code != 0:
            raise ChainQueryError(method, result.code, result.log)
        response: M = response_type()
        response.ParseFromString(result.value)
        return response

    def _next_sequence(self, address: str) -> tuple[int, int]:
        known = self._sequences.get(address)
        if known is None:
            account = get_account(self.app.committed_store, address)
            if account is None:
                raise BacktestError(f"account {address} does not exist")
            known = (account.account_number, account.sequence)
        number, sequence = known
        self._sequences[address] = (number, sequence + 1)
        return number, sequence

    def submit(self, payloads: Sequence[Payload], *, count: bool = True) -> None:
        """Sign each payload as its own tx and hand it to the mempool (``count``: tally it in
        :attr:`submitted` and :attr:`accepted`, as the participants' payloads are)."""
        for key, message in payloads:
            number, sequence = self._next_sequence(key.address)
            raw = build_tx(
                [message],
                private_key=key,
                chain_id=self.chain_id,
                account_number=number,
                sequence=sequence,
                fee_amount=0,
                gas_limit=GAS_LIMIT,
            )
            if count:
                self.submitted[key.address] = self.submitted.get(key.address, 0) + 1
            result = self.node.submit(raw)
            if result.code != 0:
                self._sequences.pop(key.address, None)
                self.rejections.append(
                    f"check {type(message).__name__} from {key.address}: "
                    f"{result.codespace}:{result.code} {result.log}"
                )
                continue
            self._pending.append((key.address if count else "", raw))

    def produce_block(self) -> FinalizeBlockResult:
        """Make the next block and account for the pending transactions' results."""
        result = self.node.produce_block()
        for address, raw in self._pending:
            indexed = self.node.get_tx_result(sha256(raw))
            if indexed is not None and indexed.result.code == 0:
                if address:
                    self.accepted[address] = self.accepted.get(address, 0) + 1
            else:
                self._sequences.pop(address, None)
                log = "not included" if indexed is None else indexed.result.log
                self.rejections.append(f"deliver from {address} at {self.height}: {log}")
        self._pending.clear()
        return result


@dataclass(slots=True)
class _Topic:
    spec: TopicSpec
    keys: TopicKeys
    topic_id: int
    actors: TopicActors | None = None
    ledger: TopicLedger | None = None


def _require_all_accepted(chain: InProcessChain, before: int, what: str) -> None:
    if len(chain.rejections) > before:
        raise BacktestError(f"{what} failed: " + "; ".join(chain.rejections[before:][:3]))


def run_backtest(
    config: BacktestConfig,
    *,
    on_published: Callable[[TopicSpec, EpochData], None] | None = None,
    on_closed: Callable[[TopicSpec, EpochData], None] | None = None,
) -> BacktestResult:
    """Run the topics of ``config`` to their end (module docstring).

    Parameters
    ----------
    config
        Topics, schedule, seed and chain settings.
    on_published, on_closed
        Progress hooks: an epoch's network inference was published / its losses and rewards
        are known.

    Returns
    -------
    BacktestResult

    Raises
    ------
    ActorError
        If a topic or the schedule is invalid.
    BacktestError
        If the setup is refused or a topic does not activate.
    """
    if not config.topics:
        raise ActorError("a backtest needs at least one topic")
    names = [spec.name for spec in config.topics]
    if len(set(names)) != len(names):
        raise ActorError(f"topic names must differ: {names}")
    for spec in config.topics:
        spec.validate()
        config.timing.validate(with_forecasters=bool(spec.forecasters))
    validator = derive_key(config.seed, "validator")
    creator = derive_key(config.seed, "creator")
    consensus = ValidatorKey(seed=sha256(f"pyallora backtest consensus {config.seed}".encode()))
    keys = [derive_topic_keys(config.seed, spec) for spec in config.topics]
    accounts = [creator.address, *(k.address for topic in keys for k in topic.all())]
    genesis, modules = build_backtest_genesis(
        accounts,
        validator=validator,
        consensus_key=consensus,
        chain_id=config.chain_id,
        genesis_time_ns=config.genesis_time_ns,
        max_active_topics=len(config.topics),
    )
    chain = InProcessChain(genesis, modules, block_interval_ns=config.block_interval_ns)
    first_id = chain.query(
        "GetNextTopicId", q.GetNextTopicIdRequest(), q.GetNextTopicIdResponse
    ).next_topic_id
    topics = [
        _Topic(spec=spec, keys=topic_keys, topic_id=first_id + i)
        for i, (spec, topic_keys) in enumerate(zip(config.topics, keys, strict=True))
    ]
    chain.submit(
        [(creator, build_topic_request(creator, t.spec, config.timing)) for t in topics],
        count=False,
    )
    chain.produce_block()
    _require_all_accepted(chain, 0, "creating the topics")
    setup: list[Payload] = []
    for topic in topics:
        setup.extend(build_setup_messages(creator, topic.spec, topic.keys, topic.topic_id))
    chain.submit(setup, count=False)
    chain.produce_block()
    _require_all_accepted(chain, 0, "registering, staking and funding")
    limit = 0
    for topic in topics:
        first_nonce = chain.query(
            "GetNextChurningBlockByTopicId",
            q.GetNextChurningBlockByTopicIdRequest(topic_id=topic.topic_id),
            q.GetNextChurningBlockByTopicIdResponse,
        ).block_height
        if first_nonce <= chain.height:
            raise BacktestError(f"topic {topic.spec.name} did not activate")
        clock = EpochClock(
            first_nonce=first_nonce,
            epoch_length=config.timing.epoch_length,
            start=topic.spec.start,
            stop=topic.spec.end,
        )
        spec = topic.spec
        topic.ledger = TopicLedger(
            view=chain,
            topic_id=topic.topic_id,
            clock=clock,
            on_published=None if on_published is None else _bind(on_published, spec),
            on_closed=None if on_closed is None else _bind(on_closed, spec),
        )
        topic.actors = TopicActors(
            spec=spec,
            keys=topic.keys,
            timing=config.timing,
            topic_id=topic.topic_id,
            clock=clock,
            view=chain,
            history=topic.ledger,
        )
        limit = max(limit, clock.last_nonce + config.timing.close_delay + 2 * clock.epoch_length)
    ledgers = [t.ledger for t in topics if t.ledger is not None]
    while chain.height < limit and not all(ledger.is_complete() for ledger in ledgers):
        payloads: list[Payload] = []
        for topic in topics:
            if topic.actors is not None:
                payloads.extend(topic.actors.run_step(chain.height))
        chain.submit(payloads)
        result = chain.produce_block()
        for ledger in ledgers:
            ledger.observe_block(chain.height, result.events)
    runs = []
    for topic in topics:
        topic_ledger = topic.ledger
        assert topic_ledger is not None
        participants = list_participants(topic.spec, topic.keys)
        addresses = [p.address for p in participants]
        runs.append(
            TopicRun(
                topic_id=topic.topic_id,
                name=topic.spec.name,
                metadata=topic.spec.metadata,
                series=topic.spec.series.name,
                loss_method=topic.spec.loss_method,
                settings=_settings(topic.spec, config.timing),
                participants=participants,
                epochs=topic_ledger.build_records(topic.spec.series),
                submissions={a: chain.submitted.get(a, 0) for a in addresses},
                accepted={a: chain.accepted.get(a, 0) for a in addresses},
            )
        )
    store = chain.app.committed_store
    params = get_emissions_params(store)
    stakes: dict[str, int] = {}
    for topic in topics:
        for key in topic.keys.reputers.values():
            stakes[key.address] = int(
                chain.query(
                    "GetStakeReputerAuthority",
                    q.GetStakeReputerAuthorityRequest(topic_id=topic.topic_id, reputer=key.address),
                    q.GetStakeReputerAuthorityResponse,
                ).authority
            )
    return BacktestResult(
        runs=tuple(runs),
        chain_id=config.chain_id,
        height=chain.height,
        app_hash=chain.node.app_hash.hex(),
        rejections=tuple(chain.rejections),
        balances={
            key.address: get_balance(store, key.address) for t in topics for key in t.keys.all()
        },
        stakes=stakes,
        registration_fee=params.registration_fee,
        data_sending_fee=params.data_sending_fee,
    )


def _bind(
    hook: Callable[[TopicSpec, EpochData], None], spec: TopicSpec
) -> Callable[[EpochData], None]:
    def call(data: EpochData) -> None:
        hook(spec, data)

    return call


def _settings(spec: TopicSpec, timing: EpochTiming) -> dict[str, str]:
    values: dict[str, Any] = {
        "epoch_length": timing.epoch_length,
        "worker_submission_window": timing.worker_submission_window,
        "ground_truth_lag": timing.ground_truth_lag,
        "p_norm": spec.p_norm,
        "alpha_regret": spec.alpha_regret,
        "epsilon": spec.epsilon,
        "allow_negative": spec.allow_negative,
        "merit_sortition_alpha": spec.merit_sortition_alpha,
        "active_quantile": spec.active_quantile,
        "start": spec.start,
        "stop": spec.end,
        "history_window": spec.history_window,
    }
    return {name: str(value) for name, value in values.items()}
