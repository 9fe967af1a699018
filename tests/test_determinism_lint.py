"""The consensus packages contain no float, clock, randomness, environment or set iteration."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import lint_determinism  # noqa: E402


def test_consensus_packages_are_clean() -> None:
    problems = lint_determinism.find_problems(lint_determinism.default_paths())
    assert problems == []


def test_lint_catches_each_hazard(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import time\n"
        "import random\n"
        "from os import environ\n"
        "x = 0.5\n"
        "y = float('1')\n"
        "for a in {1, 2}:\n    pass\n"
        "z = [b for b in set([1])]\n"
        "import os\nw = os.environ\n",
        encoding="utf-8",
    )
    problems = lint_determinism.find_problems([bad])
    text = "\n".join(problems)
    for needle in (
        "import of time",
        "import of random",
        "from os",
        "float literal",
        "float()",
        "iteration over a set",
        "os.environ",
    ):
        assert needle in text, needle
    assert sum("iteration over a set" in p for p in problems) == 2
