"""End-block stage 4: topic rewards for the topics ending now that have a reward nonce
(PROTOCOL.md §5.4 step 4, §5.7; :mod:`pyallora.chain.emissions.rewards.distribution`).

Failure policy: **drop** per topic (a failed reward round pays nothing for that topic and its
share stays in the treasury; rolled back unless ``reference_compat``). One exception halts on
purpose: under ``reference_compat`` a zero total of previous weights raises
:class:`~pyallora.chain.emissions.errors.InvalidRewardError`, as the reference does (quirk C8).
"""

from __future__ import annotations

from typing import Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.block.state import EndBlockState
from pyallora.chain.emissions.rewards.distribution import process_rewards
from pyallora.chain.store.kv import KVStore

FAILURE_POLICY: Final = "drop"
"""A topic whose reward round fails is skipped; C8 under ``reference_compat`` halts."""


def process_topic_rewards(ctx: Context, store: KVStore, state: EndBlockState) -> EndBlockState:
    """Reward the topics of the block's weight map (module docstring)."""
    process_rewards(
        ctx, store, tuple((entry.topic_id, entry.weight) for entry in state.topic_weights)
    )
    return state
