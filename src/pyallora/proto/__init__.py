"""pyallora.proto."""
