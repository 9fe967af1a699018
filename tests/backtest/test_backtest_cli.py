"""``allora backtest --csv FILE --column NAME --out DIR``: any numeric column of any CSV file,
a report in the summary.json contract, and identical reports for identical inputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pyallora.cli.main import main

SUMMARY_KEYS = {
    "topic_id",
    "name",
    "epochs",
    "network_mean_loss",
    "naive_mean_loss",
    "best_inferer_mean_loss",
    "inferers",
    "forecasters",
    "rewards",
}


def _write_csv(path: Path) -> None:
    lines = ["day,price,comment"]
    level = 100.0
    for t in range(70):
        level += 0.8 * math.sin(t / 3.0) + (1.5 if t % 11 == 0 else -0.2)
        lines.append(f"2024-01-{1 + t % 28:02d},{level:.4f},row {t}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_csv_backtest_writes_the_same_report_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "prices.csv"
    _write_csv(data)
    outputs = [tmp_path / "one", tmp_path / "two"]
    for out in outputs:
        arguments = ["backtest", "--csv", str(data), "--column", "price"]
        arguments += ["--history", "50", "--epochs", "12", "--out", str(out)]
        assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert "network" in printed and "report written to" in printed
    first, second = (_files(out) for out in outputs)
    assert set(first) == set(second)
    assert {"summary.json", "report.json", "report.txt"} <= set(first)
    for name, content in first.items():
        assert content == second[name], name
    summary = json.loads(first["summary.json"])
    [topic] = summary["topics"]
    assert set(topic) == SUMMARY_KEYS
    assert topic["name"] == "price" and topic["epochs"] == 12
    assert len(topic["inferers"]) == 6 and len(topic["forecasters"]) == 2
    assert all(address.startswith("allo1") for address in topic["inferers"])
    assert topic["best_inferer_mean_loss"] == min(topic["inferers"].values())
    assert len(topic["rewards"]) == 6 + 2 + 3 and sum(topic["rewards"].values()) > 0
    folder = f"topic-{topic['topic_id']}-price"
    for name in ("epochs.csv", "participants.csv", "inference_vs_truth.png", "rewards.png"):
        assert f"{folder}/{name}" in first
    assert len(first[f"{folder}/epochs.csv"].decode().splitlines()) == 1 + 12


def test_csv_errors_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "prices.csv"
    _write_csv(data)
    assert main(["backtest", "--csv", str(data), "--out", str(tmp_path / "x")]) == 1
    assert "--column" in capsys.readouterr().err
    missing = ["backtest", "--csv", str(data), "--column", "volume", "--out", str(tmp_path / "x")]
    assert main(missing) == 1
    assert "volume" in capsys.readouterr().err
    text = ["backtest", "--csv", str(data), "--column", "comment", "--out", str(tmp_path / "x")]
    assert main(text) == 1
    assert "not a finite number" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["backtest", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--csv", "--column", "--out", "--epochs", "--topic"):
        assert option in text
