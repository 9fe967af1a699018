"""The synchronous Python client of a pyallora node (and the logic it shares with the async one).

Shape (web3.py's ``BaseEth`` / ``Eth`` / ``AsyncEth``): :class:`BaseClient` builds every
request as a :class:`Call` (method, path, parameters, body, parser) and makes the decisions
of transaction sending (sequence handling, errors); :class:`Client` performs the calls with
``httpx.Client``, :class:`~pyallora.client.async_client.AsyncClient` with
``httpx.AsyncClient``. The client only talks HTTP/websocket to a node's API.

>>> client = Client("http://127.0.0.1:1317")            # doctest: +SKIP
>>> wallet = Wallet.from_mnemonic("...")                 # doctest: +SKIP
>>> client.send_tx([msg], wallet, fee=200, gas=150_000)  # doctest: +SKIP
TxInfo(hash=..., height=42, ...)

Sending (:meth:`Client.submit_tx`, :meth:`Client.send_tx`): under the wallet's
:class:`~pyallora.client.wallet.SequenceManager` lock, learn the account number and sequence
(once), sign, broadcast; on an "account sequence mismatch" reset the counter to the node's
expected value and retry once; on success advance the counter. ``send_tx`` then waits
(outside the lock) until the tx is in a block and raises :class:`TxFailedError` if it failed
there.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Generic, TypeVar
from urllib.parse import quote

import httpx
from google.protobuf.message import Message

from pyallora.client.errors import (
    OUT_OF_GAS_CODE,
    SDK_CODESPACE,
    NodeApiError,
    NodeUnreachableError,
    NotFoundError,
    OutOfGasError,
    SequenceMismatchError,
    TxFailedError,
    TxRejectedError,
    TxTimeoutError,
    is_sequence_mismatch,
    parse_sequence_mismatch,
)
from pyallora.client.events import EventSubscription
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

DEFAULT_TIMEOUT: Final = 30.0
"""Seconds per HTTP request."""

DEFAULT_GAS: Final = 200_000
"""Gas limit when none is given."""

LONG_POLL_MS: Final = 10_000
"""Longest single wait of ``GET /v1/txs/{hash}?wait_ms=``."""


def _identity(data: JSONDict) -> JSONDict:
    return data


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Generic[_T]):
    """One API request and how to read its answer."""

    method: str
    path: str
    parse: Callable[[JSONDict], _T]
    params: Mapping[str, Any] = field(default_factory=dict)
    body: JSONDict | None = None
    accept: tuple[int, ...] = (200,)
    """Statuses whose body is parsed (others raise)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Prepared:
    """A signed tx and the sequence it used."""

    raw: bytes
    sequence: int


class BaseClient:
    """Request building and send-path decisions shared by the two clients.

    Parameters
    ----------
    url
        The node API's base URL (``http://127.0.0.1:PORT``).
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._chain_id: str | None = None

    # --- answers ------------------------------------------------------------------------------

    def _read(self, call: Call[_T], response: httpx.Response) -> _T:
        if response.status_code in call.accept:
            try:
                body = response.json()
            except ValueError as exc:
                raise NodeApiError(
                    response.status_code, "the answer is not JSON", path=call.path
                ) from exc
            return call.parse(body if isinstance(body, dict) else {"value": body})
        try:
            detail = str(response.json().get("detail", response.text))
        except (ValueError, AttributeError):
            detail = response.text
        if response.status_code == 404:
            raise NotFoundError(404, detail, path=call.path)
        raise NodeApiError(response.status_code, detail, path=call.path)

    def _unreachable(self, exc: httpx.HTTPError) -> NodeUnreachableError:
        return NodeUnreachableError(self.url, str(exc) or type(exc).__name__)

    # --- calls --------------------------------------------------------------------------------

    @staticmethod
    def _status() -> Call[NodeStatus]:
        return Call(method="GET", path="/v1/status", parse=NodeStatus.from_json)

    @staticmethod
    def _block(height: int | None) -> Call[BlockInfo]:
        path = "/v1/blocks/latest" if height is None else f"/v1/blocks/{int(height)}"
        return Call(method="GET", path=path, parse=BlockInfo.from_json)

    @staticmethod
    def _blocks(from_height: int | None, limit: int | None) -> Call[JSONDict]:
        params: dict[str, Any] = {}
        if from_height is not None:
            params["from_height"] = from_height
        if limit is not None:
            params["limit"] = limit
        return Call(method="GET", path="/v1/blocks", params=params, parse=_identity)

    @staticmethod
    def _tx(tx_hash: str, wait_ms: int = 0) -> Call[TxInfo]:
        params = {"wait_ms": wait_ms} if wait_ms else {}
        return Call(
            method="GET", path=f"/v1/txs/{quote(tx_hash)}", params=params, parse=TxInfo.from_json
        )

    @staticmethod
    def _account(address: str) -> Call[Account]:
        return Call(method="GET", path=f"/v1/accounts/{quote(address)}", parse=Account.from_json)

    @staticmethod
    def _balance(address: str, denom: str) -> Call[int]:
        return Call(
            method="GET",
            path=f"/v1/accounts/{quote(address)}/balance",
            params={"denom": denom},
            parse=lambda data: int(data["amount"]),
        )

    @staticmethod
    def _balances(address: str) -> Call[list[Coin]]:
        return Call(
            method="GET",
            path=f"/v1/accounts/{quote(address)}/balances",
            parse=lambda data: [
                Coin(denom=str(c["denom"]), amount=int(c["amount"])) for c in data["balances"]
            ],
        )

    @staticmethod
    def _get_json(path: str, **params: Any) -> Call[JSONDict]:
        clean = {key: value for key, value in params.items() if value is not None}
        return Call(method="GET", path=path, params=clean, parse=_identity)

    @staticmethod
    def _result(path: str, **params: Any) -> Call[JSONDict]:
        clean = {key: value for key, value in params.items() if value is not None}
        return Call(method="GET", path=path, params=clean, parse=lambda data: dict(data["result"]))

    @staticmethod
    def _query(path: str, request: JSONDict | None) -> Call[JSONDict]:
        return Call(
            method="POST",
            path="/v1/query",
            body={"path": path, "request": dict(request or {})},
            parse=lambda data: dict(data["result"]),
        )

    @staticmethod
    def _broadcast(raw: bytes, *, wait: bool, timeout: float) -> Call[BroadcastResult]:
        return Call(
            method="POST",
            path="/v1/txs",
            body={
                "tx_bytes": base64.b64encode(raw).decode("ascii"),
                "wait": wait,
                "timeout_ms": max(0, min(60_000, int(timeout * 1000))),
            },
            parse=BroadcastResult.from_json,
            accept=(200, 202),
        )

    # --- send path ----------------------------------------------------------------------------

    @staticmethod
    def _sign(
        wallet: Wallet,
        messages: Sequence[Message],
        *,
        chain_id: str,
        fee: int,
        gas: int,
        memo: str,
        timeout_height: int,
    ) -> _Prepared:
        sequence = wallet.sequence.next_sequence
        raw = wallet.sign_tx(
            messages,
            chain_id=chain_id,
            account_number=wallet.sequence.account_number,
            sequence=sequence,
            fee=fee,
            gas=gas,
            memo=memo,
            timeout_height=timeout_height,
        )
        return _Prepared(raw=raw, sequence=sequence)

    @staticmethod
    def _rejection(result: BroadcastResult) -> TxRejectedError:
        check = result.check
        kind = SequenceMismatchError if is_sequence_mismatch(check.code, check.codespace) else None
        error_type = kind or TxRejectedError
        return error_type(
            "transaction rejected",
            tx_hash=result.tx_hash,
            code=check.code,
            codespace=check.codespace,
            log=check.log,
            gas_wanted=check.gas_wanted,
            gas_used=check.gas_used,
        )

    @staticmethod
    def _after_check(wallet: Wallet, result: BroadcastResult, *, attempt: int) -> str:
        """``"done"``, ``"retry"`` (counter reset to the expected value) or ``"refresh"``
        (ask the node for the account, then retry); raises when the tx is refused."""
        check = result.check
        if check.code == 0:
            wallet.sequence.advance()
            return "done"
        if attempt == 0 and is_sequence_mismatch(check.code, check.codespace):
            parsed = parse_sequence_mismatch(check.log)
            if parsed is None:
                return "refresh"
            wallet.sequence.reset(parsed[0])
            return "retry"
        raise BaseClient._rejection(result)

    @staticmethod
    def _check_included(info: TxInfo) -> TxInfo:
        result = info.result
        if result.code == 0:
            return info
        error_type = (
            OutOfGasError
            if (result.code, result.codespace) == (OUT_OF_GAS_CODE, SDK_CODESPACE)
            else TxFailedError
        )
        raise error_type(
            "transaction failed in its block",
            tx_hash=info.hash,
            code=result.code,
            codespace=result.codespace,
            log=result.log,
            height=info.height,
            gas_wanted=result.gas_wanted,
            gas_used=result.gas_used,
        )

    def events_url(self) -> str:
        """The websocket URL of the event stream."""
        if self.url.startswith("https://"):
            return "wss://" + self.url.removeprefix("https://") + "/v1/events"
        return "ws://" + self.url.removeprefix("http://") + "/v1/events"


class Client(BaseClient):
    """Synchronous client (module docstring).

    Parameters
    ----------
    url
        The node API's base URL.
    timeout
        Seconds per HTTP request.
    transport
        Optional httpx transport.
    event_hooks
        Optional httpx event hooks (``{"request": [...], "response": [...]}``).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        super().__init__(url)
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            event_hooks=dict(event_hooks or {}),
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def execute(self, call: Call[_T], *, timeout: float | None = None) -> _T:
        """Perform a :class:`Call`.

        Raises
        ------
        NodeUnreachableError, NodeApiError, NotFoundError
        """
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        try:
            response = self._http.request(
                call.method, call.path, params=dict(call.params), json=call.body, **extra
            )
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        return self._read(call, response)

    # --- queries ------------------------------------------------------------------------------

    def get(self, path: str, **params: Any) -> JSONDict:
        """``GET path`` with query parameters (``None`` values dropped); the JSON answer."""
        return self.execute(self._get_json(path, **params))

    def status(self) -> NodeStatus:
        """Height, app hash, engine and addresses of the node."""
        return self.execute(self._status())

    def chain_id(self) -> str:
        """The chain id (asked once)."""
        if self._chain_id is None:
            self._chain_id = self.status().chain_id
        return self._chain_id

    def block(self, height: int | None = None) -> BlockInfo:
        """A block (the latest when ``height`` is ``None``)."""
        return self.execute(self._block(height))

    def blocks(self, from_height: int | None = None, limit: int | None = None) -> JSONDict:
        """Block summaries (``{"blocks": [...], "earliest_height", "latest_height"}``)."""
        return self.execute(self._blocks(from_height, limit))

    def tx(self, tx_hash: str) -> TxInfo:
        """A committed tx (raises :class:`NotFoundError` if unknown)."""
        return self.execute(self._tx(tx_hash))

    def account(self, address: str) -> Account:
        """Account number, sequence and key."""
        return self.execute(self._account(address))

    def balance(self, address: str, denom: str = DENOM) -> int:
        """The balance of ``address`` in ``denom``."""
        return self.execute(self._balance(address, denom))

    def balances(self, address: str) -> list[Coin]:
        """Every non-zero balance."""
        return self.execute(self._balances(address))

    def supply(self) -> JSONDict:
        """The total supply."""
        return self.execute(self._get_json("/v1/supply"))

    def validators(self) -> JSONDict:
        """The consensus set and (with staking) the staking validators."""
        return self.execute(self._get_json("/v1/validators"))

    def params(self, module: str) -> JSONDict:
        """A module's parameters (proto-JSON)."""
        return self.execute(self._result(f"/v1/params/{quote(module)}"))

    def query(self, path: str, request: JSONDict | None = None) -> JSONDict:
        """Any query path the node's application serves, proto-JSON in and out."""
        return self.execute(self._query(path, request))

    def topic(self, topic_id: int) -> JSONDict:
        """A topic, its weight, revenue and activity."""
        return self.execute(self._result(f"/v1/topics/{int(topic_id)}"))

    def topics(self, limit: int | None = None, offset: int | None = None) -> JSONDict:
        """Topics by id (``{"next_topic_id", "topics": [...]}``)."""
        return self.execute(self._result("/v1/topics", limit=limit, offset=offset))

    def windows(self, topic_id: int, address: str | None = None) -> JSONDict:
        """Open worker/reputer nonces and (with ``address``) whether it can submit now."""
        return self.execute(self._get_json(f"/v1/topics/{int(topic_id)}/windows", address=address))

    def inferences(self, topic_id: int, nonce: int | None = None) -> JSONDict:
        """Inferences archived at a nonce (default: the latest)."""
        return self.execute(self._result(f"/v1/topics/{int(topic_id)}/inferences", nonce=nonce))

    def forecasts(self, topic_id: int, nonce: int | None = None) -> JSONDict:
        """Forecasts archived at a nonce (default: the latest)."""
        return self.execute(self._result(f"/v1/topics/{int(topic_id)}/forecasts", nonce=nonce))

    def losses(self, topic_id: int, nonce: int) -> JSONDict:
        """Network and reputer losses of a reputer nonce."""
        return self.execute(self._result(f"/v1/topics/{int(topic_id)}/losses", nonce=nonce))

    def scores(self, topic_id: int, nonce: int) -> JSONDict:
        """Scores recorded at a nonce."""
        return self.execute(self._result(f"/v1/topics/{int(topic_id)}/scores", nonce=nonce))

    def network_inference(self, topic_id: int, nonce: int | None = None) -> JSONDict:
        """The consumer view: network inference, error bars, participants and weights."""
        return self.execute(
            self._get_json(f"/v1/topics/{int(topic_id)}/network_inference", nonce=nonce)
        )

    def rewards(
        self, topic_id: int, from_height: int | None = None, to_height: int | None = None
    ) -> JSONDict:
        """Rewards settled in a topic (from the node's event log)."""
        return self.execute(
            self._get_json(
                f"/v1/topics/{int(topic_id)}/rewards", from_height=from_height, to_height=to_height
            )
        )

    def reputer_stake(self, topic_id: int, address: str) -> JSONDict:
        """A reputer's authority, self-stake and delegated stake in a topic."""
        return self.execute(
            self._result(f"/v1/topics/{int(topic_id)}/reputers/{quote(address)}/stake")
        )

    # --- transactions -------------------------------------------------------------------------

    def broadcast(
        self, raw: bytes, *, wait: bool = False, timeout: float = DEFAULT_TIMEOUT
    ) -> BroadcastResult:
        """Broadcast signed tx bytes; the CheckTx result (and with ``wait`` the block's)."""
        return self.execute(
            self._broadcast(raw, wait=wait, timeout=timeout), timeout=timeout + DEFAULT_TIMEOUT
        )

    def wait_for_tx(self, tx_hash: str, timeout: float = DEFAULT_TIMEOUT) -> TxInfo:
        """The tx once it is in a block.

        Raises
        ------
        TxTimeoutError
            If it is not included within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            wait_ms = max(0, min(LONG_POLL_MS, int(remaining * 1000)))
            try:
                return self.execute(
                    self._tx(tx_hash, wait_ms), timeout=wait_ms / 1000 + DEFAULT_TIMEOUT
                )
            except NotFoundError:
                if time.monotonic() >= deadline:
                    raise TxTimeoutError(tx_hash, timeout) from None

    def wait_for_height(self, height: int, timeout: float = DEFAULT_TIMEOUT) -> NodeStatus:
        """Poll the status until the node has committed ``height``.

        Raises
        ------
        TimeoutError
            After ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if status.height >= height:
                return status
            if time.monotonic() >= deadline:
                raise TimeoutError(f"height {height} not reached within {timeout:g} s")
            time.sleep(0.05)

    def _sync_account(self, wallet: Wallet) -> None:
        account = self.account(wallet.address)
        wallet.sequence.sync(account.account_number, account.sequence)

    def submit_tx(
        self,
        messages: Sequence[Message],
        wallet: Wallet,
        *,
        fee: int = 0,
        gas: int = DEFAULT_GAS,
        memo: str = "",
        timeout_height: int = 0,
    ) -> BroadcastResult:
        """Sign with the wallet's next sequence and broadcast; returns once CheckTx accepted.

        Raises
        ------
        TxRejectedError
            If CheckTx refuses the tx (:class:`SequenceMismatchError` after one retry).
        """
        chain_id = self.chain_id()
        with wallet.sequence.lock:
            if not wallet.sequence.is_synced:
                self._sync_account(wallet)
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
                result = self.broadcast(prepared.raw)
                action = self._after_check(wallet, result, attempt=attempt)
                if action == "done":
                    return result
                if action == "refresh":
                    self._sync_account(wallet)
            raise self._rejection(result)

    def send_tx(
        self,
        messages: Sequence[Message],
        wallet: Wallet,
        *,
        fee: int = 0,
        gas: int = DEFAULT_GAS,
        memo: str = "",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> TxInfo:
        """:meth:`submit_tx`, then wait until the tx is in a block.

        Raises
        ------
        TxRejectedError
            If CheckTx refuses it.
        TxFailedError
            If it failed in its block (:class:`OutOfGasError` for gas).
        TxTimeoutError
            If it is not included in time.
        """
        submitted = self.submit_tx(messages, wallet, fee=fee, gas=gas, memo=memo)
        return self._check_included(self.wait_for_tx(submitted.tx_hash, timeout))

    # --- events -------------------------------------------------------------------------------

    def subscribe(
        self,
        *,
        from_height: int | None = None,
        types: Sequence[str] | None = None,
        topic_id: int | None = None,
        reconnect: bool = True,
    ) -> EventSubscription:
        """Iterate the node's event stream (replayed from ``from_height``, then live),
        reconnecting and resuming where it left off."""
        return EventSubscription(
            self.events_url(),
            from_height=from_height,
            types=types,
            topic_id=topic_id,
            reconnect=reconnect,
        )
