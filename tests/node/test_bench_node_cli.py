"""``allora bench node``: the pieces behave, and a tiny run against a real CometBFT prints
the contract's keys, plus the socket ceiling's with ``--ceiling`` (no speed asserted; targets
belong to the benchmark itself)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyallora.cli.bench_node import (
    compute_percentile,
    make_sender_key,
    sign_load,
    to_kvstore_tx,
)
from pyallora.cli.main import main
from pyallora.client.tx import tx_hash
from pyallora.node.cometbft import CometBftNotFoundError, find_abci_cli, find_cometbft

CONTRACT_KEYS = {"tx_per_s", "kvstore_tx_per_s", "ratio", "consumer_p50_ms", "consumer_p99_ms"}


def test_kvstore_form_has_one_separator_and_no_colon() -> None:
    keys = [make_sender_key(index) for index in range(3)]
    queues = sign_load(keys, {key.address: index for index, key in enumerate(keys)}, 30)
    for raw in (tx for queue in queues for tx in queue):
        kv = to_kvstore_tx(raw)
        key, _, value = kv.partition(b"=")
        assert kv.count(b"=") == 1 and b":" not in kv
        assert key and len(value) == len(raw)


def test_load_is_spread_over_senders_in_sequence_order() -> None:
    keys = [make_sender_key(index) for index in range(4)]
    queues = sign_load(keys, {key.address: index for index, key in enumerate(keys)}, 10)
    assert [len(queue) for queue in queues] == [3, 3, 2, 2]
    hashes = {tx_hash(raw) for queue in queues for raw in queue}
    assert len(hashes) == 10


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert compute_percentile(values, 0.5) == 50.0
    assert compute_percentile(values, 0.99) == 99.0
    assert compute_percentile([7.0], 0.99) == 7.0


def _tiny_run(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    """``allora bench node --json`` on a tiny load against a real CometBFT (skipped loudly
    without one); the printed document."""
    try:
        find_cometbft()
    except CometBftNotFoundError as exc:
        pytest.skip(f"INTEGRATION TESTS SKIPPED: {exc}")
    argv = ["bench", "node", "--txs", "20", "--senders", "2", "--clients", "3"]
    argv += ["--requests", "2", "--block-time", "100", "--quiet", "--json", *extra]
    assert main(argv) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


@pytest.mark.integration
def test_tiny_run_prints_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    document = _tiny_run(capsys)
    assert set(document) == CONTRACT_KEYS
    assert document["tx_per_s"] > 0 and document["kvstore_tx_per_s"] > 0
    assert document["ratio"] > 0
    assert 0 < document["consumer_p50_ms"] <= document["consumer_p99_ms"]


CEILING_KEYS = {
    "ceiling_python_noop_tx_per_s",
    "ceiling_python_noop_ratio",
    "ceiling_go_kvstore_tx_per_s",
    "ceiling_go_kvstore_ratio",
}


def test_abci_cli_is_found_by_explicit_path_or_refused(tmp_path: Path) -> None:
    with pytest.raises(CometBftNotFoundError, match="abci-cli"):
        find_abci_cli(tmp_path / "missing")
    script = tmp_path / "abci-cli"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert find_abci_cli(script) == script


@pytest.mark.integration
def test_tiny_ceiling_run_adds_the_socket_figures(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        find_abci_cli()
        has_abci_cli = True
    except CometBftNotFoundError:
        has_abci_cli = False  # the Python figure is still measured
    document = _tiny_run(capsys, "--ceiling")
    assert set(document) == CONTRACT_KEYS | CEILING_KEYS
    assert document["ceiling_python_noop_tx_per_s"] > 0
    assert document["ceiling_python_noop_ratio"] > 0
    if has_abci_cli:
        assert document["ceiling_go_kvstore_tx_per_s"] > 0
    else:
        assert document["ceiling_go_kvstore_tx_per_s"] is None
