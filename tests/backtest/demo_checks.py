"""Checks shared by the end-to-end demo tests (solo and CometBFT): a short live demo whose
agents all got their payloads in, whose every epoch has a network inference, and whose
rewards were paid and add up to the balance and stake changes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from pyallora.backtest.demo import DemoOptions, DemoResult, run_demo
from pyallora.backtest.report import ROLE_INFERER, ROLE_REPUTER

EPOCHS = 24
"""A few dozen epochs: the chain's regrets, scores and rewards all get going."""

BLOCK_TIME_MS = 400
"""Slower blocks than ``make demo``: room for the agents on a busy test machine."""


def run_short_demo(out: Path, *, solo: bool) -> DemoResult:
    """Run the demo with :data:`EPOCHS` epochs per topic."""
    return run_demo(
        DemoOptions(epochs=EPOCHS, out=out, solo=solo, block_time_ms=BLOCK_TIME_MS, quiet=True)
    )


def check_demo(result: DemoResult, out: Path) -> None:
    """The end-to-end claims (module docstring)."""
    assert result.rejections == ()
    assert len(result.runs) == 2
    for run in result.runs:
        # Every agent's payloads were accepted: inferers and reputers every epoch.
        assert run.submissions == run.accepted, run.name
        for participant in run.participants:
            if participant.role in (ROLE_INFERER, ROLE_REPUTER):
                assert run.accepted[participant.address] == EPOCHS, participant
        # Every epoch produced a network inference, replaying consecutive days.
        assert len(run.epochs) == EPOCHS
        assert all(r.network is not None for r in run.epochs)
        assert [r.epoch for r in run.epochs] == list(range(EPOCHS))
        # Rewards were paid, and they add up: per epoch to the topic's reward, per account to
        # its balance change (workers, net of the data fees) or stake change (reputers).
        assert sum(r.topic_reward for r in run.epochs) > 0
        for record in run.epochs:
            assert sum(record.rewards.values()) == record.topic_reward
        stakes = {p.address: p.stake for p in run.participants}
        for participant in run.participants:
            address = participant.address
            earned = sum(r.rewards.get(address, 0) for r in run.epochs)
            if participant.role == ROLE_REPUTER:
                assert earned > 0
                assert result.stakes_after[address] == stakes[address] + earned
            fees = result.data_sending_fee * run.accepted[address]
            change = result.balances_after[address] - result.balances_before[address]
            assert change == (0 if participant.role == ROLE_REPUTER else earned) - fees
    summary = json.loads((out / "summary.json").read_text())
    assert [t["name"] for t in summary["topics"]] == ["weather", "weather-min"]
    assert all(t["epochs"] == EPOCHS for t in summary["topics"])
    for name in ("inference_vs_truth.png", "cumulative_loss.png", "rewards.png"):
        assert (out / "topic-1-weather" / name).stat().st_size > 0
    # The network is stopped and its temporary home removed.
    assert not result.home.exists()
    try:
        httpx.get(f"{result.api_url}/v1/status", timeout=2.0)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the demo network still answers")
