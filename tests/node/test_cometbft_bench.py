"""The node benchmark's functions (node/bench_node.py): they run and count consistently.

No speed is asserted here (performance targets belong to the benchmark itself).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pyallora.chain.abci_types import FinalizeBlockRequest, QueryRequest
from pyallora.node.bench_node import BenchKVApp, parse_block_time_ns, run_node_bench
from pyallora.node.cometbft import CometBftError, CometBftNotFoundError, find_cometbft


def test_parse_block_time_ns() -> None:
    assert parse_block_time_ns("1970-01-01T00:00:01Z") == 1_000_000_000
    assert parse_block_time_ns("2026-01-01T00:00:00.5Z") == 1_767_225_600_500_000_000
    assert parse_block_time_ns("2026-11-25T16:53:45.685149538Z") % 1_000_000_000 == 685_149_538


def test_bench_app_commits_and_answers_queries() -> None:
    app = BenchKVApp()
    result = app.finalize_block(
        FinalizeBlockRequest(height=1, time_ns=0, txs=(b"a=1", b"broken", b"b=2"))
    )
    assert [r.code for r in result.tx_results] == [0, 1, 0]
    assert app.info().last_block_height == 0  # nothing is visible before commit
    app.commit()
    assert (app.info().last_block_height, app.info().last_block_app_hash) == (1, result.app_hash)
    assert app.query(QueryRequest(path="", data=b"b")).value == b"2"
    again = BenchKVApp().finalize_block(
        FinalizeBlockRequest(height=1, time_ns=0, txs=(b"a=1", b"broken", b"b=2"))
    )
    assert again.app_hash == result.app_hash  # deterministic
    with pytest.raises(LookupError):
        app.commit()


def test_bench_app_spends_the_cpu_it_is_given() -> None:
    app = BenchKVApp(check_burn_us=2000, block_burn_us=1000)
    start = time.thread_time()
    assert app.check_tx(b"a=1").code == 0
    checked = time.thread_time()
    app.check_tx(b"a=1", recheck=True)
    rechecked = time.thread_time()
    app.finalize_block(FinalizeBlockRequest(height=1, time_ns=0, txs=(b"a=1", b"b=2")))
    finalized = time.thread_time()
    assert checked - start >= 0.002
    assert rechecked - checked >= 0.0005  # a quarter for a recheck
    assert finalized - rechecked >= 0.002  # per transaction of the block


def test_unknown_bench_application() -> None:
    with pytest.raises(CometBftError):
        run_node_bench(app="geth")


@pytest.mark.integration
@pytest.mark.parametrize("app", ["pyallora", "kvstore"])
def test_run_node_bench_counts_every_committed_tx(app: str, tmp_path: Path) -> None:
    try:
        find_cometbft()
    except CometBftNotFoundError as exc:
        pytest.skip(f"INTEGRATION TESTS SKIPPED: {exc}")
    report = run_node_bench(
        app=app, empty_s=1, load_s=1, concurrency=4, timeout_commit_ms=100, base_dir=tmp_path
    )
    assert report.app == app
    empty = report.empty_blocks
    assert empty.last_height > empty.first_height
    assert empty.ms_per_block > 0
    load = report.throughput
    assert load.sent > 0
    assert load.rejected == 0
    assert load.committed == load.accepted == load.sent  # every accepted tx reached a block
    assert 0 < load.max_txs_per_block <= load.committed
    assert load.tx_per_s > 0
    assert list(tmp_path.iterdir()) == []  # the temporary home was removed
