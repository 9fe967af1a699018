"""Bad input is rejected with a typed error naming the participant (SYNTHESIS.md §1; STYLE §3.4),
and parameters are validated (§3)."""

from __future__ import annotations

from collections.abc import Callable

import gmpy2
import pytest
from synthesis_factories import make_reports, make_topic

from pyallora.core.dec import dec, dec_context
from pyallora.core.errors import (
    DuplicateParticipantError,
    EmptyInputError,
    NegativeValueError,
    NonFiniteValueError,
    ParameterError,
    SynthesisInputError,
    UnknownParticipantError,
)
from pyallora.synthesis.epoch import (
    GivenFractions,
    compute_epoch_outcome,
    compute_network_inferences,
)
from pyallora.synthesis.params import (
    CHAIN_PARAMS,
    SIMULATOR_PARAMS,
    SynthesisParams,
    get_params_profile,
)
from pyallora.synthesis.types import (
    Forecast,
    ForecastElement,
    Inference,
    ReputerReport,
    SynthesisState,
    ValueBundle,
)

STATE = SynthesisState(previous_network_loss=dec(-3), initial_regret=dec(-1))


def network(inferences: list[Inference], forecasts: list[Forecast] | None = None) -> object:
    with dec_context():
        return compute_network_inferences(
            inferences=inferences, forecasts=forecasts or [], state=STATE, params=SIMULATOR_PARAMS
        )


def inference(j: str, value: object) -> Inference:
    return Inference(inferer=j, value=value)  # type: ignore[arg-type]


def nan() -> object:
    with dec_context(), gmpy2.context(trap_invalid=False):
        return gmpy2.mpfr("nan")


@pytest.mark.parametrize(
    ("build", "error", "names"),
    [
        (lambda: network([]), EmptyInputError, "inference"),
        (lambda: network([inference("alice", nan())]), NonFiniteValueError, "alice"),
        (
            lambda: network([inference("bob", gmpy2.mpfr("inf"))]),
            NonFiniteValueError,
            "bob",
        ),
        (lambda: network([inference("carol", 0.5)]), SynthesisInputError, "carol"),
        (lambda: network([inference("", dec(1))]), SynthesisInputError, "inferer id"),
        (
            lambda: network([inference("dave", dec(1)), inference("dave", dec(2))]),
            DuplicateParticipantError,
            "dave",
        ),
        (
            lambda: network(
                [inference("a", dec(1))],
                [Forecast(forecaster="f", elements=()), Forecast(forecaster="f", elements=())],
            ),
            DuplicateParticipantError,
            "'f'",
        ),
        (
            lambda: network(
                [inference("a", dec(1))],
                [
                    Forecast(
                        forecaster="erin",
                        elements=(
                            ForecastElement(inferer="a", value=dec(-1)),
                            ForecastElement(inferer="a", value=dec(-2)),
                        ),
                    )
                ],
            ),
            DuplicateParticipantError,
            "erin",
        ),
        (
            lambda: network(
                [inference("a", dec(1))],
                [
                    Forecast(
                        forecaster="frank",
                        elements=(ForecastElement(inferer="a", value=nan()),),  # type: ignore[arg-type]
                    )
                ],
            ),
            NonFiniteValueError,
            "frank",
        ),
    ],
)
def test_bad_submissions_are_rejected(
    build: Callable[[], object], error: type[Exception], names: str
) -> None:
    with pytest.raises(error, match=names):
        build()


def outcome_with(reports: list[ReputerReport], **kwargs: object) -> object:
    topic = make_topic(("a", "b", "c"), ("f", "g"), ("r",), 1)
    with dec_context():
        net = compute_network_inferences(
            inferences=topic.inferences,
            forecasts=topic.forecasts,
            state=topic.state,
            params=SIMULATOR_PARAMS,
        )
        arguments: dict[str, object] = {
            "network_inferences": net,
            "reports": reports,
            "state": topic.state,
            "params": SIMULATOR_PARAMS,
            "topic_reward": 10**18,
        }
        arguments.update(kwargs)
        return compute_epoch_outcome(**arguments)  # type: ignore[arg-type]


def good_report(reputer: str = "r", stake: object = None) -> ReputerReport:
    topic = make_topic(("a", "b", "c"), ("f", "g"), ("r",), 1)
    with dec_context():
        net = compute_network_inferences(
            inferences=topic.inferences,
            forecasts=topic.forecasts,
            state=topic.state,
            params=SIMULATOR_PARAMS,
        )
        report = make_reports(topic, net.bundle)[0]
    return ReputerReport(
        reputer=reputer,
        stake=report.stake if stake is None else stake,  # type: ignore[arg-type]
        losses=report.losses,
    )


def test_bad_reports_are_rejected() -> None:
    with pytest.raises(EmptyInputError, match="loss bundle"):
        outcome_with([])
    with pytest.raises(DuplicateParticipantError, match="'gina'"):
        outcome_with([good_report("gina"), good_report("gina")])
    with pytest.raises(NegativeValueError, match="'hank'"):
        outcome_with([good_report("hank", dec(-5))])
    with pytest.raises(NonFiniteValueError, match="'ivy'"):
        outcome_with([good_report("ivy", gmpy2.mpfr("inf"))])
    bad_loss = good_report("jack")
    entries = dict(bad_loss.losses.entries())
    entries[("combined",)] = nan()  # type: ignore[assignment]
    with pytest.raises(NonFiniteValueError, match="'jack'"):
        outcome_with(
            [ReputerReport(reputer="jack", stake=dec(5), losses=ValueBundle.from_entries(entries))]
        )
    with pytest.raises(EmptyInputError, match="positive stake"):
        outcome_with([good_report("kim", dec(0))])
    with pytest.raises(NegativeValueError, match="topic reward"):
        outcome_with([good_report()], topic_reward=-1)
    with pytest.raises(SynthesisInputError, match="boolean"):
        outcome_with([good_report()], topic_reward=True)


def test_given_fractions_must_match_the_scored_participants() -> None:
    with pytest.raises(UnknownParticipantError, match="'mallory'"):
        outcome_with(
            [good_report()],
            given_fractions=GivenFractions(inferers={"mallory": dec(1)}),
        )
    with pytest.raises(UnknownParticipantError, match="no given inferer fraction"):
        outcome_with([good_report()], given_fractions=GivenFractions(inferers={"a": dec(1)}))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("p_norm", dec("2.4")),
        ("p_norm", dec("4.6")),
        ("alpha_regret", dec(0)),
        ("alpha_regret", dec("1.01")),
        ("epsilon", dec(0)),
        ("epsilon_safe_div", dec(-1)),
        ("initial_regret_quantile", dec(2)),
        ("p_reward_inference", dec(0)),
        ("task_reward_alpha", dec(-1)),
        ("max_samples_to_scale_scores", 0),
        ("required_minimum_stake", dec(-1)),
        ("c_norm", 0.75),
        ("gradient_descent_max_iters", dec(3)),
    ],
)
def test_parameters_out_of_range_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=field):
        SynthesisParams(**{field: value})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=field):
        CHAIN_PARAMS.replace(**{field: value})


def test_profiles() -> None:
    assert get_params_profile("chain") is CHAIN_PARAMS
    assert get_params_profile("simulator") is SIMULATOR_PARAMS
    assert SIMULATOR_PARAMS.p_reward_inference == 3 and CHAIN_PARAMS.p_reward_inference == 1
    assert SIMULATOR_PARAMS.p_reward_reputer == 1 and CHAIN_PARAMS.p_reward_reputer == 3
    assert SIMULATOR_PARAMS.epsilon == dec("0.01") and SIMULATOR_PARAMS.alpha_regret == dec("0.1")
    with pytest.raises(ParameterError, match="unknown"):
        get_params_profile("nope")
