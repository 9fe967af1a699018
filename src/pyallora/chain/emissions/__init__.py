"""The emissions module of the chain (PROTOCOL.md §2-§5, §7.2): topics, registration, stake,
nonces, submissions and rewards, one sub-package per area."""
