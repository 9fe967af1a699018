"""pyallora.storage."""
