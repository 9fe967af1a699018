"""Every store table of the emissions module, in one place (PROTOCOL.md §2).

The chain keeps one prefix table, :mod:`pyallora.chain.store.schema`, whose ``PREFIXES`` tuple
is a closed constant (no registration hook). The emissions rows are therefore declared here,
with the same :class:`~pyallora.chain.store.schema.StorePrefix` record and the namespace byte
``NAMESPACES["emissions"]`` (``0x07``) reserved there, and collected in
:data:`EMISSIONS_PREFIXES`; the chain's table should splice that tuple into its ``PREFIXES``
so ``get_prefix_owner`` and the schema tests see them. Like every prefix, these are consensus:
never renumbered, never reused.

The table byte groups the stores by area (the same grouping as PROTOCOL.md §2):

======  =========================================================================
0x0_    module configuration: params, the ``reference_compat`` switch, admins (§2.1, §2.10)
0x1_    topics and their scheduling (§2.2, §2.3)
0x2_    registrations (§2.4)
0x3_    stakes, delegations and the two removal queues (§2.5)
0x4_    nonces, windows, commits (§2.6; written by part 2)
0x5_    per-window working sets (§2.7; part 2)
0x6_    archived per-nonce records (§2.7; part 2)
0x7_    scores, EMAs, reward bookkeeping (§2.8; part 2)
0x8_    global reward bookkeeping (§2.8; part 2 and mint)
0x9_    regrets (§2.9; part 2)
======  =========================================================================

Key encodings (:mod:`pyallora.chain.emissions.keys`): topic ids are ``uint64`` (8 bytes big
endian), heights ``int64`` (sign-flipped big endian), addresses NUL-terminated bech32 text, so
every map iterates in the reference's key order (PROTOCOL.md §10 "Determinism"). Values:
``Int`` = decimal text, ``Dec`` = exact decimal text
(:func:`pyallora.chain.emissions.keys.format_exact_dec`), ``set`` = empty value, protobuf
records serialized deterministically; the regrets of a family in a topic are one binary table
(:mod:`pyallora.chain.emissions.rewards.regret_codec`).
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.store.schema import NAMESPACES, StorePrefix

MODULE: Final = "emissions"
"""Owner name of every row below."""

_NAMESPACE: Final = NAMESPACES[MODULE]


def _row(table: int, name: str, doc: str) -> StorePrefix:
    return StorePrefix(
        module=MODULE, name=f"{MODULE}/{name}", prefix=bytes((_NAMESPACE, table)), doc=doc
    )


# --- 0x0_: configuration and admins (§2.1, §2.10) --------------------------------------------

PARAMS: Final = _row(0x01, "params", "item: emissions.v5.Params protobuf")
"""Module parameters (absent: the defaults)."""

CONFIG: Final = _row(
    0x02, "config", "item: canonical JSON {reference_compat: bool} (pyallora, set at genesis)"
)
"""pyallora switches that are part of consensus but not of ``Params``."""

WHITELIST_ADMINS: Final = _row(0x03, "whitelist_admins", "set: address")
"""Whitelist admins."""

# --- 0x1_: topics and scheduling (§2.2, §2.3) ------------------------------------------------

NEXT_TOPIC_ID: Final = _row(0x10, "next_topic_id", "item: uint64 (decimal text)")
"""The id the next topic gets (1 after genesis)."""

TOPICS: Final = _row(0x11, "topics", "map: topic_id -> emissions.v3.Topic")
"""Topics by id."""

TOPIC_TO_NEXT_POSSIBLE_CHURNING_BLOCK: Final = _row(
    0x12, "topic_to_next_possible_churning_block", "map: topic_id -> height (Int)"
)
"""Next epoch end of each scheduled topic; "active" iff present and >= the current height."""

BLOCK_TO_ACTIVE_TOPICS: Final = _row(
    0x13, "block_to_active_topics", "map: height -> JSON list of topic ids (insertion order)"
)
"""Topics whose epoch ends at a height (the slot)."""

BLOCK_TO_LOWEST_ACTIVE_TOPIC_WEIGHT: Final = _row(
    0x14, "block_to_lowest_active_topic_weight", "map: height -> emissions.v3.TopicIdWeightPair"
)
"""Cached lowest-weight topic of a slot."""

ACTIVE_TOPICS: Final = _row(0x15, "active_topics", "set: topic_id (legacy flag)")
"""Legacy active flag set (not authoritative)."""

REWARDABLE_TOPICS: Final = _row(0x16, "rewardable_topics", "set: topic_id (legacy, unused)")
"""Legacy, unused."""

PREVIOUS_TOPIC_WEIGHT: Final = _row(0x17, "previous_topic_weight", "map: topic_id -> Dec")
"""Weight stored at the topic's last epoch end (the EMA state)."""

TOTAL_SUM_PREVIOUS_TOPIC_WEIGHTS: Final = _row(
    0x18, "total_sum_previous_topic_weights", "item: Dec"
)
"""Σ previous weights of active topics."""

TOPIC_FEE_REVENUE: Final = _row(0x19, "topic_fee_revenue", "map: topic_id -> Int")
"""Accumulated, decaying fee revenue."""

LAST_DRIP_BLOCK: Final = _row(0x1A, "last_drip_block", "map: topic_id -> height (Int)")
"""Height of the last revenue drip of a topic."""

# --- 0x2_: registrations (§2.4) ---------------------------------------------------------------

TOPIC_WORKERS: Final = _row(0x20, "topic_workers", "set: (topic_id, address)")
"""Registered workers."""

TOPIC_REPUTERS: Final = _row(0x21, "topic_reputers", "set: (topic_id, address)")
"""Registered reputers."""

WORKER_NODES: Final = _row(0x22, "worker_nodes", "map: address -> emissions.v3.OffchainNode")
"""Worker node info (last registration wins, never deleted)."""

REPUTER_NODES: Final = _row(0x23, "reputer_nodes", "map: address -> emissions.v3.OffchainNode")
"""Reputer node info."""

# --- 0x3_: stakes (§2.5) ----------------------------------------------------------------------

TOTAL_STAKE: Final = _row(0x30, "total_stake", "item: Int")
"""Σ of all reputer and delegated stake."""

TOPIC_STAKE: Final = _row(0x31, "topic_stake", "map: topic_id -> Int")
"""All stake in a topic."""

STAKE_REPUTER_AUTHORITY: Final = _row(
    0x32, "stake_reputer_authority", "map: (topic_id, reputer) -> Int"
)
"""Reputer self-stake plus stake delegated to it."""

STAKE_FROM_DELEGATORS_UPON_REPUTER: Final = _row(
    0x33, "stake_from_delegators_upon_reputer", "map: (topic_id, reputer) -> Int"
)
"""Delegated part of the authority."""

STAKE_SUM_FROM_DELEGATOR: Final = _row(
    0x34, "stake_sum_from_delegator", "map: (topic_id, delegator) -> Int"
)
"""Total a delegator placed in a topic."""

DELEGATED_STAKES: Final = _row(
    0x35, "delegated_stakes", "map: (topic_id, delegator, reputer) -> emissions.v3.DelegatorInfo"
)
"""Per-placement amount and reward debt."""

DELEGATE_REWARD_PER_SHARE: Final = _row(
    0x36, "delegate_reward_per_share", "map: (topic_id, reputer) -> Dec"
)
"""Accumulated delegator reward per delegated unit."""

STAKE_REMOVALS_BY_BLOCK: Final = _row(
    0x37,
    "stake_removals_by_block",
    "map: (completion height, topic_id, reputer) -> emissions.v3.StakeRemovalInfo",
)
"""Pending self-stake removals by completion."""

STAKE_REMOVALS_BY_ACTOR: Final = _row(
    0x38, "stake_removals_by_actor", "set: (reputer, topic_id, completion height)"
)
"""Index of the pending self-stake removals by reputer."""

DELEGATE_STAKE_REMOVALS_BY_BLOCK: Final = _row(
    0x39,
    "delegate_stake_removals_by_block",
    "map: (completion height, topic_id, delegator, reputer) -> "
    "emissions.v3.DelegateStakeRemovalInfo",
)
"""Pending delegated removals by completion."""

DELEGATE_STAKE_REMOVALS_BY_ACTOR: Final = _row(
    0x3A,
    "delegate_stake_removals_by_actor",
    "set: (delegator, reputer, topic_id, completion height)",
)
"""Index of the pending delegated removals by delegator."""

# --- 0x4_: nonces, windows, commits (§2.6) ---------------------------------------------------

UNFULFILLED_WORKER_NONCES: Final = _row(
    0x40, "unfulfilled_worker_nonces", "map: topic_id -> emissions.v3.Nonces (newest first)"
)
"""Open worker nonces."""

UNFULFILLED_REPUTER_NONCES: Final = _row(
    0x41,
    "unfulfilled_reputer_nonces",
    "map: topic_id -> emissions.v3.ReputerRequestNonces (newest first)",
)
"""Open reputer nonces."""

OPEN_WORKER_WINDOWS: Final = _row(
    0x42, "open_worker_windows", "map: height -> JSON list of topic ids (insertion order)"
)
"""When to try closing which topics' worker nonces."""

TOPIC_REWARD_NONCE: Final = _row(0x43, "topic_reward_nonce", "map: topic_id -> height (Int)")
"""Reward nonce set by a reputer close."""

TOPIC_LAST_WORKER_COMMIT: Final = _row(
    0x44, "topic_last_worker_commit", "map: topic_id -> emissions.v3.TimestampedActorNonce"
)
"""Last closed worker nonce."""

TOPIC_LAST_REPUTER_COMMIT: Final = _row(
    0x45, "topic_last_reputer_commit", "map: topic_id -> emissions.v3.TimestampedActorNonce"
)
"""Last closed reputer nonce."""

# --- 0x5_: working sets (§2.7) ----------------------------------------------------------------

ACTIVE_INFERERS: Final = _row(0x50, "active_inferers", "set: (topic_id, address)")
"""Inferers admitted in the current window."""

ACTIVE_FORECASTERS: Final = _row(0x51, "active_forecasters", "set: (topic_id, address)")
"""Forecasters admitted in the current window."""

ACTIVE_REPUTERS: Final = _row(0x52, "active_reputers", "set: (topic_id, address)")
"""Reputers admitted in the current window."""

INFERENCES: Final = _row(0x53, "inferences", "map: (topic_id, inferer) -> emissions.v3.Inference")
"""Latest accepted inference per worker."""

FORECASTS: Final = _row(0x54, "forecasts", "map: (topic_id, forecaster) -> emissions.v3.Forecast")
"""Latest accepted forecast per worker."""

LOSS_BUNDLES: Final = _row(
    0x55, "loss_bundles", "map: (topic_id, reputer) -> emissions.v3.ReputerValueBundle"
)
"""Latest accepted loss bundle per reputer."""

LOWEST_INFERER_SCORE_EMA: Final = _row(
    0x56, "lowest_inferer_score_ema", "map: topic_id -> emissions.v3.Score"
)
"""Cached lowest inferer EMA of the active set."""

LOWEST_FORECASTER_SCORE_EMA: Final = _row(
    0x57, "lowest_forecaster_score_ema", "map: topic_id -> emissions.v3.Score"
)
"""Cached lowest forecaster EMA of the active set."""

LOWEST_REPUTER_SCORE_EMA: Final = _row(
    0x58, "lowest_reputer_score_ema", "map: topic_id -> emissions.v3.Score"
)
"""Cached lowest reputer EMA of the active set."""

# --- 0x6_: archives (§2.7) --------------------------------------------------------------------

ALL_INFERENCES: Final = _row(
    0x60, "all_inferences", "map: (topic_id, nonce height) -> emissions.v3.Inferences"
)
"""Archived inferences per nonce."""

ALL_FORECASTS: Final = _row(
    0x61, "all_forecasts", "map: (topic_id, nonce height) -> emissions.v3.Forecasts"
)
"""Archived forecasts per nonce."""

ALL_LOSS_BUNDLES: Final = _row(
    0x62, "all_loss_bundles", "map: (topic_id, nonce height) -> emissions.v3.ReputerValueBundles"
)
"""Archived reputer bundles per nonce."""

NETWORK_LOSS_BUNDLES: Final = _row(
    0x63, "network_loss_bundles", "map: (topic_id, nonce height) -> emissions.v3.ValueBundle"
)
"""Network losses per nonce."""

# --- 0x7_: scores and reward bookkeeping per topic (§2.8) ------------------------------------

INFERER_SCORES_BY_BLOCK: Final = _row(
    0x70, "inferer_scores_by_block", "map: (topic_id, height) -> emissions.v3.Scores"
)
"""Inferer scores per nonce."""

FORECASTER_SCORES_BY_BLOCK: Final = _row(
    0x71, "forecaster_scores_by_block", "map: (topic_id, height) -> emissions.v3.Scores"
)
"""Forecaster scores per nonce."""

REPUTER_SCORES_BY_BLOCK: Final = _row(
    0x72, "reputer_scores_by_block", "map: (topic_id, height) -> emissions.v3.Scores"
)
"""Reputer scores per nonce."""

INFERER_SCORE_EMAS: Final = _row(
    0x73, "inferer_score_emas", "map: (topic_id, address) -> emissions.v3.Score"
)
"""Inferer score EMAs."""

FORECASTER_SCORE_EMAS: Final = _row(
    0x74, "forecaster_score_emas", "map: (topic_id, address) -> emissions.v3.Score"
)
"""Forecaster score EMAs."""

REPUTER_SCORE_EMAS: Final = _row(
    0x75, "reputer_score_emas", "map: (topic_id, address) -> emissions.v3.Score"
)
"""Reputer score EMAs."""

PREVIOUS_TOPIC_QUANTILE_INFERER_SCORE_EMA: Final = _row(
    0x76, "previous_topic_quantile_inferer_score_ema", "map: topic_id -> Dec"
)
"""Pseudo-score of passive inferers."""

PREVIOUS_TOPIC_QUANTILE_FORECASTER_SCORE_EMA: Final = _row(
    0x77, "previous_topic_quantile_forecaster_score_ema", "map: topic_id -> Dec"
)
"""Pseudo-score of passive forecasters."""

PREVIOUS_TOPIC_QUANTILE_REPUTER_SCORE_EMA: Final = _row(
    0x78, "previous_topic_quantile_reputer_score_ema", "map: topic_id -> Dec"
)
"""Pseudo-score of passive reputers."""

REPUTER_LISTENING_COEFFICIENT: Final = _row(
    0x79,
    "reputer_listening_coefficient",
    "map: (topic_id, reputer) -> emissions.v3.ListeningCoefficient",
)
"""Reputer listening coefficients."""

PREVIOUS_REPUTER_REWARD_FRACTION: Final = _row(
    0x7A, "previous_reputer_reward_fraction", "map: (topic_id, reputer) -> Dec"
)
"""Previous reputer reward fractions."""

PREVIOUS_INFERENCE_REWARD_FRACTION: Final = _row(
    0x7B, "previous_inference_reward_fraction", "map: (topic_id, inferer) -> Dec"
)
"""Previous inference reward fractions."""

PREVIOUS_FORECAST_REWARD_FRACTION: Final = _row(
    0x7C, "previous_forecast_reward_fraction", "map: (topic_id, forecaster) -> Dec"
)
"""Previous forecast reward fractions."""

PREVIOUS_FORECASTER_SCORE_RATIO: Final = _row(
    0x7D, "previous_forecaster_score_ratio", "map: topic_id -> Dec"
)
"""Previous forecaster score ratio."""

COUNT_INFERER_INCLUSIONS_IN_TOPIC: Final = _row(
    0x7E, "count_inferer_inclusions_in_topic", "map: (topic_id, inferer) -> uint64 (Int)"
)
"""Epochs in which an inferer was paid."""

COUNT_FORECASTER_INCLUSIONS_IN_TOPIC: Final = _row(
    0x7F, "count_forecaster_inclusions_in_topic", "map: (topic_id, forecaster) -> uint64 (Int)"
)
"""Epochs in which a forecaster was paid."""

# --- 0x8_: global reward bookkeeping (§2.8) ---------------------------------------------------

PREVIOUS_PERCENTAGE_REWARD_TO_STAKED_REPUTERS: Final = _row(
    0x80, "previous_percentage_reward_to_staked_reputers", "item: Dec"
)
"""Reputer share of the treasury (read by mint; 0.3 at genesis)."""

REWARD_CURRENT_BLOCK_EMISSION: Final = _row(
    0x81, "reward_current_block_emission", "item: Int (written by mint)"
)
"""Allora cut of the current block emission."""

# --- 0x9_: regrets (§2.9) ---------------------------------------------------------------------

INFERER_NETWORK_REGRETS: Final = _row(
    0x90,
    "inferer_network_regrets",
    "map: topic_id -> regret table (inferer) -> (height, exact Dec)",
)
"""Inferer regrets."""

FORECASTER_NETWORK_REGRETS: Final = _row(
    0x91,
    "forecaster_network_regrets",
    "map: topic_id -> regret table (forecaster) -> (height, exact Dec)",
)
"""Forecaster regrets."""

ONE_IN_FORECASTER_NETWORK_REGRETS: Final = _row(
    0x92,
    "one_in_forecaster_network_regrets",
    "map: topic_id -> regret table (forecaster, inferer) -> (height, exact Dec)",
)
"""One-in forecaster regrets."""

NAIVE_INFERER_NETWORK_REGRETS: Final = _row(
    0x93,
    "naive_inferer_network_regrets",
    "map: topic_id -> regret table (inferer) -> (height, exact Dec)",
)
"""Naive inferer regrets."""

ONE_OUT_INFERER_INFERER_NETWORK_REGRETS: Final = _row(
    0x94,
    "one_out_inferer_inferer_network_regrets",
    "map: topic_id -> regret table (inferer, inferer) -> (height, exact Dec)",
)
"""One-out inferer/inferer regrets."""

ONE_OUT_INFERER_FORECASTER_NETWORK_REGRETS: Final = _row(
    0x95,
    "one_out_inferer_forecaster_network_regrets",
    "map: topic_id -> regret table (inferer, forecaster) -> (height, exact Dec)",
)
"""One-out inferer/forecaster regrets."""

ONE_OUT_FORECASTER_INFERER_NETWORK_REGRETS: Final = _row(
    0x96,
    "one_out_forecaster_inferer_network_regrets",
    "map: topic_id -> regret table (forecaster, inferer) -> (height, exact Dec)",
)
"""One-out forecaster/inferer regrets."""

ONE_OUT_FORECASTER_FORECASTER_NETWORK_REGRETS: Final = _row(
    0x97,
    "one_out_forecaster_forecaster_network_regrets",
    "map: topic_id -> regret table (forecaster, forecaster) -> (height, exact Dec)",
)
"""One-out forecaster/forecaster regrets."""

EMISSIONS_PREFIXES: Final[tuple[StorePrefix, ...]] = tuple(
    sorted(
        (
            value
            for name, value in sorted(globals().items())
            if isinstance(value, StorePrefix) and name.isupper()
        ),
        key=lambda row: row.prefix,
    )
)
"""Every emissions table, in prefix order (to be spliced into the chain's ``PREFIXES``)."""
