"""Pre-serialised answers of committed-state reads, and the fast path that serves them.

The consumer endpoint ``GET /v1/topics/{id}/network_inference`` recomputes the network
inference (SYNTHESIS.md §7) from committed state: milliseconds of work that cannot change until
the next commit. :class:`ResponseCache` keeps each answer as the exact JSON bytes the route
returns, under a :data:`CacheKey`, with the committed height it was computed at:

* an answer read from the state (``source`` ``latest`` or ``archived``) is valid only at that
  height; every commit drops it (:meth:`ResponseCache.on_block`, an
  :class:`~pyallora.node.events.EventLog` listener) and a lookup at another height misses;
* an answer recorded when its nonce closed (``source`` ``recorded``) never changes, so it is
  kept across commits (oldest dropped first beyond ``max_entries``).

:class:`CachedReadMiddleware` answers a request whose answer is cached before FastAPI's
routing, validation and serialisation run (most of a request's cost); anything else, or a
miss, goes on to the route, which computes, stores and returns the bytes. The cache is an
optimisation only: the bytes it serves are the bytes the route would return at that height.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from pyallora.node.events import BlockRecord

CacheKey = tuple[str, int, int | None]
"""``(what, topic id, nonce)``: ``nonce`` ``None`` for the latest answer."""

NETWORK_INFERENCE: Final = "network_inference"
"""``what`` of the consumer endpoint's answers."""

DEFAULT_MAX_ENTRIES: Final = 4096
"""Entries a cache keeps before dropping the oldest."""

JSON_HEADERS: Final = ((b"content-type", b"application/json"),)
"""Headers of a cached answer, besides its length (those of FastAPI's ``JSONResponse``)."""

_NETWORK_INFERENCE_PATH: Final = re.compile(rb"/v1/topics/([1-9][0-9]{0,19})/network_inference")
_NONCE_QUERY: Final = re.compile(rb"nonce=([1-9][0-9]{0,18})")


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One cached answer."""

    height: int | None
    """Committed height it is valid at; ``None``: valid at every height (a record)."""
    body: bytes
    """The JSON bytes the route returns."""


class ResponseCache:
    """Answers by :data:`CacheKey`, each valid at one committed height or for ever.

    Parameters
    ----------
    max_entries
        Entries kept; beyond it the oldest are dropped.

    Used only from the node's event loop thread.
    """

    def __init__(self, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._max_entries = max(1, max_entries)
        self._entries: dict[CacheKey, CachedAnswer] = {}
        self.hits = 0
        """Lookups answered (statistics)."""
        self.misses = 0
        """Lookups not answered (statistics)."""

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey, height: int) -> bytes | None:
        """The answer of ``key`` if it is valid at committed height ``height``."""
        entry = self._entries.get(key)
        if entry is None or (entry.height is not None and entry.height != height):
            self.misses += 1
            return None
        self.hits += 1
        return entry.body

    def put(self, key: CacheKey, height: int | None, body: bytes) -> None:
        """Keep ``body`` as the answer of ``key`` at ``height`` (``None``: at every height)."""
        self._entries.pop(key, None)
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = CachedAnswer(height=height, body=body)

    def drop_below(self, height: int) -> None:
        """Drop the answers valid only at a committed height below ``height``."""
        stale = [
            key
            for key, entry in self._entries.items()
            if entry.height is not None and entry.height < height
        ]
        for key in stale:
            del self._entries[key]

    def on_block(self, block: BlockRecord) -> None:
        """Event-log listener: a block was committed, the state answers before it are stale."""
        self.drop_below(block.height)

    def clear(self) -> None:
        """Drop every answer."""
        self._entries.clear()


def parse_cache_key(method: str, path: bytes, query: bytes) -> CacheKey | None:
    """The key of a request the fast path may answer, or ``None`` (the route decides).

    Only the canonical forms are recognised (``GET``, a decimal topic id without leading
    zeros, no query or exactly ``nonce=N``); any other spelling goes to the route.

    >>> parse_cache_key("GET", b"/v1/topics/7/network_inference", b"nonce=12")
    ('network_inference', 7, 12)
    >>> parse_cache_key("GET", b"/v1/topics/07/network_inference", b"") is None
    True
    """
    if method != "GET":
        return None
    matched = _NETWORK_INFERENCE_PATH.fullmatch(path)
    if matched is None:
        return None
    if not query:
        return NETWORK_INFERENCE, int(matched.group(1)), None
    nonce = _NONCE_QUERY.fullmatch(query)
    if nonce is None:
        return None
    return NETWORK_INFERENCE, int(matched.group(1)), int(nonce.group(1))


class CachedReadMiddleware:
    """ASGI middleware answering cached reads before routing (module docstring).

    Parameters
    ----------
    app
        The rest of the application.
    cache
        The answers.
    committed_height
        The application's last committed height, read on each lookup.
    """

    def __init__(
        self, app: ASGIApp, *, cache: ResponseCache, committed_height: Callable[[], int]
    ) -> None:
        self.app = app
        self._cache = cache
        self._committed_height = committed_height

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a cached answer, or pass the request on."""
        if scope["type"] == "http":
            path = scope.get("raw_path") or scope["path"].encode("latin-1")
            key = parse_cache_key(scope["method"], path, scope.get("query_string", b""))
            if key is not None:
                body = self._cache.get(key, self._committed_height())
                if body is not None:
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-length", str(len(body)).encode("ascii")),
                                *JSON_HEADERS,
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)
