"""End to end: a short ``allora demo`` against a real single-validator CometBFT node."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_checks import check_demo, run_short_demo

from pyallora.node.cometbft import CometBftNotFoundError, find_cometbft

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_short_demo_on_cometbft(tmp_path: Path) -> None:
    try:
        find_cometbft()
    except CometBftNotFoundError as exc:
        pytest.skip(f"INTEGRATION TEST SKIPPED: {exc}")
    out = tmp_path / "demo-report"
    result = run_short_demo(out, solo=False)
    assert result.engine == "cometbft"
    check_demo(result, out)
