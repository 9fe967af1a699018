"""The staking module: validators and delegated proof of stake (PROTOCOL.md §1.1, §3.18)."""
