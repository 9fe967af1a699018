"""Subscriptions to a node's live event stream, with reconnect-and-resume.

The node's websocket ``/v1/events`` (:mod:`pyallora.node.api.routes_events`) replays the
stream from a height, then follows it live. Every message has a position ``(height, seq)``.
A subscription remembers the last position it delivered; when the connection drops (node
restart, network, "fell behind" close code 1013) it reconnects with ``from_height`` = that
height and skips what it has already delivered, so the caller sees every message exactly
once, in order. Bad parameters (close code 1008 after an ``error`` message) raise
:class:`~pyallora.client.errors.SubscriptionError`.

:class:`EventSubscription` is the synchronous form (``for event in sub``, or
``sub.next_event(timeout=...)``); :class:`AsyncEventSubscription` the asyncio form
(``async for event in sub``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection as AsyncConnection
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from pyallora.client.errors import ClientError, NodeUnreachableError, SubscriptionError
from pyallora.client.types import ChainEvent

CLOSE_POLICY_VIOLATION: Final = 1008
"""The node refused the parameters."""

DEFAULT_MAX_RETRIES: Final = 30
"""Consecutive failed connection attempts before giving up."""

_BACKOFF_START: Final = 0.1
_BACKOFF_MAX: Final = 2.0


class SubscriptionClosedError(ClientError):
    """The subscription was closed (by :meth:`close`, or by the node with reconnect off)."""


class ResumeState:
    """Where a subscription is in the stream, and the URL to (re)connect with.

    Parameters
    ----------
    url
        ``ws://host:port/v1/events``.
    from_height
        First height wanted (``None``: only new blocks).
    types, topic_id
        Server-side filters.
    """

    def __init__(
        self,
        url: str,
        *,
        from_height: int | None,
        types: Sequence[str] | None,
        topic_id: int | None,
    ) -> None:
        self._url = url
        self._from = from_height
        self._types = tuple(types) if types else ()
        self._topic_id = topic_id
        self.last: tuple[int, int] | None = None
        """Position of the last delivered message."""

    def connect_url(self) -> str:
        """The URL of the next connection (resuming after :attr:`last`)."""
        params: dict[str, str] = {}
        start = self.last[0] if self.last is not None else self._from
        if start is not None:
            params["from_height"] = str(start)
        if self._types:
            params["types"] = ",".join(self._types)
        if self._topic_id is not None:
            params["topic_id"] = str(self._topic_id)
        return self._url + ("?" + urlencode(params) if params else "")

    def accept(self, message: Any) -> ChainEvent | None:
        """The event to deliver for a received message, or ``None`` (control or duplicate).

        Raises
        ------
        SubscriptionError
            For the node's ``error`` message.
        """
        if not isinstance(message, dict):
            return None
        kind = message.get("type")
        if kind == "error":
            raise SubscriptionError(str(message.get("detail", "subscription refused")))
        if kind == "hello":
            if self._from is None and self.last is None:
                self._from = int(message.get("from_height") or 0) or None
            return None
        if kind == "resume" or "height" not in message or "seq" not in message:
            return None
        event = ChainEvent.from_json(message)
        if self.last is not None and event.position <= self.last:
            return None
        self.last = event.position
        return event


class _Backoff:
    def __init__(self, max_retries: int | None) -> None:
        self._max = max_retries
        self.failures = 0

    def reset(self) -> None:
        self.failures = 0

    def next_delay(self, url: str, reason: str) -> float:
        self.failures += 1
        if self._max is not None and self.failures > self._max:
            raise NodeUnreachableError(url, f"{reason} ({self.failures - 1} reconnects failed)")
        # Cap the exponent: unlimited retries must not overflow the float conversion.
        exponent = min(self.failures - 1, 32)
        return float(min(_BACKOFF_MAX, _BACKOFF_START * 2**exponent))


def _decode(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _is_refusal(exc: ConnectionClosed) -> bool:
    return exc.rcvd is not None and exc.rcvd.code == CLOSE_POLICY_VIOLATION


class EventSubscription:
    """Synchronous subscription (module docstring).

    Parameters
    ----------
    url
        ``ws://host:port/v1/events``.
    from_height, types, topic_id
        See :class:`ResumeState`.
    reconnect
        Reconnect and resume after a dropped connection (else end the iteration).
    max_retries
        Consecutive failed connection attempts before :class:`NodeUnreachableError`.
    open_timeout
        Seconds per connection attempt.
    """

    def __init__(
        self,
        url: str,
        *,
        from_height: int | None = None,
        types: Sequence[str] | None = None,
        topic_id: int | None = None,
        reconnect: bool = True,
        max_retries: int | None = DEFAULT_MAX_RETRIES,
        open_timeout: float = 10.0,
    ) -> None:
        self.state = ResumeState(url, from_height=from_height, types=types, topic_id=topic_id)
        self._reconnect = reconnect
        self._backoff = _Backoff(max_retries)
        self._open_timeout = open_timeout
        self._ws: ClientConnection | None = None
        self._stack: contextlib.ExitStack | None = None
        self._closed = False
        self.connections = 0
        """How many connections were opened (1 + reconnects)."""

    def _connect(self, deadline: float | None) -> ClientConnection:
        while True:
            if self._closed:
                raise SubscriptionClosedError("the subscription is closed")
            url = self.state.connect_url()
            stack = contextlib.ExitStack()
            try:
                ws = stack.enter_context(
                    connect(url, open_timeout=self._open_timeout, max_size=None)
                )
            except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed) as exc:
                stack.close()
                if not self._reconnect and self.connections:
                    raise SubscriptionClosedError(f"connection lost: {exc}") from exc
                delay = self._backoff.next_delay(url, str(exc) or type(exc).__name__)
                if deadline is not None and time.monotonic() + delay > deadline:
                    raise TimeoutError("no event before the timeout (node unreachable)") from exc
                time.sleep(delay)
                continue
            except InvalidURI as exc:
                stack.close()
                raise SubscriptionError(f"invalid event stream URL {url}: {exc}") from exc
            self._stack = stack
            self.connections += 1
            self._backoff.reset()
            return ws

    def connect(self) -> None:
        """Open the connection now (otherwise the first read opens it): a subscription
        without ``from_height`` starts at the next block after this."""
        if self._ws is None:
            self._ws = self._connect(None)

    def next_event(self, timeout: float | None = None) -> ChainEvent:
        """The next message.

        Raises
        ------
        TimeoutError
            If none arrives within ``timeout`` seconds.
        SubscriptionClosedError
            After :meth:`close` (or a lost connection with ``reconnect`` off).
        SubscriptionError
            If the node refuses the parameters.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._closed:
                raise SubscriptionClosedError("the subscription is closed")
            if self._ws is None:
                self._ws = self._connect(deadline)
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                raw = self._ws.recv(timeout=remaining)
            except ConnectionClosed as exc:
                self.drop_connection()
                if _is_refusal(exc):
                    raise SubscriptionError("the node refused the subscription") from exc
                if self._closed:
                    raise SubscriptionClosedError("the subscription is closed") from exc
                if not self._reconnect:
                    raise SubscriptionClosedError("the node closed the stream") from exc
                continue
            event = self.state.accept(_decode(raw))
            if event is not None:
                return event

    def __iter__(self) -> Iterator[ChainEvent]:
        while True:
            try:
                yield self.next_event()
            except SubscriptionClosedError:
                return

    def drop_connection(self) -> None:
        """Close the current connection only (the next read reconnects and resumes)."""
        self._ws = None
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    def close(self) -> None:
        """End the subscription."""
        self._closed = True
        self.drop_connection()

    def __enter__(self) -> EventSubscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncEventSubscription:
    """Asyncio subscription (same parameters as :class:`EventSubscription`)."""

    def __init__(
        self,
        url: str,
        *,
        from_height: int | None = None,
        types: Sequence[str] | None = None,
        topic_id: int | None = None,
        reconnect: bool = True,
        max_retries: int | None = DEFAULT_MAX_RETRIES,
        open_timeout: float = 10.0,
    ) -> None:
        self.state = ResumeState(url, from_height=from_height, types=types, topic_id=topic_id)
        self._reconnect = reconnect
        self._backoff = _Backoff(max_retries)
        self._open_timeout = open_timeout
        self._ws: AsyncConnection | None = None
        self._closed = False
        self.connections = 0
        """How many connections were opened (1 + reconnects)."""

    async def _connect(self) -> AsyncConnection:
        while True:
            if self._closed:
                raise SubscriptionClosedError("the subscription is closed")
            url = self.state.connect_url()
            try:
                ws = await async_connect(url, open_timeout=self._open_timeout, max_size=None)
            except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed) as exc:
                if not self._reconnect and self.connections:
                    raise SubscriptionClosedError(f"connection lost: {exc}") from exc
                await asyncio.sleep(self._backoff.next_delay(url, str(exc) or type(exc).__name__))
                continue
            except InvalidURI as exc:
                raise SubscriptionError(f"invalid event stream URL {url}: {exc}") from exc
            self.connections += 1
            self._backoff.reset()
            return ws

    async def connect(self) -> None:
        """Open the connection now (see :meth:`EventSubscription.connect`)."""
        if self._ws is None:
            self._ws = await self._connect()

    async def _next(self) -> ChainEvent:
        while True:
            if self._closed:
                raise SubscriptionClosedError("the subscription is closed")
            if self._ws is None:
                self._ws = await self._connect()
            try:
                raw = await self._ws.recv()
            except ConnectionClosed as exc:
                self._ws = None
                if _is_refusal(exc):
                    raise SubscriptionError("the node refused the subscription") from exc
                if self._closed:
                    raise SubscriptionClosedError("the subscription is closed") from exc
                if not self._reconnect:
                    raise SubscriptionClosedError("the node closed the stream") from exc
                continue
            event = self.state.accept(_decode(raw))
            if event is not None:
                return event

    async def next_event(self, timeout: float | None = None) -> ChainEvent:
        """The next message (see :meth:`EventSubscription.next_event`)."""
        if timeout is None:
            return await self._next()
        return await asyncio.wait_for(self._next(), timeout)

    def __aiter__(self) -> AsyncIterator[ChainEvent]:
        return self

    async def __anext__(self) -> ChainEvent:
        try:
            return await self._next()
        except SubscriptionClosedError:
            raise StopAsyncIteration from None

    async def drop_connection(self) -> None:
        """Close the current connection only (the next read reconnects and resumes)."""
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def aclose(self) -> None:
        """End the subscription."""
        self._closed = True
        await self.drop_connection()

    async def __aenter__(self) -> AsyncEventSubscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


__all__ = [
    "AsyncEventSubscription",
    "EventSubscription",
    "ResumeState",
    "SubscriptionClosedError",
]
