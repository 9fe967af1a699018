"""The emissions end blocker as an ordered list of named stages (PROTOCOL.md §5.4).

:data:`END_BLOCK_STAGES` lists ``(name, function)`` pairs in §5.4 order; the module's
``end_block`` hook runs them all (:func:`run_end_block`), tests stop before one
(:func:`run_end_block_to`). A stage is ``stage(ctx, store, state) -> state``
(:class:`~pyallora.chain.emissions.block.state.EndBlockState` carries data from one stage to
the next within the block) and declares its failure policy as ``FAILURE_POLICY`` in its
module.

======================================  ===========  =========================================
stage                                   §5.4 step    module
======================================  ===========  =========================================
``process_stake_removals``              1 (§5.8)     :mod:`.stake_removals`
``process_delegate_stake_removals``     1 (§5.8)     :mod:`.stake_removals`
``process_topic_weights``               2 (§5.3)     :mod:`.topic_weights`
``process_nonces``                      3 (§5.5-5.6) :mod:`.nonces`
``process_topic_rewards``               4 (§5.7)     :mod:`.rewards`
``process_worker_windows``              5 (§5.5)     :mod:`.worker_windows`
======================================  ===========  =========================================

Part 2 appends, in this order and each in its own module of this package: step 3 (open
worker nonces and close due reputer nonces of the kept topics, §5.5-§5.6), step 4 (rewards,
§5.7) and step 5 (close worker windows due now, §5.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from pyallora.chain.context import Context
from pyallora.chain.emissions.block.nonces import process_nonces
from pyallora.chain.emissions.block.rewards import process_topic_rewards
from pyallora.chain.emissions.block.stake_removals import (
    process_delegate_stake_removals,
    process_stake_removals,
)
from pyallora.chain.emissions.block.state import EndBlockState
from pyallora.chain.emissions.block.topic_weights import process_topic_weights
from pyallora.chain.emissions.block.worker_windows import process_worker_windows
from pyallora.chain.store.kv import KVStore

Stage = Callable[[Context, KVStore, EndBlockState], EndBlockState]
"""An end-block stage."""

END_BLOCK_STAGES: Final[tuple[tuple[str, Stage], ...]] = (
    ("process_stake_removals", process_stake_removals),
    ("process_delegate_stake_removals", process_delegate_stake_removals),
    ("process_topic_weights", process_topic_weights),
    ("process_nonces", process_nonces),
    ("process_topic_rewards", process_topic_rewards),
    ("process_worker_windows", process_worker_windows),
)
"""The end-block stages in PROTOCOL.md §5.4 order."""


class UnknownStageError(KeyError):
    """A stage name that :data:`END_BLOCK_STAGES` does not list (a caller bug)."""


def get_stage_names() -> tuple[str, ...]:
    """The stage names, in order."""
    return tuple(name for name, _ in END_BLOCK_STAGES)


def run_end_block_to(
    ctx: Context,
    store: KVStore,
    stage: str | None,
    state: EndBlockState | None = None,
) -> EndBlockState:
    """Run the stages *before* ``stage`` (all of them when ``stage`` is ``None``).

    Parameters
    ----------
    ctx, store
        The end-block context and the block's store.
    stage
        Name of the first stage not to run.
    state
        The starting state (an empty one by default).

    Raises
    ------
    UnknownStageError
        If ``stage`` is not a stage name.
    """
    if stage is not None and stage not in get_stage_names():
        raise UnknownStageError(stage)
    current = state if state is not None else EndBlockState()
    for name, function in END_BLOCK_STAGES:
        if name == stage:
            break
        current = function(ctx, store, current)
    return current


def run_end_block_stage(
    ctx: Context, store: KVStore, stage: str, state: EndBlockState
) -> EndBlockState:
    """Run the single stage ``stage`` (tests continue after :func:`run_end_block_to`).

    Raises
    ------
    UnknownStageError
        If ``stage`` is not a stage name.
    """
    for name, function in END_BLOCK_STAGES:
        if name == stage:
            return function(ctx, store, state)
    raise UnknownStageError(stage)


def run_end_block(ctx: Context, store: KVStore) -> EndBlockState:
    """Run every stage (the module's end-block hook)."""
    return run_end_block_to(ctx, store, None)
