"""``allora bench synthesis``: time one full epoch end of the synthesis engine.

One epoch end is :func:`~pyallora.synthesis.epoch.compute_network_inferences` (forecast-implied
inferences with their one-out variants and the whole §7 family) followed by
:func:`~pyallora.synthesis.epoch.compute_epoch_outcome` (network losses, regrets, scores,
reputer consensus and listening coefficients, reward fractions, entropies, rewards and
integer payouts). Topics are random but reproducible (seeded); the generator is not consensus
code, so it may use :mod:`random`. Every forecaster forecasts every inferer and every reputer
reports every bundle entry, so the bundle has B = 2 + 2W + 3F + F·W entries.

Targets (the project's, checked here and never in tests): < 50 ms per epoch at
(W, F, R) = (32, 6, 6) and < 2 s at (128, 32, 32).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from pyallora.core.dec import Dec, dec, dec_context, to_text17
from pyallora.synthesis.epoch import compute_epoch_outcome, compute_network_inferences
from pyallora.synthesis.params import SIMULATOR_PARAMS, SynthesisParams
from pyallora.synthesis.types import (
    Forecast,
    ForecastElement,
    Inference,
    RegretState,
    ReputerReport,
    SynthesisState,
    ValueBundle,
)

DEFAULT_SIZES: tuple[tuple[int, int, int, int], ...] = (
    (5, 3, 5, 20),
    (32, 6, 6, 10),
    (128, 32, 32, 3),
    (512, 64, 64, 1),
)
"""(W, F, R, epochs) measured when no size is given."""

TARGETS_MS: dict[tuple[int, int, int], float] = {(32, 6, 6): 50.0, (128, 32, 32): 2000.0}
"""Median milliseconds per epoch end that the project aims for, by (W, F, R)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchEpoch:
    """One generated epoch: submissions, reputer reports and topic reward."""

    inferences: tuple[Inference, ...]
    forecasts: tuple[Forecast, ...]
    truth: float
    stakes: tuple[Dec, ...]
    noise: tuple[float, ...]
    topic_reward: int


def _text(value: float) -> Dec:
    return dec(format(value, ".17g"))


def generate_state(inferers: int, forecasters: int, rng: random.Random) -> SynthesisState:
    """A topic state in which every regret exists (the regular §6–§7 path runs)."""
    i_ids = [f"inferer{j:05d}" for j in range(inferers)]
    f_ids = [f"forecaster{k:05d}" for k in range(forecasters)]

    def regret() -> Dec:
        return _text(rng.uniform(-2.5, 0.5))

    return SynthesisState(
        previous_network_loss=_text(rng.uniform(-4.0, -3.0)),
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
        initial_regret=_text(rng.uniform(-3.0, -1.0)),
    )


def generate_epoch(
    inferers: int, forecasters: int, reputers: int, rng: random.Random
) -> BenchEpoch:
    """Random inferences around a random truth, forecasts of every inferer, stakes."""
    truth = rng.gauss(0.0, 1.0)
    skills = [rng.uniform(0.01, 0.5) for _ in range(inferers)]
    inferences = tuple(
        Inference(inferer=f"inferer{j:05d}", value=_text(truth + rng.gauss(0.0, skills[j])))
        for j in range(inferers)
    )
    forecasts = tuple(
        Forecast(
            forecaster=f"forecaster{k:05d}",
            elements=tuple(
                ForecastElement(inferer=f"inferer{j:05d}", value=_text(rng.uniform(-4.0, -1.0)))
                for j in range(inferers)
            ),
        )
        for k in range(forecasters)
    )
    return BenchEpoch(
        inferences=inferences,
        forecasts=forecasts,
        truth=truth,
        stakes=tuple(_text(rng.uniform(1e5, 5e5)) for _ in range(reputers)),
        noise=tuple(rng.uniform(0.0, 0.3) for _ in range(reputers)),
        topic_reward=rng.randrange(10**20, 10**22),
    )


def generate_reports(
    epoch: BenchEpoch, bundle: ValueBundle, rng: random.Random
) -> list[ReputerReport]:
    """Each reputer's log10 squared error of every bundle entry, with its own noise."""
    reports: list[ReputerReport] = []
    for m, (stake, noise) in enumerate(zip(epoch.stakes, epoch.noise, strict=True)):
        truth = epoch.truth + rng.gauss(0.0, noise)
        entries = {}
        for key, value in bundle.entries():
            error = float(to_text17(value)) - truth
            entries[key] = _text(2.0 * _log10(abs(error) + 1e-12))
        reports.append(
            ReputerReport(
                reputer=f"reputer{m:05d}", stake=stake, losses=ValueBundle.from_entries(entries)
            )
        )
    return reports


def _log10(x: float) -> float:
    import math

    return math.log10(x)


def run_epoch_end(
    epoch: BenchEpoch, state: SynthesisState, params: SynthesisParams, rng: random.Random
) -> tuple[float, SynthesisState]:
    """Time one epoch end (reports are generated outside the timed part); returns (s, state)."""
    start = time.perf_counter()
    network = compute_network_inferences(
        inferences=epoch.inferences, forecasts=epoch.forecasts, state=state, params=params
    )
    middle = time.perf_counter()
    reports = generate_reports(epoch, network.bundle, rng)
    resume = time.perf_counter()
    outcome = compute_epoch_outcome(
        network_inferences=network,
        reports=reports,
        state=state,
        params=params,
        topic_reward=epoch.topic_reward,
    )
    end = time.perf_counter()
    return (middle - start) + (end - resume), outcome.state


def measure(
    inferers: int,
    forecasters: int,
    reputers: int,
    epochs: int,
    *,
    seed: int = 7,
    progress: bool = False,
) -> float:
    """Median milliseconds per epoch end over ``epochs`` chained epochs of a random topic."""
    rng = random.Random(seed)
    params = SIMULATOR_PARAMS
    with dec_context():
        state = generate_state(inferers, forecasters, rng)
        timings: list[float] = []
        for index in range(epochs):
            epoch = generate_epoch(inferers, forecasters, reputers, rng)
            seconds, state = run_epoch_end(epoch, state, params, rng)
            timings.append(seconds)
            if progress:
                print(
                    f"  ({inferers},{forecasters},{reputers}) epoch {index + 1}/{epochs}: "
                    f"{seconds * 1000:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
    return statistics.median(timings) * 1000.0


def _run(args: argparse.Namespace) -> int:
    custom = any(v is not None for v in (args.inferers, args.forecasters, args.reputers))
    if custom:
        sizes: tuple[tuple[int, int, int, int], ...] = (
            (args.inferers or 5, args.forecasters or 3, args.reputers or 5, args.epochs or 5),
        )
    else:
        sizes = tuple(
            (w, f, r, args.epochs if args.epochs is not None else n) for w, f, r, n in DEFAULT_SIZES
        )
    all_met = True
    for w, f, r, n in sizes:
        ms = measure(
            w, f, r, max(1, n), seed=args.seed, progress=not args.json and n > 0 and w >= 128
        )
        if args.json:
            print(
                json.dumps(
                    {
                        "inferers": w,
                        "forecasters": f,
                        "reputers": r,
                        "ms_per_epoch_median": round(ms, 3),
                    }
                )
            )
            continue
        target = TARGETS_MS.get((w, f, r))
        verdict = ""
        if target is not None:
            met = ms < target
            all_met = all_met and met
            verdict = f"  target < {target:g} ms: {'met' if met else 'NOT met'}"
        print(f"W={w:<4} F={f:<3} R={r:<3} {ms:10.1f} ms per epoch end (median of {n}){verdict}")
    if not args.json and not custom:
        print("all targets met" if all_met else "some targets are NOT met")
    return 0


def register(subparsers: Any) -> None:
    """Add ``allora bench synthesis``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "synthesis",
        help="time one synthesis epoch end (network inferences through payouts)",
        description=(
            "Time one full epoch end of the synthesis engine on reproducible random topics and "
            "print the median milliseconds per epoch. Without size options it measures "
            "(W,F,R) = (5,3,5), (32,6,6), (128,32,32), (512,64,64) and checks the targets "
            "< 50 ms at (32,6,6) and < 2 s at (128,32,32)."
        ),
    )
    parser.add_argument("--inferers", type=int, metavar="W", help="number of inferers")
    parser.add_argument("--forecasters", type=int, metavar="F", help="number of forecasters")
    parser.add_argument("--reputers", type=int, metavar="R", help="number of reputers")
    parser.add_argument("--epochs", type=int, metavar="N", help="epochs to time per size")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    parser.set_defaults(func=_run)
