"""The block's commit information as the staking-family modules read it.

Distribution (who signed the last block, with what power) and slashing (missed blocks,
double-sign evidence) need two fields of CometBFT's ``FinalizeBlock`` request that the block
hooks receive through :class:`~pyallora.chain.context.BlockContext`: ``decided_last_commit``
(:class:`~pyallora.chain.abci_types.CommitInfo`) and ``misbehavior``
(:class:`~pyallora.chain.abci_types.Misbehavior` records).

Until ``BlockContext`` carries them (a change requested from the owners of
``chain/context.py`` and ``chain/app.py``: add ``decided_last_commit: CommitInfo`` and
``misbehavior: tuple[Misbehavior, ...]`` with empty defaults, filled by ``finalize_block``),
these accessors return an empty commit and no evidence: distribution then allocates by the
stored active set and slashing tracks nothing, which is also the behaviour of the first
block of a chain.
"""

from __future__ import annotations

from pyallora.chain.abci_types import CommitInfo, Misbehavior
from pyallora.chain.context import Context


def get_decided_last_commit(ctx: Context) -> CommitInfo:
    """The votes of the previous block (empty when the context does not carry them)."""
    commit = getattr(ctx.block, "decided_last_commit", None)
    return commit if isinstance(commit, CommitInfo) else CommitInfo()


def get_misbehavior(ctx: Context) -> tuple[Misbehavior, ...]:
    """The evidence delivered with the block (empty when the context does not carry it)."""
    evidence = getattr(ctx.block, "misbehavior", None)
    if not isinstance(evidence, tuple):
        return ()
    return tuple(item for item in evidence if isinstance(item, Misbehavior))
