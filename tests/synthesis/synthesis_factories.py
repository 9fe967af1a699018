"""Builders and Hypothesis strategies for synthesis-engine tests (not a test module)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from pyallora.core.dec import Dec, dec, dec_context
from pyallora.synthesis.types import (
    Forecast,
    ForecastElement,
    Inference,
    RegretState,
    ReputerReport,
    SynthesisState,
    ValueBundle,
)

REPO = Path(__file__).resolve().parents[2]


def d(value: float | str | int) -> Dec:
    """A Dec from a float (through its shortest repr), text or int."""
    if isinstance(value, float):
        return dec(repr(value))
    return dec(value)


@dataclass(frozen=True)
class Topic:
    """A random epoch: submissions, a full regret state, stakes and per-reputer noise."""

    inferer_ids: tuple[str, ...]
    forecaster_ids: tuple[str, ...]
    reputer_ids: tuple[str, ...]
    inferences: tuple[Inference, ...]
    forecasts: tuple[Forecast, ...]
    state: SynthesisState
    stakes: tuple[Dec, ...]
    seed: int


def make_state(
    inferer_ids: tuple[str, ...], forecaster_ids: tuple[str, ...], rng: random.Random
) -> SynthesisState:
    """A state where every regret exists and the initial regret is not 0 (regular path)."""

    def regret() -> Dec:
        return d(round(rng.uniform(-2.5, 0.8), 12))

    i_ids, f_ids = inferer_ids, forecaster_ids
    return SynthesisState(
        previous_network_loss=d(round(rng.uniform(-4.0, -2.0), 12)),
        regrets=RegretState(
            inferer={j: regret() for j in i_ids},
            forecaster={k: regret() for k in f_ids},
            naive_inferer={j: regret() for j in i_ids},
            one_out_inferer_inferer={(a, b): regret() for a in i_ids for b in i_ids},
            one_out_inferer_forecaster={(a, k): regret() for a in i_ids for k in f_ids},
            one_out_forecaster_inferer={(a, j): regret() for a in f_ids for j in i_ids},
            one_out_forecaster_forecaster={(a, k): regret() for a in f_ids for k in f_ids},
            one_in_forecaster_inferer={(k, j): regret() for k in f_ids for j in i_ids},
            one_in_forecaster_self={k: regret() for k in f_ids},
        ),
        initial_regret=d(round(rng.uniform(-3.0, -1.0), 12)),
    )


def make_topic(
    inferer_ids: tuple[str, ...],
    forecaster_ids: tuple[str, ...],
    reputer_ids: tuple[str, ...],
    seed: int,
    *,
    partial_forecasts: bool = True,
) -> Topic:
    """A reproducible random topic with the given participants."""
    rng = random.Random(seed)
    with dec_context():
        truth = rng.gauss(0.0, 1.0)
        inferences = tuple(
            Inference(inferer=j, value=d(round(truth + rng.gauss(0.0, 0.3), 12)))
            for j in inferer_ids
        )
        forecasts = []
        for k in forecaster_ids:
            about = [j for j in inferer_ids if not partial_forecasts or rng.random() < 0.8] or [
                inferer_ids[0]
            ]
            forecasts.append(
                Forecast(
                    forecaster=k,
                    elements=tuple(
                        ForecastElement(inferer=j, value=d(round(rng.uniform(-4.5, -1.0), 12)))
                        for j in about
                    ),
                )
            )
        state = make_state(inferer_ids, forecaster_ids, rng)
        stakes = tuple(d(round(rng.uniform(1e3, 1e6), 6)) for _ in reputer_ids)
    return Topic(
        inferer_ids=inferer_ids,
        forecaster_ids=forecaster_ids,
        reputer_ids=reputer_ids,
        inferences=inferences,
        forecasts=tuple(forecasts),
        state=state,
        stakes=stakes,
        seed=seed,
    )


def make_reports(topic: Topic, bundle: ValueBundle) -> list[ReputerReport]:
    """Reputers' log-losses of every bundle entry: a deterministic function of the entry's
    value, the reputer's index and the topic seed (so relabelling keeps the numbers)."""
    rng = random.Random(topic.seed * 7919 + 1)
    truth = rng.gauss(0.0, 1.0)
    noises = [rng.uniform(0.0, 0.05) for _ in topic.reputer_ids]
    reports = []
    for m, (reputer, stake) in enumerate(zip(topic.reputer_ids, topic.stakes, strict=True)):
        entries = {}
        for key, value in bundle.entries():
            error = abs(float(format(value, ".17g")) - truth - noises[m]) + 1e-9
            # A smooth function of the value; 12 decimals keep it exact in Dec text.
            entries[key] = d(round(2.0 * math.log10(error), 12))
        reports.append(
            ReputerReport(reputer=reputer, stake=stake, losses=ValueBundle.from_entries(entries))
        )
    return reports


ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@st.composite
def topic_shapes(
    draw: st.DrawFn, *, min_inferers: int = 2, max_inferers: int = 6, max_forecasters: int = 4
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], int]:
    """Distinct random ids for inferers, forecasters (may share ids with inferers) and
    reputers, and a seed."""
    ids = st.text(ID_ALPHABET, min_size=1, max_size=6)
    inferers = draw(st.lists(ids, min_size=min_inferers, max_size=max_inferers, unique=True))
    forecasters = draw(st.lists(ids, min_size=0, max_size=max_forecasters, unique=True))
    reputers = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    seed = draw(st.integers(0, 2**32))
    return tuple(inferers), tuple(forecasters), tuple(reputers), seed
