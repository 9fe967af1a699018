"""The bank module: uallo balances, supply, transfers, module money flows (PROTOCOL.md §1.3-1.4)."""
