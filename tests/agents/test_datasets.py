"""Offline data sets and CSV series (pyallora.agents.datasets)."""

from __future__ import annotations

import csv
import math
from datetime import datetime
from pathlib import Path

import pytest
import vega_datasets

from pyallora.agents.datasets import (
    STOCK_SYMBOLS,
    DatasetError,
    MissingColumnError,
    NonNumericValueError,
    TimeSeries,
    UnknownDatasetError,
    compute_calendar_features,
    list_local_datasets,
    load_csv_series,
    load_seattle_weather,
    load_stock_log_returns,
    load_vega_series,
)

PACKAGE_DATA = Path(vega_datasets.__file__).parent / "_data"


def _read_package_csv(name: str) -> list[dict[str, str]]:
    """The raw rows of a CSV file shipped in the vega_datasets package (independent reader)."""
    with (PACKAGE_DATA / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_stock_log_returns_match_the_raw_prices() -> None:
    prices = [float(r["price"]) for r in _read_package_csv("stocks.csv") if r["symbol"] == "MSFT"]
    series = load_stock_log_returns("MSFT")
    assert len(series) == len(prices) - 1
    for index in (0, 1, 57, len(series) - 1):
        assert series.values[index] == pytest.approx(math.log(prices[index + 1] / prices[index]))
    assert series.times[0] == datetime(2000, 2, 1)
    assert all(a < b for a, b in zip(series.times, series.times[1:], strict=False))
    assert len(series.features) == len(series)


def test_every_stock_symbol_loads() -> None:
    lengths = {symbol: len(load_stock_log_returns(symbol)) for symbol in STOCK_SYMBOLS}
    assert lengths["AAPL"] == 122
    assert lengths["GOOG"] < lengths["AAPL"]  # GOOG listed in 2004
    with pytest.raises(UnknownDatasetError):
        load_stock_log_returns("TSLA")


def test_seattle_weather_matches_the_raw_file() -> None:
    rows = _read_package_csv("seattle-weather.csv")
    series = load_seattle_weather("temp_max")
    assert series.values == tuple(float(r["temp_max"]) for r in rows)
    assert series.times[0] == datetime(2012, 1, 1)
    assert series.times[-1] == datetime(2015, 12, 31)
    wind = load_seattle_weather("wind")
    assert wind.values[1] == float(rows[1]["wind"])


def test_vega_series_errors_and_other_sets() -> None:
    assert "seattle-weather" in list_local_datasets()
    assert "stocks" in list_local_datasets()
    with pytest.raises(UnknownDatasetError):
        load_vega_series("flights-2k", "delay")  # exists remotely only: never downloaded
    with pytest.raises(MissingColumnError) as caught:
        load_vega_series("seattle-weather", "humidity")
    assert "temp_max" in caught.value.available
    with pytest.raises(NonNumericValueError):
        load_vega_series("seattle-weather", "weather")  # text column
    with pytest.raises(DatasetError):
        load_vega_series("stocks", "price", where={"symbol": "NOPE"})
    temps = load_vega_series("sf-temps", "temp")
    assert len(temps) == 8759  # one year of hourly readings, one hour missing


def test_calendar_features() -> None:
    jan1, jul2 = compute_calendar_features((datetime(2013, 1, 1), datetime(2013, 7, 2, 12)))
    assert jan1 == {"doy_sin": 0.0, "doy_cos": 1.0}
    assert jul2["doy_cos"] == pytest.approx(-1.0, abs=1e-3)


def test_time_series_validation() -> None:
    with pytest.raises(DatasetError):
        TimeSeries(name="x", values=(1.0, math.nan))
    with pytest.raises(DatasetError):
        TimeSeries(name="x", values=(1.0, 2.0), times=(datetime(2020, 1, 1),))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_series_in_file_order(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "x,y\n1,10.5\n2,-3\n\n3,1e-3\n")
    series = load_csv_series(path, "y")
    assert series.values == (10.5, -3.0, 0.001)
    assert series.times == ()
    assert series.name == "a.csv:y"


def test_csv_series_sorted_by_time(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "b.csv",
        "date;v\n2020-01-03;3\n2020/01/01;1\n2020-01-02T00:00:00;2\n",
    )
    series = load_csv_series(path, "v", time_column="date", delimiter=";")
    assert series.values == (1.0, 2.0, 3.0)
    assert series.times[0] == datetime(2020, 1, 1)
    assert len(series.features) == 3


@pytest.mark.parametrize(
    ("text", "error", "row"),
    [
        ("t,v\n1,2\n2,abc\n", NonNumericValueError, 2),
        ("t,v\n1,\n", NonNumericValueError, 1),
        ("t,v\n1,nan\n", NonNumericValueError, 1),
        ("t,v\n1,inf\n", NonNumericValueError, 1),
    ],
)
def test_csv_series_rejects_bad_cells(
    tmp_path: Path, text: str, error: type[Exception], row: int
) -> None:
    path = _write(tmp_path / "c.csv", text)
    with pytest.raises(error) as caught:
        load_csv_series(path, "v")
    assert isinstance(caught.value, NonNumericValueError)
    assert caught.value.row == row


def test_csv_series_structural_errors(tmp_path: Path) -> None:
    with pytest.raises(MissingColumnError) as caught:
        load_csv_series(_write(tmp_path / "d.csv", "a,b\n1,2\n"), "c")
    assert caught.value.available == ("a", "b")
    with pytest.raises(MissingColumnError):
        load_csv_series(_write(tmp_path / "e.csv", "a,b\n1,2\n"), "a", time_column="when")
    with pytest.raises(DatasetError):
        load_csv_series(_write(tmp_path / "f.csv", ""), "a")
    with pytest.raises(DatasetError):
        load_csv_series(_write(tmp_path / "g.csv", "a\n"), "a")
    with pytest.raises(DatasetError):
        load_csv_series(tmp_path / "missing.csv", "a")
    with pytest.raises(NonNumericValueError):
        load_csv_series(_write(tmp_path / "h.csv", "t,v\nyesterday,1\n"), "v", time_column="t")


def test_lagged_covariates_are_yesterdays_values() -> None:
    rows = _read_package_csv("seattle-weather.csv")
    series = load_seattle_weather("temp_max", covariates=("precipitation", "wind"))
    assert len(series) == len(rows) - 1  # the first day has no yesterday
    for index in (0, 1, 500, len(series) - 1):
        row = index + 1  # series[i] is the file's day i + 1
        assert series.values[index] == float(rows[row]["temp_max"])
        assert series.features[index]["precipitation_lag1"] == float(rows[row - 1]["precipitation"])
        assert series.features[index]["wind_lag1"] == float(rows[row - 1]["wind"])
        assert "doy_sin" in series.features[index]
    with pytest.raises(MissingColumnError):
        load_seattle_weather("temp_max", covariates=("humidity",))
