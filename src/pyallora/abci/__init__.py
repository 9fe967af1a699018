"""pyallora.abci."""
