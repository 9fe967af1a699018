"""Slashing state: params, validator signing infos and the missed-block bitmaps.

Store prefixes (namespace ``slashing`` = 0x05; to be merged into
``pyallora.chain.store.schema.PREFIXES``, bytes unchanged):

======  ============================  ===================================================
prefix  table                         key -> value
======  ============================  ===================================================
05 01   slashing/params               item: SlashingParams JSON
05 02   slashing/signing_infos        20-byte consensus address -> SigningInfo JSON
05 03   slashing/missed_blocks        (consensus address, window index) -> empty (missed)
======  ============================  ===================================================

The bitmap is sparse: only missed indexes are stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pyallora.chain.slashing.params import DEFAULT_SLASHING_PARAMS, SlashingParams
from pyallora.chain.store import schema
from pyallora.chain.store.collections import (
    BYTES_KEY,
    BYTES_VALUE,
    UINT64_KEY,
    CodecError,
    Item,
    JsonValue,
    Map,
    PairKey,
)
from pyallora.chain.store.kv import KVStore, ReadableKVStore


def _row(table: int, name: str, doc: str) -> schema.StorePrefix:
    return schema.StorePrefix(
        module="slashing",
        name=name,
        prefix=bytes((schema.NAMESPACES["slashing"], table)),
        doc=doc,
    )


SLASHING_PARAMS: Final = _row(0x01, "slashing/params", "item: SlashingParams JSON")
SLASHING_SIGNING_INFOS: Final = _row(
    0x02, "slashing/signing_infos", "map: consensus address (len-prefixed) -> SigningInfo JSON"
)
SLASHING_MISSED_BLOCKS: Final = _row(
    0x03, "slashing/missed_blocks", "set: (consensus address, uint64 window index) -> empty"
)

SLASHING_PREFIXES: Final[tuple[schema.StorePrefix, ...]] = (
    SLASHING_PARAMS,
    SLASHING_SIGNING_INFOS,
    SLASHING_MISSED_BLOCKS,
)
"""Every slashing table (to be merged into ``schema.PREFIXES``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningInfo:
    """``cosmos.slashing.v1beta1.ValidatorSigningInfo`` (times in ns)."""

    start_height: int
    """Height from which the validator's signatures are counted (its last bonding)."""
    index_offset: int = 0
    """Blocks counted since then (the bitmap index is this modulo the window)."""
    jailed_until_ns: int = 0
    """Block time before which an unjail is refused."""
    tombstoned: bool = False
    """Double-signed: may never be unjailed."""
    missed_blocks_counter: int = 0
    """Missed blocks in the current window."""

    def to_json(self) -> dict[str, Any]:
        """JSON object."""
        return {
            "start_height": str(self.start_height),
            "index_offset": str(self.index_offset),
            "jailed_until_ns": str(self.jailed_until_ns),
            "tombstoned": self.tombstoned,
            "missed_blocks_counter": str(self.missed_blocks_counter),
        }

    @classmethod
    def from_json(cls, data: Any) -> SigningInfo:
        """Inverse of :meth:`to_json`.

        Raises
        ------
        CodecError
            For a malformed object.
        """
        if not isinstance(data, dict):
            raise CodecError("a signing info is a JSON object")
        try:
            tombstoned = data["tombstoned"]
            if not isinstance(tombstoned, bool):
                raise CodecError("signing info field tombstoned must be a boolean")
            numbers = {
                name: int(str(data[name]))
                for name in (
                    "start_height",
                    "index_offset",
                    "jailed_until_ns",
                    "missed_blocks_counter",
                )
            }
        except (KeyError, ValueError) as exc:
            raise CodecError(f"malformed signing info: {exc!r}") from exc
        return cls(tombstoned=tombstoned, **numbers)


PARAMS: Final = Item(SLASHING_PARAMS, JsonValue(SlashingParams.to_json, SlashingParams.from_json))
SIGNING_INFOS: Final = Map(
    SLASHING_SIGNING_INFOS, BYTES_KEY, JsonValue(SigningInfo.to_json, SigningInfo.from_json)
)
MISSED_BLOCKS: Final = Map(SLASHING_MISSED_BLOCKS, PairKey(BYTES_KEY, UINT64_KEY), BYTES_VALUE)


def get_params(store: ReadableKVStore) -> SlashingParams:
    """The slashing parameters (defaults when unset)."""
    return PARAMS.get_or(store, DEFAULT_SLASHING_PARAMS)


def set_params(store: KVStore, params: SlashingParams) -> None:
    """Store the parameters."""
    PARAMS.set(store, params)


def get_signing_info(store: ReadableKVStore, cons_address: bytes) -> SigningInfo | None:
    """The signing info of a consensus address, or ``None``."""
    return SIGNING_INFOS.get(store, cons_address)


def set_signing_info(store: KVStore, cons_address: bytes, info: SigningInfo) -> None:
    """Store a signing info."""
    SIGNING_INFOS.set(store, cons_address, info)


def iterate_signing_infos(store: ReadableKVStore) -> Iterator[tuple[bytes, SigningInfo]]:
    """``(consensus address, info)`` in key order."""
    return SIGNING_INFOS.iterate(store)


def is_missed(store: ReadableKVStore, cons_address: bytes, index: int) -> bool:
    """Whether the bitmap marks ``index`` as missed."""
    return MISSED_BLOCKS.has(store, (cons_address, index))


def set_missed(store: KVStore, cons_address: bytes, index: int, missed: bool) -> None:
    """Mark or clear ``index`` in the bitmap."""
    if missed:
        MISSED_BLOCKS.set(store, (cons_address, index), b"")
    else:
        MISSED_BLOCKS.delete(store, (cons_address, index))


def iterate_missed_indexes(store: ReadableKVStore, cons_address: bytes) -> Iterator[int]:
    """Missed window indexes of a consensus address, ascending."""
    for (_, index), _ in MISSED_BLOCKS.iterate(store, key_prefix=BYTES_KEY.encode(cons_address)):
        yield index


def clear_missed_blocks(store: KVStore, cons_address: bytes) -> None:
    """Clear the whole bitmap of a consensus address."""
    for index in list(iterate_missed_indexes(store, cons_address)):
        set_missed(store, cons_address, index, False)
