"""The offline engine-level study (pyallora.agents.study): structure, not the "beats" claim."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest

from pyallora.agents.context import ForecastContext, InferenceContext, InsufficientHistoryError
from pyallora.agents.datasets import load_seattle_weather
from pyallora.agents.models import (
    EmaLossForecaster,
    FeatureRegime,
    LinearLagModel,
    MeanReversionModel,
    MovingAverageModel,
    PersistenceModel,
    RegimeLossForecaster,
    RegimeSpecialistModel,
)
from pyallora.agents.study import (
    DEMO_TOPICS,
    StudyConfigError,
    StudyReputer,
    StudyResult,
    build_demo_setup,
    format_study_summary,
    run_study,
)
from pyallora.synthesis.epoch import ROLE_FORECASTER, ROLE_INFERER, ROLE_REPUTER

FLOOR = 0.01
LOSS = f"mse(floor={FLOOR})"
REWARD = 1_000_000
RAINED = FeatureRegime(feature="precipitation_lag1", low=0.01)


class _Late:
    """An inferer that has nothing to say before nonce ``first``."""

    def __init__(self, first: int) -> None:
        self.first = first

    def infer(self, context: InferenceContext) -> float:
        if context.nonce < self.first:
            raise InsufficientHistoryError("late", needed=self.first, available=context.nonce)
        return context.history[-1] + 0.5


class _Spy:
    """A forecaster wrapper that keeps every context it was given."""

    def __init__(self) -> None:
        self.inner = EmaLossForecaster(alpha=0.3)
        self.contexts: list[ForecastContext] = []

    def forecast(self, context: ForecastContext) -> Mapping[str, float]:
        self.contexts.append(context)
        return self.inner.forecast(context)


def _run(
    *, noise: float = 0.0, start: int = 40, stop: int = 80, spy: _Spy | None = None
) -> StudyResult:
    series = load_seattle_weather("temp_max", covariates=("precipitation",))
    return run_study(
        series,
        inferers={
            "persistence": PersistenceModel(),
            "average": MovingAverageModel(3),
            "reversion": MeanReversionModel(10, 0.5),
            "linear": LinearLagModel(2, 30),
            "specialist": RegimeSpecialistModel(RAINED, lags=1, window=40),
            "late": _Late(start + 5),
        },
        forecasters={
            "ema": spy if spy is not None else EmaLossForecaster(alpha=0.3),
            "rain": RegimeLossForecaster((RAINED,), min_observations=5),
        },
        reputers=[
            StudyReputer(address="r1", stake=600_000, loss_noise=noise, seed=1),
            StudyReputer(address="r2", stake=300_000, loss_noise=noise, seed=2),
            StudyReputer(address="r3", stake=100_000, loss_noise=noise, seed=3),
        ],
        loss_method=LOSS,
        start=start,
        stop=stop,
        topic_reward=REWARD,
    )


@pytest.fixture(scope="module")
def result() -> StudyResult:
    return _run(noise=0.02)


def test_every_epoch_has_a_network_inference(result: StudyResult) -> None:
    records = result.records
    assert [r.index for r in records] == list(range(40, 80))
    assert all(math.isfinite(r.network) for r in records)
    assert records[0].mode == "no_previous_loss"
    assert records[-1].mode == "full"
    for record in records:
        if record.mode == "full":
            total = math.fsum(record.inferer_weights.values()) + math.fsum(
                record.forecaster_weights.values()
            )
            assert total == pytest.approx(1.0)
            assert record.naive is not None


def test_rewards_add_up(result: StudyResult) -> None:
    for record in result.records:
        assert sum(record.payouts.values()) == REWARD == record.topic_reward
        assert all(amount >= 0 for amount in record.payouts.values())
        roles = {role for role, _ in record.payouts}
        assert ROLE_REPUTER in roles
        # the bootstrap epoch has no one-out values, hence no inferer scores (§17)
        assert (ROLE_INFERER in roles) == (record.mode != "no_previous_loss")
    summary = result.summary
    assert summary.total_topic_reward == REWARD * len(result.records)
    assert sum(summary.rewards.values()) == summary.total_topic_reward
    assert any(role == ROLE_FORECASTER for role, _ in summary.rewards)


def test_summary_matches_the_records(result: StudyResult) -> None:
    summary = result.summary
    compared = [r for r in result.records if "late" in r.inferences and r.naive is not None]
    assert summary.epochs == len(compared) == 35
    assert summary.total_epochs == 40

    def mean_squared_error(values: list[float], truths: list[float]) -> float:
        return math.fsum((v - t) ** 2 for v, t in zip(values, truths, strict=True)) / len(values)

    truths = [r.truth for r in compared]
    assert summary.network_mean_loss == pytest.approx(
        mean_squared_error([r.network for r in compared], truths)
    )
    for name, loss in summary.inferer_mean_losses.items():
        expected = mean_squared_error([r.inferences[name] for r in compared], truths)
        assert loss == pytest.approx(expected)
    assert summary.best_inferer_mean_loss == min(summary.inferer_mean_losses.values())
    names = sorted(summary.inferer_mean_losses)
    averaged = [math.fsum(r.inferences[j] for j in names) / len(names) for r in compared]
    assert summary.average_mean_loss == pytest.approx(mean_squared_error(averaged, truths))
    followed, totals = [], dict.fromkeys(names, 0.0)
    for record in compared:
        leader = min(names, key=lambda j: (totals[j], j))
        followed.append(record.inferences[leader])
        for j in names:
            totals[j] += (record.inferences[j] - record.truth) ** 2
    assert summary.leader_mean_loss == pytest.approx(mean_squared_error(followed, truths))
    assert summary.network_beats_best == (summary.improvement > 0)
    assert summary.loss_method == LOSS
    table = format_study_summary(summary)
    for name in ("NETWORK", *summary.inferer_mean_losses, "reputer r3"):
        assert name in table


def test_late_inferer_is_skipped_until_it_can_infer(result: StudyResult) -> None:
    assert all("late" not in r.inferences for r in result.records[:5])
    assert all("late" in r.inferences for r in result.records[5:])


def test_forecasters_see_aligned_histories_of_network_losses() -> None:
    spy = _Spy()
    result = _run(spy=spy, stop=60)  # no reputer noise: network losses are exact
    by_index = {r.index: r for r in result.records}
    checked = 0
    for context in spy.contexts:
        n = len(context.history)
        assert context.nonce == n
        assert set(context.inferences) <= set(context.inference_history)
        for name, losses in context.inferer_loss_history.items():
            assert len(losses) == n == len(context.inference_history[name])
            previous = by_index.get(n - 1)
            if previous is None or name not in previous.inferences:
                continue
            # the network's log-loss of yesterday's inference, recomputed here
            error = previous.inferences[name] - previous.truth
            assert losses[n - 1] == pytest.approx(math.log10(max(error * error, FLOOR)), abs=1e-12)
            assert context.inference_history[name][n - 1] == previous.inferences[name]
            checked += 1
    assert checked > 50


def test_runs_are_reproducible() -> None:
    first = _run(noise=0.05, stop=55)
    second = _run(noise=0.05, stop=55)
    assert first.records == second.records
    quiet = _run(noise=0.0, stop=55)
    assert [r.payouts for r in quiet.records] != [r.payouts for r in first.records]


@pytest.mark.parametrize(
    "changes",
    [
        {"start": 0},
        {"start": 50, "stop": 50},
        {"stop": 100_000},
        {"reputers": []},
        {"reputers": [StudyReputer(address="x", stake=10**6)] * 2},
        {"reputers": [StudyReputer(address="x", stake=10**6, loss_noise=-1.0)]},
        {"inferers": {}},
        {"history_window": 0},
    ],
)
def test_bad_configurations_are_refused(changes: dict[str, object]) -> None:
    series = load_seattle_weather("temp_max")
    arguments: dict[str, object] = {
        "inferers": {"p": PersistenceModel()},
        "forecasters": {},
        "reputers": [StudyReputer(address="r", stake=10**6)],
        "start": 10,
        "stop": 20,
    }
    arguments.update(changes)
    with pytest.raises(StudyConfigError):
        run_study(series, **arguments)  # type: ignore[arg-type]


def test_history_window_limits_what_models_see() -> None:
    spy = _Spy()
    series = load_seattle_weather("temp_max")
    run_study(
        series,
        inferers={"p": PersistenceModel(), "m": MovingAverageModel(3)},
        forecasters={"spy": spy},
        reputers=[StudyReputer(address="r", stake=10**6)],
        start=30,
        stop=40,
        history_window=12,
    )
    assert {len(c.history) for c in spy.contexts} == {12}
    assert all(len(v) == 12 for c in spy.contexts for v in c.inferer_loss_history.values())


def test_demo_setups() -> None:
    for name in DEMO_TOPICS:
        setup = build_demo_setup(name)
        assert len(setup.inferers) >= 5
        assert len({type(model) for model in setup.inferers.values()}) >= 5
        assert len(setup.forecasters) >= 2
        assert len(setup.reputers) >= 3
        assert len({r.stake for r in setup.reputers}) == len(setup.reputers)
        assert 0 < setup.start < len(setup.series)
    with pytest.raises(StudyConfigError):
        build_demo_setup("lottery")


def test_a_short_slice_of_the_weather_demo_runs() -> None:
    setup = build_demo_setup("weather")
    result = run_study(
        setup.series,
        inferers=setup.inferers,
        forecasters=setup.forecasters,
        reputers=setup.reputers,
        loss_method=setup.loss_method,
        params=setup.params,
        start=setup.start,
        stop=setup.start + 16,
    )
    assert len(result.records) == 16
    assert all(sum(r.payouts.values()) == r.topic_reward > 0 for r in result.records)
    # the regime forecasters start once they know 12 losses of each inferer
    assert set(result.summary.forecaster_mean_losses) == set(setup.forecasters)
    assert result.summary.forecaster_epochs["rain-forecaster"] < 16
