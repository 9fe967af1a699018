"""Active sets and score EMAs ("merit-based sortition"): implements SYNTHESIS.md §16.

Each role (inferers, forecasters, reputers) of a topic keeps, per participant, an EMA of its
instantaneous scores, and per topic a quantile of the last scores that stands in for the score
of participants outside the active set:

* :func:`compute_score_ema` (§16.1): α_M·score + (1 − α_M)·EMA, the score itself the first
  time (and, as on the chain, when it equals the stored EMA);
* :func:`compute_topic_score_quantile` (§16.2): Q_q of this epoch's instantaneous scores;
* :func:`compute_passive_score_ema` (§16.3): a passive participant's EMA moves towards that
  quantile.

Two selection rules use them:

* **batch (S, §16.4)**, the simulator's and ``active_set.csv``'s: rank every candidate by its
  previous EMA, take the first n, update everyone's EMA in the same epoch —
  :func:`compute_batch_selection`, :func:`compute_batch_update`, both in
  :func:`compute_batch_active_set_epoch`;
* **streaming (C, §16.5; PROTOCOL.md §5.9)**, the chain's: a submission is admitted while the set
  has room; beyond, it must beat the lowest EMA among the members, who is evicted —
  :func:`compute_streaming_admission`. The lowest member is computed from the members' stored
  EMAs on demand (the fix of PROTOCOL.md quirk C6, never a stale cache).

No randomness anywhere: every tie goes to the lower participant index (batch) or the smaller
address (streaming).

>>> from pyallora.core.dec import dec, to_text
>>> epoch = compute_batch_active_set_epoch(
...     previous_emas=[dec(3), dec(1), dec(2)], metrics=[dec(5), None, dec(4)], slots=2,
...     quantile=dec(1) / 2, alpha=dec(1) / 2)
>>> epoch.selection.previous_ranks, epoch.selection.active, epoch.metric_ranks
((0, 2, 1), (True, False, True), (0, None, 1))
>>> to_text(epoch.quantile), [to_text(e) for e in epoch.emas]
('4.5', ['4.0', '2.75', '3.0'])
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from gmpy2 import mpfr

from pyallora.core.dec import ZERO, Dec, is_finite, with_dec_context
from pyallora.core.errors import (
    DuplicateParticipantError,
    LengthMismatchError,
    NonFiniteValueError,
    ParameterError,
    SynthesisInputError,
)
from pyallora.core.ids import Address
from pyallora.synthesis.helpers import compute_ema, compute_quantile

__all__ = [
    "ActiveSetError",
    "AdmissionDecision",
    "AdmissionOutcome",
    "BatchActiveSetEpoch",
    "BatchSelection",
    "compute_batch_active_set_epoch",
    "compute_batch_selection",
    "compute_batch_update",
    "compute_passive_score_ema",
    "compute_score_ema",
    "compute_streaming_admission",
    "compute_topic_score_quantile",
]


class ActiveSetError(SynthesisInputError):
    """An active participant has no quality metric (batch selection needs one per member)."""


def _check_dec(value: object, what: str) -> Dec:
    if not isinstance(value, mpfr):
        raise SynthesisInputError(f"{what} must be a Dec, got {type(value).__name__}")
    if not is_finite(value):
        raise NonFiniteValueError(f"{what} is not finite: {value}")
    return value


def _check_unit(value: object, name: str) -> Dec:
    checked = _check_dec(value, name)
    if not 0 <= checked <= 1:
        raise ParameterError(f"{name} must be in [0, 1], got {checked}")
    return checked


# ---------------------------------------------------------------------------------------------
# §16.1–16.3


@with_dec_context
def compute_score_ema(alpha: Dec, score: Dec, previous: Dec | None) -> Dec:
    """Score EMA α·score + (1 − α)·previous (§16.1).

    The first value (``previous`` None: never scored) is the score itself; so is the result
    when the score equals the stored EMA (PROTOCOL.md §5.9 step 4; mathematically the same,
    and it avoids a rounding).

    Raises
    ------
    NonFiniteValueError, ParameterError
        For a non-finite input or α outside [0, 1].
    """
    _check_unit(alpha, "alpha")
    _check_dec(score, "score")
    if previous is None:
        return score
    _check_dec(previous, "previous EMA")
    if previous == score:
        return score
    return compute_ema(alpha, score, previous)


@with_dec_context
def compute_topic_score_quantile(scores: Sequence[Dec], quantile: Dec) -> Dec:
    """q̄ = Q_quantile of this epoch's instantaneous scores of one role (§16.2, §2.3).

    0 for an empty list (§2.3).

    Raises
    ------
    NonFiniteValueError, ParameterError
        For a non-finite score or a quantile outside [0, 1].
    """
    _check_unit(quantile, "quantile")
    values = [_check_dec(s, "score") for s in scores]
    return compute_quantile(values, quantile)


def compute_passive_score_ema(alpha: Dec, topic_quantile: Dec, previous: Dec | None) -> Dec:
    """A passive participant's EMA moved towards the topic quantile (§16.3)."""
    return compute_score_ema(alpha, topic_quantile, previous)


# ---------------------------------------------------------------------------------------------
# Batch selection (S, §16.4)


def _rank_descending(values: Sequence[tuple[int, Dec]]) -> dict[int, int]:
    """Position of each index when sorted by value descending, ties to the lower index."""
    ordered = sorted(values, key=lambda pair: (-pair[1], pair[0]))
    return {index: position for position, (index, _) in enumerate(ordered)}


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSelection:
    """Who is active this epoch (§16.4)."""

    previous_ranks: tuple[int, ...]
    """Position of each participant by previous EMA, descending (0 = highest)."""
    active: tuple[bool, ...]
    """The first ``slots`` of that order."""
    cutoff: Dec | None
    """Lowest previous EMA among the active (None when nobody is active)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchActiveSetEpoch:
    """One epoch of the batch rule (§16.4)."""

    selection: BatchSelection
    """Ranks, active flags and cutoff."""
    metric_ranks: tuple[int | None, ...]
    """Position of each active participant by this epoch's metric (None for the inactive)."""
    quantile: Dec
    """q̄ = Q_quantile of the active participants' metrics."""
    emas: tuple[Dec, ...]
    """Updated EMAs: active with their metric, inactive with q̄."""


@with_dec_context
def compute_batch_selection(previous_emas: Sequence[Dec], slots: int) -> BatchSelection:
    """Rank the candidates by previous EMA (descending, ties to the lower index); the first
    ``slots`` are active (§16.4).

    Raises
    ------
    NonFiniteValueError, ParameterError
        For a non-finite EMA or a negative number of slots.
    """
    if isinstance(slots, bool) or not isinstance(slots, int) or slots < 0:
        raise ParameterError(f"slots must be an int >= 0, got {slots!r}")
    emas = [_check_dec(e, f"previous EMA of participant {i}") for i, e in enumerate(previous_emas)]
    ranks = _rank_descending(list(enumerate(emas)))
    active = tuple(ranks[i] < slots for i in range(len(emas)))
    members = [e for e, is_active in zip(emas, active, strict=True) if is_active]
    return BatchSelection(
        previous_ranks=tuple(ranks[i] for i in range(len(emas))),
        active=active,
        cutoff=min(members) if members else None,
    )


@with_dec_context
def compute_batch_update(
    previous_emas: Sequence[Dec],
    selection: BatchSelection,
    metrics: Sequence[Dec | None],
    *,
    quantile: Dec,
    alpha: Dec,
) -> BatchActiveSetEpoch:
    """Metric ranks, the quantile of the active metrics and every EMA (§16.4).

    Parameters
    ----------
    previous_emas
        Each participant's EMA before this epoch.
    selection
        From :func:`compute_batch_selection` on the same EMAs.
    metrics
        This epoch's quality metric per participant; read only for the active ones (the others
        may be None).
    quantile
        q of Q_q (the table's ``percentile``/100).
    alpha
        α of the EMAs.

    Raises
    ------
    ActiveSetError
        An active participant without a metric.
    LengthMismatchError, NonFiniteValueError, ParameterError
        Inconsistent lengths, non-finite values, q or α outside [0, 1].
    """
    count = len(previous_emas)
    if len(metrics) != count or len(selection.active) != count:
        raise LengthMismatchError(
            f"{count} EMAs, {len(metrics)} metrics, {len(selection.active)} selection flags"
        )
    _check_unit(quantile, "quantile")
    _check_unit(alpha, "alpha")
    active_metrics: list[tuple[int, Dec]] = []
    for index, is_active in enumerate(selection.active):
        if not is_active:
            continue
        metric = metrics[index]
        if metric is None:
            raise ActiveSetError(f"active participant {index} has no quality metric")
        active_metrics.append((index, _check_dec(metric, f"metric of participant {index}")))
    metric_positions = _rank_descending(active_metrics)
    q_bar = compute_quantile([m for _, m in active_metrics], quantile)
    values = dict(active_metrics)
    emas = tuple(
        compute_score_ema(alpha, values.get(index, q_bar), previous_emas[index])
        for index in range(count)
    )
    return BatchActiveSetEpoch(
        selection=selection,
        metric_ranks=tuple(metric_positions.get(index) for index in range(count)),
        quantile=q_bar,
        emas=emas,
    )


def compute_batch_active_set_epoch(
    *,
    previous_emas: Sequence[Dec],
    metrics: Sequence[Dec | None],
    slots: int,
    quantile: Dec,
    alpha: Dec,
) -> BatchActiveSetEpoch:
    """One epoch of the batch rule (S, §16.4): selection, then the metric update."""
    selection = compute_batch_selection(previous_emas, slots)
    return compute_batch_update(previous_emas, selection, metrics, quantile=quantile, alpha=alpha)


# ---------------------------------------------------------------------------------------------
# Streaming selection (C, §16.5)


class AdmissionOutcome(enum.Enum):
    """What happens to one submission under the streaming rule."""

    ADMITTED = "admitted"
    """The set had room."""
    ADMITTED_BY_EVICTION = "admitted_by_eviction"
    """The set was full and the candidate beat its lowest member, who was evicted."""
    REJECTED = "rejected"
    """The set was full and the candidate did not beat the lowest member (its EMA moves
    towards the topic quantile; on the chain the transaction still succeeds)."""
    ALREADY_ACTIVE = "already_active"
    """The candidate is already a member (the chain rejects: already submitted)."""
    ALREADY_UPDATED = "already_updated"
    """The set was full and the candidate's EMA was already updated this epoch (chain error
    78); nothing changes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdmissionDecision:
    """The outcome and the EMA writes it implies."""

    outcome: AdmissionOutcome
    evicted: Address | None
    """The member removed to make room, if any."""
    ema_updates: tuple[tuple[Address, Dec], ...]
    """(participant, new EMA) to store, stamped with this epoch's nonce by the caller."""

    @property
    def is_admitted(self) -> bool:
        """True when the candidate joins the active set."""
        return self.outcome in (AdmissionOutcome.ADMITTED, AdmissionOutcome.ADMITTED_BY_EVICTION)


@with_dec_context
def compute_streaming_admission(
    *,
    members: Sequence[tuple[Address, Dec | None]],
    candidate: Address,
    candidate_ema: Dec | None,
    candidate_updated_this_epoch: bool,
    capacity: int,
    topic_quantile: Dec,
    alpha: Dec,
) -> AdmissionDecision:
    """Decide one submission under the streaming rule (SYNTHESIS.md §16.5, PROTOCOL.md §5.9).

    Parameters
    ----------
    members
        The active set of this epoch so far: (address, stored EMA or None if never scored).
    candidate, candidate_ema
        The submitter and its stored EMA (None if never scored, which compares as 0).
    candidate_updated_this_epoch
        True when the candidate's EMA was already updated in this epoch (a participant may
        update its EMA this way at most once per epoch).
    capacity
        MaxTop{Inferers,Forecasters,Reputers}ToReward.
    topic_quantile
        The stored q̄ of the role (§16.2), the pseudo-score of passive participants.
    alpha
        merit_sortition_alpha.

    Returns
    -------
    AdmissionDecision
        While the set has room: admitted, no EMA change. When full: if the candidate's EMA is
        strictly above the lowest member's (ties among the lowest go to the smaller address),
        that member is evicted and its EMA moves towards q̄; otherwise the candidate is
        rejected and its own EMA moves towards q̄.

    Raises
    ------
    DuplicateParticipantError
        A member listed twice.
    NonFiniteValueError, ParameterError
        Non-finite EMAs or quantile, α outside [0, 1], capacity below 1.
    """
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise ParameterError(f"capacity must be an int >= 1, got {capacity!r}")
    _check_unit(alpha, "alpha")
    q_bar = _check_dec(topic_quantile, "topic quantile")
    addresses = [address for address, _ in members]
    if len(set(addresses)) != len(addresses):
        raise DuplicateParticipantError("a member appears twice in the active set")
    if candidate in addresses:
        return AdmissionDecision(
            outcome=AdmissionOutcome.ALREADY_ACTIVE, evicted=None, ema_updates=()
        )
    if len(members) < capacity:
        return AdmissionDecision(outcome=AdmissionOutcome.ADMITTED, evicted=None, ema_updates=())
    if candidate_updated_this_epoch:
        return AdmissionDecision(
            outcome=AdmissionOutcome.ALREADY_UPDATED, evicted=None, ema_updates=()
        )
    stored = [
        (address, None if ema is None else _check_dec(ema, f"EMA of {address}"))
        for address, ema in members
    ]
    lowest_address, lowest_ema = min(
        stored, key=lambda pair: (ZERO if pair[1] is None else pair[1], pair[0])
    )
    challenger = ZERO if candidate_ema is None else _check_dec(candidate_ema, "candidate EMA")
    floor = ZERO if lowest_ema is None else lowest_ema
    if challenger > floor:
        return AdmissionDecision(
            outcome=AdmissionOutcome.ADMITTED_BY_EVICTION,
            evicted=lowest_address,
            ema_updates=((lowest_address, compute_score_ema(alpha, q_bar, lowest_ema)),),
        )
    return AdmissionDecision(
        outcome=AdmissionOutcome.REJECTED,
        evicted=None,
        ema_updates=((candidate, compute_score_ema(alpha, q_bar, candidate_ema)),),
    )
