"""End-block stage 3: open worker nonces and close due reputer nonces of the topics ending now
(PROTOCOL.md §5.4 step 3, §5.6).

The weight map of stage 2 is ordered by weight descending (ties by topic id, quirk C20) and
truncated to ``max_active_topics_per_block``; zero weights are skipped. For each kept topic:

a. ``epoch_last_ended`` ← h (the previous value is handed to stage 5, quirk C5);
b. worker nonce h opens (front of the list, capped);
c. the topic is registered in ``open_worker_windows[h + W]``;
d. nonces too old to close are pruned;
e. every open reputer nonce N with h ≥ N + G + E is closed, newest first.

Failure policy: **drop** per nonce. Each reputer close runs in a branch
(:func:`~pyallora.chain.emissions.nonces.close.run_in_branch`); a failed close is rolled back
(kept under ``reference_compat``) and its nonce dropped. Anything else raising is a bug.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.block.state import EndBlockState
from pyallora.chain.emissions.nonces.close import process_topic_epoch_end
from pyallora.chain.emissions.params import compute_topic_weight_params, get_params
from pyallora.chain.emissions.topics.state import get_topic
from pyallora.chain.store.kv import KVStore
from pyallora.core.dec import with_dec_context
from pyallora.core.ids import TopicId
from pyallora.synthesis.topic_weights import compute_rewardable_topics

FAILURE_POLICY: Final = "drop"
"""A failed nonce close drops that nonce (in a branch); other exceptions are bugs."""


@with_dec_context
def process_nonces(ctx: Context, store: KVStore, state: EndBlockState) -> EndBlockState:
    """Open and close the nonces of the topics ending now (module docstring).

    Returns
    -------
    EndBlockState
        ``state`` with the kept topics' previous ``epoch_last_ended``.
    """
    params = get_params(store)
    if not state.topic_weights or params.max_active_topics_per_block == 0:
        return state
    kept = compute_rewardable_topics(
        [(TopicId(entry.topic_id), entry.weight) for entry in state.topic_weights],
        compute_topic_weight_params(params),
    )
    before: list[tuple[int, int]] = []
    for topic_id in kept:
        topic = get_topic(store, topic_id)
        if topic is None:
            continue
        before.append((topic_id, topic.epoch_last_ended))
        process_topic_epoch_end(ctx, store, topic_id, params)
    return replace(state, epoch_last_ended_before=state.epoch_last_ended_before + tuple(before))
