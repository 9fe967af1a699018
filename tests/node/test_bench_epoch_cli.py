"""``allora bench epoch``: a tiny run works and prints the contract's keys (no speed asserted;
targets belong to the benchmark itself)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyallora.cli.main import main
from pyallora.node.bench_epoch import (
    ACTORS_PER_TOPIC,
    TxSigner,
    build_join_msgs,
    make_actor_key,
    make_topic_actors,
    run_epoch_bench,
)

CONTRACT_KEYS = {"topics", "median_block_ms", "worst_reward_block_ms", "ingest_one_epoch_s"}


def test_json_output_has_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "epoch", "--topics", "1", "--epochs", "1", "--json", "--quiet"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == CONTRACT_KEYS
    assert document["topics"] == 1
    assert document["median_block_ms"] > 0
    assert document["worst_reward_block_ms"] > 0
    assert document["ingest_one_epoch_s"] > 0


def test_text_output_names_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "epoch", "--topics", "1", "--epochs", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "worst block paying rewards" in out
    assert "target < 100 ms" in out
    assert "--topics 100" in out


def test_two_topics_end_epochs_in_distinct_blocks(tmp_path: Path) -> None:
    report = run_epoch_bench(2, epochs=1, base_dir=tmp_path)
    assert report.epoch_length == 12  # max(T, min_epoch_length)
    assert len(report.blocks) == report.epoch_length
    # One epoch end per block, each paying one topic; every topic's payloads once.
    assert sorted(b.epoch_ends for b in report.blocks if b.epoch_ends) == [1, 1]
    assert report.max_rewarded_topics == 1
    assert len(report.reward_blocks) == 2
    assert report.txs_per_epoch == 2 * ACTORS_PER_TOPIC
    assert all(b.ingest_s >= 0 and b.block_s > 0 for b in report.blocks)


def test_signer_counts_sequences_per_account() -> None:
    actors = make_topic_actors(1, inferers=2, forecasters=1, reputers=1)
    funder = make_actor_key(0, "creator", 0)
    numbers = {key.address: index for index, key in enumerate((funder, *actors.keys))}
    messages = build_join_msgs(actors, funder)
    # Register every actor, stake each reputer, then the funder funds the topic.
    assert [key for key, _ in messages] == [*actors.keys, *actors.reputers, funder]
    signer = TxSigner("bench-test", numbers)
    txs = signer.sign_all(messages)
    assert len(set(txs)) == len(txs)
    with pytest.raises(KeyError):
        signer.sign(make_actor_key(9, "stranger", 0), messages[0][1])


def test_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "epoch", "--topics", "0", "--json"])
    assert "must be positive" in capsys.readouterr().err
