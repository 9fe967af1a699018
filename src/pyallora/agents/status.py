"""Is it working? The status file a running agent keeps, and the report built from it.

A running worker or reputer rewrites ``<state_dir>/status.json`` after every tick (atomic
replace): process id, heartbeat time, whether events arrive (``stream``) or it polls, the
last height seen, whether the node answers (and since when it does not), pending
submissions, and per topic what it saw last (registration, window, last error). Its
submissions are in ``<state_dir>/state.json`` (:mod:`pyallora.agents.runtime`).

:func:`build_status_report` (``allora worker status`` / ``allora reputer status``) combines
both files with what the node says now (balance, registration, stake, the next window) and
answers with a verdict:

* ``working``: running, the node answers, and the last finished submission was accepted;
* ``waiting``: running and healthy, nothing submitted yet (no window opened since start);
* ``degraded``: running, but something needs attention (each listed under ``problems``:
  node unreachable, last submission refused/failed/skipped/expired and why, not registered,
  stake below target or minimum, balance too low for the fees);
* ``not running``: no status file, a clean stop, or a dead process / stale heartbeat.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from pyallora.client.client import Client
from pyallora.client.errors import ClientError

__all__ = [
    "StatusFile",
    "StatusReport",
    "TopicReport",
    "build_status_report",
    "format_status_report",
    "is_process_alive",
]

STALE_AFTER_MIN: Final = 60.0
"""Heartbeats older than this (or 10 poll intervals, whichever is longer) mean the agent is
not running."""

_PROBLEM_STATUSES: Final = frozenset({"refused", "failed", "skipped", "expired"})


class StatusFile:
    """``status.json`` of a running agent (atomic writes, tolerant reads)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def write(self, data: Mapping[str, Any]) -> None:
        """Replace the file's content."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True, default=str))
        os.replace(temporary, self.path)

    def read(self) -> dict[str, Any] | None:
        """The content, or ``None`` if there is no readable status file."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None


def is_process_alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicReport:
    """One topic of the report."""

    topic_id: int
    registered: bool | None = None
    """``None`` when the node could not be asked."""
    stake: int | None = None
    """Self-stake (reputers)."""
    stake_target: int | None = None
    next_window: str | None = None
    last_submission: dict[str, Any] | None = None
    last_accepted: dict[str, Any] | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """The answer to "is it working?" (module docstring)."""

    role: str
    address: str
    verdict: str
    running: bool
    problems: tuple[str, ...] = ()
    pid: int | None = None
    mode: str | None = None
    heartbeat_age: float | None = None
    node: str = ""
    node_reachable: bool | None = None
    height: int | None = None
    balance: int | None = None
    pending: tuple[str, ...] = ()
    topics: tuple[TopicReport, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


def _records_by_topic(state_path: Path) -> dict[int, list[dict[str, Any]]]:
    try:
        document = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    for record in (document.get("records") or {}).values():
        if isinstance(record, dict):
            found.setdefault(int(record.get("topic_id", 0)), []).append(record)
    return found


def _latest(records: Sequence[dict[str, Any]], kinds: Sequence[str]) -> dict[str, Any] | None:
    chosen = [r for r in records if r.get("kind") in kinds and r.get("status") != "signed"]
    chosen += [r for r in records if r.get("kind") in kinds and r.get("status") == "signed"]
    if not chosen:
        return None
    best = max(chosen, key=lambda r: (int(r.get("nonce", 0)), float(r.get("updated_at", 0))))
    return {key: value for key, value in best.items() if key != "raw"}


def _describe_record(record: Mapping[str, Any]) -> str:
    text = f"{record.get('kind')} for nonce {record.get('nonce')} {record.get('status')}"
    if record.get("code"):
        text += f" (code {record.get('codespace')}:{record.get('code')})"
    if record.get("reason"):
        text += f": {record.get('reason')}"
    return text


def _worker_window(windows: Mapping[str, Any], handled: set[int]) -> str:
    end = int(windows.get("next_epoch_end") or 0)
    following = (
        f"next worker nonce opens at height {end}"
        if end
        else "no epoch end scheduled (the topic is inactive)"
    )
    for window in windows.get("worker_nonces") or ():
        if window.get("open_now"):
            nonce, last = int(window["nonce"]), int(window["closes_at"]) - 1
            if nonce in handled:
                return f"worker nonce {nonce} (open until height {last}) handled; {following}"
            return f"worker nonce {nonce} open now, until height {last}"
    return following


def _reputer_window(windows: Mapping[str, Any], handled: set[int]) -> str:
    nonces = sorted(windows.get("reputer_nonces") or (), key=lambda w: int(w["nonce"]))
    open_now = [w for w in nonces if w.get("open_now")]
    if open_now:
        nonce, last = int(open_now[0]["nonce"]), int(open_now[0]["closes_by"])
        if nonce not in handled:
            return f"reputer nonce {nonce} open now, until height {last}"
    upcoming = [
        int(w["opens_at"]) for w in nonces if int(w["opens_at"]) > int(windows["next_height"])
    ]
    end = int(windows.get("next_epoch_end") or 0)
    if upcoming:
        following = f"next reputer nonce opens at height {min(upcoming)}"
    elif end:
        following = f"the next reputer nonce follows the worker nonce of height {end}"
    else:
        following = "no reputer nonce pending (the topic is inactive)"
    if open_now:
        return f"reputer nonce {open_now[0]['nonce']} handled; {following}"
    return following


def build_status_report(
    *,
    role: str,
    address: str,
    state_dir: Path,
    node: str,
    topics: Sequence[tuple[int, int | None]],
    client: Client | None = None,
    now: float | None = None,
) -> StatusReport:
    """Combine the status and state files with the node's view (module docstring).

    Parameters
    ----------
    role
        ``worker`` or ``reputer``.
    address
        The agent's address.
    state_dir
        The agent's state directory.
    node
        The node URL to ask.
    topics
        ``(topic id, stake target or None)`` per configured topic.
    client
        A client to use (default: one for ``node``, closed afterwards).
    now
        The time (tests).
    """
    now = time.time() if now is None else now
    status = StatusFile(state_dir / "status.json").read() or {}
    records = _records_by_topic(state_dir / "state.json")
    problems: list[str] = []
    pid = int(status["pid"]) if status.get("pid") else None
    heartbeat = float(status.get("updated_at") or 0) or None
    age = None if heartbeat is None else max(0.0, now - heartbeat)
    poll = float(status.get("poll_interval") or 0)
    stale_after = max(STALE_AFTER_MIN, 10 * poll)
    running = (
        status.get("state") == "running"
        and pid is not None
        and is_process_alive(pid)
        and age is not None
        and age <= stale_after
    )
    if not status:
        problems.append(f"the {role} has never run with this state directory ({state_dir})")
    elif status.get("state") == "stopped":
        problems.append(f"the {role} was stopped")
    elif not running:
        problems.append(
            f"the {role} is not running (process {pid} gone or no heartbeat for "
            f"{0 if age is None else round(age)} s)"
        )
    if running and status.get("node_error"):
        problems.append(f"the {role} cannot reach the node: {status['node_error']}")

    owned = client is None
    client = client or Client(node, timeout=10.0)
    reachable: bool | None = None
    height: int | None = None
    balance: int | None = None
    topic_reports: list[TopicReport] = []
    live_topics: Mapping[str, Any] = status.get("topics") or {}
    try:
        try:
            height = client.status().height
            balance = client.balance(address)
            reachable = True
        except ClientError as exc:
            reachable = False
            problems.append(f"the node at {node} does not answer: {exc}")
        for topic_id, stake_target in topics:
            topic_reports.append(
                _topic_report(
                    client if reachable else None,
                    role=role,
                    address=address,
                    topic_id=topic_id,
                    stake_target=stake_target,
                    records=records.get(topic_id, []),
                    live=live_topics.get(str(topic_id)) or {},
                    problems=problems,
                )
            )
    finally:
        if owned:
            client.close()

    last_final = [
        t.last_submission
        for t in topic_reports
        if t.last_submission and t.last_submission.get("status") not in ("signed", "submitted")
    ]
    if not running:
        verdict = "not running"
    elif problems:
        verdict = "degraded"
    elif any(r.get("status") == "accepted" for r in last_final):
        verdict = "working"
    else:
        verdict = "waiting"
    return StatusReport(
        role=role,
        address=address,
        verdict=verdict,
        running=running,
        problems=tuple(problems),
        pid=pid,
        mode=status.get("mode") if running else None,
        heartbeat_age=None if age is None else round(age, 1),
        node=node,
        node_reachable=reachable,
        height=height,
        balance=balance,
        pending=tuple(status.get("pending") or ()),
        topics=tuple(topic_reports),
    )


def _topic_report(
    client: Client | None,
    *,
    role: str,
    address: str,
    topic_id: int,
    stake_target: int | None,
    records: Sequence[dict[str, Any]],
    live: Mapping[str, Any],
    problems: list[str],
) -> TopicReport:
    kinds = ("inference", "forecast") if role == "worker" else ("losses",)
    last = _latest(records, kinds)
    accepted = _latest([r for r in records if r.get("status") == "accepted"], kinds)
    if last is not None and last.get("status") in _PROBLEM_STATUSES:
        problems.append(f"topic {topic_id}: last {_describe_record(last)}")
    registered: bool | None = None
    stake: int | None = None
    next_window: str | None = None
    if client is not None:
        try:
            answer = client.get(f"/v1/topics/{topic_id}/registrations/{address}")
            registered = bool((answer.get("result") or {}).get(role))
            windows = client.windows(topic_id, address)
            handled = {int(r.get("nonce", 0)) for r in records if r.get("kind") in kinds}
            describe = _worker_window if role == "worker" else _reputer_window
            next_window = describe(windows, handled)
            if role == "reputer":
                stake = int(client.reputer_stake(topic_id, address).get("self") or 0)
                reasons = (windows.get("eligibility") or {}).get("reasons") or []
                problems.extend(
                    f"topic {topic_id}: {reason}" for reason in reasons if "stake" in reason
                )
        except ClientError as exc:
            problems.append(f"topic {topic_id}: the node could not tell: {exc}")
    if registered is False:
        problems.append(f"topic {topic_id}: {address} is not registered as a {role}")
    if stake is not None and stake_target and stake < stake_target:
        problems.append(f"topic {topic_id}: self-stake {stake} uallo is below the target")
    last_error = live.get("last_error")
    if last_error:
        problems.append(f"topic {topic_id}: {last_error}")
    return TopicReport(
        topic_id=topic_id,
        registered=registered,
        stake=stake,
        stake_target=stake_target,
        next_window=next_window,
        last_submission=last,
        last_accepted=accepted,
        last_error=last_error,
    )


def _when(record: Mapping[str, Any] | None) -> str:
    if not record:
        return "none"
    text = _describe_record(record)
    if record.get("height"):
        text += f" at height {record['height']}"
    stamp = float(record.get("updated_at") or 0)
    if stamp:
        text += time.strftime(" (%Y-%m-%d %H:%M:%S)", time.localtime(stamp))
    return text


def format_status_report(report: StatusReport) -> str:
    """The report as readable text."""
    lines = [
        f"{report.role} {report.address}: {report.verdict.upper()}",
        f"  process:  {'running, pid ' + str(report.pid) if report.running else 'not running'}"
        + (f", {report.mode}" if report.mode else "")
        + (f", heartbeat {report.heartbeat_age} s ago" if report.heartbeat_age is not None else ""),
        f"  node:     {report.node} "
        + ("(unreachable)" if report.node_reachable is False else f"(height {report.height})"),
        f"  balance:  {'?' if report.balance is None else str(report.balance) + ' uallo'}",
    ]
    if report.pending:
        lines.append(f"  pending:  {', '.join(report.pending)}")
    for topic in report.topics:
        lines.append(f"  topic {topic.topic_id}:")
        registered = {True: "yes", False: "NO", None: "?"}[topic.registered]
        lines.append(f"    registered:      {registered}")
        if report.role == "reputer":
            stake = "?" if topic.stake is None else f"{topic.stake} uallo"
            target = f" (target {topic.stake_target})" if topic.stake_target else ""
            lines.append(f"    self-stake:      {stake}{target}")
        lines.append(f"    last submission: {_when(topic.last_submission)}")
        lines.append(f"    last accepted:   {_when(topic.last_accepted)}")
        lines.append(f"    next window:     {topic.next_window or '?'}")
        if topic.last_error:
            lines.append(f"    last error:      {topic.last_error}")
    if report.problems:
        lines.append("  problems:")
        lines.extend(f"    - {problem}" for problem in report.problems)
    return "\n".join(lines)
