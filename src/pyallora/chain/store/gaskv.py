"""A gas-metered view of a store: every read, write and iteration step costs gas.

The costs are the Cosmos SDK's ``KVGasConfig`` (flat cost per operation plus a cost per byte
of key and value), so a transaction's ``gas_used`` is a deterministic function of what it
touched. Transactions run against a :class:`GasKVStore`; genesis and block hooks run
unmetered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Protocol

from pyallora.chain.store.kv import KVStore


class GasConsumer(Protocol):
    """Something that counts gas (:class:`pyallora.chain.context.GasMeter`)."""

    def consume(self, amount: int, descriptor: str) -> None:
        """Add ``amount`` gas; raise when over the limit."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class KVGasConfig:
    """Gas prices of store operations."""

    has_cost: int = 1000
    delete_cost: int = 1000
    read_cost_flat: int = 1000
    read_cost_per_byte: int = 3
    write_cost_flat: int = 2000
    write_cost_per_byte: int = 30
    iter_next_cost_flat: int = 30


DEFAULT_KV_GAS: Final = KVGasConfig()
"""The SDK's default store gas prices."""


class GasKVStore:
    """A :class:`~pyallora.chain.store.kv.KVStore` that charges gas to a meter."""

    __slots__ = ("_config", "_meter", "_store")

    def __init__(
        self, store: KVStore, meter: GasConsumer, config: KVGasConfig = DEFAULT_KV_GAS
    ) -> None:
        self._store = store
        self._meter = meter
        self._config = config

    def get(self, key: bytes) -> bytes | None:
        """Read, charging the flat cost and the bytes of key and value."""
        config = self._config
        meter = self._meter
        meter.consume(config.read_cost_flat, "ReadFlat")
        value = self._store.get(key)
        size = len(key) + (0 if value is None else len(value))
        meter.consume(config.read_cost_per_byte * size, "ReadPerByte")
        return value

    def has(self, key: bytes) -> bool:
        """Presence check, at the flat ``has`` cost."""
        self._meter.consume(self._config.has_cost, "Has")
        return self._store.has(key)

    def set(self, key: bytes, value: bytes) -> None:
        """Write, charging the flat cost and the bytes of key and value."""
        config = self._config
        self._meter.consume(config.write_cost_flat, "WriteFlat")
        self._meter.consume(config.write_cost_per_byte * (len(key) + len(value)), "WritePerByte")
        self._store.set(key, value)

    def delete(self, key: bytes) -> None:
        """Delete, at the flat delete cost."""
        self._meter.consume(self._config.delete_cost, "Delete")
        self._store.delete(key)

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Iterate, charging each step and the bytes of each pair."""
        config = self._config
        meter = self._meter
        for key, value in self._store.iterate(start, end, reverse=reverse):
            meter.consume(config.iter_next_cost_flat, "IterNextFlat")
            meter.consume(config.read_cost_per_byte * (len(key) + len(value)), "ValuePerByte")
            yield key, value
