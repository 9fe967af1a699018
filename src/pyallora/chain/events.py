"""Events: Cosmos typed events and the per-transaction collector (PROTOCOL.md App. B).

Two forms exist, both carried as :class:`~pyallora.chain.abci_types.Event`:

* **typed events** (what the Allora modules emit): ``type`` is the full protobuf name of the
  event message (``emissions.v4.EventScoresSet``) and each top-level field of the message is an
  attribute whose value is that field's **proto-JSON** (64-bit integers as quoted strings,
  hence the ``topic_id='"1"'`` of CometBFT subscriptions, INFRA.md §9.3). Attributes come in
  field-name order, as the SDK sorts them. Block-level events add ``mode=BeginBlock`` or
  ``mode=EndBlock`` (plain text);
* **plain events** of the standard modules (bank ``transfer``, ``coin_spent`` …) whose values
  are plain strings (``"100uallo"``).

Events are not hashed into consensus in ABCI 0.38 (INFRA.md §4.7), but clients depend on
them, so they are produced deterministically all the same.

>>> make_typed_event("mint.v3.EventEcosystemTokenMintSet",
...                  {"block_height": "7", "token_amount": "5"}).attributes
(('block_height', '"7"'), ('token_amount', '"5"'))
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol

from google.protobuf import json_format
from google.protobuf.message import Message

from pyallora.chain.abci_types import Event

MODE_BEGIN_BLOCK: Final = "BeginBlock"
"""Value of the ``mode`` attribute of events emitted by begin-block hooks."""

MODE_END_BLOCK: Final = "EndBlock"
"""Value of the ``mode`` attribute of events emitted by end-block hooks."""


def encode_attribute_json(value: Any) -> str:
    """Compact JSON text of one attribute value.

    >>> encode_attribute_json(["a", "1"])
    '["a","1"]'
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def make_typed_event(type_name: str, fields: Mapping[str, Any]) -> Event:
    """A typed event from a proto full name and its fields in proto-JSON form.

    Parameters
    ----------
    type_name
        Full protobuf name of the event message, without a leading slash.
    fields
        Field name (proto ``snake_case``) -> proto-JSON value (strings for 64-bit integers
        and decimals, lists for repeated fields).
    """
    return Event(
        type=type_name,
        attributes=tuple((name, encode_attribute_json(fields[name])) for name in sorted(fields)),
    )


def make_event_from_proto(message: Message) -> Event:
    """The typed event of a protobuf event message (every field present, defaults included)."""
    fields = json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )
    return make_typed_event(message.DESCRIPTOR.full_name, fields)


def make_event(type_name: str, attributes: Iterable[tuple[str, str]]) -> Event:
    """A plain event with string attributes, in the given order."""
    return Event(type=type_name, attributes=tuple(attributes))


def with_mode(event: Event, mode: str) -> Event:
    """The event with a trailing ``mode`` attribute (``BeginBlock`` or ``EndBlock``)."""
    return Event(type=event.type, attributes=(*event.attributes, ("mode", mode)))


class EventCollector:
    """An append-only list of events for one execution scope (a message, the ante, a hook).

    A scope whose changes are dropped drops its collector too, so a failed message leaves no
    events behind.
    """

    __slots__ = ("_events",)

    def __init__(self) -> None:
        self._events: list[Event] = []

    def emit(self, event: Event) -> None:
        """Record ``event``."""
        self._events.append(event)

    def emit_typed(self, type_name: str, fields: Mapping[str, Any]) -> None:
        """Record a typed event (see :func:`make_typed_event`)."""
        self._events.append(make_typed_event(type_name, fields))

    def emit_proto(self, message: Message) -> None:
        """Record the typed event of a protobuf event message."""
        self._events.append(make_event_from_proto(message))

    def extend(self, events: Iterable[Event]) -> None:
        """Record several events in order."""
        self._events.extend(events)

    @property
    def events(self) -> tuple[Event, ...]:
        """Everything recorded so far, in order."""
        return tuple(self._events)


class Tracer(Protocol):
    """Observer of block execution (for tools and debugging; never changes the result)."""

    def on_tx_result(self, height: int, index: int, tx_hash: bytes, code: int) -> None:
        """A transaction of block ``height`` finished with ``code``."""
        ...

    def on_block_end(self, height: int, app_hash: bytes) -> None:
        """A block was finalized with ``app_hash``."""
        ...


class NullTracer:
    """The default tracer: does nothing."""

    __slots__ = ()

    def on_tx_result(self, height: int, index: int, tx_hash: bytes, code: int) -> None:
        """Nothing."""

    def on_block_end(self, height: int, app_hash: bytes) -> None:
        """Nothing."""
