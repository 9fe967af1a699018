"""L0: pure values and encodings shared by every layer (no I/O, no clock, no float)."""
