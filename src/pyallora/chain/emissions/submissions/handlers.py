"""Handlers of InsertWorkerPayload (PROTOCOL.md §3.14) and InsertReputerPayload (§3.15).

Steps 1-2 (stateless, signature included) are the messages' ``validate_basic``
(:mod:`.msgs`); the handlers run the stateful checklist that follows, in the reference's
order, then charge the data fee and run the active-set admission of §5.9
(:mod:`.active_set`). A failure after the fee leaves no trace (the transaction is atomic); a
submission that merely loses its contest keeps the fee and stores nothing.

Recommended fixes (Appendix C), all switched off by ``reference_compat``:

* **C3** — the inner inference and forecast block heights must equal the bundle's nonce
  (sdk invalid-request 18), so a signed inference cannot be replayed into a later window;
* **C4** — a forecast element about an unregistered inferer is dropped on its own (the
  reference silently drops the whole forecast);
* **C19** — forecast elements tied on their inferer's EMA are ranked by inferer address in
  both modes (the reference's tie-break is Go's seeded PRNG, which cannot be reproduced);
* [REC] §7.2 — the lenient signature rule of ``validate_basic`` stands; under
  ``reference_compat`` the handler re-verifies over the canonical re-encoding only.
"""

from __future__ import annotations

from typing import Any, Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.errors import (
    AddressNotRegisteredError,
    InsufficientStakeError,
    InvalidTopicIdError,
    NonceStillUnfulfilledError,
    NoValidForecastElementsError,
    QueryTooLargeError,
    ReputerNonceWindowNotAvailableError,
    UnfulfilledNonceNotFoundError,
    WorkerNonceWindowNotAvailableError,
)
from pyallora.chain.emissions.nonces.state import (
    is_reputer_nonce_unfulfilled,
    is_worker_nonce_unfulfilled,
)
from pyallora.chain.emissions.params import EmissionsParams, get_params, is_reference_compat
from pyallora.chain.emissions.registration.state import (
    is_reputer_registered,
    is_worker_registered,
)
from pyallora.chain.emissions.rewards.state import (
    FORECASTER,
    INFERER,
    REPUTER,
    get_score_ema,
)
from pyallora.chain.emissions.stake.state import get_stake_reputer_authority
from pyallora.chain.emissions.submissions.active_set import process_admission
from pyallora.chain.emissions.submissions.errors import (
    FORECAST_ALREADY_SUBMITTED,
    INFERENCE_ALREADY_SUBMITTED,
    REPUTER_LOSS_ALREADY_SUBMITTED,
)
from pyallora.chain.emissions.submissions.msgs import InsertReputerPayload, InsertWorkerPayload
from pyallora.chain.emissions.submissions.state import (
    set_latest_forecast,
    set_latest_inference,
    set_latest_loss_bundle,
)
from pyallora.chain.emissions.topics.activation import charge_topic_fee
from pyallora.chain.emissions.topics.state import Topic, get_topic
from pyallora.chain.module import MsgHandler
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import tx_pb2


def _require_topic(store: ReadableKVStore, topic_id: int) -> Topic:
    topic = get_topic(store, topic_id) if topic_id != 0 else None
    if topic is None:
        raise InvalidTopicIdError(f"topic {topic_id} does not exist")
    return topic


def _require_size(size: int, params: EmissionsParams) -> None:
    if size > params.max_serialized_msg_length:
        raise QueryTooLargeError(
            f"payload of {size} bytes exceeds max_serialized_msg_length "
            f"{params.max_serialized_msg_length}"
        )


def compute_kept_forecast_elements(
    store: ReadableKVStore,
    topic_id: int,
    forecast: types_pb2.Forecast,
    *,
    max_elements: int,
    reference_compat: bool,
) -> tuple[types_pb2.ForecastElement, ...]:
    """The forecast elements a worker close may use (§3.14 step 10, quirks C4 and C19).

    1. Elements about inferers that are not registered workers of the topic: under
       ``reference_compat`` any such element drops the whole forecast (C4); otherwise only
       those elements are dropped.
    2. The remaining elements are ranked by their inferer's current inferer EMA (never scored
       = 0), descending, ties by inferer address then position (C19); a repeated inferer
       takes one slot per occurrence. The inferers of the first ``max_elements`` occurrences
       are kept.
    3. Elements about kept inferers, in their original order, first occurrence only.

    Returns
    -------
    tuple
        The surviving elements (empty: the forecast part is ignored).
    """
    elements = list(forecast.forecast_elements)
    registered = [is_worker_registered(store, topic_id, e.inferer) for e in elements]
    if reference_compat and not all(registered):
        return ()
    elements = [e for e, ok in zip(elements, registered, strict=True) if ok]
    ranked = sorted(
        range(len(elements)),
        key=lambda i: (
            -get_score_ema(store, INFERER, topic_id, elements[i].inferer).score,
            elements[i].inferer,
            i,
        ),
    )
    kept = frozenset(elements[i].inferer for i in ranked[: max(max_elements, 0)])
    seen: list[str] = []
    out: list[types_pb2.ForecastElement] = []
    for element in elements:
        if element.inferer in kept and element.inferer not in seen:
            seen.append(element.inferer)
            out.append(element)
    return tuple(out)


def handle_insert_worker_payload(
    ctx: Context, store: KVStore, msg: InsertWorkerPayload
) -> tx_pb2.InsertWorkerPayloadResponse:
    """Accept a worker's inference and/or forecast for an open nonce (§3.14 steps 3-10).

    Checklist: signature again under ``reference_compat``; size (53); topic (6); nonce open
    (75); window nonce ≤ h < nonce + W (67); worker registered (13); data fee (sdk 5); then
    the inference (inner topic 6, [C3] height 18, admission: code 1 / 78) and the forecast
    (elements 77, inner topic 6, [C3] height 18, filtering, admission: code 1 / 78).

    Raises
    ------
    QueryTooLargeError, InvalidTopicIdError, UnfulfilledNonceNotFoundError,
    WorkerNonceWindowNotAvailableError, AddressNotRegisteredError, InsufficientFundsError,
    InvalidRequestError, AlreadySubmittedError, CantUpdateEmaMoreThanOncePerWindowError,
    NoValidForecastElementsError, InvalidWorkerSignatureError
        As listed.
    """
    compat = is_reference_compat(store)
    if compat:
        msg.validate_signature(reference_compat=True)
    params = get_params(store)
    _require_size(msg.size, params)
    topic = _require_topic(store, msg.topic_id)
    nonce = msg.nonce
    if not is_worker_nonce_unfulfilled(store, topic.id, nonce):
        raise UnfulfilledNonceNotFoundError(f"worker nonce {nonce} of topic {topic.id}")
    if not nonce <= ctx.height < nonce + topic.worker_submission_window:
        raise WorkerNonceWindowNotAvailableError(
            f"nonce {nonce}: the window is [{nonce}, "
            f"{nonce + topic.worker_submission_window}) and the height is {ctx.height}"
        )
    if not is_worker_registered(store, topic.id, msg.worker):
        raise AddressNotRegisteredError(f"worker {msg.worker} in topic {topic.id}")
    charge_topic_fee(ctx, store, msg.sender, topic.id, params.data_sending_fee)
    inner = msg.bundle.inference_forecasts_bundle
    if inner.HasField("inference"):
        inference = inner.inference
        if inference.topic_id != topic.id:
            raise InvalidTopicIdError(f"inference topic {inference.topic_id} is not {topic.id}")
        if not compat and inference.block_height != nonce:
            raise InvalidRequestError(
                f"inference block height {inference.block_height} is not the nonce {nonce}"
            )
        admission = process_admission(
            ctx,
            store,
            role=INFERER,
            topic=topic,
            address=msg.worker,
            nonce=nonce,
            capacity=params.max_top_inferers_to_reward,
            already_submitted=INFERENCE_ALREADY_SUBMITTED,
        )
        if admission.admitted:
            set_latest_inference(store, topic.id, msg.worker, inference)
    if inner.HasField("forecast"):
        forecast = inner.forecast
        if not forecast.forecast_elements:
            raise NoValidForecastElementsError(f"forecast of {msg.worker}")
        if forecast.topic_id != topic.id:
            raise InvalidTopicIdError(f"forecast topic {forecast.topic_id} is not {topic.id}")
        if not compat and forecast.block_height != nonce:
            raise InvalidRequestError(
                f"forecast block height {forecast.block_height} is not the nonce {nonce}"
            )
        kept = compute_kept_forecast_elements(
            store,
            topic.id,
            forecast,
            max_elements=params.max_elements_per_forecast,
            reference_compat=compat,
        )
        if kept:
            admission = process_admission(
                ctx,
                store,
                role=FORECASTER,
                topic=topic,
                address=msg.worker,
                nonce=nonce,
                capacity=params.max_top_forecasters_to_reward,
                already_submitted=FORECAST_ALREADY_SUBMITTED,
            )
            if admission.admitted:
                stored = types_pb2.Forecast()
                stored.CopyFrom(forecast)
                del stored.forecast_elements[:]
                stored.forecast_elements.extend(kept)
                set_latest_forecast(store, topic.id, msg.worker, stored)
    return tx_pb2.InsertWorkerPayloadResponse()


def handle_insert_reputer_payload(
    ctx: Context, store: KVStore, msg: InsertReputerPayload
) -> tx_pb2.InsertReputerPayloadResponse:
    """Accept a reputer's loss bundle for an open reputer nonce (§3.15 steps 3-11).

    Checklist: signature again under ``reference_compat``; size (53); topic (6); worker nonce
    N closed (45); reputer nonce N open (75); window N + G ≤ h ≤ N + 2G (68); reputer
    registered (13); authority ≥ ``required_minimum_stake`` (11); data fee (sdk 5);
    admission (code 1 / 78). An admitted bundle is stored verbatim.

    Raises
    ------
    QueryTooLargeError, InvalidTopicIdError, NonceStillUnfulfilledError,
    UnfulfilledNonceNotFoundError, ReputerNonceWindowNotAvailableError,
    AddressNotRegisteredError, InsufficientStakeError, InsufficientFundsError,
    AlreadySubmittedError, CantUpdateEmaMoreThanOncePerWindowError,
    InvalidReputerSignatureError
        As listed.
    """
    if is_reference_compat(store):
        msg.validate_signature(reference_compat=True)
    params = get_params(store)
    _require_size(msg.size, params)
    topic = _require_topic(store, msg.topic_id)
    nonce = msg.nonce
    if is_worker_nonce_unfulfilled(store, topic.id, nonce):
        raise NonceStillUnfulfilledError(f"worker nonce {nonce} of topic {topic.id} is open")
    if not is_reputer_nonce_unfulfilled(store, topic.id, nonce):
        raise UnfulfilledNonceNotFoundError(f"reputer nonce {nonce} of topic {topic.id}")
    lag = topic.ground_truth_lag
    if not nonce + lag <= ctx.height <= nonce + 2 * lag:
        raise ReputerNonceWindowNotAvailableError(
            f"nonce {nonce}: the window is [{nonce + lag}, {nonce + 2 * lag}] "
            f"and the height is {ctx.height}"
        )
    if not is_reputer_registered(store, topic.id, msg.reputer):
        raise AddressNotRegisteredError(f"reputer {msg.reputer} in topic {topic.id}")
    authority = get_stake_reputer_authority(store, topic.id, msg.reputer)
    if authority < params.required_minimum_stake:
        raise InsufficientStakeError(
            f"reputer {msg.reputer} has {authority} < {params.required_minimum_stake}"
        )
    charge_topic_fee(ctx, store, msg.sender, topic.id, params.data_sending_fee)
    admission = process_admission(
        ctx,
        store,
        role=REPUTER,
        topic=topic,
        address=msg.reputer,
        nonce=nonce,
        capacity=params.max_top_reputers_to_reward,
        already_submitted=REPUTER_LOSS_ALREADY_SUBMITTED,
    )
    if admission.admitted:
        set_latest_loss_bundle(store, topic.id, msg.reputer, msg.bundle)
    return tx_pb2.InsertReputerPayloadResponse()


ROUTES: Final[tuple[MsgHandler[Any], ...]] = (
    MsgHandler(
        type_url=InsertWorkerPayload.TYPE_URL,
        decode=InsertWorkerPayload.from_bytes,
        validate_basic=InsertWorkerPayload.validate_basic,
        get_signers=InsertWorkerPayload.get_signers,
        handle=handle_insert_worker_payload,
    ),
    MsgHandler(
        type_url=InsertReputerPayload.TYPE_URL,
        decode=InsertReputerPayload.from_bytes,
        validate_basic=InsertReputerPayload.validate_basic,
        get_signers=InsertReputerPayload.get_signers,
        handle=handle_insert_reputer_payload,
    ),
)
"""The payload messages' routes."""
