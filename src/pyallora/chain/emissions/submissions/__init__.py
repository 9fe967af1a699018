"""Worker and reputer payloads and the per-window active sets (PROTOCOL.md §3.14, §3.15, §5.9)."""
