"""The node's HTTP API (FastAPI): see :mod:`pyallora.node.api.app`."""
