"""The epoch benchmark's split of application time into ingestion and block time, whichever
ABCI call executes the block (``finalize_block``, or ``prepare_proposal`` reused by it)."""

from __future__ import annotations

import pytest

from pyallora.node import bench_epoch


class FakeTime:
    """Wall and CPU readings advanced by hand (CPU runs at half the wall rate)."""

    def __init__(self) -> None:
        self.wall = 0.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds

    def now(self) -> tuple[float, float]:
        return self.wall, self.wall / 2


@pytest.fixture
def time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(bench_epoch, "_now", fake.now)
    return fake


def _execute_block(clock: bench_epoch._Clock, time: FakeTime, name: str) -> None:
    """A call that runs hooks (1 s), txs (3 s), hooks and app hash (2 s)."""
    start = clock.start_call()
    time.advance(1.0)
    clock.mark_begin_hook_end()  # first begin hook
    clock.mark_begin_hook_end()  # the last one starts the txs
    time.advance(3.0)
    clock.mark_end_hook_start()  # the first end hook ends them
    time.advance(1.0)
    clock.mark_end_hook_start()
    time.advance(1.0)
    clock.end_call(name, start)


def _plain_call(clock: bench_epoch._Clock, time: FakeTime, name: str, seconds: float) -> None:
    start = clock.start_call()
    time.advance(seconds)
    clock.end_call(name, start)


@pytest.mark.parametrize("executing_call", ["prepare_proposal", "finalize_block"])
def test_the_txs_span_is_ingestion_wherever_the_block_runs(
    time: FakeTime, executing_call: str
) -> None:
    clock = bench_epoch._Clock()
    _plain_call(clock, time, "check_tx", 0.5)
    if executing_call == "prepare_proposal":
        _execute_block(clock, time, "prepare_proposal")
        _plain_call(clock, time, "process_proposal", 0.25)
        _plain_call(clock, time, "finalize_block", 0.125)  # reuses the execution
    else:
        _plain_call(clock, time, "prepare_proposal", 0.75)  # txs tried on a scratch branch
        _plain_call(clock, time, "process_proposal", 0.25)
        _execute_block(clock, time, "finalize_block")
    _plain_call(clock, time, "commit", 2.0)
    if executing_call == "prepare_proposal":
        assert clock.ingest == [0.5 + 3.0 + 0.25, (0.5 + 3.0 + 0.25) / 2]
        assert clock.block == [3.0 + 0.125 + 2.0, (3.0 + 0.125 + 2.0) / 2]
    else:
        assert clock.ingest == [0.5 + 0.75 + 0.25 + 3.0, (0.5 + 0.75 + 0.25 + 3.0) / 2]
        assert clock.block == [3.0 + 2.0, (3.0 + 2.0) / 2]
    assert clock.commit_wall == 2.0
    clock.reset()
    assert clock.ingest == clock.block == [0.0, 0.0]


def test_a_block_executed_twice_is_charged_twice(time: FakeTime) -> None:
    clock = bench_epoch._Clock()
    _execute_block(clock, time, "prepare_proposal")
    _execute_block(clock, time, "finalize_block")  # the proposal did not match
    assert clock.ingest[0] == 6.0
    assert clock.block[0] == 6.0
