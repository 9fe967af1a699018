"""End-block stage 5: close the worker windows due now (PROTOCOL.md §5.4 step 5, §5.5).

For each topic in ``open_worker_windows[h]``: every open worker nonce n that is not inside
its window (not n ≤ h < n + W) is closed; then ``open_worker_windows[h]`` is deleted.

The close precondition ``epoch_last_ended < h ≤ epoch_last_ended + G`` uses, by default,
the value of ``epoch_last_ended`` from before this block (handed over by stage 3), so a topic
with W = E closes its windows; under ``reference_compat`` it uses the stored value, which
stage 3 may just have set to h, reproducing quirk C5.

Failure policy: **drop** per nonce (a failed close is rolled back unless
``reference_compat``, and the nonce is removed; by default its working sets are cleared,
quirk C22).
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.block.state import EndBlockState
from pyallora.chain.emissions.nonces.close import process_worker_window_close
from pyallora.chain.emissions.nonces.state import (
    delete_open_worker_windows,
    get_open_worker_windows,
    get_unfulfilled_worker_nonces,
)
from pyallora.chain.emissions.params import is_reference_compat
from pyallora.chain.emissions.topics.state import get_topic
from pyallora.chain.store.kv import KVStore

FAILURE_POLICY: Final = "drop"
"""A failed worker close drops that nonce; other exceptions are bugs."""


def process_worker_windows(ctx: Context, store: KVStore, state: EndBlockState) -> EndBlockState:
    """Close the worker nonces whose window ended (module docstring)."""
    height = ctx.height
    compat = is_reference_compat(store)
    previous = dict(state.epoch_last_ended_before)
    for topic_id in get_open_worker_windows(store, height):
        topic = get_topic(store, topic_id)
        if topic is None:
            continue
        epoch_last_ended = topic.epoch_last_ended
        if not compat:
            epoch_last_ended = previous.get(topic_id, epoch_last_ended)
        window = topic.worker_submission_window
        for nonce in get_unfulfilled_worker_nonces(store, topic_id):
            if nonce <= height < nonce + window:
                continue
            process_worker_window_close(
                ctx, store, topic_id, nonce, epoch_last_ended=epoch_last_ended
            )
    delete_open_worker_windows(store, height)
    return state
