"""Time series for topics and backtests: real data shipped with ``vega_datasets``, and CSV files.

The demo topics run on real data that ships *inside* the ``vega_datasets`` package (only the
files it stores locally are used; nothing is ever downloaded):

* :func:`load_stock_log_returns`: monthly log-returns of AAPL, AMZN, GOOG, IBM or MSFT
  (``stocks``, 2000-2010);
* :func:`load_seattle_weather`: a daily Seattle weather variable (``seattle-weather``,
  2012-2015: ``temp_max``, ``temp_min``, ``precipitation``, ``wind``);
* :func:`load_vega_series`: any numeric column of any local dataset (e.g. hourly
  ``sf-temps``).

:func:`load_csv_series` reads a numeric column of a user's CSV file (``allora backtest --csv
FILE --column NAME``). Every loader returns a :class:`TimeSeries` in time order;
:func:`compute_calendar_features` adds day-of-year features for seasonal models.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pyallora.agents.context import AgentError

__all__ = [
    "STOCK_SYMBOLS",
    "DatasetError",
    "MissingColumnError",
    "NonNumericValueError",
    "TimeSeries",
    "UnknownDatasetError",
    "compute_calendar_features",
    "list_local_datasets",
    "load_csv_series",
    "load_seattle_weather",
    "load_stock_log_returns",
    "load_vega_series",
]

STOCK_SYMBOLS = ("AAPL", "AMZN", "GOOG", "IBM", "MSFT")
"""Symbols of the ``stocks`` dataset."""

_TIME_FORMATS = (
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%b %d %Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
)


class DatasetError(AgentError, ValueError):
    """A data set or file cannot provide the requested series."""


class UnknownDatasetError(DatasetError):
    """The data set is not among those ``vega_datasets`` ships locally."""


class MissingColumnError(DatasetError):
    """The requested column does not exist.

    Attributes
    ----------
    column
        The requested column.
    available
        The columns that exist.
    """

    def __init__(self, source: str, column: str, available: tuple[str, ...]) -> None:
        super().__init__(
            f"{source} has no column {column!r}; available: {', '.join(available) or '(none)'}"
        )
        self.column = column
        self.available = available


class NonNumericValueError(DatasetError):
    """A cell of the value column is not a finite number (or a time cell is not a time).

    Attributes
    ----------
    row
        1-based data row number (the header is row 0).
    text
        The offending cell.
    """

    def __init__(self, source: str, column: str, row: int, text: str) -> None:
        super().__init__(f"{source}: row {row}, column {column!r}: not a finite number: {text!r}")
        self.row = row
        self.text = text


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeSeries:
    """A numeric series in time order."""

    name: str
    """Human-readable description (source and column)."""

    values: tuple[float, ...]
    """The values, oldest first, all finite."""

    times: tuple[datetime, ...] = ()
    """The time of each value (same length as :attr:`values`), or empty when unknown."""

    features: tuple[Mapping[str, float], ...] = field(default=())
    """Extra per-value features aligned with :attr:`values`, or empty."""

    def __post_init__(self) -> None:
        if self.times and len(self.times) != len(self.values):
            raise DatasetError(
                f"{self.name}: {len(self.times)} times for {len(self.values)} values"
            )
        if self.features and len(self.features) != len(self.values):
            raise DatasetError(
                f"{self.name}: {len(self.features)} feature rows for {len(self.values)} values"
            )
        for index, value in enumerate(self.values):
            if not math.isfinite(value):
                raise DatasetError(f"{self.name}: value {index} is not finite: {value!r}")

    def __len__(self) -> int:
        return len(self.values)


def compute_calendar_features(times: tuple[datetime, ...]) -> tuple[Mapping[str, float], ...]:
    """Day-of-year features ``doy_sin``/``doy_cos`` (one yearly cycle) for each time.

    >>> compute_calendar_features((datetime(2021, 1, 1),))[0]["doy_cos"]
    1.0
    """
    rows: list[Mapping[str, float]] = []
    for time in times:
        angle = 2.0 * math.pi * (time.timetuple().tm_yday - 1) / 365.25
        rows.append({"doy_sin": math.sin(angle), "doy_cos": math.cos(angle)})
    return tuple(rows)


def list_local_datasets() -> tuple[str, ...]:
    """Names of the data sets ``vega_datasets`` ships inside the package (no download)."""
    from vega_datasets import local_data

    return tuple(sorted(local_data.list_datasets()))


def _load_local_frame(dataset: str) -> Any:
    from vega_datasets import local_data

    available = list_local_datasets()
    if dataset not in available:
        raise UnknownDatasetError(
            f"{dataset!r} is not shipped locally by vega_datasets (never downloaded); "
            f"local data sets: {', '.join(available)}"
        )
    return getattr(local_data, dataset.replace("-", "_"))()


def _to_datetime(value: Any) -> datetime:
    converted: datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return converted


def load_vega_series(
    dataset: str,
    column: str,
    *,
    time_column: str = "date",
    where: Mapping[str, str] | None = None,
    covariates: Sequence[str] = (),
) -> TimeSeries:
    """A numeric column of a data set shipped locally by ``vega_datasets``, in time order.

    Parameters
    ----------
    dataset
        Local data set name, e.g. ``"seattle-weather"`` (:func:`list_local_datasets`).
    column
        Numeric column.
    time_column
        Column holding the time of each row.
    where
        Keep only the rows whose columns equal these values (e.g. ``{"symbol": "AAPL"}``).
    covariates
        Other numeric columns to offer models as *yesterday's* values: each row gets the
        feature ``<name>_lag1`` = that column in the previous row, which is known before the
        row's target. The first row (which has no previous row) is dropped.

    Returns
    -------
    TimeSeries
        Sorted by time (stable), with calendar features and the lagged covariates.

    Raises
    ------
    UnknownDatasetError
        If the data set is not shipped locally.
    MissingColumnError
        If a column does not exist.
    NonNumericValueError
        If a selected value is missing or not numeric.
    DatasetError
        If no row is selected.
    """
    frame = _load_local_frame(dataset)
    columns = tuple(str(name) for name in frame.columns)
    for name in (column, time_column, *(where or {}), *covariates):
        if name not in columns:
            raise MissingColumnError(dataset, name, columns)
    for name, wanted in (where or {}).items():
        frame = frame[frame[name] == wanted]
    if len(frame) == 0:
        raise DatasetError(f"{dataset}: no row matches {dict(where or {})}")
    frame = frame.sort_values(time_column, kind="stable")
    values = _numeric_column(frame, dataset, column)
    times = tuple(_to_datetime(time) for time in frame[time_column].tolist())
    label = f"{dataset}:{column}" + "".join(f"[{k}={v}]" for k, v in (where or {}).items())
    features = [dict(row) for row in compute_calendar_features(times)]
    if covariates:
        for name in covariates:
            lagged = _numeric_column(frame, dataset, name)
            for index in range(1, len(features)):
                features[index][f"{name}_lag1"] = lagged[index - 1]
        values, times, features = values[1:], times[1:], features[1:]
    return TimeSeries(name=label, values=tuple(values), times=times, features=tuple(features))


def _numeric_column(frame: Any, dataset: str, column: str) -> list[float]:
    values: list[float] = []
    for row, raw in enumerate(frame[column].tolist(), start=1):
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise NonNumericValueError(dataset, column, row, str(raw)) from None
        if not math.isfinite(number):
            raise NonNumericValueError(dataset, column, row, str(raw))
        values.append(number)
    return values


def load_stock_log_returns(symbol: str = "AAPL") -> TimeSeries:
    """Monthly log-returns ln(p_t / p_{t−1}) of one ``stocks`` symbol (time of p_t).

    Raises
    ------
    UnknownDatasetError
        If the symbol is not in :data:`STOCK_SYMBOLS`.
    """
    if symbol not in STOCK_SYMBOLS:
        raise UnknownDatasetError(f"unknown symbol {symbol!r}; known: {', '.join(STOCK_SYMBOLS)}")
    prices = load_vega_series("stocks", "price", where={"symbol": symbol})
    returns = tuple(
        math.log(later / earlier)
        for earlier, later in zip(prices.values, prices.values[1:], strict=False)
    )
    times = prices.times[1:]
    return TimeSeries(
        name=f"stocks:{symbol} monthly log-return",
        values=returns,
        times=times,
        features=compute_calendar_features(times),
    )


def load_seattle_weather(column: str = "temp_max", *, covariates: Sequence[str] = ()) -> TimeSeries:
    """A daily Seattle weather variable (2012-2015) from the ``seattle-weather`` data set.

    ``covariates`` (e.g. ``("precipitation", "temp_min", "wind")``) adds yesterday's values of
    other columns as features ``<name>_lag1`` (see :func:`load_vega_series`); the first day is
    then dropped.
    """
    return load_vega_series("seattle-weather", column, covariates=covariates)


def _parse_time(text: str) -> datetime | None:
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def load_csv_series(
    path: str | Path,
    column: str,
    *,
    time_column: str | None = None,
    delimiter: str = ",",
) -> TimeSeries:
    """A numeric column of a CSV file with a header row.

    Parameters
    ----------
    path
        The CSV file.
    column
        Header name of the numeric column.
    time_column
        Header name of a time column (ISO 8601 or a common date format). When given, rows are
        sorted by time (stable); otherwise the file's row order is taken as time order.
    delimiter
        Field separator.

    Returns
    -------
    TimeSeries

    Raises
    ------
    DatasetError
        If the file is missing, has no header or no data row.
    MissingColumnError
        If a named column is not in the header.
    NonNumericValueError
        If a value cell is empty, not a number or not finite, or a time cell is not a time.
    """
    source = Path(path)
    try:
        handle = source.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"cannot read {source}: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            raise DatasetError(f"{source} is empty (expected a header row)")
        names = tuple(name.strip() for name in header)
        wanted = [column] if time_column is None else [column, time_column]
        for name in wanted:
            if name not in names:
                raise MissingColumnError(str(source), name, names)
        value_index = names.index(column)
        time_index = None if time_column is None else names.index(time_column)
        rows: list[tuple[datetime | None, float]] = []
        for row_number, row in enumerate(reader, start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            cell = row[value_index].strip() if value_index < len(row) else ""
            try:
                number = float(cell)
            except ValueError:
                raise NonNumericValueError(str(source), column, row_number, cell) from None
            if not math.isfinite(number):
                raise NonNumericValueError(str(source), column, row_number, cell)
            time: datetime | None = None
            if time_index is not None and time_column is not None:
                time_text = row[time_index] if time_index < len(row) else ""
                time = _parse_time(time_text)
                if time is None:
                    raise NonNumericValueError(str(source), time_column, row_number, time_text)
            rows.append((time, number))
    if not rows:
        raise DatasetError(f"{source} has no data row")
    if time_column is None:
        return TimeSeries(name=f"{source.name}:{column}", values=tuple(v for _, v in rows))
    dated = [(time, value) for time, value in rows if time is not None]
    try:
        dated.sort(key=lambda pair: pair[0])
    except TypeError:
        raise DatasetError(
            f"{source}: column {time_column!r} mixes zoned and naive times"
        ) from None
    times = tuple(time for time, _ in dated)
    return TimeSeries(
        name=f"{source.name}:{column}",
        values=tuple(value for _, value in dated),
        times=times,
        features=compute_calendar_features(times),
    )
