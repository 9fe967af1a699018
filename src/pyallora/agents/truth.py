"""Ground-truth sources for reputers: a CSV file, a Python callable, an HTTP JSON endpoint.

Every source implements :class:`~pyallora.agents.context.TruthSource`
(``truth(topic_id, nonce) -> float``) and raises a :class:`TruthSourceError` subclass when it
cannot answer:

* :class:`TruthNotAvailableError`: no value for this epoch (yet); worth asking again later;
* :class:`TruthFetchError`: the source could not be reached (I/O error, timeout, HTTP 5xx);
* :class:`TruthFormatError`: the source answered something that is not a finite number.

:class:`RetryingTruthSource` wraps any source with bounded retries and hooks (a sleep function
and an ``on_retry`` callback), so the reputer loop decides how long to wait and tests run
without waiting.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pyallora.agents.context import AgentError, TruthSource

__all__ = [
    "CallableTruthSource",
    "CsvTruthSource",
    "HttpJsonTruthSource",
    "RetryPolicy",
    "RetryingTruthSource",
    "TruthFetchError",
    "TruthFormatError",
    "TruthNotAvailableError",
    "TruthSourceError",
    "extract_json_path",
]


class TruthSourceError(AgentError):
    """A truth source cannot provide the ground truth.

    Attributes
    ----------
    topic_id, nonce
        The epoch that was asked for.
    """

    def __init__(self, message: str, *, topic_id: int, nonce: int) -> None:
        super().__init__(f"topic {topic_id} nonce {nonce}: {message}")
        self.topic_id = topic_id
        self.nonce = nonce


class TruthNotAvailableError(TruthSourceError):
    """The source has no value for this epoch (yet)."""


class TruthFetchError(TruthSourceError):
    """The source could not be reached or failed (I/O error, timeout, server error)."""


class TruthFormatError(TruthSourceError):
    """The source answered, but not with a finite number where one was expected."""


def _to_truth(raw: object, *, topic_id: int, nonce: int, what: str) -> float:
    if isinstance(raw, bool):
        raise TruthFormatError(f"{what} is a boolean: {raw!r}", topic_id=topic_id, nonce=nonce)
    try:
        number = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TruthFormatError(
            f"{what} is not a number: {raw!r}", topic_id=topic_id, nonce=nonce
        ) from None
    if not math.isfinite(number):
        raise TruthFormatError(f"{what} is not finite: {raw!r}", topic_id=topic_id, nonce=nonce)
    return number


class CallableTruthSource:
    """Ground truth from a Python function ``func(topic_id, nonce) -> number``.

    The function may raise :class:`TruthSourceError` itself; a ``None`` result means "not
    available yet"; any other non-number is a :class:`TruthFormatError`.
    """

    def __init__(self, func: Callable[[int, int], float | None]) -> None:
        self._func = func

    def truth(self, topic_id: int, nonce: int) -> float:
        """Call the function and validate its answer."""
        raw = self._func(topic_id, nonce)
        if raw is None:
            raise TruthNotAvailableError(
                "the function returned None", topic_id=topic_id, nonce=nonce
            )
        return _to_truth(raw, topic_id=topic_id, nonce=nonce, what="the function's result")


class CsvTruthSource:
    """Ground truth from a CSV file with a header: one row per epoch, keyed by nonce.

    Parameters
    ----------
    path
        The file; it is re-read when its modification time or size changes, so another
        process may append rows while the reputer runs.
    value_column
        Column holding the truth.
    nonce_column
        Column holding the epoch's nonce (an integer).
    topic_column
        Optional column holding the topic id; rows of other topics are ignored. Without it,
        every row applies to every topic.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        value_column: str,
        nonce_column: str = "nonce",
        topic_column: str | None = None,
    ) -> None:
        self._path = Path(path)
        self._value_column = value_column
        self._nonce_column = nonce_column
        self._topic_column = topic_column
        self._stamp: tuple[int, int] | None = None
        self._rows: dict[tuple[int | None, int], str] = {}

    def _reload(self, topic_id: int, nonce: int) -> None:
        try:
            stat = self._path.stat()
        except OSError as exc:
            raise TruthFetchError(
                f"cannot read {self._path}: {exc.strerror or exc}", topic_id=topic_id, nonce=nonce
            ) from exc
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        rows: dict[tuple[int | None, int], str] = {}
        try:
            with self._path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                fields = tuple(reader.fieldnames or ())
                needed = [self._value_column, self._nonce_column]
                if self._topic_column is not None:
                    needed.append(self._topic_column)
                for name in needed:
                    if name not in fields:
                        raise TruthFormatError(
                            f"{self._path} has no column {name!r} (columns: {', '.join(fields)})",
                            topic_id=topic_id,
                            nonce=nonce,
                        )
                for line, record in enumerate(reader, start=2):
                    key_topic = (
                        None
                        if self._topic_column is None
                        else self._parse_int(record[self._topic_column], line, topic_id, nonce)
                    )
                    key_nonce = self._parse_int(record[self._nonce_column], line, topic_id, nonce)
                    rows[(key_topic, key_nonce)] = record[self._value_column]
        except OSError as exc:
            raise TruthFetchError(
                f"cannot read {self._path}: {exc.strerror or exc}", topic_id=topic_id, nonce=nonce
            ) from exc
        self._rows = rows
        self._stamp = stamp

    def _parse_int(self, text: str | None, line: int, topic_id: int, nonce: int) -> int:
        try:
            return int((text or "").strip())
        except ValueError:
            raise TruthFormatError(
                f"{self._path} line {line}: not an integer key: {text!r}",
                topic_id=topic_id,
                nonce=nonce,
            ) from None

    def truth(self, topic_id: int, nonce: int) -> float:
        """The value of the row for ``nonce`` (and ``topic_id`` with a topic column)."""
        self._reload(topic_id, nonce)
        key = (None if self._topic_column is None else topic_id, nonce)
        if key not in self._rows:
            raise TruthNotAvailableError(
                f"{self._path} has no row for this epoch", topic_id=topic_id, nonce=nonce
            )
        return _to_truth(
            self._rows[key], topic_id=topic_id, nonce=nonce, what=f"column {self._value_column!r}"
        )


def extract_json_path(document: object, path: str) -> object:
    """Follow a dotted path into parsed JSON: keys for objects, integers for arrays.

    An empty path returns the document itself.

    >>> extract_json_path({"data": [{"price": 3.5}]}, "data.0.price")
    3.5

    Raises
    ------
    KeyError
        If a step does not exist (the message names the step).
    """
    current = document
    if not path:
        return current
    for step in path.split("."):
        if isinstance(current, Mapping):
            if step not in current:
                raise KeyError(step)
            current = current[step]
        elif isinstance(current, list):
            try:
                index = int(step)
            except ValueError:
                raise KeyError(step) from None
            if not -len(current) <= index < len(current):
                raise KeyError(step)
            current = current[index]
        else:
            raise KeyError(step)
    return current


class HttpJsonTruthSource:
    """Ground truth from an HTTP endpoint that answers JSON.

    Parameters
    ----------
    url
        URL template; ``{topic_id}`` and ``{nonce}`` are substituted, e.g.
        ``"http://127.0.0.1:8000/truth/{topic_id}/{nonce}"``.
    json_path
        Dotted path to the number in the answer (``"data.price"``, ``"result.0.value"``;
        empty for a bare number). The number may be JSON number or numeric text.
    timeout
        Seconds for connecting and for reading.
    headers
        Extra request headers (e.g. an API key).
    client
        An ``httpx.Client`` to use (owned by the caller); a private one is created otherwise.

    Notes
    -----
    HTTP 404 and a missing JSON path mean :class:`TruthNotAvailableError`; other 4xx and
    non-JSON bodies :class:`TruthFormatError`; timeouts, connection errors and 5xx
    :class:`TruthFetchError`.
    """

    def __init__(
        self,
        url: str,
        *,
        json_path: str = "",
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self._url = url
        self._json_path = json_path
        self._headers = dict(headers or {})
        self._timeout = httpx.Timeout(timeout)
        self._client = client

    def truth(self, topic_id: int, nonce: int) -> float:
        """GET the URL for this epoch and extract the number at the JSON path."""
        url = self._url.format(topic_id=topic_id, nonce=nonce)
        try:
            if self._client is not None:
                response = self._client.get(url, headers=self._headers, timeout=self._timeout)
            else:
                with httpx.Client(timeout=self._timeout) as client:
                    response = client.get(url, headers=self._headers)
        except httpx.TimeoutException as exc:
            raise TruthFetchError(f"timeout from {url}", topic_id=topic_id, nonce=nonce) from exc
        except httpx.HTTPError as exc:
            raise TruthFetchError(
                f"request to {url} failed: {exc}", topic_id=topic_id, nonce=nonce
            ) from exc
        status = response.status_code
        if status == 404:
            raise TruthNotAvailableError(f"{url} answered 404", topic_id=topic_id, nonce=nonce)
        if status >= 500:
            raise TruthFetchError(f"{url} answered {status}", topic_id=topic_id, nonce=nonce)
        if status >= 400 or status < 200:
            raise TruthFormatError(f"{url} answered {status}", topic_id=topic_id, nonce=nonce)
        try:
            document: Any = response.json()
        except ValueError as exc:
            raise TruthFormatError(
                f"{url} did not answer JSON", topic_id=topic_id, nonce=nonce
            ) from exc
        try:
            raw = extract_json_path(document, self._json_path)
        except KeyError as exc:
            raise TruthNotAvailableError(
                f"{url}: JSON path {self._json_path!r} missing at {exc.args[0]!r}",
                topic_id=topic_id,
                nonce=nonce,
            ) from None
        return _to_truth(raw, topic_id=topic_id, nonce=nonce, what=f"JSON at {self._json_path!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How :class:`RetryingTruthSource` retries."""

    attempts: int = 3
    """Total attempts (≥ 1)."""

    delay: float = 1.0
    """Seconds before the first retry."""

    backoff: float = 2.0
    """Factor applied to the delay after each retry."""

    retry_on: tuple[type[TruthSourceError], ...] = (TruthFetchError, TruthNotAvailableError)
    """Errors worth retrying; others are raised at once."""

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.delay < 0 or self.backoff < 0:
            raise ValueError(
                f"delay and backoff must be non-negative: {self.delay}, {self.backoff}"
            )


class RetryingTruthSource:
    """Wrap a truth source with bounded retries.

    Parameters
    ----------
    source
        The wrapped source.
    policy
        Attempts, delays and which errors are retried.
    sleep
        Called with the delay in seconds before each retry (``time.sleep`` by default; tests
        pass a recorder).
    on_retry
        Called as ``on_retry(attempt, error)`` after each failed attempt that will be retried.
    """

    def __init__(
        self,
        source: TruthSource,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[int, TruthSourceError], None] | None = None,
    ) -> None:
        self._source = source
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._on_retry = on_retry

    def truth(self, topic_id: int, nonce: int) -> float:
        """Ask the wrapped source, retrying retryable errors; re-raise the last one."""
        delay = self._policy.delay
        for attempt in range(1, self._policy.attempts + 1):
            try:
                return self._source.truth(topic_id, nonce)
            except self._policy.retry_on as error:
                if attempt == self._policy.attempts:
                    raise
                if self._on_retry is not None:
                    self._on_retry(attempt, error)
                self._sleep(delay)
                delay *= self._policy.backoff
        raise AssertionError("unreachable: the loop returns or raises")
