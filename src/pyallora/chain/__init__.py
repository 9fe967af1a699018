"""pyallora.chain."""
