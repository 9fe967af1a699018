"""Parameters of the slashing module (``cosmos.slashing.v1beta1.Params``; SDK defaults).

JSON form (genesis, export)::

    {"signed_blocks_window": "100", "min_signed_per_window": "0.500000000000000000",
     "downtime_jail_duration": "600s",
     "slash_fraction_double_sign": "0.050000000000000000",
     "slash_fraction_downtime": "0.010000000000000000"}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from pyallora.chain.params import ParamsError, parse_json_int
from pyallora.chain.staking.params import (
    NANOS_PER_SECOND,
    format_duration_seconds,
    parse_duration_seconds,
)
from pyallora.core.legacy_dec import ONE as DEC_ONE
from pyallora.core.legacy_dec import (
    LegacyDecError,
    compute_div_round_half_even,
    format_legacy_dec_json,
    is_in_unit_interval,
    parse_legacy_dec_json,
)

_DEC_FIELDS: Final = (
    "min_signed_per_window",
    "slash_fraction_double_sign",
    "slash_fraction_downtime",
)
_FIELDS: Final = ("downtime_jail_duration", "signed_blocks_window", *_DEC_FIELDS)


@dataclass(frozen=True, slots=True, kw_only=True)
class SlashingParams:
    """Slashing parameters (fractions in LegacyDec units)."""

    signed_blocks_window: int = 100
    """Blocks over which missed signatures are counted."""
    min_signed_per_window: int = DEC_ONE // 2
    """Fraction of the window a validator must sign."""
    downtime_jail_duration_s: int = 600
    """Seconds of block time a validator jailed for downtime stays jailed."""
    slash_fraction_double_sign: int = DEC_ONE // 20
    """Fraction of stake burned for a double sign (5 %)."""
    slash_fraction_downtime: int = DEC_ONE // 100
    """Fraction of stake burned for downtime (1 %)."""

    def validate(self) -> None:
        """Check the ranges.

        Raises
        ------
        ParamsError
            Naming the offending field.
        """
        if type(self.signed_blocks_window) is not int or self.signed_blocks_window <= 0:
            raise ParamsError("slashing param signed_blocks_window must be a positive integer")
        if type(self.downtime_jail_duration_s) is not int or self.downtime_jail_duration_s <= 0:
            raise ParamsError("slashing param downtime_jail_duration must be positive")
        for name in _DEC_FIELDS:
            if not is_in_unit_interval(getattr(self, name)):
                raise ParamsError(f"slashing param {name} must be in [0, 1]")
        if self.min_signed_per_window == 0:
            raise ParamsError("slashing param min_signed_per_window must be positive")

    @property
    def downtime_jail_duration_ns(self) -> int:
        """The downtime jail duration in nanoseconds."""
        return self.downtime_jail_duration_s * NANOS_PER_SECOND

    @property
    def min_signed_blocks(self) -> int:
        """Blocks a validator must sign per window (SDK: the product rounded half to even)."""
        return compute_div_round_half_even(
            self.min_signed_per_window * self.signed_blocks_window, DEC_ONE
        )

    @property
    def max_missed_blocks(self) -> int:
        """Missed blocks tolerated per window: window − min signed."""
        return self.signed_blocks_window - self.min_signed_blocks

    def to_json(self) -> dict[str, str]:
        """JSON form (module docstring)."""
        return {
            "signed_blocks_window": str(self.signed_blocks_window),
            "min_signed_per_window": format_legacy_dec_json(self.min_signed_per_window),
            "downtime_jail_duration": format_duration_seconds(self.downtime_jail_duration_s),
            "slash_fraction_double_sign": format_legacy_dec_json(self.slash_fraction_double_sign),
            "slash_fraction_downtime": format_legacy_dec_json(self.slash_fraction_downtime),
        }

    @classmethod
    def from_json(cls, data: Any) -> SlashingParams:
        """Parse the JSON form; missing fields take their defaults.

        Raises
        ------
        ParamsError
            For unknown fields or malformed values.
        """
        if not isinstance(data, dict):
            raise ParamsError("slashing params must be a JSON object")
        unknown = sorted(key for key in data if key not in _FIELDS)
        if unknown:
            raise ParamsError(f"unknown slashing params: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        if "signed_blocks_window" in data:
            values["signed_blocks_window"] = parse_json_int(
                data["signed_blocks_window"], what="slashing param signed_blocks_window"
            )
        if "downtime_jail_duration" in data:
            values["downtime_jail_duration_s"] = parse_duration_seconds(
                data["downtime_jail_duration"], what="slashing param downtime_jail_duration"
            )
        for name in _DEC_FIELDS:
            if name in data:
                try:
                    values[name] = parse_legacy_dec_json(str(data[name]))
                except LegacyDecError as exc:
                    raise ParamsError(f"slashing param {name}: {exc}") from exc
        params = cls(**values)
        params.validate()
        return params


DEFAULT_SLASHING_PARAMS: Final = SlashingParams()
"""The defaults."""
