"""pyallora.agents."""
