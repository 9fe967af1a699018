"""Ground-truth sources (pyallora.agents.truth), the HTTP one against a local server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from pyallora.agents.context import TruthSource
from pyallora.agents.truth import (
    CallableTruthSource,
    CsvTruthSource,
    HttpJsonTruthSource,
    RetryingTruthSource,
    RetryPolicy,
    TruthFetchError,
    TruthFormatError,
    TruthNotAvailableError,
    TruthSourceError,
    extract_json_path,
)

# --- callable


def test_callable_source() -> None:
    source = CallableTruthSource(lambda topic, nonce: topic * 100 + nonce + 0.5)
    assert isinstance(source, TruthSource)
    assert source.truth(2, 7) == 207.5
    with pytest.raises(TruthNotAvailableError) as caught:
        CallableTruthSource(lambda topic, nonce: None).truth(1, 9)
    assert (caught.value.topic_id, caught.value.nonce) == (1, 9)
    for bad in ("abc", float("nan"), float("inf"), True, [1.0]):
        with pytest.raises(TruthFormatError):
            CallableTruthSource(lambda topic, nonce, bad=bad: bad).truth(1, 1)  # type: ignore[misc]
    assert CallableTruthSource(lambda topic, nonce: "2.5").truth(1, 1) == 2.5  # type: ignore[arg-type,return-value]


# --- CSV


def test_csv_source_by_nonce_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("nonce,value\n10,1.5\n20,-2\n", encoding="utf-8")
    source = CsvTruthSource(path, value_column="value")
    assert source.truth(1, 10) == 1.5
    assert source.truth(99, 20) == -2.0  # without a topic column rows apply to every topic
    with pytest.raises(TruthNotAvailableError):
        source.truth(1, 30)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("30,7.25\n")
    assert source.truth(1, 30) == 7.25  # the appended row is seen


def test_csv_source_with_topic_column(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("topic,nonce,price\n1,5,10\n2,5,20\n", encoding="utf-8")
    source = CsvTruthSource(path, value_column="price", topic_column="topic")
    assert source.truth(1, 5) == 10.0
    assert source.truth(2, 5) == 20.0
    with pytest.raises(TruthNotAvailableError):
        source.truth(3, 5)


def test_csv_source_errors(tmp_path: Path) -> None:
    with pytest.raises(TruthFetchError):
        CsvTruthSource(tmp_path / "missing.csv", value_column="v").truth(1, 1)
    bad_column = tmp_path / "a.csv"
    bad_column.write_text("nonce,x\n1,2\n", encoding="utf-8")
    with pytest.raises(TruthFormatError):
        CsvTruthSource(bad_column, value_column="v").truth(1, 1)
    bad_key = tmp_path / "b.csv"
    bad_key.write_text("nonce,v\none,2\n", encoding="utf-8")
    with pytest.raises(TruthFormatError):
        CsvTruthSource(bad_key, value_column="v").truth(1, 1)
    bad_value = tmp_path / "c.csv"
    bad_value.write_text("nonce,v\n1,n/a\n", encoding="utf-8")
    with pytest.raises(TruthFormatError):
        CsvTruthSource(bad_value, value_column="v").truth(1, 1)


# --- JSON paths


def test_extract_json_path() -> None:
    document = {"data": {"items": [{"v": 1}, {"v": 2}]}, "x": 3}
    assert extract_json_path(document, "data.items.1.v") == 2
    assert extract_json_path(document, "data.items.-1.v") == 2
    assert extract_json_path(document, "") is document
    for path in ("data.items.2.v", "data.nope", "x.y", "data.items.first"):
        with pytest.raises(KeyError):
            extract_json_path(document, path)


# --- HTTP against a local server


class _Handler(BaseHTTPRequestHandler):
    release: threading.Event

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if parts[0] == "truth":
            topic, nonce = int(parts[1]), int(parts[2])
            if self.headers.get("X-Key") != "secret":
                self._send(403, b"{}")
                return
            if nonce == 404:
                self._send(404, b"{}")
                return
            body = {"data": {"topic": topic, "price": str(nonce / 4)}, "list": [nonce]}
            self._send(200, json.dumps(body).encode())
        elif parts[0] == "error":
            self._send(503, b"busy")
        elif parts[0] == "html":
            self._send(200, b"<html></html>", "text/html")
        elif parts[0] == "slow":
            self.release.wait(30)
            self._send(200, b"1")
        else:
            self._send(404, b"{}")


@pytest.fixture
def server() -> Iterator[str]:
    release = threading.Event()
    handler = type("Handler", (_Handler,), {"release": release})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_http_source_reads_the_json_path(server: str) -> None:
    source = HttpJsonTruthSource(
        server + "/truth/{topic_id}/{nonce}", json_path="data.price", headers={"X-Key": "secret"}
    )
    assert isinstance(source, TruthSource)
    assert source.truth(3, 10) == 2.5
    listed = HttpJsonTruthSource(
        server + "/truth/{topic_id}/{nonce}", json_path="list.0", headers={"X-Key": "secret"}
    )
    assert listed.truth(3, 8) == 8.0
    with httpx.Client() as client:
        shared = HttpJsonTruthSource(
            server + "/truth/{topic_id}/{nonce}",
            json_path="data.topic",
            headers={"X-Key": "secret"},
            client=client,
        )
        assert shared.truth(6, 1) == 6.0


def test_http_source_errors(server: str) -> None:
    keyed = {"X-Key": "secret"}
    url = server + "/truth/{topic_id}/{nonce}"
    with pytest.raises(TruthNotAvailableError):
        HttpJsonTruthSource(url, json_path="data.price", headers=keyed).truth(1, 404)
    with pytest.raises(TruthNotAvailableError):
        HttpJsonTruthSource(url, json_path="data.volume", headers=keyed).truth(1, 1)
    with pytest.raises(TruthFormatError):
        HttpJsonTruthSource(url, json_path="data.price").truth(1, 1)  # 403 without the key
    with pytest.raises(TruthFormatError):
        HttpJsonTruthSource(url, json_path="data", headers=keyed).truth(1, 1)  # an object
    with pytest.raises(TruthFetchError):
        HttpJsonTruthSource(server + "/error").truth(1, 1)
    with pytest.raises(TruthFormatError):
        HttpJsonTruthSource(server + "/html").truth(1, 1)


def test_http_source_timeout(server: str) -> None:
    # The handler blocks until the fixture ends, so the short timeout always expires first.
    with pytest.raises(TruthFetchError, match="timeout"):
        HttpJsonTruthSource(server + "/slow", timeout=0.2).truth(1, 1)


def test_http_source_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TruthFetchError):
        HttpJsonTruthSource(f"http://127.0.0.1:{port}/x", timeout=2.0).truth(1, 1)


# --- retries


class _Flaky:
    def __init__(self, failures: list[TruthSourceError]) -> None:
        self.failures = failures
        self.calls = 0

    def truth(self, topic_id: int, nonce: int) -> float:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return 42.0


def test_retrying_source_retries_then_succeeds() -> None:
    flaky = _Flaky(
        [
            TruthFetchError("down", topic_id=1, nonce=2),
            TruthNotAvailableError("later", topic_id=1, nonce=2),
        ]
    )
    sleeps: list[float] = []
    retries: list[tuple[int, str]] = []
    source = RetryingTruthSource(
        flaky,
        policy=RetryPolicy(attempts=3, delay=0.5, backoff=3.0),
        sleep=sleeps.append,
        on_retry=lambda attempt, error: retries.append((attempt, type(error).__name__)),
    )
    assert source.truth(1, 2) == 42.0
    assert flaky.calls == 3
    assert sleeps == [0.5, 1.5]
    assert retries == [(1, "TruthFetchError"), (2, "TruthNotAvailableError")]


def test_retrying_source_gives_up_and_skips_non_retryable() -> None:
    sleeps: list[float] = []
    exhausted = _Flaky([TruthFetchError(f"down {i}", topic_id=1, nonce=1) for i in range(5)])
    with pytest.raises(TruthFetchError, match="down 1"):
        RetryingTruthSource(exhausted, policy=RetryPolicy(attempts=2), sleep=sleeps.append).truth(
            1, 1
        )
    assert exhausted.calls == 2
    malformed = _Flaky([TruthFormatError("bad", topic_id=1, nonce=1)])
    with pytest.raises(TruthFormatError):
        RetryingTruthSource(malformed, sleep=sleeps.append).truth(1, 1)
    assert malformed.calls == 1
    assert sleeps == [1.0]
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
