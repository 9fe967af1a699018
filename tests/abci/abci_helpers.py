"""Helpers for the ABCI tests: a small in-memory application and a fake CometBFT client.

The fake client speaks the socket protocol the way CometBFT does (frames of serialized
``tendermint.abci.Request``), reading answers with bounded waits, so the server is tested
through real sockets without the binary.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field

from pyallora.abci.framing import FrameDecoder, encode_frame
from pyallora.abci.translate import (
    RequestRecord,
    ResponseRecord,
    decode_response,
    encode_request,
)
from pyallora.chain.abci_types import (
    CommitResult,
    Event,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    InfoResult,
    InitChainRequest,
    InitChainResult,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
    QueryResult,
    TxResult,
)

WAIT = 10.0
"""Upper bound (seconds) on any single wait in these tests."""


@dataclass
class MemoryKVApp:
    """A key=value application that records every call (and detects overlapping calls).

    Transactions are ``key=value``; anything else is rejected with code 1 (CheckTx and
    FinalizeBlock). ``fail_in`` names a method that raises instead of answering.
    ``call_delay`` slows every call down (used with an executor to expose interleaving).
    """

    fail_in: str = ""
    call_delay: float = 0.0
    return_short_results: bool = False
    state: dict[bytes, bytes] = field(default_factory=dict)
    height: int = 0
    app_hash: bytes = b""
    pending: tuple[int, dict[bytes, bytes], bytes] | None = None
    calls: list[str] = field(default_factory=list)
    overlaps: int = 0
    _busy: threading.Lock = field(default_factory=threading.Lock)

    def _enter(self, name: str) -> None:
        if not self._busy.acquire(blocking=False):
            self.overlaps += 1
            self._busy.acquire()
        self.calls.append(name)
        if self.call_delay:
            time.sleep(self.call_delay)
        if self.fail_in == name:
            self._busy.release()
            raise ZeroDivisionError(f"deliberate failure in {name}")

    def _leave(self) -> None:
        self._busy.release()

    @staticmethod
    def is_valid(tx: bytes) -> bool:
        """Whether ``tx`` is ``key=value`` with a non-empty key."""
        key, sep, _ = tx.partition(b"=")
        return bool(sep and key)

    @staticmethod
    def compute_hash(state: dict[bytes, bytes], height: int) -> bytes:
        """sha256 over the sorted pairs and the height."""
        digest = hashlib.sha256()
        for key in sorted(state):
            digest.update(len(key).to_bytes(4, "big") + key + len(state[key]).to_bytes(4, "big"))
            digest.update(state[key])
        digest.update(height.to_bytes(8, "big"))
        return digest.digest()

    def info(self) -> InfoResult:
        self._enter("info")
        try:
            return InfoResult(
                data="memkv",
                version="1",
                last_block_height=self.height,
                last_block_app_hash=self.app_hash,
            )
        finally:
            self._leave()

    def init_chain(self, request: InitChainRequest) -> InitChainResult:
        self._enter("init_chain")
        try:
            return InitChainResult(app_hash=self.compute_hash({}, 0), validators=request.validators)
        finally:
            self._leave()

    def check_tx(self, tx: bytes, *, recheck: bool = False) -> TxResult:
        self._enter("recheck_tx" if recheck else "check_tx")
        try:
            if self.is_valid(tx):
                return TxResult(code=0, log=tx.decode(errors="replace"), gas_wanted=1)
            return TxResult(code=1, codespace="memkv", log="expected key=value")
        finally:
            self._leave()

    def prepare_proposal(self, request: PrepareProposalRequest) -> tuple[bytes, ...]:
        self._enter("prepare_proposal")
        try:
            return tuple(tx for tx in request.txs if self.is_valid(tx))
        finally:
            self._leave()

    def process_proposal(self, request: ProcessProposalRequest) -> bool:
        self._enter("process_proposal")
        try:
            return all(self.is_valid(tx) for tx in request.txs)
        finally:
            self._leave()

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResult:
        self._enter("finalize_block")
        try:
            state = dict(self.state)
            results = []
            for tx in request.txs:
                if self.is_valid(tx):
                    key, _, value = tx.partition(b"=")
                    state[key] = value
                    results.append(
                        TxResult(
                            code=0,
                            events=(Event(type="kv.set", attributes=(("key", key.decode()),)),),
                        )
                    )
                else:
                    results.append(TxResult(code=1, codespace="memkv"))
            if self.return_short_results:
                results = results[:-1]
            app_hash = self.compute_hash(state, request.height)
            self.pending = (request.height, state, app_hash)
            return FinalizeBlockResult(
                tx_results=tuple(results),
                events=(Event(type="block", attributes=(("height", str(request.height)),)),),
                app_hash=app_hash,
            )
        finally:
            self._leave()

    def commit(self) -> CommitResult:
        self._enter("commit")
        try:
            if self.pending is None:
                raise LookupError("commit without finalize_block")
            self.height, self.state, self.app_hash = self.pending
            self.pending = None
            return CommitResult(retain_height=0)
        finally:
            self._leave()

    def query(self, request: QueryRequest) -> QueryResult:
        self._enter("query")
        try:
            value = self.state.get(request.data)
            if value is None:
                return QueryResult(code=2, log="not found", height=self.height)
            return QueryResult(value=value, key=request.data, height=self.height)
        finally:
            self._leave()


class FakeCometClient:
    """One ABCI connection as CometBFT opens it: write request frames, read response frames."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.decoder = FrameDecoder()
        self.received: list[ResponseRecord] = []

    @classmethod
    async def connect(cls, address: str) -> FakeCometClient:
        """Open a connection to ``unix://PATH`` or ``tcp://HOST:PORT``."""
        scheme, _, rest = address.partition("://")
        if scheme == "unix":
            reader, writer = await asyncio.open_unix_connection(rest)
        else:
            host, _, port = rest.rpartition(":")
            reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer)

    async def send_raw(self, data: bytes) -> None:
        """Write bytes as they are."""
        self.writer.write(data)
        await self.writer.drain()

    async def send(self, *requests: RequestRecord) -> None:
        """Write the frames of ``requests`` in one write."""
        await self.send_raw(b"".join(encode_frame(encode_request(r)) for r in requests))

    async def receive(self, count: int) -> list[ResponseRecord]:
        """Read until ``count`` more responses arrived (bounded by :data:`WAIT`)."""
        start = len(self.received)

        async def fill() -> None:
            while len(self.received) - start < count:
                data = await self.reader.read(1 << 16)
                if not data:
                    raise ConnectionResetError("server closed the connection")
                self.received.extend(decode_response(p) for p in self.decoder.feed(data))

        await asyncio.wait_for(fill(), WAIT)
        return self.received[start : start + count]

    async def is_closed_by_server(self) -> bool:
        """Whether the server closes the connection (EOF) without sending anything more."""
        data = await asyncio.wait_for(self.reader.read(1 << 16), WAIT)
        return data == b""

    async def close(self) -> None:
        """Close the connection."""
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()
