"""Unit tests of the part-2 building blocks: nonce lists, archives and pruning, the reputer
bundle filter (PROTOCOL.md §5.6 step 1), wire ↔ engine bundles, forecast element ranking
(§3.14 step 10, C4, C19), score lists (C16) and the stage list (§5.4)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pyallora.chain.emissions.block.pipeline import get_stage_names
from pyallora.chain.emissions.nonces.state import (
    add_reputer_nonce,
    add_worker_nonce,
    compute_nonces_with_added,
    count_archived_records,
    get_archived_inferences,
    get_unfulfilled_worker_nonces,
    prune_archives,
    set_archived_forecasts,
    set_archived_inferences,
    set_archived_loss_bundles,
    set_network_loss_bundle,
)
from pyallora.chain.emissions.registration.state import set_registered
from pyallora.chain.emissions.rewards.state import (
    INFERER,
    ScoreRecord,
    get_scores_at_block,
    set_score_ema,
    set_scores_at_block,
)
from pyallora.chain.emissions.submissions.bundles import (
    engine_to_value_bundle,
    filter_value_bundle,
    value_bundle_to_engine,
)
from pyallora.chain.emissions.submissions.handlers import compute_kept_forecast_elements
from pyallora.chain.store.kv import Branch, EmptyStore
from pyallora.core.crypto import encode_address
from pyallora.core.dec import dec
from pyallora.proto.emissions.v3 import types_pb2 as v3
from pyallora.synthesis.types import ValueBundle


def address(index: int) -> str:
    return encode_address(bytes([index]) * 20)


A, B, C, D = sorted(address(i) for i in (1, 2, 3, 4))


def test_stage_order_follows_section_5_4() -> None:
    assert get_stage_names()[-3:] == (
        "process_nonces",
        "process_topic_rewards",
        "process_worker_windows",
    )


# ---------------------------------------------------------------------------------------------
# Nonce lists


@given(st.lists(st.integers(min_value=1, max_value=10**6), max_size=30), st.integers(1, 10))
def test_nonce_lists_are_unique_newest_first_and_capped(heights: list[int], cap: int) -> None:
    nonces: tuple[int, ...] = ()
    for height in sorted(heights):
        nonces = compute_nonces_with_added(nonces, height, cap)
    assert len(nonces) == len(set(nonces)) <= cap
    assert list(nonces) == sorted(set(heights), reverse=True)[:cap]


def test_nonce_accessors_round_trip() -> None:
    store = Branch(EmptyStore())
    for height in (10, 20, 30):
        add_worker_nonce(store, 1, height, 2)
    add_worker_nonce(store, 1, 30, 2)
    assert get_unfulfilled_worker_nonces(store, 1) == (30, 20)
    add_reputer_nonce(store, 1, 10, 5)
    assert get_unfulfilled_worker_nonces(store, 2) == ()


def test_prune_archives_deletes_exactly_up_to_the_cutoff() -> None:
    store = Branch(EmptyStore())
    for topic in (1, 2):
        for nonce in (10, 20, 30):
            inference = v3.Inference(topic_id=topic, block_height=nonce, inferer=A, value="1")
            set_archived_inferences(store, topic, nonce, (inference,))
            set_archived_forecasts(store, topic, nonce, ())
            set_archived_loss_bundles(store, topic, nonce, ())
            set_network_loss_bundle(store, topic, nonce, v3.ValueBundle(topic_id=topic))
    assert prune_archives(store, 1, 20) == 8
    assert count_archived_records(store, 1) == 4
    assert get_archived_inferences(store, 1, 20) == ()
    assert get_archived_inferences(store, 1, 30)[0].block_height == 30
    assert count_archived_records(store, 2) == 12, "other topics are untouched"


def test_score_lists_keep_the_last_entries() -> None:
    store = Branch(EmptyStore())
    records = tuple(
        ScoreRecord(topic_id=1, block_height=7, address=address(i), score=dec(i))
        for i in range(1, 13)
    )
    set_scores_at_block(store, INFERER, 1, 7, records, 10)
    kept = get_scores_at_block(store, INFERER, 1, 7)
    assert [r.address for r in kept] == [r.address for r in records[2:]]


# ---------------------------------------------------------------------------------------------
# Bundles


def loss_bundle() -> v3.ValueBundle:
    def attributed(*pairs: tuple[str, str]) -> list[v3.WorkerAttributedValue]:
        return [v3.WorkerAttributedValue(worker=w, value=v) for w, v in pairs]

    def withheld(*pairs: tuple[str, str]) -> list[v3.WithheldWorkerAttributedValue]:
        return [v3.WithheldWorkerAttributedValue(worker=w, value=v) for w, v in pairs]

    return v3.ValueBundle(
        topic_id=1,
        reputer=D,
        combined_value="-1",
        naive_value="-0.5",
        inferer_values=attributed((A, "-1.1"), (B, "-1.2"), (A, "-9"), (C, "-1.3")),
        forecaster_values=attributed((C, "-1.4"), (B, "-1.5")),
        one_out_inferer_values=withheld((A, "-0.9"), (C, "-0.8"), (B, "-0.7")),
        one_out_forecaster_values=withheld((C, "-1.6")),
        one_in_forecaster_values=attributed((C, "-1.7"), (D, "-1.8")),
        one_out_inferer_forecaster_values=[
            v3.OneOutInfererForecasterValues(
                forecaster=C, one_out_inferer_values=withheld((C, "1"))
            ),
            v3.OneOutInfererForecasterValues(
                forecaster=C, one_out_inferer_values=withheld((A, "-2"), (C, "3"))
            ),
            v3.OneOutInfererForecasterValues(
                forecaster=B, one_out_inferer_values=withheld((A, "4"))
            ),
        ],
    )


def test_filter_keeps_only_archived_workers_first_occurrence_wins() -> None:
    out = filter_value_bundle(loss_bundle(), inferers=frozenset({A, B}), forecasters=frozenset({C}))
    assert [(v.worker, v.value) for v in out.inferer_values] == [(A, "-1.1"), (B, "-1.2")]
    assert [v.worker for v in out.forecaster_values] == [C]
    assert [v.worker for v in out.one_out_inferer_values] == [A, B]
    assert [v.worker for v in out.one_out_forecaster_values] == [C]
    assert [v.worker for v in out.one_in_forecaster_values] == [C]
    # The first entry for C has no archived inferer and is dropped; the second one keeps A.
    assert [
        (e.forecaster, [v.worker for v in e.one_out_inferer_values])
        for e in out.one_out_inferer_forecaster_values
    ] == [(C, [A])]
    assert (out.combined_value, out.naive_value, out.reputer) == ("-1", "-0.5", D)


def test_filter_drops_one_out_values_with_a_single_inferer() -> None:
    out = filter_value_bundle(loss_bundle(), inferers=frozenset({A}), forecasters=frozenset())
    assert [v.worker for v in out.inferer_values] == [A]
    assert list(out.one_out_inferer_values) == []


def test_filter_does_not_mutate_its_input() -> None:
    bundle = loss_bundle()
    copy = v3.ValueBundle()
    copy.CopyFrom(bundle)
    filter_value_bundle(bundle, inferers=frozenset(), forecasters=frozenset())
    assert bundle == copy


def test_engine_round_trip() -> None:
    engine = value_bundle_to_engine(loss_bundle())
    assert engine.inferers[A] == dec("-1.1"), "the first occurrence wins"
    assert engine.one_out_inferer_forecasters[(C, C)] == dec("1")
    assert engine.one_out_inferer_forecasters[(C, A)] == dec("-2")
    wire = engine_to_value_bundle(engine, topic_id=1, nonce=7, reputer=D)
    back = value_bundle_to_engine(wire)
    # Decimal text has 34 digits, the engine 113 bits: equal up to the last printed digit.
    assert [key for key, _ in back.entries()] == [key for key, _ in engine.entries()]
    for (_, first), (_, second) in zip(back.entries(), engine.entries(), strict=True):
        assert abs(first - second) <= abs(second) * dec("1e-33")
    assert wire.reputer_request_nonce.reputer_nonce.block_height == 7
    assert [v.worker for v in wire.inferer_values] == sorted(engine.inferers)


def test_absent_combined_value_prints_as_zero() -> None:
    wire = engine_to_value_bundle(ValueBundle(inferers={A: dec(1)}), topic_id=1, nonce=1)
    assert (wire.combined_value, wire.naive_value) == ("0", "0")


# ---------------------------------------------------------------------------------------------
# Forecast elements


def forecast(*inferers: str) -> v3.Forecast:
    return v3.Forecast(
        topic_id=1,
        block_height=7,
        forecaster=D,
        forecast_elements=[v3.ForecastElement(inferer=j, value="0.1") for j in inferers],
    )


def registered_store(*workers: str) -> Branch:
    store = Branch(EmptyStore())
    for worker in workers:
        set_registered(store, 1, worker, is_reputer=False)
    return store


def test_elements_are_ranked_by_inferer_ema_ties_by_address() -> None:
    store = registered_store(A, B, C)
    set_score_ema(store, INFERER, ScoreRecord(topic_id=1, block_height=5, address=C, score=dec(2)))
    kept = compute_kept_forecast_elements(
        store, 1, forecast(A, B, C), max_elements=2, reference_compat=False
    )
    assert [e.inferer for e in kept] == [A, C], "C by EMA, then A before B by address"


def test_repeated_inferers_take_a_slot_each_and_are_deduplicated() -> None:
    store = registered_store(A, B)
    kept = compute_kept_forecast_elements(
        store, 1, forecast(A, A, B), max_elements=2, reference_compat=False
    )
    assert [e.inferer for e in kept] == [A]


def test_unregistered_inferer_element_c4() -> None:
    store = registered_store(A, B)
    fixed = compute_kept_forecast_elements(
        store, 1, forecast(A, C, B), max_elements=12, reference_compat=False
    )
    assert [e.inferer for e in fixed] == [A, B]
    assert (
        compute_kept_forecast_elements(
            store, 1, forecast(A, C, B), max_elements=12, reference_compat=True
        )
        == ()
    )


WORKERS = [address(i) for i in range(1, 7)]


@st.composite
def loss_bundles(draw: st.DrawFn) -> v3.ValueBundle:
    def attributed(kind: type) -> list:  # type: ignore[type-arg]
        workers = draw(st.lists(st.sampled_from(WORKERS), max_size=6))
        return [kind(worker=w, value=str(draw(st.integers(-99, 99)))) for w in workers]

    entries = [
        v3.OneOutInfererForecasterValues(
            forecaster=draw(st.sampled_from(WORKERS)),
            one_out_inferer_values=attributed(v3.WithheldWorkerAttributedValue),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return v3.ValueBundle(
        topic_id=1,
        reputer=WORKERS[0],
        combined_value="-1",
        naive_value="-2",
        inferer_values=attributed(v3.WorkerAttributedValue),
        forecaster_values=attributed(v3.WorkerAttributedValue),
        one_out_inferer_values=attributed(v3.WithheldWorkerAttributedValue),
        one_out_forecaster_values=attributed(v3.WithheldWorkerAttributedValue),
        one_in_forecaster_values=attributed(v3.WorkerAttributedValue),
        one_out_inferer_forecaster_values=entries,
    )


@given(
    loss_bundles(),
    st.frozensets(st.sampled_from(WORKERS)),
    st.frozensets(st.sampled_from(WORKERS)),
)
def test_filter_properties(
    bundle: v3.ValueBundle, inferers: frozenset[str], forecasters: frozenset[str]
) -> None:
    """Only archived workers remain, each once, in input order; filtering is idempotent."""
    out = filter_value_bundle(bundle, inferers=inferers, forecasters=forecasters)
    for field, allowed in (
        ("inferer_values", inferers),
        ("one_out_inferer_values", inferers),
        ("forecaster_values", forecasters),
        ("one_out_forecaster_values", forecasters),
        ("one_in_forecaster_values", forecasters),
    ):
        kept = [v.worker for v in getattr(out, field)]
        assert set(kept) <= allowed and len(kept) == len(set(kept))
        original = [v.worker for v in getattr(bundle, field)]
        firsts = [w for i, w in enumerate(original) if w in allowed and w not in original[:i]]
        if field != "one_out_inferer_values" or len(out.inferer_values) > 1:
            assert kept == firsts
    if len(out.inferer_values) <= 1:
        assert list(out.one_out_inferer_values) == []
    for entry in out.one_out_inferer_forecaster_values:
        assert entry.forecaster in forecasters and entry.one_out_inferer_values
        assert {v.worker for v in entry.one_out_inferer_values} <= inferers
    assert filter_value_bundle(out, inferers=inferers, forecasters=forecasters) == out
