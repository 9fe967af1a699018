"""End to end: a short ``allora demo`` on the in-process block driver (no CometBFT needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_checks import check_demo, run_short_demo


@pytest.mark.slow
def test_short_solo_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo-report"
    result = run_short_demo(out, solo=True)
    assert result.engine == "solo"
    check_demo(result, out)
