"""Typed collections of the emissions tables that part 2 writes (PROTOCOL.md §2.6-§2.9).

Nonces and windows, per-window working sets, archives, scores, reward bookkeeping and
regrets: their keys and value codecs are fixed here, next to the prefixes of
:mod:`pyallora.chain.emissions.schema`, so that genesis import/export
(:mod:`pyallora.chain.emissions.genesis`) covers every store from the start. The nonce,
submission and reward packages build their ``get_``/``set_`` accessors on these constants;
they must not declare a second collection over the same prefix.

Conventions: ``(topic, address)`` keys are :data:`TOPIC_ACTOR_KEY`; ``(topic, nonce height)``
keys :data:`TOPIC_HEIGHT_KEY`; three-part keys :data:`TOPIC_ACTOR_ACTOR_KEY`; Decs are
:data:`~pyallora.chain.emissions.keys.DEC_VALUE` (exact text); records are their
``emissions.v3`` protobuf messages; heights and counters are ``Int`` text; regrets are one
binary table per (family, topic) with exact values
(:mod:`~pyallora.chain.emissions.rewards.regret_codec`).
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.emissions import schema
from pyallora.chain.emissions.keys import DEC_VALUE, TOPIC_ID_LIST_VALUE, UNIT_VALUE, TripleKey
from pyallora.chain.emissions.rewards.regret_codec import PAIR_REGRET_TABLE, SINGLE_REGRET_TABLE
from pyallora.chain.store.collections import (
    ADDRESS_KEY,
    INT64_KEY,
    INT_VALUE,
    UINT64_KEY,
    Item,
    Map,
    PairKey,
    ProtoValue,
)
from pyallora.proto.emissions.v3 import types_pb2

TOPIC_ACTOR_KEY: Final = PairKey(UINT64_KEY, ADDRESS_KEY)
"""``(topic_id, address)``."""

TOPIC_HEIGHT_KEY: Final = PairKey(UINT64_KEY, INT64_KEY)
"""``(topic_id, height)``."""

TOPIC_ACTOR_ACTOR_KEY: Final = TripleKey(UINT64_KEY, ADDRESS_KEY, ADDRESS_KEY)
"""``(topic_id, address, address)``."""

_SCORE: Final = ProtoValue(types_pb2.Score)
_SCORES: Final = ProtoValue(types_pb2.Scores)

# --- §2.6 nonces, windows, commits -----------------------------------------------------------

UNFULFILLED_WORKER_NONCES: Final = Map(
    schema.UNFULFILLED_WORKER_NONCES, UINT64_KEY, ProtoValue(types_pb2.Nonces)
)
UNFULFILLED_REPUTER_NONCES: Final = Map(
    schema.UNFULFILLED_REPUTER_NONCES, UINT64_KEY, ProtoValue(types_pb2.ReputerRequestNonces)
)
OPEN_WORKER_WINDOWS: Final = Map(schema.OPEN_WORKER_WINDOWS, INT64_KEY, TOPIC_ID_LIST_VALUE)
TOPIC_REWARD_NONCE: Final = Map(schema.TOPIC_REWARD_NONCE, UINT64_KEY, INT_VALUE)
TOPIC_LAST_WORKER_COMMIT: Final = Map(
    schema.TOPIC_LAST_WORKER_COMMIT, UINT64_KEY, ProtoValue(types_pb2.TimestampedActorNonce)
)
TOPIC_LAST_REPUTER_COMMIT: Final = Map(
    schema.TOPIC_LAST_REPUTER_COMMIT, UINT64_KEY, ProtoValue(types_pb2.TimestampedActorNonce)
)

# --- §2.7 working sets and archives ----------------------------------------------------------

ACTIVE_INFERERS: Final = Map(schema.ACTIVE_INFERERS, TOPIC_ACTOR_KEY, UNIT_VALUE)
ACTIVE_FORECASTERS: Final = Map(schema.ACTIVE_FORECASTERS, TOPIC_ACTOR_KEY, UNIT_VALUE)
ACTIVE_REPUTERS: Final = Map(schema.ACTIVE_REPUTERS, TOPIC_ACTOR_KEY, UNIT_VALUE)
INFERENCES: Final = Map(schema.INFERENCES, TOPIC_ACTOR_KEY, ProtoValue(types_pb2.Inference))
FORECASTS: Final = Map(schema.FORECASTS, TOPIC_ACTOR_KEY, ProtoValue(types_pb2.Forecast))
LOSS_BUNDLES: Final = Map(
    schema.LOSS_BUNDLES, TOPIC_ACTOR_KEY, ProtoValue(types_pb2.ReputerValueBundle)
)
LOWEST_INFERER_SCORE_EMA: Final = Map(schema.LOWEST_INFERER_SCORE_EMA, UINT64_KEY, _SCORE)
LOWEST_FORECASTER_SCORE_EMA: Final = Map(schema.LOWEST_FORECASTER_SCORE_EMA, UINT64_KEY, _SCORE)
LOWEST_REPUTER_SCORE_EMA: Final = Map(schema.LOWEST_REPUTER_SCORE_EMA, UINT64_KEY, _SCORE)
ALL_INFERENCES: Final = Map(
    schema.ALL_INFERENCES, TOPIC_HEIGHT_KEY, ProtoValue(types_pb2.Inferences)
)
ALL_FORECASTS: Final = Map(schema.ALL_FORECASTS, TOPIC_HEIGHT_KEY, ProtoValue(types_pb2.Forecasts))
ALL_LOSS_BUNDLES: Final = Map(
    schema.ALL_LOSS_BUNDLES, TOPIC_HEIGHT_KEY, ProtoValue(types_pb2.ReputerValueBundles)
)
NETWORK_LOSS_BUNDLES: Final = Map(
    schema.NETWORK_LOSS_BUNDLES, TOPIC_HEIGHT_KEY, ProtoValue(types_pb2.ValueBundle)
)

# --- §2.8 scores and reward bookkeeping ------------------------------------------------------

INFERER_SCORES_BY_BLOCK: Final = Map(schema.INFERER_SCORES_BY_BLOCK, TOPIC_HEIGHT_KEY, _SCORES)
FORECASTER_SCORES_BY_BLOCK: Final = Map(
    schema.FORECASTER_SCORES_BY_BLOCK, TOPIC_HEIGHT_KEY, _SCORES
)
REPUTER_SCORES_BY_BLOCK: Final = Map(schema.REPUTER_SCORES_BY_BLOCK, TOPIC_HEIGHT_KEY, _SCORES)
INFERER_SCORE_EMAS: Final = Map(schema.INFERER_SCORE_EMAS, TOPIC_ACTOR_KEY, _SCORE)
FORECASTER_SCORE_EMAS: Final = Map(schema.FORECASTER_SCORE_EMAS, TOPIC_ACTOR_KEY, _SCORE)
REPUTER_SCORE_EMAS: Final = Map(schema.REPUTER_SCORE_EMAS, TOPIC_ACTOR_KEY, _SCORE)
PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA: Final = Map(
    schema.PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA, UINT64_KEY, DEC_VALUE
)
PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA: Final = Map(
    schema.PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA, UINT64_KEY, DEC_VALUE
)
PREVIOUS_TOPIC_QUANTILE_REPUTER_SCORE_EMA: Final = Map(
    schema.PREVIOUS_TOPIC_QUANTILE_REPUTER_SCORE_EMA, UINT64_KEY, DEC_VALUE
)
REPUTER_LISTENING_COEFFICIENT: Final = Map(
    schema.REPUTER_LISTENING_COEFFICIENT,
    TOPIC_ACTOR_KEY,
    ProtoValue(types_pb2.ListeningCoefficient),
)
PREVIOUS_REPUTER_REWARD_FRACTION: Final = Map(
    schema.PREVIOUS_REPUTER_REWARD_FRACTION, TOPIC_ACTOR_KEY, DEC_VALUE
)
PREVIOUS_INFERENCE_REWARD_FRACTION: Final = Map(
    schema.PREVIOUS_INFERENCE_REWARD_FRACTION, TOPIC_ACTOR_KEY, DEC_VALUE
)
PREVIOUS_FORECAST_REWARD_FRACTION: Final = Map(
    schema.PREVIOUS_FORECAST_REWARD_FRACTION, TOPIC_ACTOR_KEY, DEC_VALUE
)
PREVIOUS_FORECASTER_SCORE_RATIO: Final = Map(
    schema.PREVIOUS_FORECASTER_SCORE_RATIO, UINT64_KEY, DEC_VALUE
)
COUNT_INFERER_INCLUSIONS_IN_TOPIC: Final = Map(
    schema.COUNT_INFERER_INCLUSIONS_IN_TOPIC, TOPIC_ACTOR_KEY, INT_VALUE
)
COUNT_FORECASTER_INCLUSIONS_IN_TOPIC: Final = Map(
    schema.COUNT_FORECASTER_INCLUSIONS_IN_TOPIC, TOPIC_ACTOR_KEY, INT_VALUE
)
PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS: Final = Item(
    schema.PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS, DEC_VALUE
)
REWARD_CURRENT_BLOCK_EMISSION: Final = Item(schema.REWARD_CURRENT_BLOCK_EMISSION, INT_VALUE)

# --- §2.9 regrets ----------------------------------------------------------------------------

# One record per (family, topic): the whole table of the family's regrets in the topic
# (:mod:`pyallora.chain.emissions.rewards.regret_codec`).

INFERER_NETWORK_REGRETS: Final = Map(
    schema.INFERER_NETWORK_REGRETS, UINT64_KEY, SINGLE_REGRET_TABLE
)
FORECASTER_NETWORK_REGRETS: Final = Map(
    schema.FORECASTER_NETWORK_REGRETS, UINT64_KEY, SINGLE_REGRET_TABLE
)
ONE_IN_FORECASTER_NETWORK_REGRETS: Final = Map(
    schema.ONE_IN_FORECASTER_NETWORK_REGRETS, UINT64_KEY, PAIR_REGRET_TABLE
)
NAIVE_INFERER_NETWORK_REGRETS: Final = Map(
    schema.NAIVE_INFERER_NETWORK_REGRETS, UINT64_KEY, SINGLE_REGRET_TABLE
)
ONE_OUT_INFERER_INFERER_NETWORK_REGRETS: Final = Map(
    schema.ONE_OUT_INFERER_INFERER_NETWORK_REGRETS, UINT64_KEY, PAIR_REGRET_TABLE
)
ONE_OUT_INFERER_FORECASTER_NETWORK_REGRETS: Final = Map(
    schema.ONE_OUT_INFERER_FORECASTER_NETWORK_REGRETS, UINT64_KEY, PAIR_REGRET_TABLE
)
ONE_OUT_FORECASTER_INFERER_NETWORK_REGRETS: Final = Map(
    schema.ONE_OUT_FORECASTER_INFERER_NETWORK_REGRETS, UINT64_KEY, PAIR_REGRET_TABLE
)
ONE_OUT_FORECASTER_FORECASTER_NETWORK_REGRETS: Final = Map(
    schema.ONE_OUT_FORECASTER_FORECASTER_NETWORK_REGRETS, UINT64_KEY, PAIR_REGRET_TABLE
)
