"""Active-set admission of one submission ("merit-based sortition", PROTOCOL.md §5.9,
SYNTHESIS.md §16.5).

Per topic and role, with cap K = ``max_top_{inferers,forecasters,reputers}_to_reward``:

1. a member of the active set is refused (:class:`AlreadySubmittedError`);
2. while the set has fewer than K members the submitter is admitted, first come first
   served;
3. when the set is full: a submitter whose EMA was already updated for this nonce (or a
   later one) is refused with 78; otherwise it contests the lowest member. A strictly higher
   EMA evicts that member (its EMA moves towards the topic quantile q̄ and is stamped with
   this nonce; its submission is deleted) and admits the submitter; otherwise the submitter
   is not admitted, the transaction still succeeds (fee kept) and the submitter's own EMA
   moves towards q̄, stamped with this nonce, so a retry in the same window gets 78.

Who the "lowest member" is differs by mode (quirk C6):

* **default (the fix):** the lowest stored EMA among the *current* members, computed on
  demand (:func:`~pyallora.synthesis.active_set.compute_streaming_admission`; never-scored
  members count as 0, ties to the smaller address). The set never exceeds K;
* **reference_compat:** the cached record ``lowest_*_score_ema``: computed from the members
  only when no cache exists (first lowest in address order), recomputed after each eviction
  over (old members − evicted + submitter), never reset when a window closes. The evicted
  address's EMA is computed from the *cached* score, and evicting a non-member is a no-op
  that lets the set grow past K.

A cap of 0 admits nobody: every submission is treated as a lost contest (the engine's
streaming rule needs K ≥ 1).

Passive EMA updates are reported with ``EventEMAScoresSet`` (``is_active = false``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyallora.chain.context import Context
from pyallora.chain.emissions.dec_text import dec_from_text, dec_to_field_text
from pyallora.chain.emissions.errors import CantUpdateEmaMoreThanOncePerWindowError
from pyallora.chain.emissions.events import (
    ACTOR_TYPE_FORECASTER,
    ACTOR_TYPE_INFERER,
    ACTOR_TYPE_REPUTER,
    build_ema_scores_set_event,
)
from pyallora.chain.emissions.params import is_reference_compat
from pyallora.chain.emissions.rewards.state import (
    FORECASTER,
    INFERER,
    ScoreRecord,
    get_score_ema,
    get_topic_score_quantile,
    set_score_ema,
)
from pyallora.chain.emissions.submissions.errors import AlreadySubmittedError
from pyallora.chain.emissions.submissions.state import (
    add_active_member,
    delete_active_member,
    delete_submission,
    get_active_set,
    get_lowest_score_cache,
    is_active_member,
    set_lowest_score_cache,
)
from pyallora.chain.emissions.topics.state import Topic
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.core.dec import ZERO, Dec, with_dec_context
from pyallora.core.ids import Address
from pyallora.synthesis.active_set import compute_score_ema, compute_streaming_admission

_ACTOR_TYPES = {INFERER: ACTOR_TYPE_INFERER, FORECASTER: ACTOR_TYPE_FORECASTER}


@dataclass(frozen=True, slots=True, kw_only=True)
class Admission:
    """What one admission attempt did."""

    admitted: bool
    """Whether the submitter joined the active set (the caller stores its submission)."""
    evicted: str | None = None
    """The member evicted to make room, if any."""
    ema_updates: tuple[ScoreRecord, ...] = ()
    """Passive EMA updates written (stamped with the nonce)."""


def get_actor_type(role: str) -> int:
    """The events' ``actor_type`` of a role."""
    return _ACTOR_TYPES.get(role, ACTOR_TYPE_REPUTER)


def _stored_ema(record: ScoreRecord) -> Dec | None:
    return None if record.is_never_scored else record.score


def _passive_update(
    store: KVStore,
    role: str,
    topic_id: int,
    nonce: int,
    address: str,
    previous: Dec | None,
    alpha: Dec,
    quantile: Dec,
) -> ScoreRecord:
    record = ScoreRecord(
        topic_id=topic_id,
        block_height=nonce,
        address=address,
        score=compute_score_ema(alpha, quantile, previous),
    )
    set_score_ema(store, role, record)
    return record


def compute_lowest_member(
    store: ReadableKVStore, role: str, topic_id: int, members: tuple[str, ...]
) -> ScoreRecord | None:
    """The member with the lowest stored EMA, the earliest in ``members`` on ties."""
    lowest: ScoreRecord | None = None
    for address in members:
        record = get_score_ema(store, role, topic_id, address)
        if lowest is None or record.score < lowest.score:
            lowest = record
    return lowest


@with_dec_context
def process_admission(
    ctx: Context,
    store: KVStore,
    *,
    role: str,
    topic: Topic,
    address: str,
    nonce: int,
    capacity: int,
    already_submitted: str,
) -> Admission:
    """Run the §5.9 contest for ``address`` in the role's active set of ``topic``.

    On admission the address is added to the set; storing its submission is the caller's
    job. An evicted member is removed with its submission.

    Parameters
    ----------
    ctx, store
        The transaction's context and store.
    role
        ``inferer``, ``forecaster`` or ``reputer``.
    topic
        The topic (for ``merit_sortition_alpha``).
    address
        The submitter (worker or reputer).
    nonce
        The window's nonce (the worker nonce, or the reputer nonce N).
    capacity
        K.
    already_submitted
        The text of the "already submitted" error of the role.

    Raises
    ------
    AlreadySubmittedError
        If ``address`` is already a member (code 1).
    CantUpdateEmaMoreThanOncePerWindowError
        If the set is full and the submitter's EMA was updated at a height ≥ ``nonce`` (78).
    """
    topic_id = topic.id
    if is_active_member(store, role, topic_id, address):
        raise AlreadySubmittedError(already_submitted)
    members = get_active_set(store, role, topic_id)
    if len(members) < capacity:
        add_active_member(store, role, topic_id, address)
        return Admission(admitted=True)
    candidate = get_score_ema(store, role, topic_id, address)
    if candidate.block_height >= nonce:
        raise CantUpdateEmaMoreThanOncePerWindowError(
            f"{role} {address} already had its EMA updated at {candidate.block_height} "
            f"(nonce {nonce})"
        )
    alpha = dec_from_text(topic.merit_sortition_alpha)
    quantile = get_topic_score_quantile(store, role, topic_id)
    q_bar = quantile if quantile is not None else ZERO
    if capacity < 1:
        record = _passive_update(
            store, role, topic_id, nonce, address, _stored_ema(candidate), alpha, q_bar
        )
        result = Admission(admitted=False, ema_updates=(record,))
    elif is_reference_compat(store):
        result = _contest_with_cache(store, role, topic_id, nonce, candidate, members, alpha, q_bar)
    else:
        result = _contest_on_demand(
            store, role, topic_id, nonce, candidate, members, alpha, q_bar, capacity
        )
    if result.ema_updates:
        ctx.events.emit(
            build_ema_scores_set_event(
                get_actor_type(role),
                topic_id,
                nonce,
                [r.address for r in result.ema_updates],
                [dec_to_field_text(r.score) for r in result.ema_updates],
                [False] * len(result.ema_updates),
            )
        )
    return result


def _contest_on_demand(
    store: KVStore,
    role: str,
    topic_id: int,
    nonce: int,
    candidate: ScoreRecord,
    members: tuple[str, ...],
    alpha: Dec,
    q_bar: Dec,
    capacity: int,
) -> Admission:
    decision = compute_streaming_admission(
        members=[
            (Address(m), _stored_ema(get_score_ema(store, role, topic_id, m))) for m in members
        ],
        candidate=Address(candidate.address),
        candidate_ema=_stored_ema(candidate),
        candidate_updated_this_epoch=False,
        capacity=capacity,
        topic_quantile=q_bar,
        alpha=alpha,
    )
    updates = tuple(
        ScoreRecord(topic_id=topic_id, block_height=nonce, address=who, score=value)
        for who, value in decision.ema_updates
    )
    for record in updates:
        set_score_ema(store, role, record)
    if decision.evicted is not None:
        delete_active_member(store, role, topic_id, decision.evicted)
        delete_submission(store, role, topic_id, decision.evicted)
    if decision.is_admitted:
        add_active_member(store, role, topic_id, candidate.address)
    return Admission(admitted=decision.is_admitted, evicted=decision.evicted, ema_updates=updates)


def _contest_with_cache(
    store: KVStore,
    role: str,
    topic_id: int,
    nonce: int,
    candidate: ScoreRecord,
    members: tuple[str, ...],
    alpha: Dec,
    q_bar: Dec,
) -> Admission:
    cached = get_lowest_score_cache(store, role, topic_id)
    if cached is None:
        cached = compute_lowest_member(store, role, topic_id, members)
        if cached is None:
            cached = ScoreRecord(topic_id=topic_id, block_height=0, address="", score=ZERO)
        set_lowest_score_cache(store, role, cached)
    if candidate.score > cached.score:
        evicted = cached.address
        record = _passive_update(
            store, role, topic_id, nonce, evicted, _stored_ema(cached), alpha, q_bar
        )
        delete_active_member(store, role, topic_id, evicted)
        delete_submission(store, role, topic_id, evicted)
        add_active_member(store, role, topic_id, candidate.address)
        remaining = (*(m for m in members if m != evicted), candidate.address)
        lowest = compute_lowest_member(store, role, topic_id, remaining)
        if lowest is not None:
            set_lowest_score_cache(store, role, lowest)
        return Admission(admitted=True, evicted=evicted, ema_updates=(record,))
    record = _passive_update(
        store, role, topic_id, nonce, candidate.address, _stored_ema(candidate), alpha, q_bar
    )
    return Admission(admitted=False, ema_updates=(record,))
