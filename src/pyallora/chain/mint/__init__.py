"""The mint module: emission schedule, ecosystem minting, per-block split (PROTOCOL.md §6)."""
