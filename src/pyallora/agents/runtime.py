"""The loop every agent shares: follow the chain, submit exactly once per nonce, never stall
silently.

Following the chain
-------------------
:class:`AgentLoop` reads the node's event stream (``/v1/events``, types ``block`` and
``window_opened``) and *ticks* after each new block: the worker or reputer asks the node which
of its windows are open (``GET /v1/topics/{id}/windows``) and acts on them. When no event
arrives for ``poll_interval`` seconds (no blocks, or no stream: the node is restarting, the
websocket is refused) it ticks anyway, so polling is the fallback and the windows endpoint is
the single source of truth. Events only decide *when* to look, so a replayed or duplicated
event (a reconnect resumes the stream and may deliver a window twice) costs one extra look
and nothing else.

Exactly once
------------
Every submission has a key (``worker:<topic>:<nonce>:inference`` and ``…:forecast``,
``reputer:<topic>:<nonce>``, ``register:<role>:<topic>``, ``stake:<topic>``).
:class:`Submitter` signs the transaction, writes the record **with the signed bytes** to the
state file (:class:`AgentState`, ``<state_dir>/state.json``, replaced atomically), and only
then broadcasts. A key that has a record is never signed again, except when the node proves
the old transaction can no longer be included (its hash is unknown and the node expects
another sequence): the same messages are then re-signed (within the process that built them;
a record read back after a restart expires instead). Until it is
resolved, a pending submission is re-broadcast *with the same bytes* (a node restart empties
the mempool; the same bytes can only be included once), and looked up by hash:

=========  ===============================================================================
status     meaning
=========  ===============================================================================
signed     written, not yet accepted by the node's CheckTx (node unreachable: retried)
submitted  in the mempool; waiting for a block
accepted   in a block with code 0
failed     in a block with a non-zero code (the chain refused it; fee paid)
refused    CheckTx refused it (code and log kept: window closed, already submitted, ...)
skipped    nothing was sent: the model raised or returned NaN, the truth never came, ...
expired    never included before its window closed
=========  ===============================================================================

A restarted agent reads its records and resumes the pending ones; it never signs a second
payload for a key. :class:`StateLock` keeps two agents off one state directory.

Backoff and logs
----------------
Transient failures (node unreachable, HTTP 5xx) back off exponentially (:class:`Backoff`)
and are logged once when they start and once when they end. Every progress line is a
structured record: :func:`emit` logs ``event key=value ...`` with the fields attached to the
log record (``record.agent``), which :class:`AgentLogFormatter` prints as text or JSON lines.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Final, Literal

from google.protobuf.message import Message
from websockets.exceptions import WebSocketException

from pyallora.agents.config import AgentConfigError, AgentSettings
from pyallora.agents.context import AgentError
from pyallora.agents.status import StatusFile
from pyallora.client.client import Client
from pyallora.client.errors import (
    ClientError,
    NodeApiError,
    NodeUnreachableError,
    NotFoundError,
    is_sequence_mismatch,
    parse_sequence_mismatch,
)
from pyallora.client.events import EventSubscription
from pyallora.client.types import ChainEvent, TxInfo
from pyallora.client.wallet import Wallet
from pyallora.core.crypto import sha256
from pyallora.proto.emissions.v5 import tx_pb2

__all__ = [
    "FINAL_STATUSES",
    "PENDING_STATUSES",
    "STATE_FILE",
    "STATUS_FILE",
    "AgentLogFormatter",
    "AgentLoop",
    "AgentState",
    "AgentStateError",
    "Backoff",
    "StateLock",
    "SubmissionRecord",
    "Submitter",
    "TopicInfo",
    "emit",
]

STATE_FILE: Final = "state.json"
"""Submission records, in the state directory."""

STATUS_FILE: Final = "status.json"
"""What the running agent reports (:mod:`pyallora.agents.status`), in the state directory."""

LOCK_FILE: Final = "lock"
"""Held (``flock``) while an agent runs on the state directory."""

STATE_VERSION: Final = 1

REBROADCAST_AFTER_BLOCKS: Final = 3
"""Blocks after which a submission not yet in a block is broadcast again (same bytes)."""

EXPIRY_GRACE_BLOCKS: Final = 2
"""Blocks past a submission's deadline before it is declared expired."""

MAX_RESIGNS: Final = 3
"""Times one submission may be re-signed after its transaction was proven dead."""

KEEP_FINAL_RECORDS: Final = 2000
"""Final records kept in the state file (the oldest are pruned)."""

STREAM_RETRY_SECONDS: Final = 15.0
"""Seconds between attempts to reopen the event stream while polling."""

STREAM_CONNECT_ATTEMPTS: Final = 20
"""Failed connection attempts after which the stream is given up (and polling takes over
until :data:`STREAM_RETRY_SECONDS` have passed)."""

MAX_DRAIN: Final = 1000
"""Events read in one go before ticking (a replay after a reconnect)."""

SETUP_RETRY_SECONDS: Final = 60.0
"""Seconds before a failed setup action (registration, stake) is tried again."""

TOPIC_REFRESH_TICKS: Final = 100
"""Ticks after which a topic's parameters are read again."""

Status = Literal["signed", "submitted", "accepted", "failed", "refused", "skipped", "expired"]
PENDING_STATUSES: Final = frozenset({"signed", "submitted"})
FINAL_STATUSES: Final = frozenset({"accepted", "failed", "refused", "skipped", "expired"})

_IN_MEMPOOL_CODE: Final = 19
"""sdk code of "tx already in mempool" (a re-broadcast of a pending tx)."""

logger = logging.getLogger("pyallora.agents")


class AgentStateError(AgentError):
    """The state directory is unusable (locked by another agent, unreadable state file)."""


# ---------------------------------------------------------------------------------------------
# Structured logging


def emit(log: logging.Logger, event: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """Log one progress line: ``event key=value ...``, the fields attached as ``record.agent``.

    >>> emit(logging.getLogger("doc"), "window_opened", topic=1, nonce=20)
    """
    shown = " ".join(f"{key}={_show(value)}" for key, value in fields.items() if value is not None)
    log.log(level, "%s %s", event, shown, extra={"agent": {"event": event, **fields}})


def _show(value: Any) -> str:
    text = str(value)
    return json.dumps(text) if (" " in text or not text) else text


class AgentLogFormatter(logging.Formatter):
    """Agent log lines as text (``time level message``) or as JSON objects (one per line)."""

    def __init__(self, *, json_lines: bool = False) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        """The line of one record."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
        fields = getattr(record, "agent", None)
        if self.json_lines:
            data: dict[str, Any] = {"time": stamp, "level": record.levelname.lower()}
            if isinstance(fields, Mapping):
                data.update({k: v for k, v in fields.items() if v is not None})
            else:
                data["message"] = record.getMessage()
            if record.exc_info:
                data["exception"] = self.formatException(record.exc_info)
            return json.dumps(data, default=str)
        line = f"{stamp} {record.levelname.lower():7} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


# ---------------------------------------------------------------------------------------------
# Backoff


class Backoff:
    """Exponential delays for one kind of failure: ``initial × factor^k``, capped.

    >>> backoff = Backoff(initial=1.0, factor=2.0, maximum=5.0)
    >>> [backoff.failed() for _ in range(4)]
    [1.0, 2.0, 4.0, 5.0]
    >>> backoff.succeeded(); backoff.failures
    0
    """

    def __init__(
        self,
        *,
        initial: float = 1.0,
        factor: float = 2.0,
        maximum: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.initial = initial
        self.factor = factor
        self.maximum = maximum
        self._clock = clock
        self.failures = 0
        self.ready_at = 0.0

    def failed(self) -> float:
        """Count a failure; returns the delay before the next attempt."""
        delay = min(self.maximum, self.initial * self.factor**self.failures)
        self.failures += 1
        self.ready_at = self._clock() + delay
        return delay

    def succeeded(self) -> None:
        """Reset after a success."""
        self.failures = 0
        self.ready_at = 0.0

    @property
    def is_ready(self) -> bool:
        """Whether the delay since the last failure has passed."""
        return self._clock() >= self.ready_at


# ---------------------------------------------------------------------------------------------
# State


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmissionRecord:
    """One submission of an agent (module docstring: statuses)."""

    key: str
    kind: str
    """``inference``/``forecast`` (worker), ``losses`` (reputer), ``register``, ``stake``."""
    topic_id: int
    nonce: int = 0
    status: Status
    tx_hash: str = ""
    raw: str = ""
    """The signed tx, base64 (kept while pending, for byte-identical re-broadcasts)."""
    sequence: int = -1
    code: int = 0
    codespace: str = ""
    reason: str = ""
    """Why it was refused, failed, skipped or expired (or the last transient error)."""
    height: int = 0
    """The block it was included in."""
    broadcast_height: int = 0
    """Chain height when it was last broadcast."""
    deadline_height: int = 0
    """Last height at which inclusion still counts (0: none)."""
    attempts: int = 0
    """Times it was signed (1 + re-signs)."""
    detail: Mapping[str, Any] = field(default_factory=dict)
    """What was submitted (value, forecast size, truth, ...), for the status report."""
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def is_pending(self) -> bool:
        """Signed or submitted, not resolved."""
        return self.status in PENDING_STATUSES

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        data = asdict(self)
        data["detail"] = dict(self.detail)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionRecord:
        """Inverse of :meth:`to_json` (unknown fields ignored)."""
        names = set(cls.__dataclass_fields__)
        values = {key: value for key, value in data.items() if key in names}
        values["detail"] = dict(values.get("detail") or {})
        return cls(**values)


def write_json_atomically(path: Path, data: Any) -> None:
    """Write JSON to ``path`` through a temporary file and ``os.replace`` (fsynced), so a
    crash leaves the old or the new content, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class AgentState:
    """The submission records of one agent, persisted in ``<state_dir>/state.json``.

    Every change is written before the method returns.

    Parameters
    ----------
    directory
        The state directory (created if missing).
    address
        The agent's address; a state file of another address is refused.
    """

    def __init__(self, directory: Path, *, address: str) -> None:
        self.path = Path(directory) / STATE_FILE
        self.address = address
        self._records: dict[str, SubmissionRecord] = {}
        if self.path.exists():
            try:
                document = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise AgentStateError(f"cannot read {self.path}: {exc}") from exc
            if document.get("address") not in (None, address):
                raise AgentStateError(
                    f"{self.path} belongs to {document.get('address')}, not {address}: use "
                    "another state_dir for another key"
                )
            for key, entry in (document.get("records") or {}).items():
                self._records[str(key)] = SubmissionRecord.from_json(entry)

    def get(self, key: str) -> SubmissionRecord | None:
        """The record of ``key``."""
        return self._records.get(key)

    def records(self) -> tuple[SubmissionRecord, ...]:
        """Every record, oldest first."""
        return tuple(sorted(self._records.values(), key=lambda r: (r.created_at, r.key)))

    def pending(self) -> tuple[SubmissionRecord, ...]:
        """Records not resolved yet."""
        return tuple(r for r in self.records() if r.is_pending)

    def put(self, record: SubmissionRecord) -> SubmissionRecord:
        """Store (and persist) a record; returns it."""
        self._records[record.key] = record
        self._prune()
        self._save()
        return record

    def forget(self, key: str) -> None:
        """Drop a record (setup actions that may be retried)."""
        if self._records.pop(key, None) is not None:
            self._save()

    def _prune(self) -> None:
        final = [r for r in self.records() if not r.is_pending]
        for record in final[: max(0, len(final) - KEEP_FINAL_RECORDS)]:
            del self._records[record.key]

    def _save(self) -> None:
        write_json_atomically(
            self.path,
            {
                "version": STATE_VERSION,
                "address": self.address,
                "records": {key: r.to_json() for key, r in sorted(self._records.items())},
            },
        )


class StateLock:
    """An exclusive ``flock`` on ``<state_dir>/lock`` for the life of a running agent.

    Raises
    ------
    AgentStateError
        From :meth:`acquire` when another process holds it.
    """

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock (non-blocking)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            raise AgentStateError(
                f"another agent is running on {self.path.parent} (lock held)"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Release the lock (idempotent)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


# ---------------------------------------------------------------------------------------------
# Submitting


def compute_tx_hash(raw: bytes) -> str:
    """Upper-case hex SHA-256 of a tx's bytes (the node's tx hash)."""
    return sha256(raw).hex().upper()


def _is_in_mempool(code: int, codespace: str, log: str) -> bool:
    return (codespace == "sdk" and code == _IN_MEMPOOL_CODE) or "already exists in cache" in log


class Submitter:
    """Sign, persist, broadcast and follow submissions (module docstring).

    Parameters
    ----------
    client
        The node's client.
    wallet
        The signing key and its sequence counter.
    state
        Where records are kept.
    settings
        Gas and fees.
    log
        Logger for progress lines.
    on_resolved
        Called with each record that reaches a final status.
    clock
        Wall-clock time for record timestamps.
    """

    def __init__(
        self,
        client: Client,
        wallet: Wallet,
        state: AgentState,
        settings: AgentSettings,
        *,
        log: logging.Logger = logger,
        on_resolved: Callable[[SubmissionRecord], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.wallet = wallet
        self.state = state
        self.settings = settings
        self.log = log
        self.on_resolved = on_resolved
        self.clock = clock
        self._messages: dict[str, Sequence[Message]] = {}
        """Messages of this session's pending submissions (for a re-sign)."""

    # -- records -------------------------------------------------------------------------------

    def _save(self, record: SubmissionRecord, **changes: Any) -> SubmissionRecord:
        updated = replace(record, updated_at=self.clock(), **changes)
        self.state.put(updated)
        if updated.status in FINAL_STATUSES and record.status not in FINAL_STATUSES:
            self._messages.pop(updated.key, None)
            self._report(updated)
        return updated

    def _report(self, record: SubmissionRecord) -> None:
        level = logging.INFO if record.status == "accepted" else logging.WARNING
        emit(
            self.log,
            f"{record.kind}_{record.status}",
            level,
            topic=record.topic_id,
            nonce=record.nonce or None,
            tx=record.tx_hash or None,
            height=record.height or None,
            code=record.code or None,
            codespace=record.codespace or None,
            reason=record.reason or None,
        )
        if self.on_resolved is not None:
            self.on_resolved(record)

    def skip(
        self,
        *,
        key: str,
        kind: str,
        topic_id: int,
        nonce: int,
        reason: str,
        detail: Mapping[str, Any] | None = None,
    ) -> SubmissionRecord:
        """Record that nothing is sent for ``key`` (final), with the reason."""
        now = self.clock()
        record = SubmissionRecord(
            key=key,
            kind=kind,
            topic_id=topic_id,
            nonce=nonce,
            status="skipped",
            reason=reason,
            detail=dict(detail or {}),
            created_at=now,
            updated_at=now,
        )
        self.state.put(record)
        self._report(record)
        return record

    # -- signing and broadcasting --------------------------------------------------------------

    def _sign(self, messages: Sequence[Message]) -> tuple[bytes, int]:
        sequence = self.wallet.sequence
        with sequence.lock:
            if not sequence.is_synced:
                account = self.client.account(self.wallet.address)
                sequence.sync(account.account_number, account.sequence)
            number = sequence.next_sequence
            raw = self.wallet.sign_tx(
                messages,
                chain_id=self.client.chain_id(),
                account_number=sequence.account_number,
                sequence=number,
                fee=self.settings.fee_for(self.settings.gas),
                gas=self.settings.gas,
            )
        return raw, number

    def submit(
        self,
        *,
        key: str,
        kind: str,
        topic_id: int,
        nonce: int,
        messages: Sequence[Message],
        height: int,
        deadline_height: int = 0,
        detail: Mapping[str, Any] | None = None,
    ) -> SubmissionRecord:
        """Submit ``messages`` once under ``key`` (an existing record is only followed up).

        Raises
        ------
        ClientError
            If the transaction cannot be signed (node unreachable while learning the account
            sequence, account unknown): nothing was recorded, the caller may try again.
        """
        existing = self.state.get(key)
        if existing is not None:
            return self.follow(existing, height)
        raw, number = self._sign(messages)
        self._messages[key] = tuple(messages)
        now = self.clock()
        record = self.state.put(
            SubmissionRecord(
                key=key,
                kind=kind,
                topic_id=topic_id,
                nonce=nonce,
                status="signed",
                tx_hash=compute_tx_hash(raw),
                raw=base64.b64encode(raw).decode("ascii"),
                sequence=number,
                deadline_height=deadline_height,
                attempts=1,
                detail=dict(detail or {}),
                created_at=now,
                updated_at=now,
            )
        )
        emit(
            self.log,
            f"{kind}_signed",
            topic=topic_id,
            nonce=nonce or None,
            tx=record.tx_hash,
            sequence=number,
            **{k: v for k, v in (detail or {}).items() if isinstance(v, str | int | float)},
        )
        return self._broadcast(record, height)

    def _broadcast(self, record: SubmissionRecord, height: int) -> SubmissionRecord:
        raw = base64.b64decode(record.raw)
        try:
            result = self.client.broadcast(raw)
        except (NodeUnreachableError, NodeApiError) as exc:
            return self._save(record, reason=f"broadcast failed (will retry): {exc}")
        check = result.check
        if check.code == 0:
            sequence = self.wallet.sequence
            with sequence.lock:
                if sequence.is_synced and sequence.next_sequence == record.sequence:
                    sequence.advance()
            updated = self._save(record, status="submitted", broadcast_height=height, reason="")
            if record.status == "signed":
                emit(
                    self.log,
                    f"{record.kind}_submitted",
                    topic=record.topic_id,
                    nonce=record.nonce or None,
                    tx=record.tx_hash,
                )
            return updated
        if _is_in_mempool(check.code, check.codespace, check.log):
            return self._save(record, status="submitted", broadcast_height=height, reason="")
        if is_sequence_mismatch(check.code, check.codespace):
            return self._after_sequence_mismatch(record, height, check.log)
        return self._save(
            record,
            status="refused",
            code=check.code,
            codespace=check.codespace,
            reason=check.log,
            raw="",
        )

    def _after_sequence_mismatch(
        self, record: SubmissionRecord, height: int, log: str
    ) -> SubmissionRecord:
        found = self._lookup(record)
        if found is not None:
            return self._resolve(record, found)
        parsed = parse_sequence_mismatch(log)
        sequence = self.wallet.sequence
        if parsed is None:
            sequence.invalidate()
        else:
            with sequence.lock:
                if sequence.is_synced:
                    sequence.reset(parsed[0])
                else:
                    sequence.invalidate()
        # The old bytes cannot be included: their sequence is taken, or there is a gap before
        # them that this new signature fills. A pending record without its messages (read back
        # after a restart) cannot be re-signed: it expires instead.
        messages = self._messages.get(record.key)
        if messages is None or record.attempts > MAX_RESIGNS:
            return self._save(
                record,
                status="expired",
                reason=f"sequence mismatch and the tx cannot be re-signed: {log}",
                raw="",
            )
        raw, number = self._sign(messages)
        emit(
            self.log,
            f"{record.kind}_resigned",
            logging.WARNING,
            topic=record.topic_id,
            nonce=record.nonce or None,
            old_tx=record.tx_hash,
            sequence=number,
        )
        renewed = self._save(
            record,
            status="signed",
            tx_hash=compute_tx_hash(raw),
            raw=base64.b64encode(raw).decode("ascii"),
            sequence=number,
            attempts=record.attempts + 1,
        )
        return self._broadcast(renewed, height)

    # -- following up --------------------------------------------------------------------------

    def _lookup(self, record: SubmissionRecord) -> TxInfo | None:
        try:
            return self.client.tx(record.tx_hash)
        except NotFoundError:
            return None

    def _resolve(self, record: SubmissionRecord, info: TxInfo) -> SubmissionRecord:
        if info.result.code == 0:
            return self._save(record, status="accepted", height=info.height, reason="", raw="")
        return self._save(
            record,
            status="failed",
            height=info.height,
            code=info.result.code,
            codespace=info.result.codespace,
            reason=info.result.log,
            raw="",
        )

    def follow(self, record: SubmissionRecord, height: int) -> SubmissionRecord:
        """Move a pending record on: look it up, re-broadcast it, or declare it expired.

        Raises
        ------
        ClientError
            If the node cannot be reached (the record is unchanged).
        """
        if not record.is_pending:
            return record
        found = self._lookup(record)
        if found is not None:
            return self._resolve(record, found)
        past_deadline = record.deadline_height and height > record.deadline_height
        if past_deadline and height > record.deadline_height + EXPIRY_GRACE_BLOCKS:
            return self._save(
                record,
                status="expired",
                reason=f"not included before its window closed at height {record.deadline_height}",
                raw="",
            )
        if past_deadline:
            return record
        if (
            record.status == "signed"
            or height - record.broadcast_height >= REBROADCAST_AFTER_BLOCKS
        ):
            return self._broadcast(record, height)
        return record


# ---------------------------------------------------------------------------------------------
# Topics


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicInfo:
    """What an agent needs of a topic (PROTOCOL.md §2.2)."""

    topic_id: int
    metadata: str = ""
    loss_method: str = "mse"
    allow_negative: bool = False
    epoch_length: int = 0
    worker_submission_window: int = 0
    ground_truth_lag: int = 0

    @classmethod
    def from_json(cls, topic_id: int, answer: Mapping[str, Any]) -> TopicInfo:
        """From the node's ``GET /v1/topics/{id}`` result (proto-JSON topic)."""
        topic = answer.get("topic") or {}
        return cls(
            topic_id=topic_id,
            metadata=str(topic.get("metadata", "")),
            loss_method=str(topic.get("loss_method") or "mse"),
            allow_negative=bool(topic.get("allow_negative", False)),
            epoch_length=_int(topic.get("epoch_length")),
            worker_submission_window=_int(topic.get("worker_submission_window")),
            ground_truth_lag=_int(topic.get("ground_truth_lag")),
        )


# ---------------------------------------------------------------------------------------------
# The loop


class AgentLoop:
    """The shared loop (module docstring); workers and reputers implement :meth:`tick`.

    Parameters
    ----------
    settings
        Node, key, state directory, fees, poll interval.
    wallet
        The signing key.
    client
        A client of the node (default: one for ``settings.node``).
    log
        Logger of progress lines.
    """

    role: str = "agent"
    event_types: tuple[str, ...] = ("block", "window_opened")

    def __init__(
        self,
        settings: AgentSettings,
        wallet: Wallet,
        *,
        client: Client | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self.settings = settings
        self.wallet = wallet
        self.address = wallet.address
        self.client = client or Client(settings.node, timeout=30.0)
        self.log = log or logging.getLogger(f"pyallora.agents.{self.role}")
        self.state = AgentState(settings.state_dir, address=self.address)
        self.status = StatusFile(settings.state_dir / STATUS_FILE)
        self.submitter = Submitter(
            self.client, wallet, self.state, settings, log=self.log, on_resolved=self.on_resolved
        )
        self.height = 0
        """The last committed height seen."""
        self.node_error: str | None = None
        self.node_error_since: float | None = None
        self.started_at = time.time()
        self.last_event_at: float | None = None
        self.ticks = 0
        self._node_backoff = Backoff(initial=1.0, maximum=30.0)
        self._subscription: EventSubscription | None = None
        self._stream_retry_at = 0.0
        self._chain_checked = False
        self._lock = StateLock(settings.state_dir)
        self._registered: set[int] = set()
        self._topics: dict[int, tuple[int, TopicInfo]] = {}

    # -- subclass interface ---------------------------------------------------------------------

    def tick(self) -> None:
        """Look at the chain and act (called after each block, or each poll)."""
        raise NotImplementedError

    def topic_status(self) -> dict[str, Any]:
        """Per-topic live status for the status file (subclasses add theirs)."""
        return {}

    def on_resolved(self, record: SubmissionRecord) -> None:
        """Called when a submission reaches a final status."""

    # -- shared steps ---------------------------------------------------------------------------

    def topic_info(self, topic_id: int) -> TopicInfo:
        """The topic's parameters (read again every :data:`TOPIC_REFRESH_TICKS` ticks).

        Raises
        ------
        ClientError
            If the node cannot answer (404: no such topic).
        """
        cached = self._topics.get(topic_id)
        if cached is not None and self.ticks - cached[0] < TOPIC_REFRESH_TICKS:
            return cached[1]
        info = TopicInfo.from_json(topic_id, self.client.topic(topic_id))
        self._topics[topic_id] = (self.ticks, info)
        return info

    def is_registered(self, topic_id: int) -> bool:
        """Whether the node says this agent is registered in the topic in its role."""
        answer = self.client.get(f"/v1/topics/{int(topic_id)}/registrations/{self.address}")
        return bool((answer.get("result") or {}).get(self.role))

    def forget_registration(self, topic_id: int) -> None:
        """Ask the node again at the next tick (after a "not registered" refusal)."""
        self._registered.discard(topic_id)

    def ensure_registered(self, topic_id: int) -> bool:
        """Whether the agent is registered in the topic; registers it when it is not
        (PROTOCOL.md §3.2: one Register per role and topic, fee ``registration_fee``).

        Returns ``False`` while a registration is on its way (or failed recently: it is
        retried after :data:`SETUP_RETRY_SECONDS`).

        Raises
        ------
        ClientError
            If the node cannot answer.
        """
        if topic_id in self._registered:
            return True
        key = f"register:{self.role}:{topic_id}"
        record = self.state.get(key)
        if record is not None and record.is_pending:
            record = self.submitter.follow(record, self.height)
            if record.is_pending:
                return False
        if self.is_registered(topic_id):
            self._registered.add(topic_id)
            return True
        if record is not None:
            if time.time() - record.updated_at < SETUP_RETRY_SECONDS:
                return False
            self.state.forget(key)
        emit(self.log, "registering", topic=topic_id, role=self.role)
        message = tx_pb2.RegisterRequest(
            sender=self.address,
            topic_id=topic_id,
            owner=self.address,
            is_reputer=self.role == "reputer",
        )
        self.submitter.submit(
            key=key,
            kind="register",
            topic_id=topic_id,
            nonce=0,
            messages=[message],
            height=self.height,
        )
        return False

    # -- running --------------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, max_ticks: int | None = None) -> None:
        """Run until ``stop`` is set (or ``max_ticks`` ticks were made).

        Raises
        ------
        AgentStateError
            If another agent runs on the same state directory.
        AgentConfigError
            If the node belongs to another chain than the configured one.
        """
        self._lock.acquire()
        emit(
            self.log,
            f"{self.role}_started",
            address=self.address,
            node=self.settings.node,
            state=str(self.settings.state_dir),
        )
        try:
            while not stop.is_set():
                self._wait_for_trigger(stop)
                if stop.is_set():
                    break
                self.step()
                if max_ticks is not None and self.ticks >= max_ticks:
                    break
        finally:
            self._close_stream()
            self._write_status(state="stopped")
            self._lock.release()
            emit(self.log, f"{self.role}_stopped", address=self.address)

    def step(self) -> None:
        """One tick with the loop's error handling (an unreachable node is noted and backed
        off, the status file rewritten): what :meth:`run` does after each trigger."""
        if not self._node_backoff.is_ready:
            self._write_status()
            return
        try:
            status = self.client.status()
            if not self._chain_checked:
                if self.settings.chain_id and status.chain_id != self.settings.chain_id:
                    raise AgentConfigError(
                        f"the node at {self.settings.node} serves chain {status.chain_id!r}, "
                        f"not {self.settings.chain_id!r}"
                    )
                self._chain_checked = True
            self.height = status.height
            self.tick()
        except (NodeUnreachableError, NodeApiError) as exc:
            self._node_failed(exc)
        else:
            self._node_ok()
        self.ticks += 1
        self._write_status()

    def _node_failed(self, exc: ClientError) -> None:
        delay = self._node_backoff.failed()
        if self.node_error is None:
            self.node_error_since = time.time()
            emit(self.log, "node_unreachable", logging.WARNING, error=str(exc), retry_in=delay)
        self.node_error = str(exc)

    def _node_ok(self) -> None:
        self._node_backoff.succeeded()
        if self.node_error is not None:
            emit(self.log, "node_reachable", height=self.height)
        self.node_error = None
        self.node_error_since = None

    # -- the event stream ----------------------------------------------------------------------

    def _open_stream(self) -> EventSubscription:
        return EventSubscription(
            self.client.events_url(),
            types=self.event_types,
            reconnect=True,
            max_retries=STREAM_CONNECT_ATTEMPTS,
            open_timeout=min(10.0, max(1.0, self.settings.poll_interval * 2)),
        )

    def _close_stream(self) -> None:
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            with contextlib.suppress(Exception):
                subscription.close()

    def _wait_for_trigger(self, stop: threading.Event) -> None:
        """Return after the next block event, or after ``poll_interval`` without one."""
        interval = self.settings.poll_interval
        deadline = time.monotonic() + interval
        if self._subscription is None and time.monotonic() >= self._stream_retry_at:
            self._subscription = self._open_stream()
        subscription = self._subscription
        if subscription is None:
            stop.wait(interval)
            return
        try:
            event = subscription.next_event(timeout=interval)
        except TimeoutError:
            # Also raised at once while the node is down: never spin faster than the interval.
            stop.wait(max(0.0, deadline - time.monotonic()))
            return
        except (ClientError, OSError, WebSocketException) as exc:
            # Refused (no event stream on this node), closed, or unreachable for a while:
            # poll, and retry the stream later.
            self._close_stream()
            self._stream_retry_at = time.monotonic() + STREAM_RETRY_SECONDS
            emit(self.log, "stream_unavailable", logging.WARNING, error=str(exc) or repr(exc))
            stop.wait(max(0.0, deadline - time.monotonic()))
            return
        if self.last_event_at is None:
            emit(self.log, "stream_connected", url=self.client.events_url())
        self._note_event(event)
        for _ in range(MAX_DRAIN):
            try:
                self._note_event(subscription.next_event(timeout=0))
            except (TimeoutError, ClientError, OSError, WebSocketException):
                break

    @property
    def mode(self) -> str:
        """``stream`` while events arrive, else ``polling`` (the fallback)."""
        quiet = max(30.0, 5 * self.settings.poll_interval)
        if self.last_event_at is not None and time.time() - self.last_event_at < quiet:
            return "stream"
        return "polling"

    def _note_event(self, event: ChainEvent) -> None:
        self.last_event_at = time.time()
        # The stream answers again: the node is back, no need to sit out the backoff.
        self._node_backoff.succeeded()
        if event.type == "block":
            self.height = max(self.height, event.height)

    # -- status ---------------------------------------------------------------------------------

    def _write_status(self, *, state: str = "running") -> None:
        records = self.state.records()
        self.status.write(
            {
                "role": self.role,
                "address": self.address,
                "pid": os.getpid(),
                "config": str(self.settings.config_path),
                "node": self.settings.node,
                "state": state,
                "mode": self.mode,
                "started_at": self.started_at,
                "updated_at": time.time(),
                "poll_interval": self.settings.poll_interval,
                "height": self.height,
                "ticks": self.ticks,
                "node_error": self.node_error,
                "node_error_since": self.node_error_since,
                "pending": [r.key for r in records if r.is_pending],
                "topics": self.topic_status(),
            }
        )


def configure_agent_logging(
    *, json_lines: bool = False, verbose: bool = False, stream: IO[str] | None = None
) -> logging.Handler:
    """Print the agents' log lines (``pyallora.agents.*``) on ``stream`` (default stdout).

    Returns the installed handler (remove it with ``logging.getLogger("pyallora.agents")
    .removeHandler(handler)``).
    """
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(AgentLogFormatter(json_lines=json_lines))
    root = logging.getLogger("pyallora.agents")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False
    return handler


def run_until_signalled(loop: AgentLoop) -> None:
    """Run an agent in this (main) thread until SIGINT or SIGTERM, then stop it cleanly.

    Raises
    ------
    AgentStateError, AgentConfigError
        As :meth:`AgentLoop.run`.
    """
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        emit(loop.log, "stopping", signal=signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        loop.run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
