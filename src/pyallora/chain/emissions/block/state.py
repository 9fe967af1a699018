"""What the end-block stages of one block hand to each other (PROTOCOL.md §5.4).

Each stage is ``stage(ctx, store, state) -> state`` over a frozen :class:`EndBlockState`;
nothing here is stored. The weight stage (§5.4 step 2) fills :attr:`EndBlockState.topic_weights`,
the map the nonce and reward stages of steps 3-4 consume. Part 2 adds its own fields here
(with defaults) when its stages need to pass data on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyallora.core.dec import ZERO, Dec


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicWeightEntry:
    """A topic whose epoch ended in this block and stayed above the minimum weight."""

    topic_id: int
    weight: Dec
    """The weight stored at this epoch end."""
    revenue: int
    """The fee revenue before this epoch's drip."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EndBlockState:
    """The block's running end-block data."""

    topic_weights: tuple[TopicWeightEntry, ...] = ()
    """The weight map of §5.4 step 2, in processing (slot) order."""
    total_revenue: int = 0
    """Σ pre-drip revenue of :attr:`topic_weights`."""
    total_weight: Dec = ZERO
    """Σ weights of :attr:`topic_weights`."""
    epoch_last_ended_before: tuple[tuple[int, int], ...] = ()
    """(part 2) ``(topic id, epoch_last_ended before this block)`` of the topics whose worker
    nonce the nonce stage opened (§5.4 step 3a); the worker-window stage checks the close
    precondition against it (quirk C5 fix)."""
