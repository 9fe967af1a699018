"""Whitelist admins and UpdateParams (PROTOCOL.md §2.1, §2.10, §3.12, §3.13, §4.2)."""
