"""The asyncio twin of :class:`~pyallora.client.client.Client` (same methods, awaited).

Requests are built and answers read by :class:`~pyallora.client.client.BaseClient`; this
class only performs them with ``httpx.AsyncClient``. Concurrent ``submit_tx`` calls with one
wallet are serialised by an ``asyncio.Lock`` per wallet (the wallet's thread lock cannot
separate coroutines of one thread), held from taking a sequence until CheckTx answered.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from google.protobuf.message import Message

from pyallora.client.client import (
    DEFAULT_GAS,
    DEFAULT_TIMEOUT,
    LONG_POLL_MS,
    BaseClient,
    Call,
)
from pyallora.client.errors import NotFoundError, TxTimeoutError
from pyallora.client.events import AsyncEventSubscription
from pyallora.client.types import (
    Account,
    BlockInfo,
    BroadcastResult,
    Coin,
    JSONDict,
    NodeStatus,
    TxInfo,
)
from pyallora.client.wallet import Wallet
from pyallora.core.amounts import DENOM

_T = TypeVar("_T")


class AsyncClient(BaseClient):
    """Asynchronous client.

    Parameters
    ----------
    url
        The node API's base URL.
    timeout
        Seconds per HTTP request.
    transport
        Optional httpx async transport (e.g. ``httpx.ASGITransport``).
    event_hooks
        Optional httpx event hooks (async callables).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        super().__init__(url)
        self._http = httpx.AsyncClient(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            event_hooks=dict(event_hooks or {}),
        )
        self._locks: weakref.WeakKeyDictionary[Wallet, asyncio.Lock] = weakref.WeakKeyDictionary()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def execute(self, call: Call[_T], *, timeout: float | None = None) -> _T:
        """Perform a :class:`~pyallora.client.client.Call`."""
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        try:
            response = await self._http.request(
                call.method, call.path, params=dict(call.params), json=call.body, **extra
            )
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        return self._read(call, response)

    # --- queries ------------------------------------------------------------------------------

    async def get(self, path: str, **params: Any) -> JSONDict:
        """``GET path`` with query parameters; the JSON answer."""
        return await self.execute(self._get_json(path, **params))

    async def status(self) -> NodeStatus:
        """Height, app hash, engine and addresses of the node."""
        return await self.execute(self._status())

    async def chain_id(self) -> str:
        """The chain id (asked once)."""
        if self._chain_id is None:
            self._chain_id = (await self.status()).chain_id
        return self._chain_id

    async def block(self, height: int | None = None) -> BlockInfo:
        """A block (the latest when ``height`` is ``None``)."""
        return await self.execute(self._block(height))

    async def blocks(self, from_height: int | None = None, limit: int | None = None) -> JSONDict:
        """Block summaries."""
        return await self.execute(self._blocks(from_height, limit))

    async def tx(self, tx_hash: str) -> TxInfo:
        """A committed tx."""
        return await self.execute(self._tx(tx_hash))

    async def account(self, address: str) -> Account:
        """Account number, sequence and key."""
        return await self.execute(self._account(address))

    async def balance(self, address: str, denom: str = DENOM) -> int:
        """The balance of ``address`` in ``denom``."""
        return await self.execute(self._balance(address, denom))

    async def balances(self, address: str) -> list[Coin]:
        """Every non-zero balance."""
        return await self.execute(self._balances(address))

    async def supply(self) -> JSONDict:
        """The total supply."""
        return await self.execute(self._get_json("/v1/supply"))

    async def validators(self) -> JSONDict:
        """The consensus set and (with staking) the staking validators."""
        return await self.execute(self._get_json("/v1/validators"))

    async def params(self, module: str) -> JSONDict:
        """A module's parameters."""
        return await self.execute(self._result(f"/v1/params/{quote(module)}"))

    async def query(self, path: str, request: JSONDict | None = None) -> JSONDict:
        """Any query path, proto-JSON in and out."""
        return await self.execute(self._query(path, request))

    async def topic(self, topic_id: int) -> JSONDict:
        """A topic."""
        return await self.execute(self._result(f"/v1/topics/{int(topic_id)}"))

    async def topics(self, limit: int | None = None, offset: int | None = None) -> JSONDict:
        """Topics by id."""
        return await self.execute(self._result("/v1/topics", limit=limit, offset=offset))

    async def windows(self, topic_id: int, address: str | None = None) -> JSONDict:
        """Open nonces and submission eligibility."""
        return await self.execute(
            self._get_json(f"/v1/topics/{int(topic_id)}/windows", address=address)
        )

    async def inferences(self, topic_id: int, nonce: int | None = None) -> JSONDict:
        """Inferences archived at a nonce."""
        return await self.execute(
            self._result(f"/v1/topics/{int(topic_id)}/inferences", nonce=nonce)
        )

    async def forecasts(self, topic_id: int, nonce: int | None = None) -> JSONDict:
        """Forecasts archived at a nonce."""
        return await self.execute(
            self._result(f"/v1/topics/{int(topic_id)}/forecasts", nonce=nonce)
        )

    async def losses(self, topic_id: int, nonce: int) -> JSONDict:
        """Network and reputer losses of a reputer nonce."""
        return await self.execute(self._result(f"/v1/topics/{int(topic_id)}/losses", nonce=nonce))

    async def scores(self, topic_id: int, nonce: int) -> JSONDict:
        """Scores recorded at a nonce."""
        return await self.execute(self._result(f"/v1/topics/{int(topic_id)}/scores", nonce=nonce))

    async def network_inference(self, topic_id: int, nonce: int | None = None) -> JSONDict:
        """The consumer view of a topic's network inference."""
        return await self.execute(
            self._get_json(f"/v1/topics/{int(topic_id)}/network_inference", nonce=nonce)
        )

    async def rewards(
        self, topic_id: int, from_height: int | None = None, to_height: int | None = None
    ) -> JSONDict:
        """Rewards settled in a topic."""
        return await self.execute(
            self._get_json(
                f"/v1/topics/{int(topic_id)}/rewards", from_height=from_height, to_height=to_height
            )
        )

    async def reputer_stake(self, topic_id: int, address: str) -> JSONDict:
        """A reputer's stake in a topic."""
        return await self.execute(
            self._result(f"/v1/topics/{int(topic_id)}/reputers/{quote(address)}/stake")
        )

    # --- transactions -------------------------------------------------------------------------

    async def broadcast(
        self, raw: bytes, *, wait: bool = False, timeout: float = DEFAULT_TIMEOUT
    ) -> BroadcastResult:
        """Broadcast signed tx bytes."""
        return await self.execute(
            self._broadcast(raw, wait=wait, timeout=timeout), timeout=timeout + DEFAULT_TIMEOUT
        )

    async def wait_for_tx(self, tx_hash: str, timeout: float = DEFAULT_TIMEOUT) -> TxInfo:
        """The tx once it is in a block (raises :class:`TxTimeoutError`)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            wait_ms = max(0, min(LONG_POLL_MS, int(remaining * 1000)))
            try:
                return await self.execute(
                    self._tx(tx_hash, wait_ms), timeout=wait_ms / 1000 + DEFAULT_TIMEOUT
                )
            except NotFoundError:
                if time.monotonic() >= deadline:
                    raise TxTimeoutError(tx_hash, timeout) from None

    async def wait_for_height(self, height: int, timeout: float = DEFAULT_TIMEOUT) -> NodeStatus:
        """Poll the status until the node has committed ``height``."""
        deadline = time.monotonic() + timeout
        while True:
            status = await self.status()
            if status.height >= height:
                return status
            if time.monotonic() >= deadline:
                raise TimeoutError(f"height {height} not reached within {timeout:g} s")
            await asyncio.sleep(0.05)

    async def _sync_account(self, wallet: Wallet) -> None:
        account = await self.account(wallet.address)
        wallet.sequence.sync(account.account_number, account.sequence)

    def _lock(self, wallet: Wallet) -> asyncio.Lock:
        lock = self._locks.get(wallet)
        if lock is None:
            lock = self._locks[wallet] = asyncio.Lock()
        return lock

    async def submit_tx(
        self,
        messages: Sequence[Message],
        wallet: Wallet,
        *,
        fee: int = 0,
        gas: int = DEFAULT_GAS,
        memo: str = "",
        timeout_height: int = 0,
    ) -> BroadcastResult:
        """Sign with the wallet's next sequence and broadcast (see ``Client.submit_tx``)."""
        chain_id = await self.chain_id()
        async with self._lock(wallet):
            if not wallet.sequence.is_synced:
                await self._sync_account(wallet)
            for attempt in (0, 1):
                prepared = self._sign(
                    wallet,
                    messages,
                    chain_id=chain_id,
                    fee=fee,
                    gas=gas,
                    memo=memo,
                    timeout_height=timeout_height,
                )
                result = await self.broadcast(prepared.raw)
                action = self._after_check(wallet, result, attempt=attempt)
                if action == "done":
                    return result
                if action == "refresh":
                    await self._sync_account(wallet)
            raise self._rejection(result)

    async def send_tx(
        self,
        messages: Sequence[Message],
        wallet: Wallet,
        *,
        fee: int = 0,
        gas: int = DEFAULT_GAS,
        memo: str = "",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> TxInfo:
        """:meth:`submit_tx`, then wait until the tx is in a block (see ``Client.send_tx``)."""
        submitted = await self.submit_tx(messages, wallet, fee=fee, gas=gas, memo=memo)
        return self._check_included(await self.wait_for_tx(submitted.tx_hash, timeout))

    # --- events -------------------------------------------------------------------------------

    def subscribe(
        self,
        *,
        from_height: int | None = None,
        types: Sequence[str] | None = None,
        topic_id: int | None = None,
        reconnect: bool = True,
    ) -> AsyncEventSubscription:
        """An async iterator over the node's event stream (see ``Client.subscribe``)."""
        return AsyncEventSubscription(
            self.events_url(),
            from_height=from_height,
            types=types,
            topic_id=topic_id,
            reconnect=reconnect,
        )
