"""``allora bench``: performance figures. Targets live here, never in tests.

Each benchmark is its own module (``bench_<name>.py``) defining ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

BENCHMARKS: tuple[str, ...] = (
    "pyallora.cli.bench_synthesis",
    "pyallora.cli.bench_numbers",
    "pyallora.cli.bench_tx",
    "pyallora.cli.bench_epoch",
    "pyallora.cli.bench_node",
)
"""Benchmark modules, each adding one ``allora bench NAME`` sub-command."""


def register(subparsers: Any) -> None:
    """Add ``allora bench`` and its benchmarks."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench",
        help="measure performance against the project's targets",
        description="Run a benchmark and print its figures (and whether each target is met).",
    )
    parser.set_defaults(group_parser=parser)
    sub = parser.add_subparsers(title="benchmarks", metavar="BENCHMARK")
    for name in BENCHMARKS:
        importlib.import_module(name).register(sub)
