"""Parameters of the distribution module (``cosmos.distribution.v1beta1.Params``).

JSON form (genesis, export)::

    {"community_tax": "0.020000000000000000",
     "base_proposer_reward": "0.000000000000000000",
     "bonus_proposer_reward": "0.000000000000000000",
     "withdraw_addr_enabled": true}

The proposer rewards are deprecated in the SDK 0.50 (always zero) and only kept for genesis
compatibility; the community tax defaults to the SDK's 2 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from pyallora.chain.params import ParamsError
from pyallora.core.legacy_dec import (
    LegacyDecError,
    format_legacy_dec_json,
    is_in_unit_interval,
    parse_legacy_dec_json,
)

_FIELDS: Final = (
    "base_proposer_reward",
    "bonus_proposer_reward",
    "community_tax",
    "withdraw_addr_enabled",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class DistributionParams:
    """Distribution parameters (fractions in LegacyDec units)."""

    community_tax: int = 20_000_000_000_000_000
    """Share of every allocation that goes to the community pool (2 %)."""
    base_proposer_reward: int = 0
    """Deprecated (must be 0)."""
    bonus_proposer_reward: int = 0
    """Deprecated (must be 0)."""
    withdraw_addr_enabled: bool = True
    """Whether delegators may set a separate withdraw address."""

    def validate(self) -> None:
        """Check the ranges.

        Raises
        ------
        ParamsError
            Naming the offending field.
        """
        if not is_in_unit_interval(self.community_tax):
            raise ParamsError("distribution param community_tax must be in [0, 1]")
        if self.base_proposer_reward != 0 or self.bonus_proposer_reward != 0:
            raise ParamsError("distribution proposer rewards are deprecated and must be 0")
        if not isinstance(self.withdraw_addr_enabled, bool):
            raise ParamsError("distribution param withdraw_addr_enabled must be a boolean")

    def to_json(self) -> dict[str, Any]:
        """JSON form (module docstring)."""
        return {
            "community_tax": format_legacy_dec_json(self.community_tax),
            "base_proposer_reward": format_legacy_dec_json(self.base_proposer_reward),
            "bonus_proposer_reward": format_legacy_dec_json(self.bonus_proposer_reward),
            "withdraw_addr_enabled": self.withdraw_addr_enabled,
        }

    @classmethod
    def from_json(cls, data: Any) -> DistributionParams:
        """Parse the JSON form; missing fields take their defaults.

        Raises
        ------
        ParamsError
            For unknown fields or malformed values.
        """
        if not isinstance(data, dict):
            raise ParamsError("distribution params must be a JSON object")
        unknown = sorted(key for key in data if key not in _FIELDS)
        if unknown:
            raise ParamsError(f"unknown distribution params: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name in ("community_tax", "base_proposer_reward", "bonus_proposer_reward"):
            if name in data:
                try:
                    values[name] = parse_legacy_dec_json(str(data[name]))
                except LegacyDecError as exc:
                    raise ParamsError(f"distribution param {name}: {exc}") from exc
        if "withdraw_addr_enabled" in data:
            values["withdraw_addr_enabled"] = data["withdraw_addr_enabled"]
        params = cls(**values)
        params.validate()
        return params


DEFAULT_DISTRIBUTION_PARAMS: Final = DistributionParams()
"""The defaults."""
