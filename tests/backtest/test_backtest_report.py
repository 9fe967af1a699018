"""The backtest report: mean losses, the summary.json contract, CSV files, plots, determinism."""

from __future__ import annotations

import csv
import json
import math
import statistics
from pathlib import Path

import pytest

from pyallora.agents.losses import compute_loss
from pyallora.backtest.report import (
    ROLE_FORECASTER,
    ROLE_INFERER,
    ROLE_REPUTER,
    EpochRecord,
    Participant,
    ReportError,
    TopicRun,
    compute_topic_summary,
    format_summary_table,
    summary_to_json,
    write_report,
)

SUMMARY_KEYS = {
    "topic_id",
    "name",
    "epochs",
    "network_mean_loss",
    "naive_mean_loss",
    "best_inferer_mean_loss",
    "inferers",
    "forecasters",
    "rewards",
}

A, B, F, R = "allo1aaa", "allo1bbb", "allo1fff", "allo1rrr"
PARTICIPANTS = (
    Participant(address=A, label="good", role=ROLE_INFERER),
    Participant(address=B, label="bad", role=ROLE_INFERER),
    Participant(address=F, label="fc", role=ROLE_FORECASTER),
    Participant(address=R, label="rep", role=ROLE_REPUTER, stake=1000),
)


def _record(epoch: int, truth: float, *, bootstrap: bool = False) -> EpochRecord:
    good = truth + (0.5 if epoch % 2 else -0.5)
    bad = truth + 2.0 + epoch
    network = truth + 0.25 * (epoch % 3)
    return EpochRecord(
        epoch=epoch,
        nonce=10 + 5 * epoch,
        index=100 + epoch,
        time="",
        truth=truth,
        network=network,
        naive=None if bootstrap else network + 1.0,
        inferences={A: good, B: bad} if epoch != 2 else {A: good},
        forecast_implied={F: truth - 1.5},
        inferer_weights={} if bootstrap else {A: 0.75, B: 0.25},
        forecaster_weights={} if bootstrap else {F: 0.1},
        network_log_losses={"network": -1.0, A: -0.5},
        scores={A: 0.2, B: -0.1, R: 0.4},
        rewards={A: 10 * epoch, B: epoch, R: 3},
        topic_reward=11 * epoch + 3,
    )


def _run(epochs: int = 6) -> TopicRun:
    truths = [2.0, 3.5, 1.0, 4.0, 2.5, 3.0, 5.0, 1.5][:epochs]
    return TopicRun(
        topic_id=7,
        name="toy topic",
        metadata="a toy",
        series="toy:x",
        loss_method="mse",
        settings={"epoch_length": "4"},
        participants=PARTICIPANTS,
        epochs=tuple(_record(i, t, bootstrap=i == 0) for i, t in enumerate(truths)),
        submissions={A: epochs, B: epochs - 1},
        accepted={A: epochs, B: epochs - 1},
    )


def test_mean_losses_follow_the_definition() -> None:
    run = _run()
    summary = compute_topic_summary(run)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    network = [compute_loss(r.network or 0.0, r.truth, "mse") for r in run.epochs]
    naive = [compute_loss(r.naive, r.truth, "mse") for r in run.epochs if r.naive is not None]
    good = [compute_loss(r.inferences[A], r.truth, "mse") for r in run.epochs]
    bad = [compute_loss(r.inferences[B], r.truth, "mse") for r in run.epochs if B in r.inferences]
    assert summary.epochs == len(run.epochs)
    assert summary.network_mean_loss == pytest.approx(mean(network), rel=1e-12)
    # The bootstrap epoch's naive value is a placeholder and is left out.
    assert len(naive) == len(run.epochs) - 1
    assert summary.naive_mean_loss == pytest.approx(mean(naive), rel=1e-12)
    assert summary.inferer_mean_losses[A] == pytest.approx(mean(good), rel=1e-12)
    # An inferer's mean is over the epochs where it submitted.
    assert summary.inferer_mean_losses[B] == pytest.approx(mean(bad), rel=1e-12)
    assert summary.best_inferer == A
    assert summary.best_inferer_mean_loss == summary.inferer_mean_losses[A]
    assert summary.network_beats_best == (summary.network_mean_loss < mean(good))
    assert summary.paired_epochs == len(run.epochs) - 1
    paired = [r for r in run.epochs if B in r.inferences]
    differences = [
        compute_loss(r.inferences[A], r.truth, "mse")
        - compute_loss(r.network or 0.0, r.truth, "mse")
        for r in paired
    ]
    spread = statistics.stdev(differences) / math.sqrt(len(differences))
    assert summary.paired_t == pytest.approx(statistics.fmean(differences) / spread, rel=1e-9)
    assert summary.rewards[A] == sum(10 * i for i in range(6))
    assert summary.rewards[R] == 3 * 6
    assert summary.rewards[F] == 0
    assert summary.total_topic_reward == sum(r.topic_reward for r in run.epochs)
    weighted = [r for r in run.epochs if r.inferer_weights]
    assert summary.mean_weights[A] == pytest.approx(0.75)
    assert len(weighted) == len(run.epochs) - 1


def test_summary_json_has_exactly_the_contract_keys() -> None:
    entry = summary_to_json(compute_topic_summary(_run()))
    assert set(entry) == SUMMARY_KEYS
    assert entry["topic_id"] == 7 and entry["name"] == "toy topic"
    assert set(entry["inferers"]) == {A, B}
    assert entry["forecasters"] == [F]
    assert set(entry["rewards"]) == {A, B, F, R}
    assert all(isinstance(v, int) for v in entry["rewards"].values())
    json.dumps(entry)  # every value is JSON


def test_no_network_inference_cannot_be_summarised() -> None:
    run = _run()
    empty = TopicRun(
        topic_id=run.topic_id,
        name=run.name,
        metadata=run.metadata,
        series=run.series,
        loss_method=run.loss_method,
        settings=run.settings,
        participants=run.participants,
        epochs=(),
    )
    with pytest.raises(ReportError, match="no epoch"):
        compute_topic_summary(empty)


def test_report_folder_is_complete_and_deterministic(tmp_path: Path) -> None:
    runs = [_run(), _run(8)]
    first, second = tmp_path / "one", tmp_path / "two"
    summaries = write_report(first, runs, extra={"engine": "test"})
    write_report(second, runs, extra={"engine": "test"})
    summary = json.loads((first / "summary.json").read_text())
    assert list(summary) == ["topics"]
    assert [set(t) for t in summary["topics"]] == [SUMMARY_KEYS, SUMMARY_KEYS]
    assert summary["topics"][1]["epochs"] == 8
    assert summary["topics"][0]["network_mean_loss"] == summaries[0].network_mean_loss
    folder = first / "topic-7-toy-topic"
    with (folder / "epochs.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8  # the second run overwrote the folder of the same topic
    assert rows[0]["naive"] == "" and rows[1]["naive"] != ""
    assert float(rows[3]["network_loss"]) == pytest.approx(
        compute_loss(float(rows[3]["network"]), float(rows[3]["truth"]), "mse")
    )
    with (folder / "participants.csv").open() as handle:
        people = list(csv.DictReader(handle))
    assert len(people) == 8 * len(PARTICIPANTS)
    assert {p["role"] for p in people} == {ROLE_INFERER, ROLE_FORECASTER, ROLE_REPUTER}
    for name in ("inference_vs_truth.png", "cumulative_loss.png", "rewards.png"):
        data = (folder / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
    report = json.loads((first / "report.json").read_text())
    assert report["run"] == {"engine": "test"}
    assert report["topics"][0]["best_inferer"]["label"] == "good"


def test_table_names_every_participant_and_the_verdict() -> None:
    run = _run()
    summary = compute_topic_summary(run)
    text = "\n".join(format_summary_table(run, summary))
    for label in ("NETWORK", "naive network", "good", "bad", "fc", "rep"):
        assert label in text
    verdict = "beats" if summary.network_beats_best else "does NOT beat"
    assert f"network {verdict} the best inferer (good)" in text
    improvement = 100.0 * (1 - summary.network_mean_loss / summary.best_inferer_mean_loss)
    assert math.isclose(100.0 * summary.improvement, improvement)
