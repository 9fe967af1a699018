"""Invariants of the whole epoch pipeline (SYNTHESIS.md §5–§13) on random topics."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from synthesis_factories import Topic, make_reports, make_topic, topic_shapes

from pyallora.core.dec import ONE, ZERO, Dec, dec, dec_context
from pyallora.synthesis.epoch import compute_epoch_outcome, compute_network_inferences
from pyallora.synthesis.params import SIMULATOR_PARAMS
from pyallora.synthesis.types import (
    EpochOutcome,
    Forecast,
    ForecastElement,
    Inference,
    NetworkInferences,
    RegretState,
    ReputerReport,
    SynthesisState,
    ValueBundle,
)

TINY = dec("1e-28")


def run(topic: Topic, reward: int | Dec = 10**21) -> tuple[NetworkInferences, EpochOutcome]:
    with dec_context():
        network = compute_network_inferences(
            inferences=topic.inferences,
            forecasts=topic.forecasts,
            state=topic.state,
            params=SIMULATOR_PARAMS,
        )
        outcome = compute_epoch_outcome(
            network_inferences=network,
            reports=make_reports(topic, network.bundle),
            state=topic.state,
            params=SIMULATOR_PARAMS,
            topic_reward=reward,
        )
    return network, outcome


def within(value: Dec, values: list[Dec]) -> bool:
    """min ≤ value ≤ max up to the last bits (each operation rounds toward zero)."""
    slack = max(abs(v) for v in values) * dec("1e-31")
    return min(values) - slack <= value <= max(values) + slack


def member_values(network: NetworkInferences) -> list[Dec]:
    bundle = network.bundle
    return [*bundle.inferers.values(), *bundle.forecasters.values()]


@settings(max_examples=25)
@given(topic_shapes())
def test_weights_are_non_negative_and_sum_to_one(shape: tuple) -> None:
    network, _ = run(make_topic(*shape))
    weights = [*network.inferer_weights.values(), *network.forecaster_weights.values()]
    assert all(w >= 0 for w in weights)
    with dec_context():
        total = sum(weights, ZERO)
        assert abs(total - ONE) <= dec("1e-30")


@settings(max_examples=25)
@given(topic_shapes())
def test_every_combination_lies_within_its_inputs(shape: tuple) -> None:
    network, _ = run(make_topic(*shape))
    values = member_values(network)
    bundle = network.bundle
    assert bundle.combined is not None and bundle.naive is not None
    assert within(bundle.combined, values)
    assert within(bundle.naive, list(bundle.inferers.values()))
    for member in (
        *bundle.one_out_inferers.values(),
        *bundle.one_out_forecasters.values(),
        *bundle.one_in_forecasters.values(),
        *bundle.one_out_inferer_forecasters.values(),
    ):
        assert within(member, values)


@settings(max_examples=25)
@given(topic_shapes())
def test_error_bars_are_ordered_and_inside_the_values(shape: tuple) -> None:
    network, _ = run(make_topic(*shape))
    bars = network.error_bars
    assert bars is not None and len(bars) == 5
    assert list(bars) == sorted(bars)
    values = member_values(network)
    assert within(bars[0], values) and within(bars[-1], values)


@settings(max_examples=25)
@given(topic_shapes(), st.integers(0, 10**24))
def test_rewards_add_up_to_the_topic_reward(shape: tuple, reward: int) -> None:
    _, outcome = run(make_topic(*shape), reward)
    with dec_context():
        exact = (
            sum(outcome.inferer_rewards.values(), ZERO)
            + sum(outcome.forecaster_rewards.values(), ZERO)
            + sum(outcome.reputer_rewards.values(), ZERO)
        )
        assert abs(exact - reward) <= dec(reward) * dec("1e-30") + TINY
        split = outcome.inference_reward + outcome.forecasting_reward + outcome.reputation_reward
        assert abs(split - reward) <= dec(reward) * dec("1e-30") + TINY
    assert outcome.payouts is not None
    assert sum(outcome.payouts.values()) == reward  # exactly once, in base units
    for (role, who), units in outcome.payouts.items():
        exact_amount = {
            "inferer": outcome.inferer_rewards,
            "forecaster": outcome.forecaster_rewards,
            "reputer": outcome.reputer_rewards,
        }[role][who]
        assert abs(units - exact_amount) < 2
    for task in (outcome.inferers, outcome.forecasters, outcome.reputers):
        if task.instantaneous:
            with dec_context():
                assert abs(sum(task.instantaneous.values(), ZERO) - ONE) <= dec("1e-30")
            assert all(u >= 0 for u in task.instantaneous.values())


def relabel(topic: Topic, mapping: dict[str, str]) -> Topic:
    def regrets_map(m: dict) -> dict:
        return {
            (tuple(mapping[x] for x in key) if isinstance(key, tuple) else mapping[key]): v
            for key, v in m.items()
        }

    old = topic.state.regrets
    regrets = RegretState(
        **{name: regrets_map(dict(getattr(old, name))) for name in old.__slots__}  # type: ignore[attr-defined]
    )
    return replace(
        topic,
        inferer_ids=tuple(mapping[j] for j in topic.inferer_ids),
        forecaster_ids=tuple(mapping[k] for k in topic.forecaster_ids),
        reputer_ids=tuple(mapping[m] for m in topic.reputer_ids),
        inferences=tuple(
            Inference(inferer=mapping[i.inferer], value=i.value) for i in topic.inferences
        ),
        forecasts=tuple(
            Forecast(
                forecaster=mapping[f.forecaster],
                elements=tuple(
                    ForecastElement(inferer=mapping[e.inferer], value=e.value) for e in f.elements
                ),
            )
            for f in topic.forecasts
        ),
        state=replace(topic.state, regrets=regrets),
    )


@settings(max_examples=20)
@given(topic_shapes(max_inferers=5, max_forecasters=3), st.integers(0, 2**32))
def test_relabelling_permutes_outputs_and_changes_nothing_else(shape: tuple, seed: int) -> None:
    topic = make_topic(*shape)
    ids = sorted({*topic.inferer_ids, *topic.forecaster_ids, *topic.reputer_ids})
    fresh = [f"p{n:03d}" for n in range(len(ids))]
    random.Random(seed).shuffle(fresh)
    mapping = dict(zip(ids, fresh, strict=True))
    network, outcome = run(topic)
    network2, outcome2 = run(relabel(topic, mapping))

    def renamed(values: object) -> dict:
        out = {}
        for key, value in dict(values).items():  # type: ignore[call-overload]
            new_key = tuple(mapping[x] for x in key) if isinstance(key, tuple) else mapping[key]
            out[new_key] = value
        return out

    def bundle_renamed(bundle: ValueBundle) -> ValueBundle:
        entries = {}
        for key, value in bundle.entries():
            entries[(key[0], *(mapping[x] for x in key[1:]))] = value
        return ValueBundle.from_entries(entries)

    assert bundle_renamed(network.bundle) == network2.bundle
    assert renamed(network.inferer_weights) == dict(network2.inferer_weights)
    assert renamed(network.forecaster_weights) == dict(network2.forecaster_weights)
    values = member_values(network)
    if len(set(values)) == len(values):
        # With equal values §2.6 keeps the input order (sorted ids), which relabelling may
        # change: the band is order-free only without ties.
        assert network.error_bars == network2.error_bars
    assert bundle_renamed(outcome.network_losses) == outcome2.network_losses
    for name in RegretState.__slots__:  # type: ignore[attr-defined]
        assert renamed(getattr(outcome.regrets, name)) == dict(getattr(outcome2.regrets, name))
    for name in (
        "inferer_scores",
        "forecaster_scores",
        "reputer_scores",
        "listening_coefficients",
        "adjusted_stakes",
        "inferer_rewards",
        "forecaster_rewards",
        "reputer_rewards",
    ):
        assert renamed(getattr(outcome, name)) == dict(getattr(outcome2, name)), name
    for task in ("inferers", "forecasters", "reputers"):
        a, b = getattr(outcome, task), getattr(outcome2, task)
        assert renamed(a.instantaneous) == dict(b.instantaneous)
        assert renamed(a.smoothed) == dict(b.smoothed)
        assert a.entropy == b.entropy
    assert outcome.forecasting_utility == outcome2.forecasting_utility
    assert outcome.forecaster_score_ratio == outcome2.forecaster_score_ratio
    assert outcome.initial_regret == outcome2.initial_regret
    # Integer payouts: the same apart from which of equal remainders gets a leftover unit.
    assert outcome.payouts is not None and outcome2.payouts is not None
    assert sum(outcome.payouts.values()) == sum(outcome2.payouts.values())
    assert len(outcome.payouts) == len(outcome2.payouts)
    for (role, who), units in outcome.payouts.items():
        assert abs(units - outcome2.payouts[(role, mapping[who])]) <= 1


@settings(max_examples=15)
@given(st.integers(0, 2**32), st.integers(1, 10**22))
def test_a_participant_alone_gets_its_whole_task_reward(seed: int, reward: int) -> None:
    topic = make_topic(("a", "b", "c"), ("f",), ("r",), seed)
    _, outcome = run(topic, reward)
    # One reputer gets all of W; the lone forecaster (score 0, entropy the N = 1 constant)
    # gets all of V.
    assert outcome.reputer_rewards == {"r": outcome.reputation_reward}
    assert outcome.forecaster_rewards == {"f": outcome.forecasting_reward}
    assert outcome.forecaster_scores == {"f": ZERO}
    assert outcome.forecasting_reward > 0
    assert outcome.payouts is not None
    assert outcome.payouts[("reputer", "r")] in {
        int(outcome.reputation_reward),
        int(outcome.reputation_reward) + 1,
    }


def test_state_is_explicit_and_inputs_are_unchanged() -> None:
    topic = make_topic(("a", "b", "c"), ("f", "g"), ("r", "s"), 3)
    before = repr(topic)
    network, outcome = run(topic)
    assert repr(topic) == before
    new_state = outcome.state
    assert isinstance(new_state, SynthesisState)
    assert new_state.previous_network_loss == outcome.network_losses.combined
    assert new_state.regrets == outcome.regrets
    assert dict(new_state.listening_coefficients) == dict(outcome.listening_coefficients)
    assert new_state.recent_inferer_scores[0] == tuple(outcome.inferer_scores.values())
    # Running again from the same inputs gives the same result (pure functions).
    network2, outcome2 = run(topic)
    assert network2 == network
    assert outcome2.state == new_state


def test_reports_for_entries_outside_the_bundle_are_dropped() -> None:
    topic = make_topic(("a", "b"), (), ("r",), 5)
    network, outcome = run(topic)
    with dec_context():
        report = make_reports(topic, network.bundle)[0]
        extra = dict(report.losses.entries())
        extra[("inferer", "stranger")] = dec(-1)
        outcome2 = compute_epoch_outcome(
            network_inferences=network,
            reports=[
                ReputerReport(
                    reputer="r", stake=report.stake, losses=ValueBundle.from_entries(extra)
                )
            ],
            state=topic.state,
            params=SIMULATOR_PARAMS,
            topic_reward=10**18,
        )
    assert "stranger" not in outcome2.network_losses.inferers
    assert outcome2.network_losses == outcome.network_losses
