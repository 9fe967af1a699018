"""Worker and reputer nonces, windows, commits and the per-nonce archives (PROTOCOL.md §2.6,
§2.7, §5.4-§5.6)."""
