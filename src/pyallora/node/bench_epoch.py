"""Epoch benchmark: a chain with T active topics, timed block by block (``allora bench epoch``).

:func:`run_epoch_bench` builds, on an lmdb home in a temporary directory, the standard
application with the emissions module (:func:`~pyallora.chain.modules.build_standard_modules`)
and drives it with the in-process block driver (:class:`~pyallora.node.solo.SoloNode`):

* **genesis**: one bonded validator and one funded key per actor: a topic creator and, for
  each topic, 32 inferers, 6 forecasters and 6 reputers (the default active-set caps
  ``max_top_inferers/forecasters/reputers_to_reward``), every emissions parameter at its default;
* **topics**: T topics with epoch length E = max(T, ``min_epoch_length``), ground-truth lag
  G = E and a worker window of :data:`WORKER_WINDOW` blocks. Topic i's actors register, its
  reputers stake and its creator funds it in a block of their own, so topic i is activated
  one block after topic i − 1 and the T topics end their epochs in T distinct blocks of every
  E (``max_active_topics_per_block`` is 1 by default: one epoch end per block);
* **payloads**: in the block after topic i's epoch end at height n, its 38 workers submit signed
  bundles for nonce n (inferences; forecasts of every inferer) and its 6 reputers submit signed
  loss bundles for its previous nonce n − E, computed from ``GetNetworkInferencesAtBlock``. The
  reputer nonce n − E closes at the epoch end n + E, which pays the topic's rewards.

After a warm-up in which every topic has been paid rewards once, ``epochs × E`` blocks are
measured. The application's time in each block is split into two accounts that add up to all
of it:

* **ingestion**: ``check_tx`` of the block's transactions, the proposal checks, and the
  transactions' execution (from the end of the begin-block hooks to the start of the
  end-block hooks);
* **block**: the rest of the block's execution (begin-block hooks, end-block hooks, including
  the emissions end blocker with its synthesis and rewards, and the app hash), the rest of
  ``finalize_block``, and ``commit``.

The split does not depend on which ABCI call executes the block: ``finalize_block``, or
``prepare_proposal`` when the application executes the block it proposes and
``finalize_block`` reuses that execution (:class:`_Clock`).

After the setup the start-up heap is frozen (:func:`gc.freeze`): Python's full garbage
collections then scan only what the blocks allocated, as in a node process that freezes its
heap once started (without it, a full collection of the ~40,000 start-up objects adds about
25 ms to whichever block it lands in).

Times are wall-clock seconds (``perf_counter``, so synced lmdb commits count); the CPU time of
the application's thread is kept beside them. Building and signing transactions, and the
queries the reputers make, are not timed.
"""

from __future__ import annotations

import gc
import json
import math
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from google.protobuf.message import Message

from pyallora.chain.abci_types import (
    CommitResult,
    Event,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
    TxResult,
    ValidatorUpdate,
)
from pyallora.chain.app import App
from pyallora.chain.context import Context
from pyallora.chain.emissions.module import MODULE_NAME as EMISSIONS
from pyallora.chain.emissions.params import DEFAULT_PARAMS
from pyallora.chain.emissions.signatures import (
    encode_inference_forecast_bundle,
    encode_value_bundle,
)
from pyallora.chain.genesis import GenesisDoc, build_genesis
from pyallora.chain.module import JSONObject, Module, MsgHandler, QueryHandler
from pyallora.chain.modules import build_standard_modules
from pyallora.chain.staking.genesis import compute_gentx
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.client.keys import PrivateKey, ValidatorKey
from pyallora.client.tx import build_tx
from pyallora.core.crypto import sha256
from pyallora.core.errors import PyAlloraError
from pyallora.node.solo import SoloConfig, SoloNode
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.proto.emissions.v5 import tx_pb2 as tx
from pyallora.storage import open_committed_store

INFERERS: Final = DEFAULT_PARAMS.max_top_inferers_to_reward
"""Inferers per topic: the default inferer active-set cap (32)."""

FORECASTERS: Final = DEFAULT_PARAMS.max_top_forecasters_to_reward
"""Forecasters per topic: the default forecaster active-set cap (6)."""

REPUTERS: Final = DEFAULT_PARAMS.max_top_reputers_to_reward
"""Reputers per topic: the default reputer active-set cap (6)."""

ACTORS_PER_TOPIC: Final = INFERERS + FORECASTERS + REPUTERS
"""Keys (and payload transactions per epoch) of one topic: 44 at the defaults."""

WORKER_WINDOW: Final = 5
"""Blocks a worker nonce stays open (the payloads arrive in its second block)."""

CHAIN_ID: Final = "bench-epoch"
"""Chain id of the benchmark chain."""

GENESIS_TIME_NS: Final = 1_700_000_000 * 10**9
"""Genesis time (blocks follow at one-second steps)."""

ACCOUNT_FUNDS: Final = 10**21
"""Genesis balance of every actor (1,000 ALLO)."""

VALIDATOR_BOND: Final = 10**21
"""Self-bond of the benchmark's validator."""

REPUTER_STAKE: Final = 10**20
"""Self-stake of every reputer in its topic."""

TOPIC_FUNDING: Final = 10**18
"""FundTopic amount paid by the creator into each topic's revenue."""

GAS_LIMIT: Final = 100_000_000
"""Gas limit of every benchmark transaction (no fee: the minimum gas price is 0)."""

ProgressFn = Callable[[str], None]
"""Receives one-line progress messages."""


class EpochBenchError(PyAlloraError):
    """The benchmark chain did not behave as scheduled (a rejected tx, no rewards)."""


# ---------------------------------------------------------------------------------------------
# Timing


def _now() -> tuple[float, float]:
    """(wall, CPU of this thread) in seconds."""
    return time.perf_counter(), time.thread_time()


class _Clock:
    """Application time of the block being built, split into the two accounts (module
    docstring), whichever ABCI call executes the block.

    Every application call is timed whole. The module hooks mark where the block's
    transactions run inside it: from the end of the last begin-block hook to the start of the
    first end-block hook. In a call that executed the block (``finalize_block``, or
    ``prepare_proposal`` when the application executes the block it proposes and
    ``finalize_block`` reuses it) that span is ingestion and the rest (hooks, app hash) is
    block time; any other ``check_tx``, ``prepare_proposal`` or ``process_proposal`` is
    ingestion, and any other ``finalize_block`` and ``commit`` are block time.
    """

    INGEST_CALLS: Final = frozenset({"check_tx", "prepare_proposal", "process_proposal"})

    def __init__(self) -> None:
        self.ingest = [0.0, 0.0]
        self.block = [0.0, 0.0]
        self.end_block_wall = 0.0
        self.commit_wall = 0.0
        self._txs_start: tuple[float, float] | None = None
        self._txs_end: tuple[float, float] | None = None

    def reset(self) -> None:
        """Start a new block."""
        self.ingest = [0.0, 0.0]
        self.block = [0.0, 0.0]
        self.end_block_wall = 0.0
        self.commit_wall = 0.0

    def start_call(self) -> tuple[float, float]:
        """An application call starts; returns its start time."""
        self._txs_start = self._txs_end = None
        return _now()

    def end_call(self, name: str, start: tuple[float, float]) -> None:
        """Charge the call that started at ``start`` to the accounts."""
        wall, cpu = _now()
        spent = (wall - start[0], cpu - start[1])
        txs = (0.0, 0.0)
        if self._txs_start is not None and self._txs_end is not None:
            txs = (
                self._txs_end[0] - self._txs_start[0],
                self._txs_end[1] - self._txs_start[1],
            )
            rest = (spent[0] - txs[0], spent[1] - txs[1])
        elif name in self.INGEST_CALLS:
            txs, rest = spent, (0.0, 0.0)
        else:
            rest = spent
        self.ingest[0] += txs[0]
        self.ingest[1] += txs[1]
        self.block[0] += rest[0]
        self.block[1] += rest[1]
        if name == "commit":
            self.commit_wall += spent[0]
        self._txs_start = self._txs_end = None

    def mark_begin_hook_end(self) -> None:
        """A begin-block hook returned (the last one starts the transactions)."""
        self._txs_start = _now()
        self._txs_end = None

    def mark_end_hook_start(self) -> None:
        """An end-block hook starts (the first one ends the transactions)."""
        if self._txs_end is None:
            self._txs_end = _now()


class _TimedModule:
    """A module whose hooks mark the transactions' span on the clock (and which times the
    emissions end blocker); everything else is the wrapped module's."""

    def __init__(self, module: Module, clock: _Clock) -> None:
        self._module = module
        self._clock = clock

    @property
    def name(self) -> str:
        return self._module.name

    def default_genesis(self) -> JSONObject:
        return self._module.default_genesis()

    def init_genesis(
        self, ctx: Context, store: KVStore, state: JSONObject
    ) -> tuple[ValidatorUpdate, ...]:
        return self._module.init_genesis(ctx, store, state)

    def export_genesis(self, store: ReadableKVStore) -> JSONObject:
        return self._module.export_genesis(store)

    def begin_block(self, ctx: Context, store: KVStore) -> None:
        self._module.begin_block(ctx, store)
        self._clock.mark_begin_hook_end()

    def end_block(self, ctx: Context, store: KVStore) -> tuple[ValidatorUpdate, ...]:
        self._clock.mark_end_hook_start()
        if self._module.name != EMISSIONS:
            return self._module.end_block(ctx, store)
        start = time.perf_counter()
        result = self._module.end_block(ctx, store)
        self._clock.end_block_wall += time.perf_counter() - start
        return result

    def msg_handlers(self) -> tuple[MsgHandler[Any], ...]:
        return self._module.msg_handlers()

    def query_handlers(self) -> tuple[QueryHandler[Any, Any], ...]:
        return self._module.query_handlers()


class _TimedApp(App):
    """The application, charging every ABCI call to the shared clock."""

    clock: _Clock

    def check_tx(self, tx: bytes, *, recheck: bool = False) -> TxResult:
        start = self.clock.start_call()
        result = super().check_tx(tx, recheck=recheck)
        self.clock.end_call("check_tx", start)
        return result

    def prepare_proposal(self, request: PrepareProposalRequest) -> tuple[bytes, ...]:
        start = self.clock.start_call()
        result = super().prepare_proposal(request)
        self.clock.end_call("prepare_proposal", start)
        return result

    def process_proposal(self, request: ProcessProposalRequest) -> bool:
        start = self.clock.start_call()
        result = super().process_proposal(request)
        self.clock.end_call("process_proposal", start)
        return result

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResult:
        start = self.clock.start_call()
        result = super().finalize_block(request)
        self.clock.end_call("finalize_block", start)
        return result

    def commit(self) -> CommitResult:
        start = self.clock.start_call()
        result = super().commit()
        self.clock.end_call("commit", start)
        return result


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockTiming:
    """One block's application time (seconds; ``_cpu_s``: CPU time of the application)."""

    height: int
    txs: int
    """Transactions in the block (all accepted)."""
    epoch_ends: int
    """Topics whose epoch ended in the block."""
    rewarded_topics: int
    """Topics paid rewards in the block."""
    ingest_s: float
    """check_tx, proposal checks and tx execution of the block's transactions."""
    ingest_cpu_s: float
    block_s: float
    """The rest of finalize_block (begin/end-block hooks, app hash) and commit."""
    block_cpu_s: float
    end_block_s: float
    """The emissions end blocker alone (part of ``block_s``)."""
    commit_s: float
    """``commit`` alone (part of ``block_s``): the synced lmdb write."""


def _to_timing(height: int, result: FinalizeBlockResult, clock: _Clock) -> BlockTiming:
    return BlockTiming(
        height=height,
        txs=len(result.tx_results),
        epoch_ends=len(get_opened_nonces(result)),
        rewarded_topics=count_rewarded_topics(result),
        ingest_s=clock.ingest[0],
        ingest_cpu_s=clock.ingest[1],
        block_s=clock.block[0],
        block_cpu_s=clock.block[1],
        end_block_s=clock.end_block_wall,
        commit_s=clock.commit_wall,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EpochBenchReport:
    """What :func:`run_epoch_bench` measured."""

    topics: int
    epoch_length: int
    epochs: int
    """Measured epochs (the measured blocks are ``epochs × epoch_length``)."""
    blocks: tuple[BlockTiming, ...]
    run_s: float
    """Wall time of the whole run (building, signing and warm-up included)."""

    @property
    def epoch_end_blocks(self) -> tuple[BlockTiming, ...]:
        """Measured blocks in which an epoch ended."""
        return tuple(block for block in self.blocks if block.epoch_ends)

    @property
    def reward_blocks(self) -> tuple[BlockTiming, ...]:
        """Measured blocks that paid rewards."""
        return tuple(block for block in self.blocks if block.rewarded_topics)

    @property
    def median_block_ms(self) -> float:
        """Median block time (``block_s``) over the blocks in which an epoch ended."""
        return statistics.median(b.block_s for b in self.epoch_end_blocks) * 1000.0

    @property
    def worst_reward_block_ms(self) -> float:
        """Largest block time over the blocks that paid rewards."""
        return max(b.block_s for b in self.reward_blocks) * 1000.0

    @property
    def worst_reward_block_cpu_ms(self) -> float:
        """Largest block CPU time over the blocks that paid rewards."""
        return max(b.block_cpu_s for b in self.reward_blocks) * 1000.0

    def get_median_parts_ms(self) -> tuple[float, float, float]:
        """Medians over the epoch-end blocks of (emissions end blocker, commit, the rest:
        other begin/end-block hooks and the app hash), in milliseconds."""
        blocks = self.epoch_end_blocks
        return (
            statistics.median(b.end_block_s for b in blocks) * 1000.0,
            statistics.median(b.commit_s for b in blocks) * 1000.0,
            statistics.median(b.block_s - b.end_block_s - b.commit_s for b in blocks) * 1000.0,
        )

    @property
    def ingest_one_epoch_s(self) -> float:
        """Ingestion time per epoch (every topic's payloads once)."""
        return sum(b.ingest_s for b in self.blocks) / self.epochs

    @property
    def ingest_one_epoch_cpu_s(self) -> float:
        """Ingestion CPU time per epoch."""
        return sum(b.ingest_cpu_s for b in self.blocks) / self.epochs

    @property
    def txs_per_epoch(self) -> float:
        """Transactions per measured epoch."""
        return sum(b.txs for b in self.blocks) / self.epochs

    @property
    def max_rewarded_topics(self) -> int:
        """Most topics paid rewards in one measured block."""
        return max(b.rewarded_topics for b in self.blocks)


# ---------------------------------------------------------------------------------------------
# Actors, messages and signing (also used by ``allora bench node``)


def make_actor_key(topic_id: int, role: str, index: int) -> PrivateKey:
    """The deterministic key of one actor (``role``: ``creator``, ``inferer``, ...)."""
    return PrivateKey(secret=sha256(f"bench epoch {topic_id} {role} {index}".encode()))


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicActors:
    """One topic's workers and reputers."""

    topic_id: int
    inferers: tuple[PrivateKey, ...]
    forecasters: tuple[PrivateKey, ...]
    reputers: tuple[PrivateKey, ...]

    @property
    def keys(self) -> tuple[PrivateKey, ...]:
        """Every key of the topic."""
        return self.inferers + self.forecasters + self.reputers


def make_topic_actors(
    topic_id: int,
    *,
    inferers: int = INFERERS,
    forecasters: int = FORECASTERS,
    reputers: int = REPUTERS,
) -> TopicActors:
    """The actors of topic ``topic_id`` (ids start at 1)."""
    return TopicActors(
        topic_id=topic_id,
        inferers=tuple(make_actor_key(topic_id, "inferer", j) for j in range(inferers)),
        forecasters=tuple(make_actor_key(topic_id, "forecaster", k) for k in range(forecasters)),
        reputers=tuple(make_actor_key(topic_id, "reputer", m) for m in range(reputers)),
    )


Signed = tuple[PrivateKey, Message]
"""A message and the key that signs its transaction."""


class TxSigner:
    """Signs single-message transactions with the right account numbers and sequences.

    Parameters
    ----------
    chain_id
        The chain id.
    account_numbers
        Account number by address (every signer must be listed).
    """

    def __init__(self, chain_id: str, account_numbers: dict[str, int]) -> None:
        self._chain_id = chain_id
        self._numbers = dict(account_numbers)
        self._sequences = dict.fromkeys(self._numbers, 0)

    def sign(self, key: PrivateKey, message: Message) -> bytes:
        """A signed tx holding ``message`` (no fee), at the key's next sequence."""
        sequence = self._sequences[key.address]
        self._sequences[key.address] = sequence + 1
        return build_tx(
            [message],
            private_key=key,
            chain_id=self._chain_id,
            account_number=self._numbers[key.address],
            sequence=sequence,
            fee_amount=0,
            gas_limit=GAS_LIMIT,
        )

    def sign_all(self, messages: Sequence[Signed]) -> list[bytes]:
        """:meth:`sign` for each ``(key, message)``, in order."""
        return [self.sign(key, message) for key, message in messages]


def build_create_topic_msg(
    creator: PrivateKey, *, epoch_length: int, worker_window: int = WORKER_WINDOW
) -> tx.CreateNewTopicRequest:
    """A CreateNewTopic with G = E and the reference tests' synthesis knobs."""
    return tx.CreateNewTopicRequest(
        creator=creator.address,
        metadata="bench topic",
        loss_method="mse",
        epoch_length=epoch_length,
        ground_truth_lag=epoch_length,
        p_norm="3",
        alpha_regret="0.1",
        allow_negative=True,
        epsilon="0.01",
        worker_submission_window=worker_window,
        merit_sortition_alpha="0.1",
        active_inferer_quantile="0.25",
        active_forecaster_quantile="0.25",
        active_reputer_quantile="0.25",
    )


def build_join_msgs(actors: TopicActors, funder: PrivateKey) -> list[Signed]:
    """Register every actor, stake every reputer, fund the topic (in this order, so the
    topic is activated by the first stake)."""
    topic_id = actors.topic_id
    messages: list[Signed] = [
        (
            key,
            tx.RegisterRequest(
                sender=key.address,
                topic_id=topic_id,
                owner=key.address,
                is_reputer=key in actors.reputers,
            ),
        )
        for key in actors.keys
    ]
    messages += [
        (
            key,
            tx.AddStakeRequest(sender=key.address, topic_id=topic_id, amount=str(REPUTER_STAKE)),
        )
        for key in actors.reputers
    ]
    messages.append(
        (
            funder,
            tx.FundTopicRequest(
                sender=funder.address, topic_id=topic_id, amount=str(TOPIC_FUNDING)
            ),
        )
    )
    return messages


def compute_truth(topic_id: int, nonce: int) -> float:
    """The synthetic ground truth of a topic's epoch."""
    return 100.0 + 10.0 * math.sin(nonce / 37.0 + topic_id)


def _dec(value: float) -> str:
    return f"{value:.6f}"


def _sign_worker_bundle(
    key: PrivateKey, topic_id: int, nonce: int, bundle: v3.InferenceForecastBundle
) -> tx.InsertWorkerPayloadRequest:
    data = v3.WorkerDataBundle(
        worker=key.address,
        nonce=v3.Nonce(block_height=nonce),
        topic_id=topic_id,
        inference_forecasts_bundle=bundle,
        inferences_forecasts_bundle_signature=key.sign(encode_inference_forecast_bundle(bundle)),
        pubkey=key.public_key.hex(),
    )
    return tx.InsertWorkerPayloadRequest(sender=key.address, worker_data_bundle=data)


def build_worker_msgs(actors: TopicActors, nonce: int, rng: random.Random) -> list[Signed]:
    """Every inferer's inference and every forecaster's forecast of every inferer, signed."""
    topic_id = actors.topic_id
    truth = compute_truth(topic_id, nonce)
    messages: list[Signed] = []
    for j, key in enumerate(actors.inferers):
        value = truth + (j % 7 - 3) * 0.4 + rng.gauss(0.0, 0.2 + 0.05 * j)
        bundle = v3.InferenceForecastBundle(
            inference=v3.Inference(
                topic_id=topic_id, block_height=nonce, inferer=key.address, value=_dec(value)
            )
        )
        messages.append((key, _sign_worker_bundle(key, topic_id, nonce, bundle)))
    for key in actors.forecasters:
        bundle = v3.InferenceForecastBundle(
            forecast=v3.Forecast(
                topic_id=topic_id,
                block_height=nonce,
                forecaster=key.address,
                forecast_elements=[
                    v3.ForecastElement(inferer=inferer.address, value=_dec(rng.uniform(-2.0, 0.5)))
                    for inferer in actors.inferers
                ],
            )
        )
        messages.append((key, _sign_worker_bundle(key, topic_id, nonce, bundle)))
    return messages


def _loss_values(entries: Sequence[Any], loss: Callable[[str], str]) -> list[Any]:
    return [type(entry)(worker=entry.worker, value=loss(entry.value)) for entry in entries]


def build_reputer_msgs(actors: TopicActors, nonce: int, network: v3.ValueBundle) -> list[Signed]:
    """Every reputer's log10 absolute-error losses of the network bundle of ``nonce``, each
    with a slightly different view of the ground truth, signed."""
    truth = compute_truth(actors.topic_id, nonce)
    messages: list[Signed] = []
    for m, key in enumerate(actors.reputers):
        view = truth + (m - 2.5) * 0.01

        def loss(text: str, view: float = view) -> str:
            return f"{math.log10(abs(float(text) - view) + 0.001):.9f}"

        bundle = v3.ValueBundle(
            topic_id=actors.topic_id,
            reputer_request_nonce=v3.ReputerRequestNonce(
                reputer_nonce=v3.Nonce(block_height=nonce)
            ),
            reputer=key.address,
            combined_value=loss(network.combined_value),
            naive_value=loss(network.naive_value),
            inferer_values=_loss_values(network.inferer_values, loss),
            forecaster_values=_loss_values(network.forecaster_values, loss),
            one_out_inferer_values=_loss_values(network.one_out_inferer_values, loss),
            one_out_forecaster_values=_loss_values(network.one_out_forecaster_values, loss),
            one_in_forecaster_values=_loss_values(network.one_in_forecaster_values, loss),
            one_out_inferer_forecaster_values=[
                v3.OneOutInfererForecasterValues(
                    forecaster=entry.forecaster,
                    one_out_inferer_values=_loss_values(entry.one_out_inferer_values, loss),
                )
                for entry in network.one_out_inferer_forecaster_values
            ],
        )
        signed = v3.ReputerValueBundle(
            value_bundle=bundle,
            signature=key.sign(encode_value_bundle(bundle)),
            pubkey=key.public_key.hex(),
        )
        messages.append(
            (key, tx.InsertReputerPayloadRequest(sender=key.address, reputer_value_bundle=signed))
        )
    return messages


def _attribute(event: Event, name: str) -> Any:
    """A typed event's attribute (proto-JSON text), decoded."""
    return json.loads(dict(event.attributes)[name])


def get_opened_nonces(result: FinalizeBlockResult) -> list[tuple[int, int]]:
    """``(topic id, worker nonce)`` of the epochs that ended in a block."""
    opened = []
    for event in result.events:
        if event.type.endswith(".EventWorkerSubmissionWindowOpened"):
            topic_id = int(_attribute(event, "topic_id"))
            opened.append((topic_id, int(_attribute(event, "nonce_block_height"))))
    return opened


def count_rewarded_topics(result: FinalizeBlockResult) -> int:
    """Topics paid a non-zero reward in a block."""
    count = 0
    for event in result.events:
        if event.type.endswith(".EventTopicRewardsSet"):
            count += sum(1 for amount in _attribute(event, "rewards") or () if int(amount) > 0)
    return count


# ---------------------------------------------------------------------------------------------
# The chain


def build_bench_genesis(
    modules: Sequence[Module], accounts: Sequence[PrivateKey], validator: PrivateKey
) -> GenesisDoc:
    """Genesis: ``validator`` (account number 0) bonded by a gentx, then ``accounts``
    (numbers 1, 2, ...) funded; every parameter at its default."""
    consensus_key = ValidatorKey(seed=sha256(b"bench epoch consensus key"))
    staking = dict(next(m for m in modules if m.name == "staking").default_genesis())
    staking["gentxs"] = [
        compute_gentx(
            operator_account=validator.address,
            consensus_pubkey=consensus_key.public_key,
            self_bond=VALIDATOR_BOND,
            moniker="bench",
        )
    ]
    balances = [(validator.address, 10 * VALIDATOR_BOND)]
    balances += [(key.address, ACCOUNT_FUNDS) for key in accounts]
    return build_genesis(
        chain_id=CHAIN_ID,
        genesis_time_ns=GENESIS_TIME_NS,
        modules=modules,
        balances=balances,
        overrides={"staking": staking},
    )


class EpochBenchChain:
    """The benchmark chain (module docstring): T topics with their actors on a solo node.

    Parameters
    ----------
    topics
        Number of topics.
    home
        Directory of the lmdb state.
    seed
        Seed of the synthetic data (not of the keys).
    progress
        Receives progress lines.
    """

    def __init__(
        self, topics: int, home: Path, *, seed: int = 7, progress: ProgressFn | None = None
    ) -> None:
        if topics < 1:
            raise ValueError("at least one topic")
        self.topics = topics
        self.epoch_length = max(topics, DEFAULT_PARAMS.min_epoch_length)
        self._progress = progress
        self._rng = random.Random(seed)
        self.clock = _Clock()
        self.creator = make_actor_key(0, "creator", 0)
        self.actors = [make_topic_actors(topic_id) for topic_id in range(1, topics + 1)]
        validator = make_actor_key(0, "validator", 0)
        accounts = [self.creator, *(key for actors in self.actors for key in actors.keys)]
        modules = tuple(
            _TimedModule(module, self.clock)
            for module in build_standard_modules(include_emissions=True)
        )
        genesis = build_bench_genesis(modules, accounts, validator)
        app = _TimedApp(open_committed_store(home), modules=modules)
        app.clock = self.clock
        self.app = app
        self.node = SoloNode(
            app, genesis, config=SoloConfig(max_mempool_txs=1_000_000), close=app.close
        )
        self._signer = TxSigner(
            CHAIN_ID, {key.address: number for number, key in enumerate([validator, *accounts])}
        )
        self._due: dict[int, list[tuple[int, int]]] = {}
        self._previous_nonce: dict[int, int] = {}

    def close(self) -> None:
        """Release the store."""
        self.node.close()

    def run_block(self, txs: Sequence[bytes]) -> BlockTiming:
        """Submit ``txs``, produce the next block, check that every tx was accepted.

        Raises
        ------
        EpochBenchError
            If a transaction is rejected by check_tx or fails in the block.
        """
        self.clock.reset()
        for raw in txs:
            checked = self.node.submit(raw)
            if checked.code:
                raise EpochBenchError(f"check_tx refused a benchmark tx: {checked.log}")
        result = self.node.produce_block()
        if len(result.tx_results) != len(txs):
            raise EpochBenchError(f"{len(result.tx_results)} of {len(txs)} txs in the block")
        for tx_result in result.tx_results:
            if tx_result.code:
                raise EpochBenchError(f"a benchmark tx failed: {tx_result.log}")
        for topic_id, nonce in get_opened_nonces(result):
            self._due.setdefault(self.node.height + 1, []).append((topic_id, nonce))
        return _to_timing(self.node.height, result, self.clock)

    def setup(self) -> None:
        """Commit genesis, create the topics, then register, stake and fund one topic per
        block (so that the topics activate in consecutive blocks)."""
        self.run_block([])
        create = build_create_topic_msg(self.creator, epoch_length=self.epoch_length)
        self.run_block([self._signer.sign(self.creator, create) for _ in self.actors])
        for actors in self.actors:
            self.run_block(self._signer.sign_all(build_join_msgs(actors, self.creator)))
            if self._progress is not None and (
                actors.topic_id % 25 == 0 or actors.topic_id == self.topics
            ):
                self._progress(f"set up {actors.topic_id}/{self.topics} topics")

    def step(self) -> BlockTiming:
        """One block holding every payload due in it: the worker payloads of each topic
        whose epoch ended in the previous block, and its reputers' losses of the nonce
        before (whose reputer window is open now)."""
        messages: list[Signed] = []
        for topic_id, nonce in self._due.pop(self.node.height + 1, []):
            actors = self.actors[topic_id - 1]
            messages += build_worker_msgs(actors, nonce, self._rng)
            previous = self._previous_nonce.get(topic_id)
            if previous is not None:
                network = self._get_network_bundle(topic_id, previous)
                messages += build_reputer_msgs(actors, previous, network)
            self._previous_nonce[topic_id] = nonce
        return self.run_block(self._signer.sign_all(messages))

    def _get_network_bundle(self, topic_id: int, nonce: int) -> v3.ValueBundle:
        request = q.GetNetworkInferencesAtBlockRequest(
            topic_id=topic_id, block_height_last_inference=nonce
        )
        result = self.app.query(
            QueryRequest(
                path="/emissions.v5.QueryService/GetNetworkInferencesAtBlock",
                data=request.SerializeToString(),
            )
        )
        if result.code:
            raise EpochBenchError(f"no network inference for topic {topic_id} nonce {nonce}")
        response = q.GetNetworkInferencesAtBlockResponse()
        response.ParseFromString(result.value)
        return response.network_inferences


def run_epoch_bench(
    topics: int,
    *,
    epochs: int | None = None,
    seed: int = 7,
    base_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
) -> EpochBenchReport:
    """Build the chain, warm it up, measure ``epochs`` epochs (module docstring).

    Parameters
    ----------
    topics
        Number of active topics T.
    epochs
        Epochs to measure (default: enough for about ten epoch ends, at least one epoch).
    seed
        Seed of the synthetic inferences, forecasts and losses.
    base_dir
        Where to create the temporary home (removed afterwards).
    progress
        Receives progress lines (building, warm-up, measuring).

    Returns
    -------
    EpochBenchReport

    Raises
    ------
    EpochBenchError
        If a transaction is rejected or no measured block paid rewards.
    """
    wall_start = time.perf_counter()
    measured_epochs = epochs if epochs is not None else max(1, math.ceil(10 / topics))
    if measured_epochs < 1:
        raise ValueError("at least one measured epoch")
    blocks: list[BlockTiming] = []
    with tempfile.TemporaryDirectory(prefix="pyallora-bench-epoch-", dir=base_dir) as tmp:
        chain = EpochBenchChain(topics, Path(tmp) / "data", seed=seed, progress=progress)
        try:
            chain.setup()
            # Start-up is over (imports, genesis, the topics' setup): move that heap out of the
            # cyclic collector's reach, as a long-running node process should after start-up,
            # so that a full collection scans what the blocks allocate, not every module and
            # function of the process (about 25 ms per collection otherwise).
            gc.collect()
            gc.freeze()
            epoch_length = chain.epoch_length
            # The last topic was activated in the last setup block; its first rewards come
            # when its first reputer nonce closes, three epochs later.
            warm_until = chain.node.height + 3 * epoch_length + 1
            if progress is not None:
                progress(f"warm-up: {warm_until - chain.node.height} blocks (E = {epoch_length})")
            while chain.node.height < warm_until:
                chain.step()
                remaining = warm_until - chain.node.height
                if progress is not None and remaining and remaining % 50 == 0:
                    progress(f"warm-up: {remaining} blocks to go")
            total = measured_epochs * epoch_length
            for index in range(total):
                blocks.append(chain.step())
                if progress is not None and ((index + 1) % 25 == 0 or index + 1 == total):
                    progress(f"measured {index + 1}/{total} blocks")
        finally:
            gc.unfreeze()
            chain.close()
    report = EpochBenchReport(
        topics=topics,
        epoch_length=epoch_length,
        epochs=measured_epochs,
        blocks=tuple(blocks),
        run_s=time.perf_counter() - wall_start,
    )
    if not report.reward_blocks:
        raise EpochBenchError("no measured block paid rewards")
    return report
