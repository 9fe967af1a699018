"""Shared pieces of the API routers: errors, validated parameters, pagination, settings.

Every request is validated before it reaches the backend: addresses are checked as bech32
with the right prefix, hashes as 64 hex digits, ids and heights against their integer ranges,
page sizes capped at the node's ``max_page_size``. Failures are :class:`ApiError` (a 4xx
with a ``detail`` message); FastAPI's own validation answers 422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import Depends, Query, Request

from pyallora.core.crypto import ACCOUNT_PREFIX, VALOPER_PREFIX, is_valid_address
from pyallora.core.errors import PyAlloraError
from pyallora.node.api.backend import Backend, QueryFailedError
from pyallora.node.api.cache import ResponseCache

MAX_UINT64: Final = 2**64 - 1
"""Largest topic id."""

MAX_INT64: Final = 2**63 - 1
"""Largest height."""

DEFAULT_PAGE_SIZE: Final = 100
"""Page size when ``limit`` is not given."""

_HASH: Final = re.compile(r"[0-9A-Fa-f]{64}")

_NOT_FOUND_CODES: Final = frozenset(
    {("sdk", 6), ("sdk", 22), ("emissions", 6), ("emissions", 23), ("emissions", 64)}
    | {("emissions", 76), ("mint", 7)}
)
"""Query result codes answered with 404 (unknown path, missing key, topic, record)."""


class ApiError(PyAlloraError):
    """A request the API refuses, with its HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiSettings:
    """Settings of one API instance."""

    api_url: str
    max_page_size: int
    max_wait_ms: int
    version: str

    def cap_wait(self, wait_ms: int) -> float:
        """A requested wait in seconds, capped at the node's maximum."""
        return min(wait_ms, self.max_wait_ms) / 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A validated page request (``limit`` already capped)."""

    limit: int
    offset: int


def get_backend(request: Request) -> Backend:
    """The node backend stored on the app."""
    backend: Backend = request.app.state.backend
    return backend


def get_settings(request: Request) -> ApiSettings:
    """The API settings stored on the app."""
    settings: ApiSettings = request.app.state.settings
    return settings


def get_cache(request: Request) -> ResponseCache:
    """The answers cache stored on the app."""
    cache: ResponseCache = request.app.state.cache
    return cache


def get_page(
    settings: Annotated[ApiSettings, Depends(get_settings)],
    limit: Annotated[
        int, Query(ge=1, description="Page size (capped at the node's maximum).")
    ] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64, description="Items to skip.")] = 0,
) -> Page:
    """The page of a list request."""
    return Page(limit=min(limit, settings.max_page_size), offset=offset)


BackendDep = Annotated[Backend, Depends(get_backend)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
PageDep = Annotated[Page, Depends(get_page)]
CacheDep = Annotated[ResponseCache, Depends(get_cache)]


def check_account_address(address: str) -> str:
    """``address`` if it is an ``allo1…`` account address.

    Raises
    ------
    ApiError
        400 otherwise.
    """
    if len(address) > 128 or not is_valid_address(address, prefix=ACCOUNT_PREFIX):
        raise ApiError(400, f"invalid address {address[:80]!r}: expected an allo1… address")
    return address


def check_valoper_address(address: str) -> str:
    """``address`` if it is an ``allovaloper1…`` operator address.

    Raises
    ------
    ApiError
        400 otherwise.
    """
    if len(address) > 128 or not is_valid_address(address, prefix=VALOPER_PREFIX):
        raise ApiError(400, f"invalid validator address {address[:80]!r}: expected allovaloper1…")
    return address


def parse_tx_hash(text: str) -> bytes:
    """The 32 bytes of a hex tx hash.

    Raises
    ------
    ApiError
        400 unless it is exactly 64 hex digits.
    """
    if not _HASH.fullmatch(text):
        raise ApiError(400, f"invalid tx hash {text[:80]!r}: expected 64 hex digits")
    return bytes.fromhex(text)


def compute_query_status(error: QueryFailedError) -> int:
    """HTTP status of a failed query (404 for missing things, else 400)."""
    if (error.codespace, error.code) in _NOT_FOUND_CODES:
        return 404
    lowered = error.log.lower()
    if "not found" in lowered or "does not exist" in lowered:
        return 404
    return 400


def raise_for_query(error: QueryFailedError) -> ApiError:
    """The :class:`ApiError` of a failed query."""
    if error.is_unknown_path:
        return ApiError(404, f"{error.path} is not served by this node's application")
    return ApiError(compute_query_status(error), f"{error.log} [{error.codespace}:{error.code}]")


async def run_query(
    backend: Backend, path: str, request: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A backend query with errors turned into :class:`ApiError`.

    Raises
    ------
    ApiError
        404 or 400 as :func:`compute_query_status` decides.
    """
    try:
        return await backend.query(path, request)
    except QueryFailedError as exc:
        raise raise_for_query(exc) from exc


async def try_query(
    backend: Backend, path: str, request: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """A backend query; ``None`` when it fails."""
    try:
        return await backend.query(path, request)
    except QueryFailedError:
        return None


def format_hex(data: bytes) -> str:
    """Upper-case hex (CometBFT's form of hashes and addresses)."""
    return data.hex().upper()
