"""Topics: creation, funding, weights, activation and churn (PROTOCOL.md §2.2, §2.3, §3.1,
§3.11, §4.1, §5.3)."""
