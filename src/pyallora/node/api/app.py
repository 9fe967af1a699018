"""The node's HTTP API: a FastAPI application over a :class:`~pyallora.node.api.backend.Backend`.

:func:`create_api` builds it; the node process serves it with uvicorn on the same event loop
as the engine. The OpenAPI description is at ``/openapi.json`` (browsable at ``/docs``).
Areas (one router each):

* node (:mod:`.routes_node`): status, blocks, broadcast (``POST /v1/txs``, optionally
  waiting for inclusion), tx lookup, validators, and ``POST /v1/query`` for any query path;
* accounts (:mod:`.routes_bank`): accounts, balances, supply;
* staking (:mod:`.routes_staking`): validators, delegations, rewards, mint, module params;
* emissions (:mod:`.routes_emissions`): topics, submission windows, inferences, forecasts,
  losses, scores, stakes, rewards, and the consumer endpoint
  ``GET /v1/topics/{id}/network_inference``;
* events (:mod:`.routes_events`): the websocket ``/v1/events``.

The consumer endpoint's answers are cached as JSON bytes per committed height and served
before routing (:mod:`.cache`); each commit recorded in the event log drops the stale ones.

Errors: a bad request gets a 4xx with ``{"detail": "..."}`` (422 for FastAPI's own schema
validation); a missing thing 404; an engine that cannot be reached 503. Bad input never
causes a 500.
"""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from pyallora import __version__
from pyallora.node.api import (
    routes_bank,
    routes_emissions,
    routes_events,
    routes_node,
    routes_staking,
)
from pyallora.node.api.backend import Backend, BackendError, QueryFailedError
from pyallora.node.api.cache import CachedReadMiddleware, ResponseCache
from pyallora.node.api.deps import ApiError, ApiSettings, raise_for_query

TITLE: Final = "pyallora node API"
"""The OpenAPI title."""

DESCRIPTION: Final = """\
Query the committed state of a pyallora node, broadcast signed transactions and follow the
chain live.

* Amounts are uallo as decimal strings; hashes upper-case hex; raw bytes base64.
* Emissions, staking and mint endpoints return the application's proto-JSON under `result`.
* List endpoints take `limit` (capped at the node's maximum page size) and `offset`.
* The live event stream is the websocket `/v1/events?from_height=H&types=...&topic_id=T`
  (new blocks, txs, window openings and closings, accepted payloads, rewards); it replays
  from `from_height`, then streams, so clients resume after a reconnect.
"""


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail})


def create_api(
    backend: Backend,
    *,
    api_url: str = "",
    max_page_size: int = 1000,
    max_wait_ms: int = 60_000,
) -> FastAPI:
    """The FastAPI application of a node.

    Parameters
    ----------
    backend
        The running engine.
    api_url
        Base URL the API is reachable at (reported by ``/v1/status``).
    max_page_size
        Cap on ``limit`` of list endpoints.
    max_wait_ms
        Cap on the inclusion waits a request may ask for.
    """
    api = FastAPI(title=TITLE, description=DESCRIPTION, version=__version__)
    api.state.backend = backend
    api.state.settings = ApiSettings(
        api_url=api_url,
        max_page_size=max_page_size,
        max_wait_ms=max_wait_ms,
        version=__version__,
    )
    cache = ResponseCache()
    api.state.cache = cache
    backend.event_log.add_listener(cache.on_block)
    api.add_middleware(
        CachedReadMiddleware,
        cache=cache,
        committed_height=lambda: backend.info().last_block_height,
    )

    @api.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.detail)

    @api.exception_handler(QueryFailedError)
    async def _query_error(request: Request, exc: QueryFailedError) -> JSONResponse:
        error = raise_for_query(exc)
        return _error(error.status, error.detail)

    @api.exception_handler(BackendError)
    async def _backend_error(request: Request, exc: BackendError) -> JSONResponse:
        return _error(503, str(exc))

    for module in (routes_node, routes_bank, routes_staking, routes_emissions, routes_events):
        api.include_router(module.router)
    return api
