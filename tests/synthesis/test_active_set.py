"""SYNTHESIS.md §16 / PROTOCOL.md §5.9: score EMAs, topic quantile, batch and streaming sets.

Known values, the PROTOCOL acceptance scenario (K = 2), properties (deterministic ties,
relabelling, the set never exceeds its cap), must-raise inputs. The batch rule is also checked
epoch by epoch against ``active_set.csv`` in ``test_vectors_active_set.py``.
"""

from __future__ import annotations

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyallora.core.dec import Dec, dec, dec_context
from pyallora.core.errors import (
    DuplicateParticipantError,
    LengthMismatchError,
    NonFiniteValueError,
    ParameterError,
)
from pyallora.core.ids import Address
from pyallora.synthesis.active_set import (
    ActiveSetError,
    AdmissionOutcome,
    compute_batch_active_set_epoch,
    compute_batch_selection,
    compute_batch_update,
    compute_passive_score_ema,
    compute_score_ema,
    compute_streaming_admission,
    compute_topic_score_quantile,
)

ALPHA = dec("0.1")
with gmpy2.context(precision=113, trap_invalid=False):
    NAN = gmpy2.mpfr("nan")


def ema(score: str, previous: str) -> Dec:
    with dec_context():
        return ALPHA * dec(score) + (1 - ALPHA) * dec(previous)


# ---------------------------------------------------------------------------------------------
# §16.1–16.3


def test_score_ema() -> None:
    assert compute_score_ema(ALPHA, dec(2), None) == dec(2)  # first value is the score
    assert compute_score_ema(ALPHA, dec(2), dec(1)) == ema("2", "1")
    assert compute_score_ema(ALPHA, dec("0.3"), dec("0.3")) == dec("0.3")
    assert compute_passive_score_ema(ALPHA, dec("0.5"), dec(1)) == ema("0.5", "1")


def test_topic_quantile_is_the_section_2_3_quantile() -> None:
    scores = [dec(4), dec(1), dec(3), dec(2), dec(5)]
    # Ascending 1..5, q = 0.2: position 0.8 → 1.8 (numpy's default percentile at 20).
    with dec_context():
        got = compute_topic_score_quantile(scores, dec("0.2"))
        assert abs(got - dec("1.8")) < dec("1e-32")
    assert compute_topic_score_quantile([], dec("0.2")) == 0
    with pytest.raises(ParameterError):
        compute_topic_score_quantile(scores, dec("1.5"))
    with pytest.raises(NonFiniteValueError):
        compute_topic_score_quantile([NAN], dec("0.5"))


# ---------------------------------------------------------------------------------------------
# Batch (S, §16.4)


def test_batch_epoch_by_hand() -> None:
    previous = [dec("0.5"), dec("0.2"), dec("0.9"), dec("0.2"), dec("0.7")]
    metrics: list[Dec | None] = [dec(3), None, dec(1), None, dec(2)]
    epoch = compute_batch_active_set_epoch(
        previous_emas=previous, metrics=metrics, slots=3, quantile=dec("0.5"), alpha=ALPHA
    )
    # Ranks by previous EMA; the tie 0.2 / 0.2 goes to the lower index.
    assert epoch.selection.previous_ranks == (2, 3, 0, 4, 1)
    assert epoch.selection.active == (True, False, True, False, True)
    assert epoch.selection.cutoff == dec("0.5")
    assert epoch.metric_ranks == (0, None, 2, None, 1)
    assert epoch.quantile == dec(2)  # median of 1, 2, 3
    assert epoch.emas == (
        ema("3", "0.5"),
        ema("2", "0.2"),
        ema("1", "0.9"),
        ema("2", "0.2"),
        ema("2", "0.7"),
    )


def test_batch_with_more_slots_than_candidates_and_none() -> None:
    everyone = compute_batch_selection([dec(1), dec(2)], 5)
    assert everyone.active == (True, True)
    assert everyone.cutoff == dec(1)
    nobody = compute_batch_selection([dec(1), dec(2)], 0)
    assert nobody.active == (False, False)
    assert nobody.cutoff is None


def test_batch_rejects() -> None:
    with pytest.raises(ActiveSetError):
        compute_batch_active_set_epoch(
            previous_emas=[dec(1), dec(2)], metrics=[dec(1), None], slots=2,
            quantile=dec("0.2"), alpha=ALPHA,
        )  # fmt: skip
    with pytest.raises(ParameterError):
        compute_batch_selection([dec(1)], -1)
    with pytest.raises(NonFiniteValueError):
        compute_batch_selection([NAN], 1)
    selection = compute_batch_selection([dec(1), dec(2)], 1)
    with pytest.raises(LengthMismatchError):
        compute_batch_update([dec(1), dec(2)], selection, [dec(1)], quantile=dec(0), alpha=ALPHA)
    with pytest.raises(ParameterError):
        compute_batch_update(
            [dec(1), dec(2)], selection, [None, dec(1)], quantile=dec(0), alpha=dec(2)
        )


_ema = st.integers(min_value=-1000, max_value=1000).map(lambda i: dec(i) / 1000)


@st.composite
def _batch_inputs(draw):
    previous = draw(st.lists(_ema, min_size=1, max_size=10, unique=True))
    metrics = draw(st.lists(_ema, min_size=len(previous), max_size=len(previous)))
    order = draw(st.permutations(range(len(previous))))
    return previous, metrics, order


@given(_batch_inputs(), st.integers(min_value=0, max_value=12))
def test_batch_relabelling_permutes_everything(inputs, slots) -> None:
    previous, metrics, order = inputs
    base = compute_batch_active_set_epoch(
        previous_emas=previous, metrics=metrics, slots=slots, quantile=dec("0.2"), alpha=ALPHA
    )
    assert sum(base.selection.active) == min(slots, len(previous))
    assert sorted(base.selection.previous_ranks) == list(range(len(previous)))
    active_emas = [p for p, a in zip(previous, base.selection.active, strict=True) if a]
    inactive_emas = [p for p, a in zip(previous, base.selection.active, strict=True) if not a]
    if active_emas and inactive_emas:
        assert min(active_emas) > max(inactive_emas)
    moved = compute_batch_active_set_epoch(
        previous_emas=[previous[i] for i in order],
        metrics=[metrics[i] for i in order],
        slots=slots,
        quantile=dec("0.2"),
        alpha=ALPHA,
    )
    assert moved.selection.active == tuple(base.selection.active[i] for i in order)
    assert moved.selection.previous_ranks == tuple(base.selection.previous_ranks[i] for i in order)
    assert moved.quantile == base.quantile
    assert moved.selection.cutoff == base.selection.cutoff
    assert moved.emas == tuple(base.emas[i] for i in order)


def test_batch_ties_go_to_the_lower_index() -> None:
    selection = compute_batch_selection([dec(1), dec(2), dec(1), dec(1)], 2)
    assert selection.previous_ranks == (1, 0, 2, 3)
    assert selection.active == (True, True, False, False)


# ---------------------------------------------------------------------------------------------
# Streaming (C, §16.5)


def admit(members, candidate, candidate_ema, *, updated=False, capacity=2, q="0.5"):
    return compute_streaming_admission(
        members=[(Address(a), None if e is None else dec(e)) for a, e in members],
        candidate=Address(candidate),
        candidate_ema=None if candidate_ema is None else dec(candidate_ema),
        candidate_updated_this_epoch=updated,
        capacity=capacity,
        topic_quantile=dec(q),
        alpha=ALPHA,
    )


def test_streaming_acceptance_scenario_k2() -> None:
    """PROTOCOL.md Appendix D: a third submitter with a higher EMA evicts the lowest; with a
    lower EMA it is refused (its EMA stamped); a retry in the same window gets error 78."""
    members = [("allo1a", "0.4"), ("allo1b", "0.2")]
    assert admit(members[:1], "allo1b", "0.2").outcome is AdmissionOutcome.ADMITTED
    higher = admit(members, "allo1c", "0.3")
    assert higher.outcome is AdmissionOutcome.ADMITTED_BY_EVICTION
    assert higher.is_admitted
    assert higher.evicted == "allo1b"
    assert higher.ema_updates == (("allo1b", ema("0.5", "0.2")),)
    lower = admit(members, "allo1c", "0.1")
    assert lower.outcome is AdmissionOutcome.REJECTED
    assert not lower.is_admitted
    assert lower.ema_updates == (("allo1c", ema("0.5", "0.1")),)
    retry = admit(members, "allo1c", "0.1", updated=True)
    assert retry.outcome is AdmissionOutcome.ALREADY_UPDATED
    assert retry.ema_updates == ()
    again = admit(members, "allo1a", "0.4")
    assert again.outcome is AdmissionOutcome.ALREADY_ACTIVE


def test_streaming_ties_and_never_scored() -> None:
    # Equal lowest EMAs: the smaller address is the one evicted.
    tied = admit([("allo1z", "0.2"), ("allo1m", "0.2")], "allo1q", "0.3")
    assert tied.evicted == "allo1m"
    # An equal EMA does not beat the lowest member (strictly higher is required).
    assert admit([("allo1z", "0.2"), ("allo1m", "0.2")], "allo1q", "0.2").outcome is (
        AdmissionOutcome.REJECTED
    )
    # Never scored compares as 0; its first stored EMA is the quantile itself.
    fresh = admit([("allo1a", None), ("allo1b", "0.1")], "allo1c", "0.05")
    assert fresh.evicted == "allo1a"
    assert fresh.ema_updates == (("allo1a", dec("0.5")),)
    newcomer = admit([("allo1a", "0.1"), ("allo1b", "0.1")], "allo1c", None)
    assert newcomer.outcome is AdmissionOutcome.REJECTED
    assert newcomer.ema_updates == (("allo1c", dec("0.5")),)


def test_streaming_rejects() -> None:
    with pytest.raises(DuplicateParticipantError):
        admit([("allo1a", "1"), ("allo1a", "2")], "allo1c", "3")
    with pytest.raises(ParameterError):
        admit([], "allo1c", "3", capacity=0)
    with pytest.raises(NonFiniteValueError):
        compute_streaming_admission(
            members=[(Address("allo1a"), NAN), (Address("allo1b"), dec(1))],
            candidate=Address("allo1c"),
            candidate_ema=dec(2),
            candidate_updated_this_epoch=False,
            capacity=2,
            topic_quantile=dec(0),
            alpha=ALPHA,
        )


@given(
    st.lists(st.tuples(st.integers(0, 30), st.one_of(st.none(), _ema)), max_size=40),
    st.integers(min_value=1, max_value=6),
)
def test_streaming_set_never_exceeds_its_cap(submissions, capacity) -> None:
    """Replay a window of submissions; the set stays within its cap, every eviction removes
    the lowest member, and a participant's EMA moves at most once."""
    members: dict[str, Dec | None] = {}
    emas: dict[str, Dec | None] = {}
    updated: set[str] = set()
    for number, score in submissions:
        address = f"allo1{number:02d}"
        emas.setdefault(address, score)
        decision = compute_streaming_admission(
            members=[(Address(a), members[a]) for a in sorted(members)],
            candidate=Address(address),
            candidate_ema=emas[address],
            candidate_updated_this_epoch=address in updated,
            capacity=capacity,
            topic_quantile=dec("0.25"),
            alpha=ALPHA,
        )
        for who, value in decision.ema_updates:
            assert who not in updated
            updated.add(who)
            emas[who] = value
        if decision.evicted is not None:
            floor = min(dec(0) if e is None else e for e in members.values())
            evicted_score = members.pop(decision.evicted)
            assert (dec(0) if evicted_score is None else evicted_score) == floor
        if decision.is_admitted:
            members[address] = emas[address]
        assert len(members) <= capacity
