"""End-block stage 2: weights of the topics whose epoch ends now (PROTOCOL.md §5.4 step 2,
§5.3).

For every topic in ``block_to_active_topics[h]``, in slot order:

1. compute its current weight (EMA of the target with the stored previous weight) and
   store it as the previous weight, adjusting the weight sum;
2. drip its fee revenue: R ← max(0, ⌊R − R / epochs_per_week⌋)
   (:func:`~pyallora.synthesis.topic_weights.compute_fee_revenue_after_drip`);
3. if the weight is below ``min_topic_weight``, deactivate the topic and skip it;
4. otherwise reschedule it at h + E under the slot-contest rules, comparing weights
   recomputed after the store and the drip. A topic that loses that contest is still part
   of this block's weight map (it opens a nonce and can be rewarded now) but has no next
   epoch end until it is re-activated. A reschedule that fails with an error (h + E outside
   ``int64``, :mod:`..heights`: only on a chain past 2^62) deactivates the topic, which is
   skipped, as §5.4 step 2 prescribes;
5. record (topic, weight) in the block's weight map with its pre-drip revenue.

Failure policy: **halt**, except for the failing reschedule above; any other exception is
a bug.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.block.state import EndBlockState, TopicWeightEntry
from pyallora.chain.emissions.errors import InvalidValueError
from pyallora.chain.emissions.params import compute_topic_weight_params, get_params
from pyallora.chain.emissions.topics.activation import (
    REASON_BELOW_MIN_WEIGHT,
    REASON_HEIGHT_OVERFLOW,
    TopicStateError,
    deactivate_topic,
    get_current_topic_weight,
    reschedule_topic,
    store_topic_weight,
)
from pyallora.chain.emissions.topics.state import (
    get_active_topics_at_block,
    get_topic,
    get_topic_fee_revenue,
    set_last_drip_block,
    set_topic_fee_revenue,
)
from pyallora.chain.store.kv import KVStore
from pyallora.core.dec import Dec, with_dec_context
from pyallora.synthesis.topic_weights import compute_fee_revenue_after_drip

FAILURE_POLICY: Final = "halt"
"""Any exception in this stage is a bug."""


@with_dec_context
def process_topic_weights(ctx: Context, store: KVStore, state: EndBlockState) -> EndBlockState:
    """Weigh, drip, deactivate or reschedule the topics ending now (module docstring).

    Returns
    -------
    EndBlockState
        ``state`` with the block's weight map, revenue total and weight sum.

    Raises
    ------
    TopicStateError
        If a scheduled topic does not exist (corrupt state).
    """
    params = get_params(store)
    min_weight = params.get_dec("min_topic_weight")
    weight_params = compute_topic_weight_params(params)
    entries: list[TopicWeightEntry] = []
    total_revenue = 0
    total_weight: Dec = state.total_weight
    for topic_id in get_active_topics_at_block(store, ctx.height):
        topic = get_topic(store, topic_id)
        if topic is None:
            raise TopicStateError(f"topic {topic_id} is scheduled at {ctx.height} but missing")
        revenue = get_topic_fee_revenue(store, topic_id)
        weight = get_current_topic_weight(store, topic_id, params)
        store_topic_weight(store, topic_id, weight)
        set_topic_fee_revenue(
            store,
            topic_id,
            compute_fee_revenue_after_drip(revenue, topic.epoch_length, weight_params),
        )
        set_last_drip_block(store, topic_id, ctx.height)
        if weight < min_weight:
            deactivate_topic(ctx, store, topic_id, REASON_BELOW_MIN_WEIGHT)
            continue
        try:
            reschedule_topic(ctx, store, topic_id, params)
        except InvalidValueError:
            deactivate_topic(ctx, store, topic_id, REASON_HEIGHT_OVERFLOW)
            continue
        entries.append(TopicWeightEntry(topic_id=topic_id, weight=weight, revenue=revenue))
        total_revenue += revenue
        total_weight = total_weight + weight
    return replace(
        state,
        topic_weights=state.topic_weights + tuple(entries),
        total_revenue=state.total_revenue + total_revenue,
        total_weight=total_weight,
    )
