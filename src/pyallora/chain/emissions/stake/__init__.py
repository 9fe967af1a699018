"""Reputer stake, delegation and the removal queues (PROTOCOL.md §2.5, §3.4-§3.10, §4.5,
§5.8)."""
