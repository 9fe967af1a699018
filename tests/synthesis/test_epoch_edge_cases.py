"""SYNTHESIS.md §17 edge cases and the degenerate branches of §7–§13."""

from __future__ import annotations

from dataclasses import replace

from synthesis_factories import make_reports, make_topic

from pyallora.core.dec import ONE, ZERO, dec, dec_context
from pyallora.synthesis.epoch import compute_epoch_outcome, compute_network_inferences
from pyallora.synthesis.helpers import compute_mean, compute_median
from pyallora.synthesis.network_inference import (
    MODE_ALL_INFERERS_NEW,
    MODE_FULL,
    MODE_NO_PREVIOUS_LOSS,
    MODE_SINGLE_INFERENCE,
)
from pyallora.synthesis.params import SIMULATOR_PARAMS, SynthesisParams
from pyallora.synthesis.rewards import SINGLE_PARTICIPANT_ENTROPY
from pyallora.synthesis.types import (
    Forecast,
    ForecastElement,
    Inference,
    ReputerReport,
    SynthesisState,
    ValueBundle,
)

P = SIMULATOR_PARAMS


def inferences(**values: str) -> list[Inference]:
    return [Inference(inferer=j, value=dec(v)) for j, v in values.items()]


def test_single_inference_is_everything() -> None:
    with dec_context():
        network = compute_network_inferences(
            inferences=inferences(a="1.5"),
            forecasts=[
                Forecast(forecaster="f", elements=(ForecastElement(inferer="a", value=dec(-2)),))
            ],
            state=SynthesisState(previous_network_loss=dec(-3), initial_regret=dec(-1)),
            params=P,
        )
        assert network.mode == MODE_SINGLE_INFERENCE
        assert network.bundle == ValueBundle(
            combined=dec("1.5"), naive=dec("1.5"), inferers={"a": dec("1.5")}
        )
        assert network.error_bars is None
        report = ReputerReport(
            reputer="r",
            stake=dec(5),
            losses=ValueBundle(combined=dec(-2), naive=dec(-2), inferers={"a": dec(-2)}),
        )
        outcome = compute_epoch_outcome(
            network_inferences=network, reports=[report], state=SynthesisState(), params=P,
            topic_reward=dec(100),
        )  # fmt: skip
        assert outcome.inferer_scores == {"a": ZERO}
        assert outcome.inferers.instantaneous == {"a": ONE}
        assert outcome.inferers.entropy == SINGLE_PARTICIPANT_ENTROPY
        # G = 0 with one inferer and no forecaster; the inferer gets all of U.
        assert outcome.forecasters.entropy == ZERO
        assert outcome.forecasting_reward == ZERO
        assert outcome.inferer_rewards == {"a": outcome.inference_reward}
        assert outcome.reputer_rewards == {"r": outcome.reputation_reward}


def test_first_epoch_uses_the_median() -> None:
    with dec_context():
        network = compute_network_inferences(
            inferences=inferences(a="1", b="4", c="2", d="10"),
            forecasts=[],
            state=SynthesisState(),
            params=P,
        )
        assert network.mode == MODE_NO_PREVIOUS_LOSS
        assert network.bundle.combined == dec(3)
        assert network.bundle.naive == ZERO
        assert not network.bundle.forecasters and not network.bundle.one_out_inferers
        assert dict(network.inferer_weights) == {}


def test_all_inferers_new_bootstrap() -> None:
    """Topic initial regret exactly 0 (§17): plain means, no forecaster weight, medians."""
    topic = make_topic(("a", "b", "c"), ("f", "g"), ("r",), 11, partial_forecasts=False)
    state = replace(topic.state, initial_regret=ZERO)
    with dec_context():
        network = compute_network_inferences(
            inferences=topic.inferences, forecasts=topic.forecasts, state=state, params=P
        )
        values = [i.value for i in topic.inferences]
        assert network.mode == MODE_ALL_INFERERS_NEW
        assert network.bundle.combined == compute_mean(values)
        assert network.bundle.naive == compute_mean(values)
        assert network.bundle.forecasters == {
            "f": compute_median(values),
            "g": compute_median(values),
        }
        assert network.bundle.one_out_inferers["b"] == compute_mean([values[0], values[2]])
        assert set(network.forecaster_weights.values()) == {ZERO}
        assert network.bundle.one_in_forecasters["f"] == compute_mean(values)


def test_one_forecaster_gets_no_one_out_or_one_in_and_scores_zero() -> None:
    topic = make_topic(("a", "b", "c"), ("f",), ("r", "s"), 4)
    with dec_context():
        network = compute_network_inferences(
            inferences=topic.inferences, forecasts=topic.forecasts, state=topic.state, params=P
        )
        assert network.mode == MODE_FULL
        assert "f" in network.bundle.forecasters
        assert not network.bundle.one_out_forecasters and not network.bundle.one_in_forecasters
        outcome = compute_epoch_outcome(
            network_inferences=network, reports=make_reports(topic, network.bundle),
            state=topic.state, params=P, topic_reward=10**20,
        )  # fmt: skip
        assert outcome.forecaster_scores == {"f": ZERO}


def test_no_forecaster_means_no_forecasting_reward() -> None:
    topic = make_topic(("a", "b", "c"), (), ("r", "s"), 9)
    with dec_context():
        network = compute_network_inferences(
            inferences=topic.inferences, forecasts=topic.forecasts, state=topic.state, params=P
        )
        outcome = compute_epoch_outcome(
            network_inferences=network, reports=make_reports(topic, network.bundle),
            state=topic.state, params=P, topic_reward=10**20,
        )  # fmt: skip
        assert outcome.forecasters.entropy == ZERO
        assert outcome.forecasting_reward == ZERO
        assert outcome.inference_reward > 0 and outcome.reputation_reward > 0


def test_equal_scores_give_equal_fractions() -> None:
    """σ < ε in §12.1 → every M = 1."""
    losses = ValueBundle(
        combined=dec(-3),
        naive=dec(-2),
        inferers={"a": dec(-1), "b": dec(-1), "c": dec(-1)},
        one_out_inferers={"a": dec("-2.5"), "b": dec("-2.5"), "c": dec("-2.5")},
    )
    with dec_context():
        network = compute_network_inferences(
            inferences=inferences(a="1", b="2", c="3"),
            forecasts=[],
            state=SynthesisState(previous_network_loss=dec(-3), initial_regret=dec(-1)),
            params=P,
        )
        outcome = compute_epoch_outcome(
            network_inferences=network,
            reports=[ReputerReport(reputer="r", stake=dec(1), losses=losses)],
            state=SynthesisState(previous_network_loss=dec(-3), initial_regret=dec(-1)),
            params=P,
            topic_reward=dec(90),
        )
        third = ONE / 3
        assert dict(outcome.inferers.instantaneous) == {"a": third, "b": third, "c": third}


def test_missing_entries_and_minimum_stake() -> None:
    """§8: a reputer that did not report an entry is left out of its mean; reputers below the
    minimum stake are ignored."""
    params = SynthesisParams(p_reward_inference=dec(3), required_minimum_stake=dec(100))
    state = SynthesisState(previous_network_loss=dec(-3), initial_regret=dec(-1))
    with dec_context():
        network = compute_network_inferences(
            inferences=inferences(a="1", b="2"), forecasts=[], state=state, params=params
        )
        full = ValueBundle(
            combined=dec(-3), naive=dec(-2), inferers={"a": dec(-1), "b": dec(-2)},
            one_out_inferers={"a": dec(-2), "b": dec(-3)},
        )  # fmt: skip
        partial = ValueBundle(combined=dec(-1), naive=dec(-4), inferers={"a": dec(-3)})
        reports = [
            ReputerReport(reputer="big", stake=dec(300), losses=full),
            ReputerReport(reputer="mid", stake=dec(100), losses=partial),
            ReputerReport(reputer="small", stake=dec(99), losses=partial),
        ]
        outcome = compute_epoch_outcome(
            network_inferences=network, reports=reports, state=state, params=params,
            topic_reward=dec(10),
        )  # fmt: skip
        losses = outcome.network_losses
        assert losses.combined == (300 * dec(-3) + 100 * dec(-1)) / 400
        assert losses.inferers["a"] == (300 * dec(-1) + 100 * dec(-3)) / 400
        assert losses.inferers["b"] == dec(-2)  # only "big" reported it
        assert set(outcome.reputer_scores) == {"big", "mid"}
        assert "small" not in outcome.reputer_rewards


def test_zero_stake_reputer_gets_zero_fraction_and_entropy_stays_finite() -> None:
    topic = make_topic(("a", "b", "c"), ("f", "g"), ("r", "s", "zero"), 21)
    topic = replace(topic, stakes=(topic.stakes[0], topic.stakes[1], ZERO))
    with dec_context():
        network = compute_network_inferences(
            inferences=topic.inferences, forecasts=topic.forecasts, state=topic.state, params=P
        )
        outcome = compute_epoch_outcome(
            network_inferences=network, reports=make_reports(topic, network.bundle),
            state=topic.state, params=P, topic_reward=10**20,
        )  # fmt: skip
        assert outcome.reputers.instantaneous["zero"] == ZERO
        assert outcome.reputers.smoothed["zero"] == ZERO
        assert outcome.reputers.entropy > 0
        assert outcome.reputer_rewards["zero"] == ZERO


def test_newcomers_read_the_initial_regret() -> None:
    """A worker without stored regrets enters every combination with R₀ (§9.2)."""
    topic = make_topic(("a", "b", "c"), ("f",), ("r",), 2)
    regrets = topic.state.regrets
    newcomer_state = replace(
        topic.state,
        regrets=replace(
            regrets,
            inferer={j: v for j, v in regrets.inferer.items() if j != "c"},
        ),
    )
    explicit_state = replace(
        topic.state,
        regrets=replace(regrets, inferer={**regrets.inferer, "c": topic.state.initial_regret}),
    )
    with dec_context():
        a = compute_network_inferences(
            inferences=topic.inferences, forecasts=topic.forecasts, state=newcomer_state, params=P
        )
        b = compute_network_inferences(
            inferences=topic.inferences, forecasts=topic.forecasts, state=explicit_state, params=P
        )
    assert a.bundle.combined == b.bundle.combined
    assert a.inferer_weights == b.inferer_weights
