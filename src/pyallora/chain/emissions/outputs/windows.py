"""Can an actor submit now? (PROTOCOL.md §3.14 steps 4-7, §3.15 steps 4-9, §8.2.)

A transaction sent now executes in the next block, so "now" is h = committed height + 1.

* :func:`compute_worker_window_status`: the newest open worker nonce n whose window
  n ≤ h < n + W contains h, for a registered worker not yet admitted as an inferer in this
  window (the Python SDK's ``CanSubmitWorkerPayload`` plus the nonce it would use);
* :func:`compute_reputer_window_status`: the oldest open reputer nonce N whose worker nonce is
  closed and whose window N + G ≤ h ≤ N + 2G contains h, for a registered reputer with at
  least ``required_minimum_stake`` that has no bundle in the active set.

These mirror the handlers' checklists (without fees and the active-set contest, whose outcome
depends on the submitter's EMA) and never change state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pyallora.chain.emissions.nonces.state import (
    get_unfulfilled_reputer_nonces,
    get_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.params import get_params
from pyallora.chain.emissions.registration.state import (
    is_reputer_registered,
    is_worker_registered,
)
from pyallora.chain.emissions.rewards.state import INFERER, REPUTER
from pyallora.chain.emissions.stake.state import get_stake_reputer_authority
from pyallora.chain.emissions.submissions.state import is_active_member
from pyallora.chain.emissions.topics.state import get_topic
from pyallora.chain.store.kv import ReadableKVStore

REASON_OK: Final = "ok"
"""The actor can submit now."""
REASON_NO_TOPIC: Final = "topic does not exist"
REASON_NOT_REGISTERED: Final = "not registered in the topic"
REASON_NO_OPEN_NONCE: Final = "no open nonce whose window contains the next block"
REASON_ALREADY_SUBMITTED: Final = "already submitted in this window"
REASON_INSUFFICIENT_STAKE: Final = "stake below required_minimum_stake"


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowStatus:
    """Whether an actor can submit in the next block, and for which nonce."""

    can_submit: bool
    nonce: int = 0
    """The nonce to submit for (0 when none)."""
    window_start: int = 0
    """First block of that nonce's window."""
    window_end: int = 0
    """Last block of that nonce's window (inclusive)."""
    reason: str = REASON_OK
    """Why not, when ``can_submit`` is false."""


def compute_worker_window_status(
    store: ReadableKVStore, next_height: int, topic_id: int, worker: str
) -> WindowStatus:
    """The worker's status for a submission executing at ``next_height`` (module docstring)."""
    topic = get_topic(store, topic_id) if topic_id != 0 else None
    if topic is None:
        return WindowStatus(can_submit=False, reason=REASON_NO_TOPIC)
    if not is_worker_registered(store, topic_id, worker):
        return WindowStatus(can_submit=False, reason=REASON_NOT_REGISTERED)
    window = topic.worker_submission_window
    for nonce in get_unfulfilled_worker_nonces(store, topic_id):
        if nonce <= next_height < nonce + window:
            if is_active_member(store, INFERER, topic_id, worker):
                return WindowStatus(
                    can_submit=False,
                    nonce=nonce,
                    window_start=nonce,
                    window_end=nonce + window - 1,
                    reason=REASON_ALREADY_SUBMITTED,
                )
            return WindowStatus(
                can_submit=True, nonce=nonce, window_start=nonce, window_end=nonce + window - 1
            )
    return WindowStatus(can_submit=False, reason=REASON_NO_OPEN_NONCE)


def compute_reputer_window_status(
    store: ReadableKVStore, next_height: int, topic_id: int, reputer: str
) -> WindowStatus:
    """The reputer's status for a submission executing at ``next_height`` (module docstring)."""
    topic = get_topic(store, topic_id) if topic_id != 0 else None
    if topic is None:
        return WindowStatus(can_submit=False, reason=REASON_NO_TOPIC)
    if not is_reputer_registered(store, topic_id, reputer):
        return WindowStatus(can_submit=False, reason=REASON_NOT_REGISTERED)
    if (
        get_stake_reputer_authority(store, topic_id, reputer)
        < get_params(store).required_minimum_stake
    ):
        return WindowStatus(can_submit=False, reason=REASON_INSUFFICIENT_STAKE)
    lag = topic.ground_truth_lag
    worker_nonces = get_unfulfilled_worker_nonces(store, topic_id)
    for nonce in reversed(get_unfulfilled_reputer_nonces(store, topic_id)):
        if nonce in worker_nonces or not nonce + lag <= next_height <= nonce + 2 * lag:
            continue
        if is_active_member(store, REPUTER, topic_id, reputer):
            return WindowStatus(
                can_submit=False,
                nonce=nonce,
                window_start=nonce + lag,
                window_end=nonce + 2 * lag,
                reason=REASON_ALREADY_SUBMITTED,
            )
        return WindowStatus(
            can_submit=True, nonce=nonce, window_start=nonce + lag, window_end=nonce + 2 * lag
        )
    return WindowStatus(can_submit=False, reason=REASON_NO_OPEN_NONCE)
