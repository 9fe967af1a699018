"""Shared pytest configuration: Hypothesis profiles and paths to the shared vectors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parent.parent


def _find_vectors() -> Path | None:
    for candidate in (REPO.parent / "shared" / "vectors", REPO / "tests" / "data" / "vectors"):
        if (candidate / "synthesis_epochs.csv").exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    """The simulator's tables (../shared/vectors beside the checkout)."""
    found = _find_vectors()
    if found is None:
        pytest.fail("the simulator tables were not found (expected ../shared/vectors)")
    return found
