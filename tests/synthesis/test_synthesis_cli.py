"""``allora bench synthesis``, ``allora bench numbers`` and ``allora demo`` run and report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyallora.cli.bench_numbers import _decimal_backend, _mpfr_backend, one_out_kernel
from pyallora.cli.main import main
from pyallora.core.dec import dec_context


def test_bench_synthesis_json(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["bench", "synthesis", "--inferers", "4", "--forecasters", "2", "--reputers", "2",
         "--epochs", "2", "--json"]
    )  # fmt: skip
    assert status == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert (record["inferers"], record["forecasters"], record["reputers"]) == (4, 2, 2)
    assert record["ms_per_epoch_median"] > 0


def test_bench_numbers_kernels_agree(capsys: pytest.CaptureFixture[str]) -> None:
    """Both number types compute the same kernel (to their precision), and the command runs."""
    import decimal
    import random

    rng = random.Random(5)
    xs = [[f"{rng.gauss(0, 1):.17g}" for _ in range(5)] for _ in range(2)]
    rs = [[f"{rng.uniform(-2.5, 0.5):.17g}" for _ in range(5)] for _ in range(2)]
    with decimal.localcontext(decimal.Context(prec=34, rounding=decimal.ROUND_DOWN)):
        b = _decimal_backend()
        by_decimal = one_out_kernel(
            b, [[b.make(t) for t in r] for r in xs], [[b.make(t) for t in r] for r in rs]
        )
    with dec_context():
        m = _mpfr_backend()
        by_mpfr = one_out_kernel(
            m, [[m.make(t) for t in r] for r in xs], [[m.make(t) for t in r] for r in rs]
        )
    assert len(by_decimal) == len(by_mpfr) == 10
    for a, c in zip(by_decimal, by_mpfr, strict=True):
        assert abs(float(a) - float(format(c, ".17g"))) <= 1e-15 * abs(float(a))
    status = main(
        ["bench", "numbers", "--inferers", "4", "--forecasters", "2", "--repeat", "1", "--json"]
    )
    assert status == 0
    records = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [r["exponentials"] for r in records] == [24, 24]
    assert all(r["kernel_ms"] > 0 and r["exp_us"] > 0 for r in records)


def test_demo_replays_the_table(vectors_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--vectors", str(vectors_dir)]) == 0
    out = capsys.readouterr().out
    assert "=== epoch 301 ===" in out and "=== epoch 302 ===" in out
    # The network log-loss of epoch 302 in the table is -4.268034301375579.
    assert "-4.268034" in out
    assert "inferer 4" in out and "reputer 4" in out and "forecaster 2" in out
    assert "The network beat every single inferer in" in out


def test_demo_without_the_table_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--vectors", str(tmp_path)]) == 1
    assert "was not found" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["demo"], ["bench", "synthesis"], ["bench", "numbers"]])
def test_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out
