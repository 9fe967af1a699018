"""``allora backtest --offset N``: the demo topics' study windows (pyallora.agents.study)."""

from __future__ import annotations

import argparse

import pytest

from pyallora.backtest.actors import ActorError
from pyallora.cli.backtest import build_topics, register


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return parser.parse_args(["backtest", *argv])


def test_offset_moves_the_replayed_window_and_keeps_its_length() -> None:
    (usual,) = build_topics(_parse("--topic", "weather", "--epochs", "30"))
    (later,) = build_topics(_parse("--topic", "weather", "--epochs", "30", "--offset", "300"))
    assert later.start == usual.start + 300
    assert later.epochs == usual.epochs == 30
    assert later.series.values[later.start] == usual.series.values[usual.start + 300]


def test_offset_defaults_to_the_demo_window() -> None:
    args = _parse("--topic", "weather-min", "--epochs", "5")
    assert args.offset == 0
    (spec,) = build_topics(args)
    assert spec.start == 365
    assert spec.series.times[spec.start].date().isoformat() == "2013-01-01"


def test_offset_past_the_end_is_refused() -> None:
    with pytest.raises(ActorError):
        build_topics(_parse("--topic", "weather", "--offset", "5000"))
