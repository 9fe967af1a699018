"""The auth module: accounts, sequences, public keys, module accounts (PROTOCOL.md §1.2, §1.4)."""
