"""Errors of the storage backends."""

from __future__ import annotations

from pyallora.core.errors import PyAlloraError


class StorageError(PyAlloraError):
    """The committed store cannot do what was asked (bad height, unknown format, closed)."""
