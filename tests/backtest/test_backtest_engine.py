"""The offline backtest on the real application: a whole topic lifecycle, money that adds up,
determinism, and the checks on its inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pyallora.agents.datasets import TimeSeries
from pyallora.agents.models import GradientBoostedLagModel
from pyallora.backtest.actors import ActorError, EpochTiming, TopicSpec
from pyallora.backtest.engine import ACCOUNT_FUNDS, BacktestConfig, BacktestResult, run_backtest
from pyallora.backtest.report import ROLE_FORECASTER, ROLE_INFERER, ROLE_REPUTER
from pyallora.backtest.setups import build_demo_topic, build_series_topic

EPOCHS = 14
TIMING = EpochTiming(epoch_length=4, worker_submission_window=3, ground_truth_lag=4)


def _series() -> TimeSeries:
    rng = np.random.default_rng(7)
    values = [
        10.0 + 4.0 * math.sin(t / 6.0) + float(rng.normal(0.0, 1.0 + (t % 9 == 0)))
        for t in range(64)
    ]
    return TimeSeries(name="synthetic:x", values=tuple(values))


def _spec(name: str = "synthetic") -> TopicSpec:
    return build_series_topic(_series(), name=name, history=40, epochs=EPOCHS, epoch_length=4)


def _run(seed: str = "test") -> BacktestResult:
    # Fresh model objects every time: the boosted trees keep their fit between epochs.
    return run_backtest(BacktestConfig(topics=(_spec(),), timing=TIMING, seed=seed))


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    return _run()


def test_every_epoch_has_a_network_inference_and_every_payload_is_accepted(
    result: BacktestResult,
) -> None:
    assert result.rejections == ()
    [run] = result.runs
    assert len(run.epochs) == EPOCHS
    assert [r.index for r in run.epochs] == list(range(40, 40 + EPOCHS))
    assert all(r.network is not None for r in run.epochs)
    assert [r.nonce - run.epochs[0].nonce for r in run.epochs] == [4 * i for i in range(EPOCHS)]
    assert run.submissions == run.accepted
    for participant in run.participants:
        sent = run.submissions[participant.address]
        if participant.role in (ROLE_INFERER, ROLE_REPUTER):
            assert sent == EPOCHS, participant
        else:  # forecasters wait until they know some losses
            assert 0 < sent < EPOCHS, participant
    for record in run.epochs:
        assert set(record.inferences) == set(run.addresses(ROLE_INFERER))
        truth = _series().values[record.index]
        assert record.truth == truth
    # Losses come back two epochs later (G = E, closed at the first epoch end after n + G + E):
    # until then the chain serves the median of the inferences, without weights or naive value.
    assert all(r.naive is None and not r.inferer_weights for r in run.epochs[:2])
    for record in run.epochs[2:]:
        total = sum(record.inferer_weights.values()) + sum(record.forecaster_weights.values())
        assert total == pytest.approx(1.0, abs=1e-9)


def test_rewards_are_paid_and_add_up(result: BacktestResult) -> None:
    [run] = result.runs
    paid = [r for r in run.epochs if r.topic_reward > 0]
    assert len(paid) >= EPOCHS - 1
    for record in run.epochs:
        assert sum(record.rewards.values()) == record.topic_reward
        assert all(amount >= 0 for amount in record.rewards.values())
    totals = {
        p.address: sum(r.rewards.get(p.address, 0) for r in run.epochs) for p in run.participants
    }
    assert all(totals[a] > 0 for a in run.addresses(ROLE_INFERER))
    assert all(totals[a] > 0 for a in run.addresses(ROLE_REPUTER))
    fee = result.data_sending_fee
    registration = result.registration_fee
    assert fee > 0 and registration > 0
    stakes = {p.address: p.stake for p in run.participants}
    for participant in run.participants:
        address = participant.address
        spent = registration + fee * run.accepted[address]
        if participant.role == ROLE_REPUTER:
            # Reputer rewards are added to the stake, not paid out (PROTOCOL.md §5.7).
            assert result.stakes[address] == stakes[address] + totals[address]
            assert result.balances[address] == ACCOUNT_FUNDS - stakes[address] - spent
        else:
            assert result.balances[address] == ACCOUNT_FUNDS - spent + totals[address]
    scored = [r for r in run.epochs if r.scores]
    assert scored and all(a in scored[-1].scores for a in run.addresses(ROLE_REPUTER))
    assert any(r.forecast_implied for r in run.epochs)
    assert any(totals[a] > 0 for a in run.addresses(ROLE_FORECASTER))


def test_same_inputs_same_run_other_seed_other_chain(result: BacktestResult) -> None:
    again = _run()
    assert again.app_hash == result.app_hash
    assert again.runs == result.runs
    other = _run(seed="another")
    assert other.app_hash != result.app_hash
    # Other keys, same models and data: the same inferences reach the chain.
    assert [r.inferences for r in other.runs[0].epochs] != [
        r.inferences for r in result.runs[0].epochs
    ]
    assert [sorted(r.inferences.values()) for r in other.runs[0].epochs] == [
        sorted(r.inferences.values()) for r in result.runs[0].epochs
    ]


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        (EpochTiming(epoch_length=4, worker_submission_window=4, ground_truth_lag=4), "shorter"),
        (EpochTiming(epoch_length=4, worker_submission_window=2, ground_truth_lag=4), "at least 3"),
        (EpochTiming(epoch_length=4, worker_submission_window=3, ground_truth_lag=6), "multiple"),
        (EpochTiming(epoch_length=4, worker_submission_window=3, ground_truth_lag=2), "multiple"),
    ],
)
def test_schedules_actors_cannot_follow_are_refused(timing: EpochTiming, message: str) -> None:
    with pytest.raises(ActorError, match=message):
        run_backtest(BacktestConfig(topics=(_spec(),), timing=timing))


def test_invalid_topics_are_refused() -> None:
    spec = _spec()
    with pytest.raises(ActorError, match="names must differ"):
        run_backtest(BacktestConfig(topics=(spec, spec), timing=TIMING))
    with pytest.raises(ActorError, match="need"):
        build_series_topic(_series(), history=70)
    empty = TopicSpec(
        name="empty",
        metadata="",
        series=spec.series,
        inferers={},
        forecasters={},
        reputers=spec.reputers,
        loss_method="mse",
        start=40,
    )
    with pytest.raises(ActorError, match="at least one inferer"):
        run_backtest(BacktestConfig(topics=(empty,), timing=TIMING))


def test_demo_topics_refit_every_thirty_days_on_chain() -> None:
    study = build_demo_topic("weather", epochs=10)
    chain = build_demo_topic("weather", epochs=10, epoch_length=5)
    assert chain.epochs == 10 and chain.stop == chain.start + 10
    [trees] = [m for m in chain.inferers.values() if isinstance(m, GradientBoostedLagModel)]
    [reference] = [m for m in study.inferers.values() if isinstance(m, GradientBoostedLagModel)]
    assert trees.refit_every == 5 * reference.refit_every
    assert chain.alpha_regret == "0.03" and chain.loss_method == "mse(floor=1)"
    stakes = [r.stake for r in chain.reputers]
    assert len(set(stakes)) == len(stakes) == 3
