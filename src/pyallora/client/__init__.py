"""pyallora.client."""
