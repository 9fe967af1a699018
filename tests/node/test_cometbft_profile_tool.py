"""The parsing helpers of ``tools/profile_cometbft_load.py`` (the tool itself needs a live node)."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path
from types import ModuleType

TOOL = Path(__file__).resolve().parents[2] / "tools" / "profile_cometbft_load.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("profile_cometbft_load", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doctests_pass() -> None:
    results = doctest.testmod(_load())
    assert results.attempted >= 3
    assert results.failed == 0


def test_senders_are_named_in_start_order_and_other_goroutines_ignored() -> None:
    tool = _load()
    sender = "github.com/cometbft/cometbft/abci/client.(*socketClient).sendRequestsRoutine(0x1)"
    dump = "\n\n".join(
        [
            f"goroutine 40 [runnable]:\n{sender}",
            f"goroutine 31 [select, 3 minutes]:\n{sender}",
            "goroutine 12 [runnable]:\nmain.other()",
            f"goroutine 33 [select]:\n{sender}",
            f"goroutine 35 [IO wait]:\ninternal/poll.(*FD).Write()\n{sender}",
        ]
    )
    states = tool.classify_senders(dump)
    assert states == {40: "runnable", 31: "select", 33: "select", 35: "IO wait"}
    rows = tool.summarise_senders([states, {**states, 40: "select"}])
    assert [name for name, _ in rows] == ["query", "snapshot", "mempool", "consensus"]
    assert dict(rows[3][1]) == {"runnable": 1, "select": 1}
    assert dict(rows[2][1]) == {"IO wait": 2}


def test_flush_timer_share_is_absent_without_the_timer() -> None:
    tool = _load()
    assert tool.flush_timer_share("0.10s 5% 5% 0.20s 10.00%  runtime.mcall") is None
