"""What a topic did, read from the chain block by block: the source of the report's records.

:class:`TopicLedger` is fed every committed block's events in height order
(:meth:`TopicLedger.observe_block`) and reads what the events announce through a
:class:`~pyallora.backtest.actors.ChainView`:

* ``EventWorkerSubmissionWindowClosed`` (nonce n): the network inferences the chain publishes
  for n (``GetLatestNetworkInferences``: the network, naive and forecast-implied values and
  the regret-informed weights) and the accepted inferences (``GetInferencesAtBlock``);
* ``EventNetworkLossSet`` (nonce n): the network losses agreed from the reputers' reports;
* ``EventRewardsSettled`` / ``EventTopicRewardsSet``: rewards of the nonce closed in the
  same block, then its scores (``GetWorkerInferenceScoresAtBlock``,
  ``GetWorkerForecastScoresAtBlock``, ``GetReputersScoresAtBlock``).

Events are parsed from their proto-JSON attributes (PROTOCOL.md Appendix B). The ledger also
answers forecasters' questions about the past (:class:`~pyallora.backtest.actors.KnownHistory`)
and builds the report's :class:`~pyallora.backtest.report.EpochRecord` per nonce.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Protocol

from google.protobuf import json_format

from pyallora.agents.datasets import TimeSeries
from pyallora.backtest.actors import ChainQueryError, ChainView, EpochClock
from pyallora.backtest.report import EpochRecord
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.proto.emissions.v4 import events_pb2
from pyallora.proto.emissions.v5 import query_pb2 as q

__all__ = ["BlockEvent", "EpochData", "TopicLedger", "parse_event_fields"]

WINDOW_CLOSED: Final = "emissions.v9.EventWorkerSubmissionWindowClosed"
WINDOW_OPENED: Final = "emissions.v9.EventWorkerSubmissionWindowOpened"
NETWORK_LOSS_SET: Final = "emissions.v4.EventNetworkLossSet"
REWARDS_SETTLED: Final = "emissions.v4.EventRewardsSettled"
TOPIC_REWARDS_SET: Final = "emissions.v4.EventTopicRewardsSet"


class BlockEvent(Protocol):
    """An event of a block: a type and ``(key, value)`` attributes (the app's
    :class:`~pyallora.chain.abci_types.Event` and the client's ``TxEvent`` both fit)."""

    @property
    def type(self) -> str: ...

    @property
    def attributes(self) -> tuple[tuple[str, str], ...]: ...


def parse_event_fields(event: BlockEvent) -> dict[str, Any]:
    """The fields of a typed event (each attribute is its field's proto-JSON; ``mode`` is
    dropped)."""
    fields: dict[str, Any] = {}
    for key, value in event.attributes:
        if key == "mode":
            continue
        try:
            fields[key] = json.loads(value)
        except ValueError:
            fields[key] = value
    return fields


def _as_float(text: str) -> float:
    return float(text) if text else 0.0


def _as_int(text: str) -> int:
    """An integer amount from its text (a decimal text is truncated, never rounded)."""
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        return int(Decimal(text))


def _weights(items: Iterable[v3.RegretInformedWeight]) -> dict[str, float]:
    return {item.worker: _as_float(item.weight) for item in items}


@dataclass(slots=True)
class EpochData:
    """What the chain said about one nonce (filled as blocks pass)."""

    nonce: int
    network: float | None = None
    naive: float | None = None
    inferences: dict[str, float] = field(default_factory=dict)
    forecast_implied: dict[str, float] = field(default_factory=dict)
    inferer_weights: dict[str, float] = field(default_factory=dict)
    forecaster_weights: dict[str, float] = field(default_factory=dict)
    log_losses: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    rewards: dict[str, int] = field(default_factory=dict)
    topic_reward: int = 0
    published: bool = False
    """The window closed and the network inference was read."""
    read_late: bool = False
    """The network inference was read after newer losses reached the chain, so it was
    computed with newer regrets than those of the window's close (a live reader fell behind
    by a block or more; never offline)."""
    closed: bool = False
    """The reputer nonce closed (network losses known)."""
    rewarded: bool = False


class TopicLedger:
    """Public chain data of one topic (module docstring).

    Parameters
    ----------
    view
        The chain.
    topic_id
        The topic.
    clock
        Nonce → series position (nonces outside the run are ignored).
    on_published, on_closed
        Called with the :class:`EpochData` when its network inference is published / its
        losses and rewards are known (progress lines).
    """

    def __init__(
        self,
        *,
        view: ChainView,
        topic_id: int,
        clock: EpochClock,
        on_published: Callable[[EpochData], None] | None = None,
        on_closed: Callable[[EpochData], None] | None = None,
    ) -> None:
        self._view = view
        self.topic_id = topic_id
        self.clock = clock
        self._on_published = on_published
        self._on_closed = on_closed
        self.epochs: dict[int, EpochData] = {}
        self.last_height = 0
        self._latest_loss_nonce = 0

    def _epoch(self, nonce: int) -> EpochData | None:
        if self.clock.index_of(nonce) is None:
            return None
        data = self.epochs.get(nonce)
        if data is None:
            data = self.epochs[nonce] = EpochData(nonce=nonce)
        return data

    # --- KnownHistory ------------------------------------------------------------------------

    def get_inference(self, nonce: int, address: str) -> float | None:
        """An archived inference (None if not read or not submitted)."""
        data = self.epochs.get(nonce)
        return None if data is None else data.inferences.get(address)

    def get_log_loss(self, nonce: int, key: str) -> float | None:
        """A network log-loss once the nonce closed (``network``, ``naive`` or an address)."""
        data = self.epochs.get(nonce)
        return None if data is None else data.log_losses.get(key)

    # --- blocks ------------------------------------------------------------------------------

    def observe_block(self, height: int, events: Iterable[BlockEvent]) -> None:
        """Take in the events of block ``height`` (blocks must come in order)."""
        self.last_height = height
        closed_here: EpochData | None = None
        rewarded = False
        for event in events:
            kind = event.type
            if kind not in (WINDOW_CLOSED, NETWORK_LOSS_SET, REWARDS_SETTLED, TOPIC_REWARDS_SET):
                continue
            fields = parse_event_fields(event)
            if kind == TOPIC_REWARDS_SET:
                message = json_format.ParseDict(
                    fields, events_pb2.EventTopicRewardsSet(), ignore_unknown_fields=True
                )
                for topic, amount in zip(message.topic_ids, message.rewards, strict=True):
                    if topic == self.topic_id and closed_here is not None:
                        closed_here.topic_reward += _as_int(amount)
                continue
            if int(fields.get("topic_id", 0)) != self.topic_id:
                continue
            if kind == WINDOW_CLOSED:
                data = self._epoch(int(fields.get("nonce_block_height", 0)))
                if data is not None:
                    try:
                        self._read_published(data)
                    except ChainQueryError:  # nothing archived: no accepted inference
                        data.published = False
            elif kind == NETWORK_LOSS_SET:
                message = json_format.ParseDict(
                    fields, events_pb2.EventNetworkLossSet(), ignore_unknown_fields=True
                )
                self._latest_loss_nonce = max(self._latest_loss_nonce, message.block_height)
                closed_here = self._epoch(message.block_height)
                if closed_here is not None:
                    self._read_losses(closed_here, message.value_bundle)
            elif kind == REWARDS_SETTLED and closed_here is not None:
                message = json_format.ParseDict(
                    fields, events_pb2.EventRewardsSettled(), ignore_unknown_fields=True
                )
                for address, amount in zip(message.addresses, message.rewards, strict=True):
                    paid = _as_int(amount)
                    closed_here.rewards[address] = closed_here.rewards.get(address, 0) + paid
                rewarded = True
        if closed_here is not None:
            if rewarded:
                closed_here.rewarded = True
                self._read_scores(closed_here)
            if self._on_closed is not None:
                self._on_closed(closed_here)

    def _read_published(self, data: EpochData) -> None:
        latest = self._view.query(
            "GetLatestNetworkInferences",
            q.GetLatestNetworkInferencesRequest(topic_id=self.topic_id),
            q.GetLatestNetworkInferencesResponse,
        )
        data.read_late = latest.loss_block_height > self._latest_loss_nonce
        if latest.inference_block_height == data.nonce:
            bundle = latest.network_inferences
            data.inferer_weights = _weights(latest.inferer_weights)
            data.forecaster_weights = _weights(latest.forecaster_weights)
        else:  # read late: the weights of this nonce are no longer served
            bundle = self._view.query(
                "GetNetworkInferencesAtBlock",
                q.GetNetworkInferencesAtBlockRequest(
                    topic_id=self.topic_id, block_height_last_inference=data.nonce
                ),
                q.GetNetworkInferencesAtBlockResponse,
            ).network_inferences
        data.network = _as_float(bundle.combined_value)
        count = len(bundle.inferer_values)
        # Without weights and with several inferences the chain served the bootstrap median,
        # whose naive value is a placeholder (SYNTHESIS.md §17).
        bootstrap = count > 1 and not data.inferer_weights
        data.naive = None if bootstrap else _as_float(bundle.naive_value)
        data.forecast_implied = {v.worker: _as_float(v.value) for v in bundle.forecaster_values}
        archived = self._view.query(
            "GetInferencesAtBlock",
            q.GetInferencesAtBlockRequest(topic_id=self.topic_id, block_height=data.nonce),
            q.GetInferencesAtBlockResponse,
        )
        data.inferences = {i.inferer: _as_float(i.value) for i in archived.inferences.inferences}
        data.published = True
        if self._on_published is not None:
            self._on_published(data)

    def _read_losses(self, data: EpochData, bundle: v3.ValueBundle) -> None:
        losses: dict[str, float] = {
            "network": _as_float(bundle.combined_value),
            "naive": _as_float(bundle.naive_value),
        }
        for item in (*bundle.inferer_values, *bundle.forecaster_values):
            losses[item.worker] = _as_float(item.value)
        data.log_losses = losses
        data.closed = True

    def _read_scores(self, data: EpochData) -> None:
        queries: tuple[tuple[str, Any, Any], ...] = (
            (
                "GetWorkerInferenceScoresAtBlock",
                q.GetWorkerInferenceScoresAtBlockRequest,
                q.GetWorkerInferenceScoresAtBlockResponse,
            ),
            (
                "GetWorkerForecastScoresAtBlock",
                q.GetWorkerForecastScoresAtBlockRequest,
                q.GetWorkerForecastScoresAtBlockResponse,
            ),
            (
                "GetReputersScoresAtBlock",
                q.GetReputersScoresAtBlockRequest,
                q.GetReputersScoresAtBlockResponse,
            ),
        )
        for method, request, response in queries:
            try:
                answer = self._view.query(
                    method, request(topic_id=self.topic_id, block_height=data.nonce), response
                )
            except ChainQueryError:
                continue
            for score in answer.scores.scores:
                data.scores[score.address] = _as_float(score.score)

    # --- records -----------------------------------------------------------------------------

    def count_late_reads(self) -> int:
        """Published epochs whose network inference was read late (:class:`EpochData`)."""
        return sum(1 for data in self.epochs.values() if data.published and data.read_late)

    def is_complete(self) -> bool:
        """Whether the last epoch of the run has closed (its losses and rewards are in)."""
        last = self.epochs.get(self.clock.last_nonce)
        return last is not None and last.closed

    def build_records(self, series: TimeSeries) -> tuple[EpochRecord, ...]:
        """One record per published epoch, in nonce order."""
        records: list[EpochRecord] = []
        for nonce in sorted(self.epochs):
            data = self.epochs[nonce]
            index = self.clock.index_of(nonce)
            if index is None or not data.published:
                continue
            time = series.times[index].isoformat() if series.times else ""
            records.append(
                EpochRecord(
                    epoch=index - self.clock.start,
                    nonce=nonce,
                    index=index,
                    time=time,
                    truth=series.values[index],
                    network=data.network,
                    naive=data.naive,
                    inferences=dict(sorted(data.inferences.items())),
                    forecast_implied=dict(sorted(data.forecast_implied.items())),
                    inferer_weights=dict(sorted(data.inferer_weights.items())),
                    forecaster_weights=dict(sorted(data.forecaster_weights.items())),
                    network_log_losses=dict(data.log_losses),
                    scores=dict(sorted(data.scores.items())),
                    rewards=dict(sorted(data.rewards.items())),
                    topic_reward=data.topic_reward,
                )
            )
        return tuple(records)


def summarise_rewards(records: Iterable[EpochRecord]) -> Mapping[str, int]:
    """Total rewards per address over records."""
    totals: dict[str, int] = {}
    for record in records:
        for address, amount in record.rewards.items():
            totals[address] = totals.get(address, 0) + amount
    return totals
