"""The distribution module: validator rewards, commission, delegator claims (PROTOCOL.md §6.4)."""
