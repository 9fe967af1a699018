"""Typed identifiers (NewTypes) used across layers."""

from __future__ import annotations

from typing import NewType

TopicId = NewType("TopicId", int)
"""A topic's id: 1, 2, ... in creation order."""

Height = NewType("Height", int)
"""A block height (1 is the first block)."""

Nonce = NewType("Nonce", int)
"""A worker or reputer nonce: the block height that opened it."""

Address = NewType("Address", str)
"""A bech32 account address with the ``allo`` prefix."""
