"""Worker and reputer registration (PROTOCOL.md §2.4, §3.2, §3.3, §4.2)."""
