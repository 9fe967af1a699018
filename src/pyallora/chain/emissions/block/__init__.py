"""The emissions end blocker: one module per stage, ordered by :mod:`.pipeline`
(PROTOCOL.md §5.4)."""
