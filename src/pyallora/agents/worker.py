"""The worker: runs inferer and forecaster models on its topics, one payload per open nonce
(PROTOCOL.md §3.14; ``allora worker run CONFIG``).

Per topic, at every tick (:mod:`pyallora.agents.runtime`):

1. make sure the key is registered as a worker in the topic (a Register tx when it is not);
2. ask the node which worker nonces are open in the next block; for each open nonce ``n``
   not handled yet:

   * build the model context (:class:`~pyallora.agents.context.InferenceContext`): the
     topic, ``n``, the topic's metadata and loss method, and from the topic's data source the
     ground truth of the past epochs ``n − k·E`` (``k = 1..history``, those the source
     knows) and its features (for ``n`` and for the past epochs);
   * call the inferer; a model that raises or returns NaN/infinity makes the worker *skip*
     the nonce, with the reason logged and recorded (it carries on with the next one);
   * with a forecaster: build the :class:`~pyallora.agents.context.ForecastContext` (this
     window's inferences so far, the inferers' archived past inferences and network
     log-losses) and call it; elements for addresses that are not known inferers are
     dropped (the chain would silently drop the whole forecast, QUIRK C4);
   * sign the bundle and submit it exactly once (:class:`~pyallora.agents.runtime.Submitter`).

With ``forecast_delay_blocks = d > 0`` the forecast goes in a separate forecast-only bundle
aimed at the block ``d`` blocks after the window's first block (``n + 1``; block ``n``'s own
transactions run before the nonce exists), so that it sees the inferences of those blocks.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pyallora.agents.config import (
    DataSource,
    FeatureSource,
    WorkerConfig,
    WorkerTopicConfig,
    build_data_source,
    build_model,
    extend_python_path,
    get_features,
)
from pyallora.agents.context import (
    ForecastContext,
    Forecaster,
    InferenceContext,
    Inferer,
    NonFiniteOutputError,
    validate_finite,
)
from pyallora.agents.payloads import PayloadError, build_worker_payload, canonical_value_text
from pyallora.agents.runtime import AgentLoop, SubmissionRecord, TopicInfo, emit
from pyallora.client.client import Client
from pyallora.client.errors import ClientError, NodeApiError, NodeUnreachableError
from pyallora.client.wallet import Wallet

__all__ = ["Worker", "WorkerTopic", "describe_model_failure"]

EMISSIONS_QUERY: Final = "/emissions.v5.QueryService/"

MAX_SOURCE_FAILURES: Final = 3
"""Times a past epoch's truth is asked for before the worker stops asking."""

NOT_REGISTERED_CODE: Final = 13
"""emissions ``ErrAddressNotRegistered``."""


def describe_model_failure(error: BaseException) -> str:
    """The reason recorded when a model fails.

    >>> describe_model_failure(NonFiniteOutputError("inference is not finite: nan"))
    'model returned a non-finite value: inference is not finite: nan'
    """
    if isinstance(error, NonFiniteOutputError):
        return f"model returned a non-finite value: {error}"
    return f"model raised {type(error).__name__}: {error}"


@dataclass(slots=True)
class WorkerTopic:
    """A topic of a running worker: its models, data source and caches."""

    config: WorkerTopicConfig
    inferer: Inferer | None
    forecaster: Forecaster | None
    source: DataSource | None
    truths: dict[int, float] = field(default_factory=dict)
    source_failures: dict[int, int] = field(default_factory=dict)
    features: dict[int, Mapping[str, float]] = field(default_factory=dict)
    archived_inferences: dict[int, dict[str, float]] = field(default_factory=dict)
    network_losses: dict[int, tuple[dict[str, float], float | None]] = field(default_factory=dict)
    seen_windows: set[int] = field(default_factory=set)
    last_window: dict[str, Any] | None = None
    last_error: str | None = None
    error_in_tick: bool = False

    @property
    def topic_id(self) -> int:
        """The topic id."""
        return self.config.topic_id


@dataclass(frozen=True, slots=True, kw_only=True)
class _Past:
    nonces: tuple[int, ...]
    history: tuple[float, ...]
    feature_history: tuple[Mapping[str, float], ...]


class Worker(AgentLoop):
    """A worker (module docstring).

    Parameters
    ----------
    config
        The worker's configuration.
    wallet
        Its key.
    client
        A client of the node (default: one for the configured URL).
    log
        Logger of progress lines.
    """

    role = "worker"

    def __init__(
        self,
        config: WorkerConfig,
        wallet: Wallet,
        *,
        client: Client | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        super().__init__(config.settings, wallet, client=client, log=log)
        self.config = config
        extend_python_path(config.settings.python_path)
        self.topics: list[WorkerTopic] = []
        for topic in config.topics:
            inferer = build_model(topic.inferer, "inferer") if topic.inferer else None
            forecaster = build_model(topic.forecaster, "forecaster") if topic.forecaster else None
            self.topics.append(
                WorkerTopic(
                    config=topic,
                    inferer=inferer,  # type: ignore[arg-type]
                    forecaster=forecaster,  # type: ignore[arg-type]
                    source=build_data_source(topic.data) if topic.data else None,
                )
            )

    # -- the tick -------------------------------------------------------------------------------

    def tick(self) -> None:
        """Handle every topic (module docstring); an unreachable node ends the tick."""
        for topic in self.topics:
            topic.error_in_tick = False
            try:
                self._tick_topic(topic)
            except NodeUnreachableError:
                raise
            except NodeApiError as exc:
                self._topic_error(topic, f"the node refused a request: {exc}")
            if not topic.error_in_tick:
                topic.last_error = None

    def _topic_error(self, topic: WorkerTopic, message: str) -> None:
        if topic.last_error != message:
            emit(self.log, "topic_error", logging.WARNING, topic=topic.topic_id, error=message)
        topic.last_error = message
        topic.error_in_tick = True

    def _tick_topic(self, topic: WorkerTopic) -> None:
        for record in self.state.pending():
            if record.topic_id == topic.topic_id:
                self.submitter.follow(record, self.height)
        if not self.ensure_registered(topic.topic_id):
            return
        info = self.topic_info(topic.topic_id)
        windows = self.client.windows(topic.topic_id, self.address)
        next_height = int(windows.get("next_height") or self.height + 1)
        for window in sorted(windows.get("worker_nonces") or (), key=lambda w: int(w["nonce"])):
            if not window.get("open_now"):
                continue
            nonce = int(window["nonce"])
            deadline = int(window["closes_at"]) - 1
            topic.last_window = {"nonce": nonce, "closes_at": int(window["closes_at"])}
            if nonce not in topic.seen_windows:
                topic.seen_windows.add(nonce)
                emit(
                    self.log,
                    "window_opened",
                    topic=topic.topic_id,
                    nonce=nonce,
                    last_height=deadline,
                )
            self._handle_nonce(topic, info, nonce, deadline, next_height)

    def _handle_nonce(
        self, topic: WorkerTopic, info: TopicInfo, nonce: int, deadline: int, next_height: int
    ) -> None:
        delay = topic.config.forecast_delay_blocks
        separate_forecast = topic.forecaster is not None and delay > 0
        if topic.inferer is not None or not separate_forecast:
            key = f"worker:{topic.topic_id}:{nonce}:inference"
            if self.state.get(key) is None:
                self._submit_bundle(
                    topic, info, nonce, deadline, key, with_forecast=not separate_forecast
                )
        if separate_forecast and next_height >= nonce + 1 + delay:
            key = f"worker:{topic.topic_id}:{nonce}:forecast"
            if self.state.get(key) is None:
                self._submit_forecast_only(topic, info, nonce, deadline, key)

    # -- contexts -------------------------------------------------------------------------------

    def _ask_source(self, topic: WorkerTopic, nonce: int) -> None:
        source = topic.source
        if source is None or nonce in topic.truths:
            return
        if topic.source_failures.get(nonce, 0) >= MAX_SOURCE_FAILURES:
            return
        try:
            topic.truths[nonce] = validate_finite(source.truth(topic.topic_id, nonce), "truth")
        except Exception:
            # A past value the source does not have (yet): the history just lacks it.
            topic.source_failures[nonce] = topic.source_failures.get(nonce, 0) + 1

    def _features(self, topic: WorkerTopic, nonce: int) -> Mapping[str, float]:
        if nonce in topic.features:
            return topic.features[nonce]
        try:
            found = get_features(topic.source, topic.topic_id, nonce)
        except Exception as exc:
            emit(
                self.log,
                "features_unavailable",
                logging.WARNING,
                topic=topic.topic_id,
                nonce=nonce,
                error=f"{type(exc).__name__}: {exc}",
            )
            return {}
        features = dict(found or {})
        topic.features[nonce] = features
        return features

    def _past(self, topic: WorkerTopic, info: TopicInfo, nonce: int) -> _Past:
        if topic.source is None or info.epoch_length <= 0 or topic.config.history <= 0:
            return _Past(nonces=(), history=(), feature_history=())
        wanted = [
            nonce - k * info.epoch_length
            for k in range(topic.config.history, 0, -1)
            if nonce - k * info.epoch_length > 0
        ]
        for past in wanted:
            self._ask_source(topic, past)
        nonces = tuple(past for past in wanted if past in topic.truths)
        oldest = wanted[0] if wanted else nonce
        for stale in [n for n in topic.truths if n < oldest]:
            topic.truths.pop(stale, None)
            topic.features.pop(stale, None)
            topic.archived_inferences.pop(stale, None)
            topic.network_losses.pop(stale, None)
        feature_history = (
            tuple(self._features(topic, past) for past in nonces)
            if isinstance(topic.source, FeatureSource)
            else ()
        )
        return _Past(
            nonces=nonces,
            history=tuple(topic.truths[past] for past in nonces),
            feature_history=feature_history,
        )

    def _inference_context(
        self, topic: WorkerTopic, info: TopicInfo, nonce: int, past: _Past
    ) -> InferenceContext:
        return InferenceContext(
            topic_id=topic.topic_id,
            nonce=nonce,
            history=past.history,
            topic_metadata=info.metadata,
            loss_method=info.loss_method,
            features=self._features(topic, nonce) if topic.source is not None else {},
            feature_history=past.feature_history,
        )

    def _query(self, method: str, **fields: Any) -> dict[str, Any]:
        request = {key: str(value) for key, value in fields.items()}
        return self.client.query(EMISSIONS_QUERY + method, request)

    def current_inferences(self, topic_id: int) -> dict[str, float]:
        """This window's accepted inferences so far, by inferer."""
        try:
            answer = self._query("GetActiveInferersForTopic", topic_id=topic_id)
        except NodeApiError:
            return {}
        found: dict[str, float] = {}
        for inferer in sorted(str(a) for a in answer.get("inferers") or ()):
            try:
                latest = self._query(
                    "GetWorkerLatestInferenceByTopicId", topic_id=topic_id, worker_address=inferer
                )
                value = float((latest.get("latest_inference") or {}).get("value", "nan"))
            except (NodeApiError, ValueError):
                continue
            if math.isfinite(value):
                found[inferer] = value
        return found

    def _archived_inferences(self, topic: WorkerTopic, nonce: int) -> dict[str, float]:
        if nonce in topic.archived_inferences:
            return topic.archived_inferences[nonce]
        try:
            answer = self.client.get(
                f"/v1/topics/{topic.topic_id}/inferences", nonce=nonce, limit=1000
            )
        except NodeApiError:
            return {}
        values: dict[str, float] = {}
        for entry in (answer.get("result") or {}).get("inferences") or ():
            try:
                values[str(entry["inferer"])] = float(entry["value"])
            except (KeyError, TypeError, ValueError):
                continue
        topic.archived_inferences[nonce] = values
        return values

    def _network_losses(
        self, topic: WorkerTopic, nonce: int
    ) -> tuple[dict[str, float], float | None]:
        if nonce in topic.network_losses:
            return topic.network_losses[nonce]
        try:
            bundle = self.client.losses(topic.topic_id, nonce).get("network_loss") or {}
        except NodeApiError:
            return {}, None
        per_inferer: dict[str, float] = {}
        for entry in bundle.get("inferer_values") or ():
            try:
                per_inferer[str(entry["worker"])] = float(entry["value"])
            except (KeyError, TypeError, ValueError):
                continue
        if not per_inferer:
            return {}, None  # not reported yet (the node answers a zero bundle): ask later
        combined_text = str(bundle.get("combined_value") or "")
        combined = float(combined_text) if combined_text else None
        topic.network_losses[nonce] = (per_inferer, combined)
        return per_inferer, combined

    def _forecast_context(
        self, topic: WorkerTopic, info: TopicInfo, nonce: int, past: _Past
    ) -> ForecastContext:
        current = self.current_inferences(topic.topic_id)
        archived = {n: self._archived_inferences(topic, n) for n in past.nonces}
        losses = {n: self._network_losses(topic, n) for n in past.nonces}
        inferers = sorted(
            set(current)
            | {a for values in archived.values() for a in values}
            | {a for per, _ in losses.values() for a in per}
        )
        base = self._inference_context(topic, info, nonce, past)
        return ForecastContext(
            topic_id=base.topic_id,
            nonce=base.nonce,
            history=base.history,
            topic_metadata=base.topic_metadata,
            loss_method=base.loss_method,
            features=base.features,
            feature_history=base.feature_history,
            inferences=current,
            inference_history={a: tuple(archived[n].get(a) for n in past.nonces) for a in inferers},
            inferer_loss_history={
                a: tuple(losses[n][0].get(a) for n in past.nonces) for a in inferers
            },
            network_loss_history=tuple(losses[n][1] for n in past.nonces),
        )

    # -- models ---------------------------------------------------------------------------------

    def _run_inferer(
        self, topic: WorkerTopic, info: TopicInfo, nonce: int, past: _Past
    ) -> tuple[float | None, str | None]:
        assert topic.inferer is not None
        try:
            value = topic.inferer.infer(self._inference_context(topic, info, nonce, past))
            finite = validate_finite(value, "inference")
            canonical_value_text(finite)
        except Exception as exc:
            return None, describe_model_failure(exc)
        return finite, None

    def _run_forecaster(
        self, topic: WorkerTopic, info: TopicInfo, nonce: int, past: _Past
    ) -> tuple[dict[str, float] | None, str | None]:
        assert topic.forecaster is not None
        context = self._forecast_context(topic, info, nonce, past)
        try:
            answer = topic.forecaster.forecast(context)
            values = {
                str(inferer): validate_finite(value, f"forecast for {inferer}")
                for inferer, value in dict(answer).items()
            }
        except Exception as exc:
            return None, describe_model_failure(exc)
        known = set(context.inferences) | set(context.inference_history) | {self.address}
        kept = {inferer: value for inferer, value in values.items() if inferer in known}
        if not kept:
            return None, "the forecast has no element for a known inferer"
        return kept, None

    # -- submitting -----------------------------------------------------------------------------

    def _submit_bundle(
        self,
        topic: WorkerTopic,
        info: TopicInfo,
        nonce: int,
        deadline: int,
        key: str,
        *,
        with_forecast: bool,
    ) -> None:
        past = self._past(topic, info, nonce)
        reasons: list[str] = []
        value: float | None = None
        forecast: dict[str, float] | None = None
        if topic.inferer is not None:
            value, reason = self._run_inferer(topic, info, nonce, past)
            if reason:
                reasons.append(f"inferer: {reason}")
        if with_forecast and topic.forecaster is not None:
            forecast, reason = self._run_forecaster(topic, info, nonce, past)
            if reason:
                reasons.append(f"forecaster: {reason}")
        kind = "inference" if topic.inferer is not None else "forecast"
        if value is None and forecast is None:
            self.submitter.skip(
                key=key,
                kind=kind,
                topic_id=topic.topic_id,
                nonce=nonce,
                reason="; ".join(reasons) or "no model output",
                detail={"history": len(past.history)},
            )
            return
        if reasons:
            emit(
                self.log,
                "partial_bundle",
                logging.WARNING,
                topic=topic.topic_id,
                nonce=nonce,
                reason="; ".join(reasons),
            )
        detail: dict[str, Any] = {"history": len(past.history)}
        if value is not None:
            detail["value"] = canonical_value_text(value)
        if forecast is not None:
            detail["forecast_elements"] = len(forecast)
        self._submit(topic, nonce, deadline, key, kind, value, forecast, detail)

    def _submit_forecast_only(
        self, topic: WorkerTopic, info: TopicInfo, nonce: int, deadline: int, key: str
    ) -> None:
        past = self._past(topic, info, nonce)
        forecast, reason = self._run_forecaster(topic, info, nonce, past)
        if forecast is None:
            self.submitter.skip(
                key=key,
                kind="forecast",
                topic_id=topic.topic_id,
                nonce=nonce,
                reason=f"forecaster: {reason}",
            )
            return
        detail = {"forecast_elements": len(forecast), "history": len(past.history)}
        self._submit(topic, nonce, deadline, key, "forecast", None, forecast, detail)

    def _submit(
        self,
        topic: WorkerTopic,
        nonce: int,
        deadline: int,
        key: str,
        kind: str,
        value: float | None,
        forecast: dict[str, float] | None,
        detail: Mapping[str, Any],
    ) -> None:
        try:
            payload = build_worker_payload(
                self.wallet,
                topic_id=topic.topic_id,
                nonce=nonce,
                inference=value,
                forecast=forecast,
            )
        except (PayloadError, NonFiniteOutputError) as exc:
            self.submitter.skip(
                key=key, kind=kind, topic_id=topic.topic_id, nonce=nonce, reason=str(exc)
            )
            return
        try:
            self.submitter.submit(
                key=key,
                kind=kind,
                topic_id=topic.topic_id,
                nonce=nonce,
                messages=[payload],
                height=self.height,
                deadline_height=deadline,
                detail=detail,
            )
        except NodeUnreachableError:
            raise
        except ClientError as exc:
            self._topic_error(topic, f"cannot sign the payload: {exc}")

    # -- hooks ------------------------------------------------------------------------------------

    def on_resolved(self, record: SubmissionRecord) -> None:
        """A refusal for "not registered" makes the worker check its registration again."""
        if record.status in ("refused", "failed") and record.code == NOT_REGISTERED_CODE:
            self.forget_registration(record.topic_id)

    def topic_status(self) -> dict[str, Any]:
        """Per topic: registration seen, the last open window, the last error."""
        return {
            str(topic.topic_id): {
                "registered": topic.topic_id in self._registered,
                "last_window": topic.last_window,
                "last_error": topic.last_error,
            }
            for topic in self.topics
        }
