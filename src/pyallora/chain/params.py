"""Parameters of the chain's transaction layer (the ``auth`` module's ``Params``).

Module parameters are frozen dataclasses with ``validate()`` and a JSON form (integers as
decimal strings, as Cosmos genesis files write them), stored under the module's params prefix
(:mod:`pyallora.chain.store.schema`) and exported in genesis. Other modules define theirs the
same way in their own package (emissions params, mint params).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Final

from pyallora.core.errors import PyAlloraError


class ParamsError(PyAlloraError, ValueError):
    """A parameter set is invalid (genesis or an update)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthParams:
    """Ante-handler parameters: the SDK's five ``auth`` params plus pyallora's two limits."""

    max_memo_characters: int = 256
    """Longest memo, in bytes of UTF-8."""

    tx_sig_limit: int = 7
    """Most signatures per tx (pyallora accepts one signer; kept for genesis compatibility)."""

    tx_size_cost_per_byte: int = 10
    """Gas per byte of the raw tx."""

    sig_verify_cost_ed25519: int = 590
    """Gas to verify an ed25519 signature (unused: account keys are secp256k1)."""

    sig_verify_cost_secp256k1: int = 1000
    """Gas to verify a secp256k1 signature."""

    max_tx_bytes: int = 1_048_576
    """pyallora: largest accepted tx (CometBFT's default mempool ``max_tx_bytes``)."""

    msg_gas_cost: int = 1000
    """pyallora: flat gas charged per message before its handler runs."""

    def validate(self) -> None:
        """Check every field is a positive integer.

        Raises
        ------
        ParamsError
            Naming the first offending field.
        """
        for item in fields(self):
            value = getattr(self, item.name)
            if type(value) is not int or value <= 0:
                raise ParamsError(f"auth param {item.name} must be a positive integer: {value!r}")

    def to_json(self) -> dict[str, str]:
        """JSON form: field name -> decimal text."""
        return {item.name: str(getattr(self, item.name)) for item in fields(self)}

    @classmethod
    def from_json(cls, data: Any) -> AuthParams:
        """Parse the JSON form; missing fields take their defaults.

        Raises
        ------
        ParamsError
            If the object has unknown fields or a value is not a decimal integer.
        """
        if not isinstance(data, dict):
            raise ParamsError("auth params must be a JSON object")
        known = {item.name for item in fields(cls)}
        unknown = sorted(key for key in data if key not in known)
        if unknown:
            raise ParamsError(f"unknown auth params: {', '.join(unknown)}")
        values: dict[str, int] = {}
        for name in sorted(data):
            values[name] = parse_json_int(data[name], what=f"auth param {name}")
        params = cls(**values)
        params.validate()
        return params


DEFAULT_AUTH_PARAMS: Final = AuthParams()
"""The defaults."""


def parse_json_int(value: Any, *, what: str) -> int:
    """An integer from its JSON form: a decimal string (or a JSON integer).

    Raises
    ------
    ParamsError
        If the value is neither.

    >>> parse_json_int("42", what="x"), parse_json_int(7, what="x")
    (42, 7)
    """
    if type(value) is int:
        return value
    if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit():
        return int(value)
    raise ParamsError(f"{what} must be an integer as a decimal string, got {value!r:.60}")
