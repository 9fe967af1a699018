"""Registration stores (PROTOCOL.md §2.4): who is a worker or reputer of which topic, and
the node info of each address.

Registration is keyed by the *sender* (the node key); ``owner`` is informational. Node info
is global, last registration wins, and is never deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from pyallora.chain.emissions import schema
from pyallora.chain.emissions.keys import UNIT_VALUE
from pyallora.chain.store.collections import ADDRESS_KEY, UINT64_KEY, Map, PairKey, ProtoValue
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.proto.emissions.v3 import types_pb2

_TOPIC_ACTOR: Final = PairKey(UINT64_KEY, ADDRESS_KEY)

TOPIC_WORKERS: Final = Map(schema.TOPIC_WORKERS, _TOPIC_ACTOR, UNIT_VALUE)
TOPIC_REPUTERS: Final = Map(schema.TOPIC_REPUTERS, _TOPIC_ACTOR, UNIT_VALUE)
WORKER_NODES: Final = Map(schema.WORKER_NODES, ADDRESS_KEY, ProtoValue(types_pb2.OffchainNode))
REPUTER_NODES: Final = Map(schema.REPUTER_NODES, ADDRESS_KEY, ProtoValue(types_pb2.OffchainNode))


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeInfo:
    """``emissions.v3.OffchainNode``: the registering address and its declared owner."""

    owner: str
    node_address: str


def _registry(*, is_reputer: bool) -> Map[tuple[int, str], None]:
    return TOPIC_REPUTERS if is_reputer else TOPIC_WORKERS


def _nodes(*, is_reputer: bool) -> Map[str, types_pb2.OffchainNode]:
    return REPUTER_NODES if is_reputer else WORKER_NODES


def is_registered(store: ReadableKVStore, topic_id: int, address: str, *, is_reputer: bool) -> bool:
    """Whether ``address`` is registered in the topic in that role."""
    return _registry(is_reputer=is_reputer).has(store, (topic_id, address))


def is_worker_registered(store: ReadableKVStore, topic_id: int, address: str) -> bool:
    """Whether ``address`` is a registered worker of the topic."""
    return is_registered(store, topic_id, address, is_reputer=False)


def is_reputer_registered(store: ReadableKVStore, topic_id: int, address: str) -> bool:
    """Whether ``address`` is a registered reputer of the topic."""
    return is_registered(store, topic_id, address, is_reputer=True)


def set_registered(store: KVStore, topic_id: int, address: str, *, is_reputer: bool) -> None:
    """Add ``address`` to the role's registry of the topic."""
    _registry(is_reputer=is_reputer).set(store, (topic_id, address), None)


def delete_registered(store: KVStore, topic_id: int, address: str, *, is_reputer: bool) -> None:
    """Remove ``address`` from the role's registry of the topic."""
    _registry(is_reputer=is_reputer).delete(store, (topic_id, address))


def iterate_registered(
    store: ReadableKVStore, *, is_reputer: bool, topic_id: int | None = None
) -> Iterator[tuple[int, str]]:
    """``(topic_id, address)`` of the role's registrations (of one topic if given)."""
    prefix = b"" if topic_id is None else _TOPIC_ACTOR.encode_prefix(topic_id)
    return _registry(is_reputer=is_reputer).keys(store, key_prefix=prefix)


def get_node_info(store: ReadableKVStore, address: str, *, is_reputer: bool) -> NodeInfo | None:
    """The node info of ``address`` in that role, or ``None``."""
    stored = _nodes(is_reputer=is_reputer).get(store, address)
    if stored is None:
        return None
    return NodeInfo(owner=stored.owner, node_address=stored.node_address)


def set_node_info(store: KVStore, address: str, info: NodeInfo, *, is_reputer: bool) -> None:
    """Store the node info of ``address`` in that role."""
    _nodes(is_reputer=is_reputer).set(
        store, address, types_pb2.OffchainNode(owner=info.owner, node_address=info.node_address)
    )


def iterate_node_infos(
    store: ReadableKVStore, *, is_reputer: bool
) -> Iterator[tuple[str, NodeInfo]]:
    """``(address, info)`` of the role's node infos, by address."""
    for address, stored in _nodes(is_reputer=is_reputer).iterate(store):
        yield address, NodeInfo(owner=stored.owner, node_address=stored.node_address)
