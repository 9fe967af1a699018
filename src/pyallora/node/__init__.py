"""pyallora.node."""
