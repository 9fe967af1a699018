"""Scores, EMAs, regrets and the topic rewards of an epoch end (PROTOCOL.md §2.8, §2.9, §5.7)."""
