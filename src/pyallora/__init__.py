"""pyallora: the Allora decentralized AI network in Python."""

__version__ = "0.1.0"
