"""A topic's participants as chain actors: the same model objects, on a chain.

This module is shared by the offline backtest (:mod:`pyallora.backtest.engine`, the real
application under the in-process block driver) and the live demo
(:mod:`pyallora.backtest.demo`, a node over HTTP): both reach the chain through a
:class:`ChainView` and differ only in how blocks are made and transactions travel.

* :class:`TopicSpec` describes a topic: its series, models, reputers and parameters;
  :class:`EpochTiming` its epoch length E, worker window W and ground-truth lag G.
* :func:`derive_key` gives every participant a reproducible key.
* :func:`build_topic_request` and :func:`build_setup_messages` create, register, stake and
  fund a topic (PROTOCOL.md §3.1-§3.4, §3.11).
* :class:`TopicActors` decides, after each committed block, what every participant sends:
  inferers their inference as soon as a worker nonce opens, forecasters their forecast once
  the inferences of the window are on chain, reputers their loss bundle once the ground-truth
  lag has passed (PROTOCOL.md §3.14, §3.15, §5.10), built and signed by
  :mod:`pyallora.agents.payloads` as every agent does.

Epoch j of a topic (its worker nonce ``first_nonce + j·E``) replays series position
``start + j`` (:class:`EpochClock`): inferers see the series before it, reputers learn its
value after the lag. Reputers must report after the previous reputer nonce closed (the active
reputer set is per topic, PROTOCOL.md §3.15 step 11), so G is a multiple of E and they report
in the block after the lag; forecasters read the window's inferences, so W ≥ 3 when a topic
has forecasters.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
from google.protobuf.message import Message

from pyallora.agents.context import (
    ForecastContext,
    Forecaster,
    InferenceContext,
    Inferer,
    InsufficientHistoryError,
)
from pyallora.agents.datasets import TimeSeries
from pyallora.agents.losses import compute_loss_bundle, parse_loss_method
from pyallora.agents.payloads import build_reputer_payload, build_worker_payload
from pyallora.backtest.report import ROLE_FORECASTER, ROLE_INFERER, ROLE_REPUTER, Participant
from pyallora.chain.emissions.submissions.bundles import (
    engine_to_value_bundle,
    value_bundle_to_engine,
)
from pyallora.client.keys import PrivateKey
from pyallora.client.wallet import Wallet
from pyallora.core.crypto import sha256
from pyallora.core.errors import PyAlloraError
from pyallora.proto.emissions.v5 import query_pb2 as q
from pyallora.proto.emissions.v5 import tx_pb2 as tx
from pyallora.synthesis.types import BundleKey, ValueBundle

__all__ = [
    "ActorError",
    "ChainQueryError",
    "ChainView",
    "EpochClock",
    "EpochTiming",
    "Job",
    "Payload",
    "ReputerSpec",
    "TopicActors",
    "TopicKeys",
    "TopicSpec",
    "build_setup_messages",
    "build_topic_request",
    "derive_key",
    "derive_topic_keys",
    "list_participants",
]

M = TypeVar("M", bound=Message)
T = TypeVar("T")

Payload = tuple[PrivateKey, Message]
"""A message and the key that signs (and sends) it."""


class ActorError(PyAlloraError):
    """A run cannot be set up as asked (timing, participants) or the chain answered
    something a participant cannot use."""


class ChainView(Protocol):
    """Read access to a chain's committed state through the emissions queries."""

    def query(self, method: str, request: Message, response_type: type[M]) -> M:
        """Answer ``/emissions.v5.QueryService/<method>``; raise on an error code."""
        ...


class ChainQueryError(ActorError):
    """A query answered an error code.

    Attributes
    ----------
    method
        The query method.
    code
        Its error code.
    """

    def __init__(self, method: str, code: int, log: str) -> None:
        super().__init__(f"query {method} failed with code {code}: {log}")
        self.method = method
        self.code = code


@dataclass(frozen=True, slots=True, kw_only=True)
class EpochTiming:
    """The block schedule of a topic (PROTOCOL.md §2.2, §5.10)."""

    epoch_length: int = 4
    """E: blocks between epoch ends."""

    worker_submission_window: int = 3
    """W: blocks during which worker payloads are accepted (block n itself runs before the
    nonce opens, so inferers use n+1 and forecasters n+W−1)."""

    ground_truth_lag: int = 4
    """G: blocks after a nonce before reputers may report (a multiple of E)."""

    def validate(self, *, with_forecasters: bool) -> None:
        """Check the schedule works for actors (module docstring).

        Raises
        ------
        ActorError
            If W < 2 (or < 3 with forecasters), W ≥ E, G < E or G not a multiple of E.
        """
        e, w, g = self.epoch_length, self.worker_submission_window, self.ground_truth_lag
        needed = 3 if with_forecasters else 2
        if w < needed:
            why = (
                "forecasters read the inferences of the window"
                if with_forecasters
                else "block n runs before its nonce opens"
            )
            raise ActorError(f"the worker window must be at least {needed} blocks ({why}), got {w}")
        if w >= e:
            raise ActorError(f"the worker window ({w}) must be shorter than the epoch ({e})")
        if g < e or g % e:
            raise ActorError(f"the ground-truth lag ({g}) must be a multiple of the epoch ({e})")

    @property
    def close_delay(self) -> int:
        """Blocks from a nonce to the close of its reputer nonce: the first epoch end at or
        after n + G + E (PROTOCOL.md §5.6)."""
        e = self.epoch_length
        return -(-(self.ground_truth_lag + e) // e) * e


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputerSpec:
    """A reputer: its stake and the noise of its private view of the losses."""

    label: str
    stake: int
    """uallo staked at registration (at least the chain's required minimum)."""

    loss_noise: float = 0.0
    """Standard deviation of the Gaussian noise on each reported log10 loss."""

    seed: int = 0
    """Seed of its noise generator."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicSpec:
    """A topic to run: data, participants and parameters."""

    name: str
    metadata: str
    series: TimeSeries
    inferers: Mapping[str, Inferer]
    """Inferer models by label."""

    forecasters: Mapping[str, Forecaster]
    """Forecaster models by label."""

    reputers: tuple[ReputerSpec, ...]
    loss_method: str
    p_norm: str = "3"
    alpha_regret: str = "0.1"
    epsilon: str = "0.01"
    allow_negative: bool = False
    merit_sortition_alpha: str = "0.1"
    active_quantile: str = "0.25"
    start: int = 1
    """First replayed position: the series before it is history the models start with."""

    stop: int | None = None
    """One past the last replayed position (None: the end of the series)."""

    history_window: int | None = None
    """Give models at most this many past values (None: all)."""

    funding: int = 10**18
    """uallo the creator sends with FundTopic (fee revenue, hence topic weight)."""

    @property
    def end(self) -> int:
        """The effective stop."""
        return len(self.series) if self.stop is None else self.stop

    @property
    def epochs(self) -> int:
        """Replayed epochs."""
        return self.end - self.start

    def validate(self) -> None:
        """Check the range and the participants.

        Raises
        ------
        ActorError
            For an empty range, no inferer or reputer, or duplicate labels.
        """
        if not 1 <= self.start < self.end <= len(self.series):
            raise ActorError(
                f"{self.name}: need 1 <= start < stop <= {len(self.series)}, "
                f"got {self.start}, {self.end}"
            )
        if not self.inferers or not self.reputers:
            raise ActorError(f"{self.name}: a topic needs at least one inferer and one reputer")
        labels = [*self.inferers, *self.forecasters, *(r.label for r in self.reputers)]
        if len(set(labels)) != len(labels):
            raise ActorError(f"{self.name}: participant labels must differ: {labels}")
        for reputer in self.reputers:
            if not (math.isfinite(reputer.loss_noise) and reputer.loss_noise >= 0):
                raise ActorError(f"{self.name}: loss_noise of {reputer.label} must be >= 0")


def derive_key(seed: str, *parts: str) -> PrivateKey:
    """A reproducible key for a participant: SHA-256 of the seed and the parts.

    >>> derive_key("demo", "weather", "inferer", "persistence").address.startswith("allo1")
    True
    """
    return PrivateKey(secret=sha256("\x1f".join(("pyallora backtest", seed, *parts)).encode()))


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicKeys:
    """The keys of a topic's participants, by label."""

    inferers: Mapping[str, PrivateKey]
    forecasters: Mapping[str, PrivateKey]
    reputers: Mapping[str, PrivateKey]

    def all(self) -> list[PrivateKey]:
        """Every key, inferers then forecasters then reputers."""
        return [*self.inferers.values(), *self.forecasters.values(), *self.reputers.values()]


def derive_topic_keys(seed: str, spec: TopicSpec) -> TopicKeys:
    """The participants' keys of a topic (one key per participant and topic)."""
    return TopicKeys(
        inferers={
            label: derive_key(seed, spec.name, ROLE_INFERER, label) for label in spec.inferers
        },
        forecasters={
            label: derive_key(seed, spec.name, ROLE_FORECASTER, label) for label in spec.forecasters
        },
        reputers={
            r.label: derive_key(seed, spec.name, ROLE_REPUTER, r.label) for r in spec.reputers
        },
    )


def list_participants(spec: TopicSpec, keys: TopicKeys) -> tuple[Participant, ...]:
    """The participants of a topic, for the report."""
    stakes = {r.label: r.stake for r in spec.reputers}
    return (
        *(
            Participant(address=k.address, label=j, role=ROLE_INFERER)
            for j, k in keys.inferers.items()
        ),
        *(
            Participant(address=k.address, label=j, role=ROLE_FORECASTER)
            for j, k in keys.forecasters.items()
        ),
        *(
            Participant(address=k.address, label=j, role=ROLE_REPUTER, stake=stakes[j])
            for j, k in keys.reputers.items()
        ),
    )


# ---------------------------------------------------------------------------------------------
# Messages


def build_topic_request(
    creator: PrivateKey, spec: TopicSpec, timing: EpochTiming
) -> tx.CreateNewTopicRequest:
    """CreateNewTopic for ``spec`` (PROTOCOL.md §3.1)."""
    return tx.CreateNewTopicRequest(
        creator=creator.address,
        metadata=spec.metadata,
        loss_method=spec.loss_method,
        epoch_length=timing.epoch_length,
        ground_truth_lag=timing.ground_truth_lag,
        p_norm=spec.p_norm,
        alpha_regret=spec.alpha_regret,
        allow_negative=spec.allow_negative,
        epsilon=spec.epsilon,
        worker_submission_window=timing.worker_submission_window,
        merit_sortition_alpha=spec.merit_sortition_alpha,
        active_inferer_quantile=spec.active_quantile,
        active_forecaster_quantile=spec.active_quantile,
        active_reputer_quantile=spec.active_quantile,
    )


def build_setup_messages(
    creator: PrivateKey, spec: TopicSpec, keys: TopicKeys, topic_id: int
) -> list[Payload]:
    """Registrations, reputer stakes and the creator's FundTopic (PROTOCOL.md §3.2, §3.4,
    §3.11); the last ones activate the topic."""
    out: list[Payload] = [
        (
            key,
            tx.RegisterRequest(
                sender=key.address, topic_id=topic_id, owner=key.address, is_reputer=False
            ),
        )
        for key in (*keys.inferers.values(), *keys.forecasters.values())
    ]
    for reputer in spec.reputers:
        key = keys.reputers[reputer.label]
        out.append(
            (
                key,
                tx.RegisterRequest(
                    sender=key.address, topic_id=topic_id, owner=key.address, is_reputer=True
                ),
            )
        )
        out.append(
            (
                key,
                tx.AddStakeRequest(
                    sender=key.address, topic_id=topic_id, amount=str(reputer.stake)
                ),
            )
        )
    out.append(
        (
            creator,
            tx.FundTopicRequest(
                sender=creator.address, topic_id=topic_id, amount=str(spec.funding)
            ),
        )
    )
    return out


# ---------------------------------------------------------------------------------------------
# Epochs and actors


@dataclass(frozen=True, slots=True, kw_only=True)
class EpochClock:
    """Maps a topic's worker nonces to replayed series positions (module docstring)."""

    first_nonce: int
    epoch_length: int
    start: int
    stop: int

    def index_of(self, nonce: int) -> int | None:
        """The series position replayed at ``nonce`` (None outside the run)."""
        offset = nonce - self.first_nonce
        if offset < 0 or offset % self.epoch_length:
            return None
        index = self.start + offset // self.epoch_length
        return index if index < self.stop else None

    def nonce_of(self, index: int) -> int:
        """The worker nonce of a series position."""
        return self.first_nonce + (index - self.start) * self.epoch_length

    @property
    def last_nonce(self) -> int:
        """The nonce of the last replayed position."""
        return self.nonce_of(self.stop - 1)


class _NoisyView:
    """A reputer's private view of the losses: Gaussian noise from its own generator."""

    def __init__(self, spec: ReputerSpec) -> None:
        self._sigma = spec.loss_noise
        self._rng = np.random.default_rng(spec.seed)

    def __call__(self, key: BundleKey, loss: float) -> float:
        return loss + self._sigma * float(self._rng.standard_normal())


class KnownHistory(Protocol):
    """What forecasters know of past epochs (read from the chain by the ledger)."""

    def get_inference(self, nonce: int, address: str) -> float | None:
        """An archived inference."""
        ...

    def get_log_loss(self, nonce: int, key: str) -> float | None:
        """A network loss (``network`` or a worker address) once the nonce closed."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One participant's work for one nonce: run its model and build its signed payload."""

    address: str
    role: str
    nonce: int
    run: Callable[[], list[Payload]]


class _Shared(Generic[T]):
    """A value computed once, on first use, by whichever job needs it first."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._value: T | None = None
        self._done = False

    def get(self) -> T:
        with self._lock:
            if not self._done:
                self._value = self._compute()
                self._done = True
            return self._value  # type: ignore[return-value]


@dataclass(slots=True)
class _Progress:
    inferred: set[int] = field(default_factory=set)
    forecast: set[int] = field(default_factory=set)
    reported: set[int] = field(default_factory=set)


class TopicActors:
    """Every participant of one topic, acting after each committed block.

    Parameters
    ----------
    spec, keys, timing
        The topic, its participants' keys and its schedule.
    topic_id
        The topic's id on chain.
    clock
        Nonce → series position.
    view
        The chain.
    history
        Past inferences and losses as read from the chain (forecasters' inputs).
    """

    def __init__(
        self,
        *,
        spec: TopicSpec,
        keys: TopicKeys,
        timing: EpochTiming,
        topic_id: int,
        clock: EpochClock,
        view: ChainView,
        history: KnownHistory,
    ) -> None:
        self.spec = spec
        self.keys = keys
        self.timing = timing
        self.topic_id = topic_id
        self.clock = clock
        self._view = view
        self._history = history
        self._method = parse_loss_method(spec.loss_method)
        self._views = {r.label: _NoisyView(r) if r.loss_noise > 0 else None for r in spec.reputers}
        self._progress = _Progress()
        self._inferer_addresses = [k.address for k in keys.inferers.values()]
        self._wallets: dict[str, Wallet] = {}

    def _wallet(self, key: PrivateKey) -> Wallet:
        wallet = self._wallets.get(key.address)
        if wallet is None:
            wallet = self._wallets[key.address] = Wallet(key)
        return wallet

    # --- decisions ---------------------------------------------------------------------------

    def _due_worker_nonces(self, height: int) -> list[int]:
        """Replayed nonces whose window accepts a payload in block ``height + 1``."""
        window = self.timing.worker_submission_window
        length = self.clock.epoch_length
        first = self.clock.first_nonce
        if height < first:
            return []
        due: list[int] = []
        nonce = first + (height - first) // length * length
        while nonce >= first and height < nonce + window - 1:
            if self.clock.index_of(nonce) is not None:
                due.append(nonce)
            nonce -= length
        return due

    def _due_reputer_nonces(self, height: int) -> list[int]:
        """Replayed nonces whose reputer window accepts a report in block ``height + 1``."""
        lag = self.timing.ground_truth_lag
        length = self.clock.epoch_length
        return [
            n
            for n in range(self.clock.first_nonce, height - lag + 1, length)
            if n + lag <= height < n + 2 * lag
            and n not in self._progress.reported
            and self.clock.index_of(n) is not None
        ]

    def _open_worker_nonces(self) -> set[int]:
        answer = self._view.query(
            "GetUnfulfilledWorkerNonces",
            q.GetUnfulfilledWorkerNoncesRequest(topic_id=self.topic_id),
            q.GetUnfulfilledWorkerNoncesResponse,
        )
        return {n.block_height for n in answer.nonces.nonces}

    def _open_reputer_nonces(self) -> set[int]:
        answer = self._view.query(
            "GetUnfulfilledReputerNonces",
            q.GetUnfulfilledReputerNoncesRequest(topic_id=self.topic_id),
            q.GetUnfulfilledReputerNoncesResponse,
        )
        return {n.reputer_nonce.block_height for n in answer.nonces.nonces}

    def step(self, height: int) -> list[Job]:
        """What the participants do once block ``height`` is committed (for the next block):
        inferences for a nonce opened at or before it, forecasts once a block of its window is
        committed, loss bundles once the ground-truth lag has passed.

        The schedule (:class:`EpochClock`) says when something may be due; the chain's open
        nonces confirm it. Each job is one participant's work (its model and its payload), so
        a caller may run the jobs of different participants concurrently.
        """
        jobs: list[Job] = []
        due = [
            n
            for n in self._due_worker_nonces(height)
            if n not in self._progress.inferred
            or (self.keys.forecasters and n + 1 <= height and n not in self._progress.forecast)
        ]
        if due:
            open_nonces = self._open_worker_nonces()
            for nonce in sorted(due):
                if nonce not in open_nonces:
                    continue
                if nonce not in self._progress.inferred:
                    self._progress.inferred.add(nonce)
                    jobs.extend(self._inference_jobs(nonce))
                elif self.keys.forecasters and nonce + 1 <= height:
                    self._progress.forecast.add(nonce)
                    jobs.extend(self._forecast_jobs(nonce))
        reports = self._due_reputer_nonces(height)
        if reports:
            open_nonces = self._open_reputer_nonces()
            for nonce in reports:
                if nonce in open_nonces:
                    self._progress.reported.add(nonce)
                    jobs.extend(self._report_jobs(nonce))
        return jobs

    def run_step(self, height: int) -> list[Payload]:
        """:meth:`step`, with every job run here in order (the offline backtest)."""
        return [payload for job in self.step(height) for payload in job.run()]

    # --- contexts ----------------------------------------------------------------------------

    def _context_range(self, index: int) -> int:
        window = self.spec.history_window
        return 0 if window is None else max(0, index - window)

    def _inference_context(self, nonce: int, index: int) -> InferenceContext:
        series = self.spec.series
        first = self._context_range(index)
        return InferenceContext(
            topic_id=self.topic_id,
            nonce=nonce,
            history=series.values[first:index],
            topic_metadata=self.spec.metadata,
            loss_method=self.spec.loss_method,
            features=series.features[index] if series.features else {},
            feature_history=series.features[first:index] if series.features else (),
        )

    def _inference_jobs(self, nonce: int) -> list[Job]:
        index = self.clock.index_of(nonce)
        if index is None:
            return []
        context = self._inference_context(nonce, index)

        def job(label: str, model: Inferer) -> Job:
            key = self.keys.inferers[label]

            def run() -> list[Payload]:
                try:
                    value = model.infer(context)
                except InsufficientHistoryError:
                    return []
                message = build_worker_payload(
                    self._wallet(key), topic_id=self.topic_id, nonce=nonce, inference=value
                )
                return [(key, message)]

            return Job(address=key.address, role=ROLE_INFERER, nonce=nonce, run=run)

        return [job(label, model) for label, model in self.spec.inferers.items()]

    def _current_inferences(self) -> dict[str, float]:
        current: dict[str, float] = {}
        for address in self._inferer_addresses:
            try:
                answer = self._view.query(
                    "GetWorkerLatestInferenceByTopicId",
                    q.GetWorkerLatestInferenceByTopicIdRequest(
                        topic_id=self.topic_id, worker_address=address
                    ),
                    q.GetWorkerLatestInferenceByTopicIdResponse,
                )
            except ChainQueryError:
                continue
            current[address] = float(answer.latest_inference.value)
        return current

    def _forecast_context(self, nonce: int, index: int) -> ForecastContext:
        base = self._inference_context(nonce, index)
        first = self._context_range(index)
        nonces = [
            self.clock.nonce_of(i) if i >= self.spec.start else None for i in range(first, index)
        ]

        def aligned(read: Any) -> tuple[float | None, ...]:
            return tuple(None if n is None else read(n) for n in nonces)

        return ForecastContext(
            topic_id=base.topic_id,
            nonce=nonce,
            history=base.history,
            topic_metadata=base.topic_metadata,
            loss_method=base.loss_method,
            features=base.features,
            feature_history=base.feature_history,
            inferences=self._current_inferences(),
            inference_history={
                a: aligned(lambda n, a=a: self._history.get_inference(n, a))
                for a in self._inferer_addresses
            },
            inferer_loss_history={
                a: aligned(lambda n, a=a: self._history.get_log_loss(n, a))
                for a in self._inferer_addresses
            },
            network_loss_history=aligned(lambda n: self._history.get_log_loss(n, "network")),
        )

    def _forecast_jobs(self, nonce: int) -> list[Job]:
        index = self.clock.index_of(nonce)
        if index is None:
            return []
        shared = _Shared(lambda: self._forecast_context(nonce, index))

        def job(label: str, model: Forecaster) -> Job:
            key = self.keys.forecasters[label]

            def run() -> list[Payload]:
                context = shared.get()
                if not context.inferences:
                    return []
                predicted = model.forecast(context)
                elements = {
                    address: float(predicted[address])
                    for address in sorted(predicted)
                    if address in context.inferences
                }
                if not elements:
                    return []
                message = build_worker_payload(
                    self._wallet(key), topic_id=self.topic_id, nonce=nonce, forecast=elements
                )
                return [(key, message)]

            return Job(address=key.address, role=ROLE_FORECASTER, nonce=nonce, run=run)

        return [job(label, model) for label, model in self.spec.forecasters.items()]

    def _network_values(self, nonce: int) -> ValueBundle:
        answer = self._view.query(
            "GetNetworkInferencesAtBlock",
            q.GetNetworkInferencesAtBlockRequest(
                topic_id=self.topic_id, block_height_last_inference=nonce
            ),
            q.GetNetworkInferencesAtBlockResponse,
        )
        return value_bundle_to_engine(answer.network_inferences)

    def _report_jobs(self, nonce: int) -> list[Job]:
        index = self.clock.index_of(nonce)
        if index is None:
            return []
        truth = self.spec.series.values[index]
        shared = _Shared(lambda: self._network_values(nonce))

        def job(reputer: ReputerSpec) -> Job:
            key = self.keys.reputers[reputer.label]

            def run() -> list[Payload]:
                losses = compute_loss_bundle(
                    shared.get(),
                    truth,
                    self._method,
                    allow_negative=self.spec.allow_negative,
                    skip_undefined=True,
                    perturb=self._views[reputer.label],
                )
                bundle = engine_to_value_bundle(
                    losses, topic_id=self.topic_id, nonce=nonce, reputer=key.address
                )
                message = build_reputer_payload(
                    self._wallet(key), bundle, topic_id=self.topic_id, nonce=nonce
                )
                return [(key, message)]

            return Job(address=key.address, role=ROLE_REPUTER, nonce=nonce, run=run)

        return [job(reputer) for reputer in self.spec.reputers]
