"""The live event stream: websocket ``/v1/events?from_height=H&types=...&topic_id=T``.

On connect the server sends ``{"type": "hello", "from_height", "earliest_height",
"latest_height", "chain_id"}``, then replays the stream messages of every recorded block from
``from_height`` (default: only new blocks) up to the latest, then streams each new block's
messages as it is committed (message shapes: :mod:`pyallora.node.events`). Filters:
``types`` (comma-separated stream types) and ``topic_id`` (messages that name a topic must
name this one; ``block`` and ``tx`` messages always pass).

A client that reconnects asks for ``from_height = last height it fully received + 1`` (or
the height of a partly received block, dropping messages with a ``seq`` it has seen). Bad
parameters get an ``{"type": "error", "detail": ...}`` message and close code 1008; a
subscriber that falls more than :data:`~pyallora.node.events.SUBSCRIBER_QUEUE_SIZE`
messages behind gets ``{"type": "resume", "from_height": H}`` and close code 1013, and
resumes from there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection
from typing import Any, Final

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from pyallora.node.api.backend import Backend
from pyallora.node.api.deps import MAX_INT64, MAX_UINT64
from pyallora.node.events import STREAM_TYPES, StreamEvent

router = APIRouter(prefix="/v1")

CLOSE_POLICY_VIOLATION: Final = 1008
"""Close code for bad parameters."""

CLOSE_TRY_AGAIN: Final = 1013
"""Close code for a subscriber that fell behind (resume from the height sent)."""

CLOSE_GOING_AWAY: Final = 1001
"""Close code when the node stops."""


class _BadParameter(ValueError):
    pass


def _parse_int(name: str, text: str | None, low: int, high: int) -> int | None:
    if text is None or text == "":
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise _BadParameter(f"{name} must be an integer between {low} and {high}")
    value = int(text)
    if not low <= value <= high:
        raise _BadParameter(f"{name} must be an integer between {low} and {high}")
    return value


def _parse_types(text: str | None) -> frozenset[str]:
    if text is None or text == "":
        return frozenset(STREAM_TYPES)
    wanted = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(wanted - frozenset(STREAM_TYPES))
    if unknown or not wanted:
        raise _BadParameter(f"unknown event types {unknown}; choose from {', '.join(STREAM_TYPES)}")
    return wanted


def is_wanted(event: StreamEvent, types: Collection[str], topic_id: int | None) -> bool:
    """Whether ``event`` passes the subscription's filters."""
    if event.type not in types:
        return False
    if topic_id is None:
        return True
    if "topic_id" in event.data:
        return bool(event.data["topic_id"] == topic_id)
    if "topic_ids" in event.data:
        return topic_id in event.data["topic_ids"]
    return True


async def _watch_disconnect(websocket: WebSocket, gone: asyncio.Event) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    gone.set()


async def _close(websocket: WebSocket, code: int, payload: dict[str, Any] | None) -> None:
    if websocket.application_state != WebSocketState.CONNECTED:
        return
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        if payload is not None:
            await websocket.send_json(payload)
        await websocket.close(code=code)


@router.websocket("/events")
async def stream_events(websocket: WebSocket) -> None:
    """Replay from ``from_height``, then stream live (module docstring)."""
    backend: Backend = websocket.app.state.backend
    log = backend.event_log
    await websocket.accept()
    params = websocket.query_params
    try:
        unknown = sorted(set(params) - {"from_height", "types", "topic_id"})
        if unknown:
            raise _BadParameter(f"unknown parameters {unknown}")
        from_height = _parse_int("from_height", params.get("from_height"), 0, MAX_INT64)
        topic_id = _parse_int("topic_id", params.get("topic_id"), 1, MAX_UINT64)
        types = _parse_types(params.get("types"))
    except _BadParameter as exc:
        await _close(websocket, CLOSE_POLICY_VIOLATION, {"type": "error", "detail": str(exc)})
        return
    subscription = log.subscribe()
    gone = asyncio.Event()
    watcher = asyncio.create_task(_watch_disconnect(websocket, gone))
    try:
        latest = log.latest_height
        start = latest + 1 if from_height is None else max(from_height, 1)
        await websocket.send_json(
            {
                "type": "hello",
                "from_height": start,
                "earliest_height": log.earliest_height,
                "latest_height": latest,
                "chain_id": backend.chain_id,
            }
        )
        resume_from = start
        for event in log.replay(start, latest):
            if gone.is_set():
                return
            if is_wanted(event, types, topic_id):
                await websocket.send_json(event.to_json())
            resume_from = event.height
        while not gone.is_set():
            getter = asyncio.ensure_future(subscription.get())
            waiter = asyncio.ensure_future(gone.wait())
            done, _ = await asyncio.wait({getter, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if getter not in done:
                getter.cancel()
                return
            received = getter.result()
            if received is None:
                if subscription.overflowed and not subscription.closing:
                    await _close(
                        websocket,
                        CLOSE_TRY_AGAIN,
                        {"type": "resume", "from_height": resume_from},
                    )
                else:
                    await _close(websocket, CLOSE_GOING_AWAY, None)
                return
            if received.height <= latest:
                continue
            if is_wanted(received, types, topic_id):
                await websocket.send_json(received.to_json())
            resume_from = received.height
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        subscription.close()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
