"""The reputer: brings the ground truth, scores the network's value bundle, submits the losses
in its window (PROTOCOL.md §3.15, SYNTHESIS.md §8; ``allora reputer run CONFIG``).

Per topic, at every tick (:mod:`pyallora.agents.runtime`):

1. make sure the key is registered as a reputer in the topic, and that its self-stake is at
   least the configured ``stake_target`` (an AddStake of the difference when the balance
   allows it);
2. take the *oldest* open reputer nonce ``N`` (as the Go node does): the chain keeps one
   active reputer set per topic, not per nonce (QUIRK C21), so a bundle for a newer nonce
   sent while ``N`` is open is refused as "already submitted" or consumed by ``N``'s close;
   newer nonces wait until ``N`` closes, whether ``N`` was submitted or skipped;
3. ask the topic's truth source for the truth of ``N``; when it is not available the reputer
   asks again later (``retry``: attempts, delay, backoff; without blocking the other topics)
   and, after the last attempt or once the window has closed, skips ``N`` with the reason;
4. read the value bundle the network produced at ``N`` (``GetNetworkInferencesAtBlock``) and
   compute the loss of every entry with the topic's loss method
   (:func:`compute_loss_value_bundle`: log10 losses unless the topic allows negative losses);
5. sign the loss bundle and submit it exactly once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pyallora.agents.config import (
    DataSource,
    ReputerConfig,
    ReputerTopicConfig,
    build_data_source,
    extend_python_path,
)
from pyallora.agents.context import AgentError, NonFiniteOutputError, validate_finite
from pyallora.agents.losses import compute_bundle_log10_losses, parse_loss_method
from pyallora.agents.payloads import (
    PayloadError,
    build_reputer_payload,
    canonical_text,
    canonical_value_text,
    parse_value_bundle_json,
)
from pyallora.agents.runtime import (
    SETUP_RETRY_SECONDS,
    AgentLoop,
    SubmissionRecord,
    TopicInfo,
    emit,
)
from pyallora.agents.truth import TruthFormatError
from pyallora.client.client import Client
from pyallora.client.errors import ClientError, NodeApiError, NodeUnreachableError
from pyallora.client.wallet import Wallet
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import tx_pb2

__all__ = ["Reputer", "ReputerTopic", "compute_loss_value_bundle"]

EMISSIONS_QUERY: Final = "/emissions.v5.QueryService/"

STAKE_CHECK_SECONDS: Final = 60.0
"""Seconds between checks of a reputer's self-stake once it reached the target."""

NOT_REGISTERED_CODE: Final = 13
"""emissions ``ErrAddressNotRegistered``."""

INSUFFICIENT_STAKE_CODE: Final = 11
"""emissions ``ErrInsufficientStake``."""

_SINGLE_LISTS: Final = (
    "inferer_values",
    "forecaster_values",
    "one_out_inferer_values",
    "one_out_forecaster_values",
    "one_in_forecaster_values",
)

Entry = tuple[str, ...]


def _value(text: str) -> float:
    return float(canonical_text(text))


def compute_loss_value_bundle(
    values: types_pb2.ValueBundle,
    truth: float,
    loss_method: str,
    *,
    allow_negative: bool = False,
) -> types_pb2.ValueBundle:
    """The reputer's losses of a network value bundle, in the same shape (SYNTHESIS.md §8).

    Every entry (combined, naive, each inferer, each forecast-implied value, the one-out and
    one-in values) gets the topic's reported loss against ``truth``
    (:func:`pyallora.agents.losses.compute_bundle_log10_losses`). Entries whose loss is
    undefined (``log_space_mae`` of a non-positive value) are left out, which a reputer may do;
    a forecaster's one-out list left empty is dropped. Topic, nonce and reputer are left for
    :func:`pyallora.agents.payloads.build_reputer_payload`.

    Raises
    ------
    PayloadError
        If the loss of the combined or the naive value is undefined (they cannot be left
        out: the chain reads a missing Dec as 0), or a value is not decimal text.
    NonFiniteOutputError
        If the truth is not finite.
    UnknownLossMethodError
        If the topic's loss method is unknown.
    """
    method = parse_loss_method(loss_method)
    entries: dict[Entry, float] = {
        ("combined",): _value(values.combined_value),
        ("naive",): _value(values.naive_value),
    }
    for name in _SINGLE_LISTS:
        for item in getattr(values, name):
            entries[(name, item.worker)] = _value(item.value)
    for group in values.one_out_inferer_forecaster_values:
        for item in group.one_out_inferer_values:
            entries[("one_out_inferer_forecaster", group.forecaster, item.worker)] = _value(
                item.value
            )
    losses = compute_bundle_log10_losses(
        entries, truth, method, allow_negative=allow_negative, skip_undefined=True
    )
    for required in (("combined",), ("naive",)):
        if required not in losses:
            raise PayloadError(
                f"the {method.name} loss of the {required[0]} value "
                f"{entries[required]!r} is undefined"
            )
    result = types_pb2.ValueBundle(
        combined_value=canonical_value_text(losses[("combined",)]),
        naive_value=canonical_value_text(losses[("naive",)]),
    )
    for name in _SINGLE_LISTS:
        target = getattr(result, name)
        for item in getattr(values, name):
            loss = losses.get((name, item.worker))
            if loss is not None:
                target.add(worker=item.worker, value=canonical_value_text(loss))
    for group in values.one_out_inferer_forecaster_values:
        kept = [
            (item.worker, losses[key])
            for item in group.one_out_inferer_values
            if (key := ("one_out_inferer_forecaster", group.forecaster, item.worker)) in losses
        ]
        if kept:
            out = result.one_out_inferer_forecaster_values.add(forecaster=group.forecaster)
            for worker, loss in kept:
                out.one_out_inferer_values.add(worker=worker, value=canonical_value_text(loss))
    return result


@dataclass(slots=True)
class _TruthAttempts:
    count: int
    ready_at: float
    error: str


@dataclass(slots=True)
class ReputerTopic:
    """A topic of a running reputer."""

    config: ReputerTopicConfig
    source: DataSource
    truth_attempts: dict[int, _TruthAttempts] = field(default_factory=dict)
    stake: int | None = None
    next_stake_check: float = 0.0
    seen_windows: set[int] = field(default_factory=set)
    last_window: dict[str, Any] | None = None
    last_error: str | None = None
    error_in_tick: bool = False

    @property
    def topic_id(self) -> int:
        """The topic id."""
        return self.config.topic_id


class Reputer(AgentLoop):
    """A reputer (module docstring).

    Parameters
    ----------
    config
        The reputer's configuration.
    wallet
        Its key.
    client
        A client of the node (default: one for the configured URL).
    log
        Logger of progress lines.
    clock
        Monotonic clock of the truth retries (tests).
    """

    role = "reputer"

    def __init__(
        self,
        config: ReputerConfig,
        wallet: Wallet,
        *,
        client: Client | None = None,
        log: logging.Logger | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        super().__init__(config.settings, wallet, client=client, log=log)
        self.config = config
        self.clock = clock
        extend_python_path(config.settings.python_path)
        self.topics = [
            ReputerTopic(config=topic, source=build_data_source(topic.truth))
            for topic in config.topics
        ]

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

    def _topic_error(self, topic: ReputerTopic, message: str) -> None:
        if topic.last_error != message:
            emit(self.log, "topic_error", logging.WARNING, topic=topic.topic_id, error=message)
        topic.last_error = message
        topic.error_in_tick = True

    def _tick_topic(self, topic: ReputerTopic) -> None:
        for record in self.state.pending():
            if record.topic_id == topic.topic_id:
                self.submitter.follow(record, self.height)
        if not self.ensure_registered(topic.topic_id):
            return
        self._ensure_stake(topic)
        info = self.topic_info(topic.topic_id)
        windows = self.client.windows(topic.topic_id, self.address)
        open_windows = sorted(
            (w for w in windows.get("reputer_nonces") or () if w.get("open_now")),
            key=lambda w: int(w["nonce"]),
        )
        self._expire_truth_waits(topic, {int(w["nonce"]) for w in open_windows})
        if not open_windows:
            return
        # Only the oldest open nonce (QUIRK C21): a bundle for a newer nonce sent while an
        # older one is open is refused ("already submitted") or consumed by the older close.
        window = open_windows[0]
        nonce = int(window["nonce"])
        closes_by = int(window["closes_by"])
        topic.last_window = {"nonce": nonce, "closes_by": closes_by}
        key = f"reputer:{topic.topic_id}:{nonce}"
        if self.state.get(key) is not None:
            return
        if nonce not in topic.seen_windows:
            topic.seen_windows.add(nonce)
            emit(
                self.log, "window_opened", topic=topic.topic_id, nonce=nonce, last_height=closes_by
            )
        self._attempt(topic, info, nonce, closes_by, key)

    # -- stake ----------------------------------------------------------------------------------

    def _ensure_stake(self, topic: ReputerTopic) -> None:
        target = topic.config.stake_target
        if target <= 0 or self.clock() < topic.next_stake_check:
            return
        key = f"stake:{topic.topic_id}"
        record = self.state.get(key)
        if record is not None and record.is_pending:
            record = self.submitter.follow(record, self.height)
            if record.is_pending:
                return
        own = int(self.client.reputer_stake(topic.topic_id, self.address).get("self") or 0)
        topic.stake = own
        if own >= target:
            topic.next_stake_check = self.clock() + STAKE_CHECK_SECONDS
            return
        if record is not None:
            if time.time() - record.updated_at < SETUP_RETRY_SECONDS:
                return
            self.state.forget(key)
        amount = target - own
        fee = self.settings.fee_for(self.settings.gas)
        balance = self.client.balance(self.address)
        if balance < amount + fee:
            self._topic_error(
                topic,
                f"balance {balance} uallo cannot add {amount} uallo of stake (+{fee} fee) "
                f"to reach the target {target}",
            )
            topic.next_stake_check = self.clock() + SETUP_RETRY_SECONDS
            return
        emit(self.log, "adding_stake", topic=topic.topic_id, amount=amount, target=target)
        self.submitter.submit(
            key=key,
            kind="stake",
            topic_id=topic.topic_id,
            nonce=0,
            messages=[
                tx_pb2.AddStakeRequest(
                    sender=self.address, topic_id=topic.topic_id, amount=str(amount)
                )
            ],
            height=self.height,
            detail={"amount": str(amount)},
        )

    # -- truth ----------------------------------------------------------------------------------

    def _expire_truth_waits(self, topic: ReputerTopic, open_nonces: set[int]) -> None:
        for nonce in sorted(topic.truth_attempts):
            if nonce in open_nonces:
                continue
            attempts = topic.truth_attempts.pop(nonce)
            key = f"reputer:{topic.topic_id}:{nonce}"
            if self.state.get(key) is None:
                self.submitter.skip(
                    key=key,
                    kind="losses",
                    topic_id=topic.topic_id,
                    nonce=nonce,
                    reason=(
                        f"the window closed before the ground truth was available "
                        f"({attempts.count} attempts; last error: {attempts.error})"
                    ),
                )

    def _truth(self, topic: ReputerTopic, nonce: int, key: str) -> float | None:
        waiting = topic.truth_attempts.get(nonce)
        if waiting is not None and self.clock() < waiting.ready_at:
            return None
        try:
            value = validate_finite(topic.source.truth(topic.topic_id, nonce), "truth")
        except Exception as exc:
            count = (waiting.count if waiting else 0) + 1
            error = f"{type(exc).__name__}: {exc}"
            policy = topic.config.retry
            retryable = not isinstance(exc, TruthFormatError | NonFiniteOutputError)
            if count >= policy.attempts or not retryable:
                topic.truth_attempts.pop(nonce, None)
                self.submitter.skip(
                    key=key,
                    kind="losses",
                    topic_id=topic.topic_id,
                    nonce=nonce,
                    reason=f"ground truth unavailable after {count} attempt(s): {error}",
                )
                return None
            delay = policy.delay * policy.backoff ** (count - 1)
            topic.truth_attempts[nonce] = _TruthAttempts(
                count=count, ready_at=self.clock() + delay, error=error
            )
            emit(
                self.log,
                "truth_retry",
                logging.WARNING,
                topic=topic.topic_id,
                nonce=nonce,
                attempt=count,
                retry_in=round(delay, 3),
                error=error,
            )
            return None
        topic.truth_attempts.pop(nonce, None)
        return value

    # -- submitting -----------------------------------------------------------------------------

    def _attempt(
        self, topic: ReputerTopic, info: TopicInfo, nonce: int, closes_by: int, key: str
    ) -> None:
        truth = self._truth(topic, nonce, key)
        if truth is None:
            return
        try:
            answer = self.client.query(
                EMISSIONS_QUERY + "GetNetworkInferencesAtBlock",
                {"topic_id": str(topic.topic_id), "block_height_last_inference": str(nonce)},
            )
        except NodeApiError as exc:
            if exc.status >= 500:
                raise
            self.submitter.skip(
                key=key,
                kind="losses",
                topic_id=topic.topic_id,
                nonce=nonce,
                reason=f"no network value bundle at nonce {nonce}: {exc.detail}",
                detail={"truth": truth},
            )
            return
        try:
            values = parse_value_bundle_json(answer.get("network_inferences") or {})
            losses = compute_loss_value_bundle(
                values, truth, info.loss_method, allow_negative=info.allow_negative
            )
            payload = build_reputer_payload(
                self.wallet, losses, topic_id=topic.topic_id, nonce=nonce
            )
        except (AgentError, ValueError) as exc:
            self.submitter.skip(
                key=key,
                kind="losses",
                topic_id=topic.topic_id,
                nonce=nonce,
                reason=f"cannot compute the losses: {exc}",
                detail={"truth": truth},
            )
            return
        detail: Mapping[str, Any] = {
            "truth": truth,
            "combined_value": values.combined_value,
            "combined_loss": losses.combined_value,
            "inferers": len(losses.inferer_values),
        }
        try:
            self.submitter.submit(
                key=key,
                kind="losses",
                topic_id=topic.topic_id,
                nonce=nonce,
                messages=[payload],
                height=self.height,
                deadline_height=closes_by,
                detail=detail,
            )
        except NodeUnreachableError:
            raise
        except ClientError as exc:
            self._topic_error(topic, f"cannot sign the payload: {exc}")

    # -- hooks ------------------------------------------------------------------------------------

    def on_resolved(self, record: SubmissionRecord) -> None:
        """Refusals for registration or stake make the reputer check them again."""
        if record.status not in ("refused", "failed"):
            return
        if record.code == NOT_REGISTERED_CODE:
            self.forget_registration(record.topic_id)
        if record.code == INSUFFICIENT_STAKE_CODE:
            for topic in self.topics:
                if topic.topic_id == record.topic_id:
                    topic.next_stake_check = 0.0

    def topic_status(self) -> dict[str, Any]:
        """Per topic: registration seen, stake, the last open window, truth waits, errors."""
        return {
            str(topic.topic_id): {
                "registered": topic.topic_id in self._registered,
                "stake": topic.stake,
                "stake_target": topic.config.stake_target,
                "last_window": topic.last_window,
                "waiting_for_truth": {
                    str(nonce): {"attempts": a.count, "error": a.error}
                    for nonce, a in sorted(topic.truth_attempts.items())
                },
                "last_error": topic.last_error,
            }
            for topic in self.topics
        }
