"""Shared helpers of the vectors tests: the README's tolerance and running the command."""

from __future__ import annotations

import subprocess
import sys

RELATIVE_TOLERANCE = 1e-9
"""Relative tolerance of a continuous output cell (../shared/vectors/README.md §1)."""

ABSOLUTE_FLOOR = 1e-12
"""Absolute floor of the tolerance."""


def is_within_tolerance(got: float, want: float) -> bool:
    """|got − want| ≤ max(1e-9·|want|, 1e-12), as the vectors README prescribes."""
    return abs(got - want) <= max(RELATIVE_TOLERANCE * abs(want), ABSOLUTE_FLOOR)


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``allora ARGS`` in a fresh interpreter and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "pyallora.cli.main", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
