"""A persistent key=value application for the CometBFT integration tests (run as a script).

It implements :class:`pyallora.chain.abci_types.Application` the way a real chain must
(INFRA.md §4.5–§4.6): FinalizeBlock computes a pending state and its app hash without persisting;
Commit writes state, height and app hash atomically to ``<home>/state.json``; Info reports the
last commit. Transactions are ``key=value`` (anything else is rejected with code 1); the genesis
``app_state`` is a JSON object of string pairs.

Every call that matters is appended to ``<home>/journal.log`` (``info H``, ``init``,
``finalize H NTXS``, ``commit H``) so a test can see what CometBFT replayed after a crash.
``--commit-delay-ms`` holds Commit open before persisting, giving a test a wide window in which
a SIGKILL lands between FinalizeBlock and the end of Commit.

Usage: ``python abci_kvstore_app.py --home DIR --address unix://DIR/app.sock``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import time
from pathlib import Path

from pyallora.abci.server import run_abci_server
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

STATE_FILE = "state.json"
JOURNAL_FILE = "journal.log"


def compute_app_hash(state: dict[str, str], height: int) -> bytes:
    """sha256 over the height and the sorted, length-prefixed pairs."""
    digest = hashlib.sha256(b"kvstore-app\x00" + height.to_bytes(8, "big"))
    for key in sorted(state):
        for part in (key.encode(), state[key].encode()):
            digest.update(len(part).to_bytes(4, "big") + part)
    return digest.digest()


def parse_tx(tx: bytes) -> tuple[str, str] | None:
    """``key=value`` as a pair, or None when malformed."""
    try:
        text = tx.decode()
    except UnicodeDecodeError:
        return None
    key, sep, value = text.partition("=")
    if not sep or not key:
        return None
    return key, value


class FileKVApp:
    """The persistent key=value application (see the module docstring)."""

    def __init__(self, home: Path, *, commit_delay_ms: int = 0) -> None:
        self.home = home
        self.commit_delay_ms = commit_delay_ms
        self.height = 0
        self.app_hash = b""
        self.state: dict[str, str] = {}
        self.pending: tuple[int, dict[str, str], bytes] | None = None
        path = home / STATE_FILE
        if path.exists():
            saved = json.loads(path.read_text())
            self.height = int(saved["height"])
            self.app_hash = bytes.fromhex(saved["app_hash"])
            self.state = dict(saved["state"])
        self._journal = (home / JOURNAL_FILE).open("a", buffering=1)
        self.log("start", self.height)

    def log(self, *fields: object) -> None:
        """Append one line to the journal (line-buffered: it survives a SIGKILL)."""
        self._journal.write(" ".join(str(f) for f in fields) + "\n")

    def info(self) -> InfoResult:
        self.log("info", self.height)
        return InfoResult(
            data="kvstore-app",
            version="1",
            last_block_height=self.height,
            last_block_app_hash=self.app_hash,
        )

    def init_chain(self, request: InitChainRequest) -> InitChainResult:
        genesis = json.loads(request.app_state_bytes or b"{}")
        self.state = {str(k): str(v) for k, v in genesis.items()}
        self.log("init", request.chain_id, request.initial_height)
        return InitChainResult(app_hash=compute_app_hash(self.state, 0))

    def check_tx(self, tx: bytes, *, recheck: bool = False) -> TxResult:
        if parse_tx(tx) is None:
            return TxResult(code=1, codespace="kvstore", log="expected key=value")
        return TxResult(code=0, gas_wanted=1)

    def prepare_proposal(self, request: PrepareProposalRequest) -> tuple[bytes, ...]:
        chosen, size = [], 0
        for tx in request.txs:
            if parse_tx(tx) is not None and size + len(tx) <= request.max_tx_bytes:
                chosen.append(tx)
                size += len(tx)
        return tuple(chosen)

    def process_proposal(self, request: ProcessProposalRequest) -> bool:
        return all(parse_tx(tx) is not None for tx in request.txs)

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResult:
        self.log("finalize", request.height, len(request.txs))
        state = dict(self.state)
        results = []
        for tx in request.txs:
            pair = parse_tx(tx)
            if pair is None:
                results.append(TxResult(code=1, codespace="kvstore", log="expected key=value"))
                continue
            state[pair[0]] = pair[1]
            event = Event(type="kv.set", attributes=(("key", pair[0]), ("value", pair[1])))
            results.append(TxResult(code=0, gas_wanted=1, gas_used=1, events=(event,)))
        app_hash = compute_app_hash(state, request.height)
        self.pending = (request.height, state, app_hash)
        return FinalizeBlockResult(tx_results=tuple(results), app_hash=app_hash)

    def commit(self) -> CommitResult:
        if self.pending is None:
            raise LookupError("commit without a finalized block")
        if self.commit_delay_ms:
            time.sleep(self.commit_delay_ms / 1000)
        height, state, app_hash = self.pending
        document = {"height": height, "app_hash": app_hash.hex(), "state": state}
        temporary = self.home / (STATE_FILE + ".tmp")
        with temporary.open("w") as handle:
            json.dump(document, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.home / STATE_FILE)
        self.height, self.state, self.app_hash, self.pending = height, state, app_hash, None
        self.log("commit", height)
        return CommitResult()

    def query(self, request: QueryRequest) -> QueryResult:
        if request.path == "/state":
            body = json.dumps(self.state, sort_keys=True).encode()
            return QueryResult(value=body, height=self.height)
        if request.path != "/key":
            return QueryResult(code=2, log=f"unknown path {request.path}", height=self.height)
        key = request.data.decode(errors="replace")
        if key not in self.state:
            return QueryResult(code=3, log="not found", key=request.data, height=self.height)
        return QueryResult(value=self.state[key].encode(), key=request.data, height=self.height)


def main() -> None:
    """Run the application behind the ABCI server until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--commit-delay-ms", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args.home.mkdir(parents=True, exist_ok=True)
    app = FileKVApp(args.home, commit_delay_ms=args.commit_delay_ms)
    run_abci_server(app, args.address)


if __name__ == "__main__":
    main()
