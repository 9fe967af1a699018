"""Emissions genesis: import and export of every store (PROTOCOL.md §2.12).

The module's genesis section is the proto-JSON of ``emissions.v5.GenesisState`` (proto field
names, 64-bit integers and Int/Dec as strings, as the reference's ``export`` writes it), plus
one pyallora key:

* ``reference_compat`` (bool, default ``false``): reproduce the reference quirks of
  Appendix C instead of applying the recommended fixes (:mod:`pyallora.chain.emissions.params`).

On import:

* ``params`` (defaults when absent) must pass the §2.1 validation;
* ``core_team_addresses`` and ``whitelist_admins`` (both bech32) become the whitelist
  admins; the export writes the admins under ``whitelist_admins`` only;
* ``next_topic_id`` 0 is advanced once, so the first topic gets id 1;
* ``previous_percentage_reward_to_staked_reputers`` 0 (or absent) becomes 0.3;
* every other field is loaded into its store as given (Dec texts are read as engine values
  and stored exactly; the export then prints that exact value).

Export then import reproduces the module's state byte for byte (same app hash).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from google.protobuf import json_format
from google.protobuf.message import Message

from pyallora.chain.emissions import stores
from pyallora.chain.emissions.admin.state import iterate_whitelist_admins, set_whitelist_admin
from pyallora.chain.emissions.dec_text import dec_from_text
from pyallora.chain.emissions.errors import EmissionsError
from pyallora.chain.emissions.keys import (
    format_exact_dec,
    format_exact_fraction,
    parse_exact_fraction,
)
from pyallora.chain.emissions.params import (
    DEFAULT_PARAMS,
    get_params,
    is_reference_compat,
    params_from_proto,
    params_to_proto,
    set_params,
    set_reference_compat,
)
from pyallora.chain.emissions.registration import state as registration
from pyallora.chain.emissions.rewards import state as rewards
from pyallora.chain.emissions.rewards.regret_codec import RegretKey
from pyallora.chain.emissions.stake import state as stake
from pyallora.chain.emissions.topics import state as topics
from pyallora.chain.module import GenesisError, JSONObject
from pyallora.chain.store.collections import CodecError, Item, Map
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.tx.errors import InvalidAddressError, InvalidRequestError
from pyallora.core.crypto import CryptoError, validate_address
from pyallora.core.dec import Dec
from pyallora.core.errors import InvalidDecError
from pyallora.proto.emissions.v3 import types_pb2
from pyallora.proto.emissions.v5 import genesis_pb2 as g

REFERENCE_COMPAT_KEY: Final = "reference_compat"
"""The pyallora key of the section (not a ``GenesisState`` field)."""

GENESIS_REPUTER_PERCENTAGE: Final = "0.3"
"""``previous_percentage_reward_to_staked_reputers`` when genesis gives 0 (§2.8)."""


# ---------------------------------------------------------------------------------------------
# Value conversions


def _int(text: str) -> int:
    if text == "":
        return 0
    if not text.isascii() or not text.isdigit():
        raise CodecError(f"not a non-negative integer: {text[:60]!r}")
    return int(text)


def _dec(text: str) -> Dec:
    try:
        return dec_from_text(text)
    except InvalidDecError as exc:
        raise CodecError(str(exc)) from exc


# ---------------------------------------------------------------------------------------------
# Field descriptors: how one GenesisState field maps to one store


@dataclass(frozen=True, slots=True, kw_only=True)
class _Field:
    name: str
    load: Callable[[KVStore, Iterable[Any]], None]
    dump: Callable[[ReadableKVStore], list[Message]]


def _entry_type(name: str) -> Any:
    return g.GenesisState.DESCRIPTOR.fields_by_name[name].message_type._concrete_class


def _topic_scalar(name: str, table: Map[int, Any], attr: str, kind: str) -> _Field:
    """``{topic_id, <attr>}`` entries; ``kind`` is ``height``, ``int`` or ``dec``."""
    entry = _entry_type(name)

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            raw = getattr(item, attr)
            value = raw if kind == "height" else _int(raw) if kind == "int" else _dec(raw)
            table.set(store, item.topic_id, value)

    def dump(store: ReadableKVStore) -> list[Message]:
        out: list[Message] = []
        for key, value in table.iterate(store):
            text = (
                value
                if kind == "height"
                else str(value)
                if kind == "int"
                else (format_exact_dec(value))
            )
            out.append(entry(topic_id=key, **{attr: text}))
        return out

    return _Field(name=name, load=load, dump=dump)


def _topic_message(name: str, table: Map[int, Any], attr: str) -> _Field:
    """``{topic_id, <attr>: message}`` entries."""
    entry = _entry_type(name)

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            table.set(store, item.topic_id, getattr(item, attr))

    def dump(store: ReadableKVStore) -> list[Message]:
        return [entry(topic_id=key, **{attr: value}) for key, value in table.iterate(store)]

    return _Field(name=name, load=load, dump=dump)


def _topic_actor_scalar(name: str, table: Map[tuple[int, str], Any], kind: str) -> _Field:
    """``{topic_id, actor_id, value}`` entries; ``kind`` is ``int``, ``uint`` or ``dec``."""
    entry = _entry_type(name)

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            raw = item.value
            value = raw if kind == "uint" else _int(raw) if kind == "int" else _dec(raw)
            table.set(store, (item.topic_id, item.actor_id), value)

    def dump(store: ReadableKVStore) -> list[Message]:
        out: list[Message] = []
        for (topic_id, actor), value in table.iterate(store):
            text = (
                value
                if kind == "uint"
                else str(value)
                if kind == "int"
                else (format_exact_dec(value))
            )
            out.append(entry(topic_id=topic_id, actor_id=actor, value=text))
        return out

    return _Field(name=name, load=load, dump=dump)


def _topic_actor_message(name: str, table: Map[tuple[int, str], Any], attr: str) -> _Field:
    """``{topic_id, actor_id, <attr>: message}`` entries."""
    entry = _entry_type(name)

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            table.set(store, (item.topic_id, item.actor_id), getattr(item, attr))

    def dump(store: ReadableKVStore) -> list[Message]:
        return [
            entry(topic_id=topic_id, actor_id=actor, **{attr: value})
            for (topic_id, actor), value in table.iterate(store)
        ]

    return _Field(name=name, load=load, dump=dump)


def _topic_actor_set(name: str, table: Map[tuple[int, str], None]) -> _Field:
    """``{topic_id, actor_id}`` entries of a set."""

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            table.set(store, (item.topic_id, item.actor_id), None)

    def dump(store: ReadableKVStore) -> list[Message]:
        return [
            g.TopicAndActorId(topic_id=topic_id, actor_id=actor)
            for topic_id, actor in table.keys(store)
        ]

    return _Field(name=name, load=load, dump=dump)


def _topic_height_message(name: str, table: Map[tuple[int, int], Any], attr: str) -> _Field:
    """``{topic_id, block_height, <attr>: message}`` entries."""
    entry = _entry_type(name)

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            table.set(store, (item.topic_id, item.block_height), getattr(item, attr))

    def dump(store: ReadableKVStore) -> list[Message]:
        return [
            entry(topic_id=topic_id, block_height=height, **{attr: value})
            for (topic_id, height), value in table.iterate(store)
        ]

    return _Field(name=name, load=load, dump=dump)


def _regrets(name: str, family: str) -> _Field:
    """A regret family: ``{topic_id, actor_id, timestamped_value}`` entries (one participant)
    or ``{topic_id, actor_id1, actor_id2, timestamped_value}`` (two), values as exact text."""
    single = family in rewards.REGRET_SINGLE_FAMILIES
    entry = _entry_type(name)

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        tables: dict[int, dict[RegretKey, bytes]] = {}
        for item in entries:
            table = tables.get(item.topic_id)
            if table is None:
                table = rewards.get_regret_table(store, family, item.topic_id)
                tables[item.topic_id] = table
            key = (item.actor_id,) if single else (item.actor_id1, item.actor_id2)
            stamped = item.timestamped_value
            table[key] = rewards.encode_stored_regret(
                rewards.Regret(block_height=stamped.block_height, value=_dec(stamped.value))
            )
        for topic_id, table in sorted(tables.items()):
            rewards.set_regret_table(store, family, topic_id, table)

    def dump(store: ReadableKVStore) -> list[Message]:
        out: list[Message] = []
        for topic_id, key, regret in rewards.iterate_regrets(store, family):
            value = types_pb2.TimestampedValue(
                block_height=regret.block_height, value=format_exact_dec(regret.value)
            )
            if single:
                out.append(entry(topic_id=topic_id, actor_id=key[0], timestamped_value=value))
            else:
                out.append(
                    entry(
                        topic_id=topic_id,
                        actor_id1=key[0],
                        actor_id2=key[1],
                        timestamped_value=value,
                    )
                )
        return out

    return _Field(name=name, load=load, dump=dump)


def _height_topic_ids(name: str, table: Map[int, tuple[int, ...]]) -> _Field:
    """``{block_height, topic_ids}`` entries."""

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            table.set(store, item.block_height, tuple(item.topic_ids))

    def dump(store: ReadableKVStore) -> list[Message]:
        return [
            g.BlockHeightAndTopicIds(block_height=height, topic_ids=list(ids))
            for height, ids in table.iterate(store)
        ]

    return _Field(name=name, load=load, dump=dump)


def _topic_id_set(name: str, table: Map[int, None]) -> _Field:
    """A repeated ``uint64`` of a topic id set."""

    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for topic_id in entries:
            table.set(store, topic_id, None)

    def dump(store: ReadableKVStore) -> list[Message]:
        return list(table.keys(store))

    return _Field(name=name, load=load, dump=dump)


# --- the hand-written shapes ------------------------------------------------------------------


def _load_topics(store: KVStore, entries: Iterable[Any]) -> None:
    for item in entries:
        topic = topics.topic_from_proto(item.topic)
        if topic.id != item.topic_id:
            raise CodecError(f"topic entry {item.topic_id} holds topic {topic.id}")
        topics.set_topic(store, topic)


def _dump_topics(store: ReadableKVStore) -> list[Message]:
    return [
        g.TopicIdAndTopic(topic_id=topic.id, topic=topics.topic_to_proto(topic))
        for topic in topics.iterate_topics(store)
    ]


def _load_nodes(is_reputer: bool) -> Callable[[KVStore, Iterable[Any]], None]:
    def load(store: KVStore, entries: Iterable[Any]) -> None:
        for item in entries:
            registration.set_node_info(
                store,
                item.address,
                registration.NodeInfo(owner=item.node.owner, node_address=item.node.node_address),
                is_reputer=is_reputer,
            )

    return load


def _dump_nodes(is_reputer: bool) -> Callable[[ReadableKVStore], list[Message]]:
    def dump(store: ReadableKVStore) -> list[Message]:
        return [
            g.AddressAndOffchainNode(
                address=address,
                node=types_pb2.OffchainNode(owner=info.owner, node_address=info.node_address),
            )
            for address, info in registration.iterate_node_infos(store, is_reputer=is_reputer)
        ]

    return dump


def _load_placements(store: KVStore, entries: Iterable[Any]) -> None:
    for item in entries:
        placement = stake.placement_from_proto(item.delegator_info)
        stake.DELEGATED_STAKES.set(
            store,
            (item.topic_id, item.delegator, item.reputer),
            stake.placement_to_proto(placement),
        )


def _dump_placements(store: ReadableKVStore) -> list[Message]:
    return [
        g.TopicIdDelegatorReputerDelegatorInfo(
            topic_id=topic_id,
            delegator=delegator,
            reputer=reputer,
            delegator_info=stake.placement_to_proto(placement),
        )
        for (topic_id, delegator, reputer), placement in stake.iterate_delegate_stake_placements(
            store
        )
    ]


def _load_removals_by_block(store: KVStore, entries: Iterable[Any]) -> None:
    for item in entries:
        stake.STAKE_REMOVALS_BY_BLOCK.set(
            store, (item.block_height, item.topic_id, item.reputer), item.stake_removal_info
        )


def _dump_removals_by_block(store: ReadableKVStore) -> list[Message]:
    return [
        g.BlockHeightTopicIdReputerStakeRemovalInfo(
            block_height=height, topic_id=topic_id, reputer=reputer, stake_removal_info=info
        )
        for (height, topic_id, reputer), info in stake.STAKE_REMOVALS_BY_BLOCK.iterate(store)
    ]


def _load_removals_by_actor(store: KVStore, entries: Iterable[Any]) -> None:
    for item in entries:
        stake.STAKE_REMOVALS_BY_ACTOR.set(
            store, (item.actor_id, item.topic_id, item.block_height), None
        )


def _dump_removals_by_actor(store: ReadableKVStore) -> list[Message]:
    return [
        g.ActorIdTopicIdBlockHeight(actor_id=actor, topic_id=topic_id, block_height=height)
        for actor, topic_id, height in stake.iterate_stake_removals_by_actor(store)
    ]


def _load_delegate_removals_by_block(store: KVStore, entries: Iterable[Any]) -> None:
    for item in entries:
        stake.DELEGATE_STAKE_REMOVALS_BY_BLOCK.set(
            store,
            (item.block_height, item.topic_id, item.delegator, item.reputer),
            item.delegate_stake_removal_info,
        )


def _dump_delegate_removals_by_block(store: ReadableKVStore) -> list[Message]:
    return [
        g.BlockHeightTopicIdDelegatorReputerDelegateStakeRemovalInfo(
            block_height=height,
            topic_id=topic_id,
            delegator=delegator,
            reputer=reputer,
            delegate_stake_removal_info=info,
        )
        for (
            height,
            topic_id,
            delegator,
            reputer,
        ), info in stake.DELEGATE_STAKE_REMOVALS_BY_BLOCK.iterate(store)
    ]


def _load_delegate_removals_by_actor(store: KVStore, entries: Iterable[Any]) -> None:
    for item in entries:
        stake.DELEGATE_STAKE_REMOVALS_BY_ACTOR.set(
            store, (item.delegator, item.reputer, item.topic_id, item.block_height), None
        )


def _dump_delegate_removals_by_actor(store: ReadableKVStore) -> list[Message]:
    return [
        g.DelegatorReputerTopicIdBlockHeight(
            delegator=delegator, reputer=reputer, topic_id=topic_id, block_height=height
        )
        for delegator, reputer, topic_id, height in stake.iterate_delegate_stake_removals_by_actor(
            store
        )
    ]


def _load_lowest_weights(store: KVStore, entries: Iterable[Any]) -> None:
    for item in entries:
        topics.set_lowest_active_topic_weight_at_block(
            store, item.block_height, item.pair.topic_id, _dec(item.pair.weight)
        )


def _dump_lowest_weights(store: ReadableKVStore) -> list[Message]:
    return [
        g.BlockHeightTopicIdWeightPair(block_height=height, pair=pair)
        for height, pair in topics.iterate_lowest_active_topic_weights(store)
    ]


FIELDS: Final[tuple[_Field, ...]] = (
    _Field(name="topics", load=_load_topics, dump=_dump_topics),
    _topic_scalar(
        "topic_to_next_possible_churning_block",
        topics.NEXT_CHURNING_BLOCK,
        "block_height",
        "height",
    ),
    _height_topic_ids("block_to_active_topics", topics.BLOCK_TO_ACTIVE_TOPICS),
    _Field(
        name="block_to_lowest_active_topic_weight",
        load=_load_lowest_weights,
        dump=_dump_lowest_weights,
    ),
    _topic_id_set("active_topics", topics.ACTIVE_TOPICS),
    _topic_id_set("rewardable_topics", topics.REWARDABLE_TOPICS),
    _topic_scalar("previous_topic_weight", topics.PREVIOUS_TOPIC_WEIGHT, "value", "dec"),
    _topic_scalar("topic_fee_revenue", topics.TOPIC_FEE_REVENUE, "value", "int"),
    _topic_scalar("last_drip_block", topics.LAST_DRIP_BLOCK, "block_height", "height"),
    _topic_actor_set("topic_workers", registration.TOPIC_WORKERS),
    _topic_actor_set("topic_reputers", registration.TOPIC_REPUTERS),
    _Field(name="worker_nodes", load=_load_nodes(False), dump=_dump_nodes(False)),
    _Field(name="reputer_nodes", load=_load_nodes(True), dump=_dump_nodes(True)),
    _topic_scalar("topic_stake", stake.TOPIC_STAKE, "value", "int"),
    _topic_actor_scalar("stake_reputer_authority", stake.STAKE_REPUTER_AUTHORITY, "int"),
    _topic_actor_scalar(
        "stake_from_delegators_upon_reputer", stake.STAKE_FROM_DELEGATORS_UPON_REPUTER, "int"
    ),
    _topic_actor_scalar("stake_sum_from_delegator", stake.STAKE_SUM_FROM_DELEGATOR, "int"),
    _Field(name="delegated_stakes", load=_load_placements, dump=_dump_placements),
    _topic_actor_scalar("delegate_reward_per_share", stake.DELEGATE_REWARD_PER_SHARE, "dec"),
    _Field(
        name="stake_removals_by_block", load=_load_removals_by_block, dump=_dump_removals_by_block
    ),
    _Field(
        name="stake_removals_by_actor", load=_load_removals_by_actor, dump=_dump_removals_by_actor
    ),
    _Field(
        name="delegate_stake_removals_by_block",
        load=_load_delegate_removals_by_block,
        dump=_dump_delegate_removals_by_block,
    ),
    _Field(
        name="delegate_stake_removals_by_actor",
        load=_load_delegate_removals_by_actor,
        dump=_dump_delegate_removals_by_actor,
    ),
    _topic_message("unfulfilled_worker_nonces", stores.UNFULFILLED_WORKER_NONCES, "nonces"),
    _topic_message(
        "unfulfilled_reputer_nonces", stores.UNFULFILLED_REPUTER_NONCES, "reputer_request_nonces"
    ),
    _height_topic_ids("open_worker_windows", stores.OPEN_WORKER_WINDOWS),
    _topic_scalar("topic_reward_nonce", stores.TOPIC_REWARD_NONCE, "block_height", "height"),
    _topic_message(
        "topic_last_worker_commit", stores.TOPIC_LAST_WORKER_COMMIT, "timestamped_actor_nonce"
    ),
    _topic_message(
        "topic_last_reputer_commit", stores.TOPIC_LAST_REPUTER_COMMIT, "timestamped_actor_nonce"
    ),
    _topic_actor_set("active_inferers", stores.ACTIVE_INFERERS),
    _topic_actor_set("active_forecasters", stores.ACTIVE_FORECASTERS),
    _topic_actor_set("active_reputers", stores.ACTIVE_REPUTERS),
    _topic_actor_message("inferences", stores.INFERENCES, "inference"),
    _topic_actor_message("forecasts", stores.FORECASTS, "forecast"),
    _topic_actor_message("loss_bundles", stores.LOSS_BUNDLES, "reputer_value_bundle"),
    _topic_message("lowest_inferer_score_ema", stores.LOWEST_INFERER_SCORE_EMA, "score"),
    _topic_message("lowest_forecaster_score_ema", stores.LOWEST_FORECASTER_SCORE_EMA, "score"),
    _topic_message("lowest_reputer_score_ema", stores.LOWEST_REPUTER_SCORE_EMA, "score"),
    _topic_height_message("all_inferences", stores.ALL_INFERENCES, "inferences"),
    _topic_height_message("all_forecasts", stores.ALL_FORECASTS, "forecasts"),
    _topic_height_message("all_loss_bundles", stores.ALL_LOSS_BUNDLES, "reputer_value_bundles"),
    _topic_height_message("network_loss_bundles", stores.NETWORK_LOSS_BUNDLES, "value_bundle"),
    _topic_height_message("inferer_scores_by_block", stores.INFERER_SCORES_BY_BLOCK, "scores"),
    _topic_height_message(
        "forecaster_scores_by_block", stores.FORECASTER_SCORES_BY_BLOCK, "scores"
    ),
    _topic_height_message("reputer_scores_by_block", stores.REPUTER_SCORES_BY_BLOCK, "scores"),
    _topic_actor_message("inferer_score_emas", stores.INFERER_SCORE_EMAS, "score"),
    _topic_actor_message("forecaster_score_emas", stores.FORECASTER_SCORE_EMAS, "score"),
    _topic_actor_message("reputer_score_emas", stores.REPUTER_SCORE_EMAS, "score"),
    _topic_scalar(
        "previous_topic_quantile_inferer_score_ema",
        stores.PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA,
        "value",
        "dec",
    ),
    _topic_scalar(
        "previous_topic_quantile_forecaster_score_ema",
        stores.PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA,
        "value",
        "dec",
    ),
    _topic_scalar(
        "previous_topic_quantile_reputer_score_ema",
        stores.PREVIOUS_TOPIC_QUANTILE_REPUTER_SCORE_EMA,
        "value",
        "dec",
    ),
    _topic_actor_message(
        "reputer_listening_coefficient",
        stores.REPUTER_LISTENING_COEFFICIENT,
        "listening_coefficient",
    ),
    _topic_actor_scalar(
        "previous_reputer_reward_fraction", stores.PREVIOUS_REPUTER_REWARD_FRACTION, "dec"
    ),
    _topic_actor_scalar(
        "previous_inference_reward_fraction", stores.PREVIOUS_INFERENCE_REWARD_FRACTION, "dec"
    ),
    _topic_actor_scalar(
        "previous_forecast_reward_fraction", stores.PREVIOUS_FORECAST_REWARD_FRACTION, "dec"
    ),
    _topic_scalar(
        "previous_forecaster_score_ratio", stores.PREVIOUS_FORECASTER_SCORE_RATIO, "value", "dec"
    ),
    _topic_actor_scalar(
        "count_inferer_inclusions_in_topic", stores.COUNT_INFERER_INCLUSIONS_IN_TOPIC, "uint"
    ),
    _topic_actor_scalar(
        "count_forecaster_inclusions_in_topic", stores.COUNT_FORECASTER_INCLUSIONS_IN_TOPIC, "uint"
    ),
    _regrets("inferer_network_regrets", "inferer"),
    _regrets("forecaster_network_regrets", "forecaster"),
    _regrets("one_in_forecaster_network_regrets", "one_in_forecaster_inferer"),
    _regrets("naive_inferer_network_regrets", "naive_inferer"),
    _regrets("one_out_inferer_inferer_network_regrets", "one_out_inferer_inferer"),
    _regrets("one_out_inferer_forecaster_network_regrets", "one_out_inferer_forecaster"),
    _regrets("one_out_forecaster_inferer_network_regrets", "one_out_forecaster_inferer"),
    _regrets("one_out_forecaster_forecaster_network_regrets", "one_out_forecaster_forecaster"),
)
"""Every repeated ``GenesisState`` field but the admins, with its store."""

_SCALAR_ITEMS: Final[tuple[tuple[str, Item[Any], str], ...]] = (
    ("total_sum_previous_topic_weights", topics.TOTAL_SUM_PREVIOUS_TOPIC_WEIGHTS, "exact"),
    ("total_stake", stake.TOTAL_STAKE, "int"),
    (
        "previous_percentage_reward_to_staked_reputers",
        stores.PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS,
        "dec",
    ),
    ("reward_current_block_emission", stores.REWARD_CURRENT_BLOCK_EMISSION, "int"),
)
"""The single-value ``GenesisState`` fields with their stores (the weight sum is exact)."""

_SCALAR_PARSERS: Final[dict[str, Callable[[str], Any]]] = {
    "int": _int,
    "dec": _dec,
    "exact": parse_exact_fraction,
}
_SCALAR_PRINTERS: Final[dict[str, Callable[[Any], str]]] = {
    "int": str,
    "dec": format_exact_dec,
    "exact": format_exact_fraction,
}


# ---------------------------------------------------------------------------------------------
# Import and export


def compute_default_genesis() -> JSONObject:
    """The section of a fresh chain: default params, no admins, fixes enabled."""
    return {
        "params": json_format.MessageToDict(
            params_to_proto(DEFAULT_PARAMS), preserving_proto_field_name=True
        ),
        REFERENCE_COMPAT_KEY: False,
    }


def _parse_section(section: JSONObject) -> tuple[g.GenesisState, bool]:
    data = dict(section)
    compat = data.pop(REFERENCE_COMPAT_KEY, False)
    if type(compat) is not bool:
        raise GenesisError(f"emissions.{REFERENCE_COMPAT_KEY} must be true or false")
    message = g.GenesisState()
    try:
        json_format.ParseDict(data, message)
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise GenesisError(f"invalid emissions genesis: {exc}") from exc
    return message, compat


def _validate_admin(address: str) -> str:
    try:
        return validate_address(address)
    except CryptoError as exc:
        raise GenesisError(f"invalid emissions admin address {address[:100]!r}: {exc}") from exc


def init_genesis(store: KVStore, section: JSONObject) -> None:
    """Load the emissions section (module docstring).

    Raises
    ------
    GenesisError
        If the section is malformed, the params are invalid, an admin is not bech32 or a
        record is invalid.
    """
    message, compat = _parse_section(section)
    try:
        params = (
            params_from_proto(message.params) if message.HasField("params") else (DEFAULT_PARAMS)
        )
        set_params(store, params)
    except (CodecError, EmissionsError) as exc:
        raise GenesisError(f"invalid emissions params: {exc}") from exc
    set_reference_compat(store, compat)
    for address in [*message.core_team_addresses, *message.whitelist_admins]:
        set_whitelist_admin(store, _validate_admin(address))
    topics.set_next_topic_id(store, message.next_topic_id or 1)
    try:
        for spec in FIELDS:
            spec.load(store, getattr(message, spec.name))
        for name, item, kind in _SCALAR_ITEMS:
            text = getattr(message, name)
            if name == "previous_percentage_reward_to_staked_reputers" and (
                text == "" or _dec(text) == 0
            ):
                text = GENESIS_REPUTER_PERCENTAGE
            if text != "":
                item.set(store, _SCALAR_PARSERS[kind](text))
    except (CodecError, InvalidRequestError, InvalidAddressError) as exc:
        raise GenesisError(f"invalid emissions genesis: {exc}") from exc


def export_genesis_state(store: ReadableKVStore) -> g.GenesisState:
    """The ``GenesisState`` reproducing the module's stores."""
    message = g.GenesisState(
        params=params_to_proto(get_params(store)),
        next_topic_id=topics.get_next_topic_id(store),
        whitelist_admins=list(iterate_whitelist_admins(store)),
    )
    for spec in FIELDS:
        getattr(message, spec.name).extend(spec.dump(store))
    for name, item, kind in _SCALAR_ITEMS:
        value = item.get(store)
        if value is not None:
            setattr(message, name, _SCALAR_PRINTERS[kind](value))
    return message


def export_genesis(store: ReadableKVStore) -> JSONObject:
    """The emissions section reproducing the module's state (module docstring)."""
    section: JSONObject = json_format.MessageToDict(
        export_genesis_state(store), preserving_proto_field_name=True
    )
    section[REFERENCE_COMPAT_KEY] = is_reference_compat(store)
    return section
